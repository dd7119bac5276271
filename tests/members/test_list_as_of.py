"""The member list as of a past day (``at``): the page, the API and the list's file name the same people,
those who were members that day, in the units they were in and the tree as it stood then, within the
user's scope; without ``at`` the list reads today's mirrors alone."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from congdoan.members import selectors, services
from congdoan.units import services as units
from tests.factories import decision
from tests.members.people import admit
from tests.mixins import build_world

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def world(small_tree):
    """Kiên Giang's history (units founded 01/01/2019, members joined 01/06/2019 unless said):
    - An (KG-RG-01) suspended from 01/06/2021;
    - Bình moved from KG-RG-02 to KG-PQ-01 (Phú Quốc) on 01/01/2022;
    - Dũng admitted to KG-RG-01 on 01/03/2023;
    - KG-PQ-01 moved from Phú Quốc to Rạch Giá on 01/01/2024;
    - Em moved from KG-RG-01 to AG-LX-01 (An Giang) on 01/01/2025;
    - Cường always in AG-LX-01."""
    tree = small_tree
    an = admit(tree["a"], "Nguyễn Văn An", serial=1)
    binh = admit(tree["b"], "Trần Thị Bình", gender="female", year=1985, serial=2)
    admit(tree["d"], "Lê Văn Cường", serial=3)
    em = admit(tree["a"], "Phạm Văn Em", serial=5)
    services.suspend_member(member=an, on=D(2021, 6, 1))
    services.transfer_member(member=binh, on=D(2022, 1, 1), to_unit=tree["c"])
    admit(tree["a"], "Hoàng Văn Dũng", serial=4, joined_on=D(2023, 3, 1))
    units.move_units(
        units=[tree["c"]], new_parent=tree["rg"], effective_on=D(2024, 1, 1), decision=decision(D(2024, 1, 1))
    )
    services.transfer_member(member=em, on=D(2025, 1, 1), to_unit=tree["d"])
    return build_world(tree)


def page_list(user, query: dict) -> dict[str, str]:
    """Name -> grassroots union code as the list page shows them, every page read."""
    client = Client()
    client.force_login(user)
    shown, number = {}, 1
    while True:
        response = client.get("/members/", {**query, "page": number})
        assert response.status_code == 200 and not response.context["filterset"].errors
        shown |= {
            member.full_name: member.standing.unit.code for member, _personal in response.context["rows"]
        }
        if not response.context["page"].has_next:
            return shown
        number += 1


def api_list(user, query: dict) -> dict[str, str]:
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/members/", {**query, "limit": 1000})
    assert response.status_code == 200, response.content
    return {row["full_name"]: row["unit"] for row in response.json()["results"]}


def file_list(user, query: dict) -> dict[str, str]:
    """The list's .csv as the page's export button and the API's export hand it out (they must agree)."""
    client = Client()
    client.force_login(user)
    files = [client.get("/members/export/", {**query, "format": "csv"})]
    files.append(client.get("/api/members/export/", {**query, "file_format": "csv"}))
    lists = []
    for response in files:
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        header = rows[0]
        name, unit = header.index("Họ và tên"), header.index("Mã CĐCS")
        lists.append({row[name]: row[unit] for row in rows[1:]})
    assert lists[0] == lists[1]
    return lists[0]


AN, BINH, CUONG, DUNG, EM = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Hoàng Văn Dũng", "Phạm Văn Em"


@pytest.mark.parametrize(
    ("user", "query", "expected"),
    [
        # Bình was in KG-RG-02 until her transfer: listed there, not in Phú Quốc where she went.
        (
            "officer",
            {"at": "31/12/2021", "unit": "KG-RG"},
            {AN: "KG-RG-01", BINH: "KG-RG-02", EM: "KG-RG-01"},
        ),
        ("officer", {"at": "31/12/2021", "unit": "KG-PQ"}, {}),
        # Dũng was admitted after the day: not listed.
        ("officer", {"at": "31/12/2022", "unit": "KG-RG"}, {AN: "KG-RG-01", EM: "KG-RG-01"}),
        # KG-PQ-01 counts under Phú Quốc, where it stood then, not under Rạch Giá where it was moved.
        ("officer", {"at": "30/06/2023", "unit": "KG-PQ"}, {BINH: "KG-PQ-01"}),
        (
            "officer",
            {"at": "30/06/2023", "unit": "KG-RG"},
            {AN: "KG-RG-01", EM: "KG-RG-01", DUNG: "KG-RG-01"},
        ),
        (
            "officer",
            {"at": "30/06/2024", "unit": "KG-RG"},
            {AN: "KG-RG-01", BINH: "KG-PQ-01", EM: "KG-RG-01", DUNG: "KG-RG-01"},
        ),
        # Today: Em is in An Giang, out of the officer's sight.
        ("officer", {"unit": "KG-RG"}, {AN: "KG-RG-01", BINH: "KG-PQ-01", DUNG: "KG-RG-01"}),
        ("officer", {"at": "31/12/2018"}, {}),  # nobody had joined yet
        # The status filter reads the state of that day: An was suspended from 01/06/2021.
        ("officer", {"at": "31/05/2021", "status": "suspended"}, {}),
        ("officer", {"at": "31/12/2021", "status": "suspended"}, {AN: "KG-RG-01"}),
        ("officer", {"at": "31/12/2021", "status": "active"}, {BINH: "KG-RG-02", EM: "KG-RG-01"}),
        # Other filters still apply.
        ("officer", {"at": "31/12/2021", "gender": "female"}, {BINH: "KG-RG-02"}),
        ("officer", {"at": "31/12/2021", "q": "van"}, {AN: "KG-RG-01", EM: "KG-RG-01"}),
        # Scope: the chair sees their CĐCS as it was; Em was one of its members in 2024.
        ("chair", {"at": "30/06/2024"}, {AN: "KG-RG-01", EM: "KG-RG-01", DUNG: "KG-RG-01"}),
        ("chair", {}, {AN: "KG-RG-01", DUNG: "KG-RG-01"}),
        ("outsider", {"at": "30/06/2024"}, {CUONG: "AG-LX-01"}),
        ("outsider", {}, {CUONG: "AG-LX-01", EM: "AG-LX-01"}),
        ("superuser", {"at": "30/06/2024", "unit": "AG"}, {CUONG: "AG-LX-01"}),
    ],
)
def test_page_api_and_file_list_the_same_people(world, user, query, expected):
    user = world.users[user]
    assert page_list(user, query) == expected
    assert api_list(user, query) == expected
    assert file_list(user, query) == expected


