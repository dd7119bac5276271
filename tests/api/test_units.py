"""The units API beyond CRUD: the tree on a date, children, history, and reorganisations as actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.units.models import Decision, Reorganisation, Unit, UnitLink
from tests.factories import unit_type
from tests.mixins import client_for, make_user

MERGER = datetime.date(2025, 7, 1)


def url(name: str, code: str | None = None) -> str:
    return reverse(f"units-api:unit-{name}", kwargs={"code": code} if code else None)


def decision(number: str = "68/QĐ-TLĐ") -> dict:
    return {"number": number, "signed_on": "20/06/2025", "signer": "Nguyễn Đình Khang"}


@pytest.fixture
def national_officer(small_tree):
    return make_user("tld-officer", small_tree["national"], Role.OFFICER)


@pytest.fixture
def moved(national_officer):
    """Rạch Giá's union moved from Kiên Giang to An Giang on 01/07/2025, through the API."""
    response = client_for(national_officer).post(
        url("move", "KG-RG"),
        {"decision": decision(), "effective_on": "2025-07-01", "parent": "AG"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def part(code: str, name: str, *children: str) -> dict:
    """One new unit of a split, taking ``children``."""
    return {"code": code, "name": name, "unit_type": unit_type("upper").code, "children": list(children)}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_move_answers_the_reorganisation_with_its_decision(moved, small_tree):
    assert moved["kind"] == "move" and moved["effective_on"] == "2025-07-01"
    assert moved["decision"]["number"] == "68/QĐ-TLĐ" and moved["decision"]["issuer"] == "TLD"
    assert {(row["code"], row["role"]) for row in moved["involved"]} == {("AG", "target"), ("KG-RG", "moved")}
    # The decision, the reorganisation and the new links were written under one request id.
    reorganisation = Reorganisation.objects.get(pk=moved["id"])
    changes = ObjectChange.objects.for_object(reorganisation) | ObjectChange.objects.for_object(
        reorganisation.decision
    )
    request_ids = set(changes.values_list("request_id", flat=True))
    assert len(request_ids) == 1


def test_list_at_a_date_shows_the_tree_as_it_stood(moved, national_officer):
    client = client_for(national_officer)
    # In tree order of that day (dd/mm/yyyy and ISO dates both work).
    assert codes(client.get(url("list"), {"under": "KG", "at": "30/06/2025"})) == [
        "KG",
        "KG-RG",
        "KG-RG-01",
        "KG-RG-02",
        "KG-PQ",
        "KG-PQ-01",
    ]
    assert codes(client.get(url("list"), {"under": "KG", "at": "2025-07-01"})) == ["KG", "KG-PQ", "KG-PQ-01"]
    before = client.get(url("list"), {"at": "2025-06-30", "parent": "KG"}).json()["results"]
    assert {row["code"]: (row["parent"], row["parent_name"]) for row in before} == {
        "KG-RG": ("KG", "Liên đoàn Lao động tỉnh Kiên Giang"),
        "KG-PQ": ("KG", "Liên đoàn Lao động tỉnh Kiên Giang"),
    }
    today = client.get(url("detail", "KG-RG")).json()
    assert (today["parent"], today["depth"]) == ("AG", 2)


def test_list_at_a_date_reads_names_of_that_date(national_officer):
    client = client_for(national_officer)
    body = {
        "decision": decision("12/QĐ-TLĐ"),
        "effective_on": "01/07/2025",
        "name": "Liên đoàn Lao động tỉnh An Giang (mới)",
    }
    assert client.post(url("rename", "AG"), body, format="json").status_code == 201
    old = client.get(url("list"), {"at": "2025-06-30", "parent": "AG"}).json()["results"]
    new = client.get(url("list"), {"at": "2025-07-01", "parent": "AG"}).json()["results"]
    assert [row["parent_name"] for row in old] == ["Liên đoàn Lao động tỉnh An Giang"]
    assert [row["parent_name"] for row in new] == ["Liên đoàn Lao động tỉnh An Giang (mới)"]
    on_the_day_before = client.get(url("list"), {"at": "2025-06-30", "under": "AG"}).json()["results"]
    assert on_the_day_before[0]["name"] == "Liên đoàn Lao động tỉnh An Giang"
    assert client.get(url("detail", "AG")).json()["name"] == "Liên đoàn Lao động tỉnh An Giang (mới)"


def test_children_on_a_date(moved, national_officer):
    client = client_for(national_officer)
    assert codes(client.get(url("children", "KG"), {"at": "2025-06-30"})) == ["KG-PQ", "KG-RG"]
    assert codes(client.get(url("children", "KG"))) == ["KG-PQ"]
    assert codes(client.get(url("children", "AG"))) == ["AG-LX", "KG-RG"]


def test_history_lists_parents_names_and_reorganisations(moved, national_officer):
    history = client_for(national_officer).get(url("history", "KG-RG")).json()
    assert [(row["parent"], row["valid_from"], row["valid_to"]) for row in history["parents"]] == [
        ("KG", "2019-01-01", "2025-07-01"),
        ("AG", "2025-07-01", None),
    ]
    assert history["parents"][0]["parent_name"] == "Liên đoàn Lao động tỉnh Kiên Giang"
    assert [row["name"] for row in history["names"]] == ["Liên đoàn Lao động thành phố Rạch Giá"]
    # Its own founding, the foundings of the units under it, and the move.
    assert [(row["kind"], row["unit"]) for row in history["reorganisations"]] == [
        ("found", "KG-RG"),
        ("found", "KG-RG-01"),
        ("found", "KG-RG-02"),
        ("move", "AG"),
    ]


def test_history_names_every_parent_in_one_query(moved, national_officer):
    """However often the unit moved, its parents are named in one query, each under the name it bore on the
    day the unit came under it."""
    client = client_for(national_officer)

    def history() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("history", "KG-RG"))
        assert response.status_code == 200, response.content
        return len(queries), response.json()["parents"]

    after_one_move, _ = history()
    renamed = {
        "decision": decision("12/QĐ-TLĐ"),
        "effective_on": "2025-08-01",
        "name": "LĐLĐ tỉnh An Giang mới",
    }
    assert client.post(url("rename", "AG"), renamed, format="json").status_code == 201
    for number, day, parent in (("13/QĐ-TLĐ", "2025-09-01", "KG"), ("14/QĐ-TLĐ", "2025-10-01", "AG")):
        back = {"decision": decision(number), "effective_on": day, "parent": parent}
        assert client.post(url("move", "KG-RG"), back, format="json").status_code == 201
    after_three_moves, parents = history()
    assert after_three_moves == after_one_move
    assert [(row["parent"], row["valid_from"], row["parent_name"]) for row in parents] == [
        ("KG", "2019-01-01", "Liên đoàn Lao động tỉnh Kiên Giang"),
        ("AG", "2025-07-01", "Liên đoàn Lao động tỉnh An Giang"),
        ("KG", "2025-09-01", "Liên đoàn Lao động tỉnh Kiên Giang"),
        ("AG", "2025-10-01", "LĐLĐ tỉnh An Giang mới"),
    ]


def test_scope_of_the_dated_tree(moved, world):
    """A Kiên Giang officer sees Kiên Giang's past, but not Rạch Giá once it belongs to An Giang."""
    client = client_for(world.users["officer"])
    assert "KG-RG" not in codes(client.get(url("list"), {"at": "2025-06-30"}))
    assert "AG-LX" not in codes(client.get(url("list"), {"at": "2025-06-30"}))
    assert client.get(url("children", "AG")).status_code == 404
    assert client.get(url("history", "KG-RG")).status_code == 404


# ------------------------------------------------------------------------------------- reorganisations


def test_officer_moves_within_scope_and_the_decision_is_issued_by_their_unit(world):
    response = client_for(world.users["officer"]).post(
        url("move", "KG-RG-01"),
        {"decision": decision("05/QĐ-LĐLĐ"), "effective_on": "15/03/2025", "parent": "KG-PQ"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["decision"]["issuer"] == "KG"
    assert Unit.objects.get(code="KG-RG-01").parent.code == "KG-PQ"


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("chair", 403), ("outsider", 404)])
def test_reorganising_needs_the_role_and_the_scope(world, role, status):
    decisions = Decision.objects.count()
    response = client_for(world.users[role]).post(
        url("rename", "KG-RG-01"),
        {"decision": decision(), "effective_on": "2025-03-15", "name": "Tên khác"},
        format="json",
    )
    assert response.status_code == status
    assert Decision.objects.count() == decisions
    assert Unit.objects.get(code="KG-RG-01").name == "Công đoàn cơ sở Trường THPT Nguyễn Trung Trực"


def test_a_parent_outside_scope_is_refused_naming_the_field(world):
    response = client_for(world.users["officer"]).post(
        url("move", "KG-RG-01"),
        {"decision": decision(), "effective_on": "2025-03-15", "parent": "AG-LX"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]


def test_a_refusal_of_the_service_writes_nothing(world):
    """A CĐCS cannot take a district union under it: 400 on "parent", and the decision is not kept."""
    decisions, links = Decision.objects.count(), UnitLink.objects.count()
    response = client_for(world.users["officer"]).post(
        url("move", "KG-RG"),
        {"decision": decision(), "effective_on": "2025-03-15", "parent": "KG-RG-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert (Decision.objects.count(), UnitLink.objects.count()) == (decisions, links)


def test_merge_into_an_existing_unit(world):
    response = client_for(world.users["officer"]).post(
        url("merge", "KG-RG-02"),
        {"decision": decision(), "effective_on": "2025-03-15", "into": "KG-RG-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    ended = Unit.objects.get(code="KG-RG-02")
    assert ended.dissolved_on == datetime.date(2025, 3, 15)
    assert ended.path.startswith(Unit.objects.get(code="KG-RG-01").path)


def test_merge_into_a_new_unit(world):
    body = {
        "decision": decision(),
        "effective_on": "2025-07-01",
        "sources": ["KG-PQ"],
        "new_parent": "KG",
        "new_unit": {
            "code": "KG-RGPQ",
            "name": "Công đoàn khu vực Rạch Giá – Phú Quốc",
            "unit_type": unit_type("upper").code,
        },
    }
    response = client_for(world.users["officer"]).post(url("merge", "KG-RG"), body, format="json")
    assert response.status_code == 201, response.content
    assert codes(client_for(world.users["officer"]).get(url("children", "KG-RGPQ"))) == [
        "KG-PQ-01",
        "KG-RG-01",
        "KG-RG-02",
    ]


def test_merge_into_a_new_unit_with_a_used_code_names_new_unit(world):
    body = {
        "decision": decision(),
        "effective_on": "2025-07-01",
        "sources": ["KG-PQ"],
        "new_parent": "KG",
        "new_unit": {"code": "AG", "name": "Trùng mã", "unit_type": unit_type("upper").code},
    }
    response = client_for(world.users["officer"]).post(url("merge", "KG-RG"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["new_unit"]
    assert not Unit.objects.filter(name="Trùng mã").exists()


def test_split_shares_out_the_children(world):
    body = {
        "decision": decision(),
        "effective_on": "2025-07-01",
        "parts": [
            part("KG-RG-A", "Công đoàn phường Rạch Giá", "KG-RG-01"),
            part("KG-RG-B", "Công đoàn phường Vĩnh Thông", "KG-RG-02"),
        ],
    }
    response = client_for(world.users["officer"]).post(url("split", "KG-RG"), body, format="json")
    assert response.status_code == 201, response.content
    assert Unit.objects.get(code="KG-RG").dissolved_on == datetime.date(2025, 7, 1)
    assert Unit.objects.get(code="KG-RG-02").parent.code == "KG-RG-B"


def test_split_leaving_a_child_behind_is_refused(world):
    body = {
        "decision": decision(),
        "effective_on": "2025-07-01",
        "parts": [part("KG-RG-A", "Công đoàn phường Rạch Giá", "KG-RG-01")],
    }
    response = client_for(world.users["officer"]).post(url("split", "KG-RG"), body, format="json")
    assert response.status_code == 400
    assert "parts" in response.json()
    assert not Unit.objects.filter(code="KG-RG-A").exists()


def test_dissolve_with_children_moved_and_a_successor(world):
    body = {
        "decision": decision(),
        "effective_on": "2025-07-01",
        "children_to": "KG-RG",
        "successor": "KG-RG",
    }
    response = client_for(world.users["officer"]).post(url("dissolve", "KG-PQ"), body, format="json")
    assert response.status_code == 201, response.content
    assert Unit.objects.get(code="KG-PQ-01").parent.code == "KG-RG"
    assert client_for(world.users["officer"]).get(url("detail", "KG-PQ")).json()["is_active"] is False


def test_dissolve_with_active_children_names_children_to(world):
    response = client_for(world.users["officer"]).post(
        url("dissolve", "KG-PQ"), {"decision": decision(), "effective_on": "2025-07-01"}, format="json"
    )
    assert response.status_code == 400
    assert "children_to" in response.json()


# ------------------------------------------------------------------------------------------ founding


def test_found_a_unit_with_its_decision(world):
    body = {
        "code": "KG-RG-03",
        "name": "  Công đoàn cơ sở Bệnh viện   Đa khoa ",
        "unit_type": unit_type("grassroots").code,
        "parent": "KG-RG",
        "founded_on": "02/01/2025",
        "decision": decision("03/QĐ-LĐLĐ"),
    }
    response = client_for(world.users["officer"]).post(url("list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Công đoàn cơ sở Bệnh viện Đa khoa"
    assert response.json()["parent"] == "KG-RG"
    unit = Unit.objects.get(code="KG-RG-03")
    assert Reorganisation.objects.get(unit=unit, kind="found").decision.number == "03/QĐ-LĐLĐ"


def test_found_before_the_parent_names_founded_on(world):
    body = {
        "code": "KG-RG-03",
        "name": "Công đoàn cơ sở Bệnh viện",
        "unit_type": unit_type("grassroots").code,
        "parent": "KG-RG",
        "founded_on": "2018-01-01",
    }
    response = client_for(world.users["officer"]).post(url("list"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["founded_on"]


def test_only_a_superuser_founds_a_unit_without_parent(world):
    body = {
        "code": "TLD2",
        "name": "Tổng Liên đoàn thứ hai",
        "unit_type": unit_type("national").code,
        "parent": None,
        "founded_on": "2025-01-01",
    }
    response = client_for(world.users["admin"]).post(url("list"), body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["parent"]
    assert client_for(world.users["superuser"]).post(url("list"), body, format="json").status_code == 201


def test_name_and_parent_are_not_plain_fields(world):
    response = client_for(world.users["officer"]).patch(
        url("detail", "KG-RG-01"),
        {"name": "Tên mới", "parent": "KG-PQ", "phone": "0297 3862 222"},
        format="json",
    )
    assert response.status_code == 200
    unit = Unit.objects.get(code="KG-RG-01")
    assert (unit.name, unit.parent.code, unit.phone) == (
        "Công đoàn cơ sở Trường THPT Nguyễn Trung Trực",
        "KG-RG",
        "0297 3862 222",
    )