def test_the_page_shows_the_day_and_each_members_status_then(world):
    client = Client()
    client.force_login(world.users["officer"])
    page = client.get("/members/", {"at": "31/05/2021", "unit": "KG-RG-01"}).content.decode()
    assert "31/05/2021" in page
    assert "Nguyễn Văn An" in page and "badge active" in page and "badge update" not in page
    # The printable list of the CĐCS is offered for the same day.
    assert 'href="/members/units/KG-RG-01/print/?at=31/05/2021"' in page


def test_the_api_gives_each_members_unit_and_status_of_that_day(world):
    client = APIClient()
    client.force_login(world.users["officer"])
    rows = client.get("/api/members/", {"at": "2021-12-31", "q": "Bình"}).json()["results"]
    assert [(row["unit"], row["unit_name"], row["status"]) for row in rows] == [
        ("KG-RG-02", world.units["b"].name, "active")
    ]
    rows = client.get("/api/members/", {"at": "2021-12-31", "q": "An"}).json()["results"]
    assert [(row["unit"], row["status"]) for row in rows if row["full_name"] == AN] == [
        ("KG-RG-01", "suspended")
    ]


def test_the_file_of_a_past_day_is_titled_with_that_day(world):
    client = Client()
    client.force_login(world.users["officer"])
    response = client.get("/members/export/", {"at": "31/12/2021", "unit": "KG-RG", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "ngày 31/12/2021" in sheet["A1"].value


@pytest.mark.parametrize("day", ["tomorrow", "31/12/1899", "31/02/2021"])
def test_a_future_or_too_early_day_is_refused_on_its_field(world, day, english):
    if day == "tomorrow":
        day = f"{timezone.localdate() + datetime.timedelta(days=1):%d/%m/%Y}"
    client = Client()
    client.force_login(world.users["officer"])
    page = client.get("/members/", {"at": day})
    assert page.status_code == 200 and list(page.context["filterset"].errors) == ["at"]
    assert page.context["on"] is None  # the page claims no day it does not show
    api = APIClient()
    api.force_login(world.users["officer"])
    response = api.get("/api/members/", {"at": day})
    assert response.status_code == 400 and list(response.json()) == ["at"]
    exported = client.get("/members/export/", {"at": day, "format": "csv"})
    assert exported.status_code == 302 and exported.url.startswith("/members/?")


def test_today_is_a_day_the_list_may_be_of(world):
    today = f"{timezone.localdate():%d/%m/%Y}"
    officer = world.users["officer"]
    assert (
        page_list(officer, {"at": today})
        == page_list(officer, {})
        == {AN: "KG-RG-01", BINH: "KG-PQ-01", DUNG: "KG-RG-01"}
    )


@pytest.mark.parametrize("path", ["/members/", "/api/members/", "/members/count/"])
def test_without_a_day_the_list_reads_no_membership_interval(world, path):
    """The default list stays on today's mirrors (Member.unit, Member.status) and their indexes."""
    client = Client()
    client.force_login(world.users["officer"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, {"unit": "KG-RG"}).status_code == 200
    assert not [query["sql"] for query in queries if "members_membership" in query["sql"]]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, {"unit": "KG-RG", "at": "31/12/2021"}).status_code == 200
    assert [query["sql"] for query in queries if "members_membership" in query["sql"]]


def test_the_count_is_of_the_list_of_that_day(world):
    client = Client()
    client.force_login(world.users["officer"])
    assert client.get("/members/count/", {"at": "31/12/2021", "unit": "KG-RG"}).context["count"] == 3
    assert client.get("/members/count/", {"at": "31/12/2021", "unit": "KG-PQ"}).context["count"] == 0


@pytest.mark.parametrize("few", [0, 1, 2])
def test_a_long_list_of_a_day_names_the_same_people(world, monkeypatch, few):
    """A list longer than ``FEW_MEMBERS`` is read along the list's order instead: the same people."""
    monkeypatch.setattr(selectors, "FEW_MEMBERS", few)
    officer = world.users["officer"]
    expected = {AN: "KG-RG-01", EM: "KG-RG-01", DUNG: "KG-RG-01"}
    assert page_list(officer, {"at": "30/06/2023", "unit": "KG-RG"}) == expected
    assert api_list(officer, {"at": "30/06/2023", "unit": "KG-RG"}) == expected
    assert file_list(officer, {"at": "30/06/2023", "unit": "KG-PQ"}) == {BINH: "KG-PQ-01"}
    assert page_list(world.users["outsider"], {"at": "30/06/2024"}) == {CUONG: "AG-LX-01"}
