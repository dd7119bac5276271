"""A foreign worker's passport number (Trade Union Law 2024): one rule in ``check_person`` for the page, the
API and the import; unique like the ID number; masked in lists and exports like it; found by a whole
number; read from its own column or from a column for either document."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from congdoan.members import exports, services
from congdoan.members.imports import services as import_services
from congdoan.members.imports.workbooks import template
from congdoan.members.models import EventKind, Member
from tests.members import listfiles, test_review_lifecycle
from tests.members.listfiles import cccd

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]

FOREIGN_WORKER = {
    **test_review_lifecycle.FOREIGN_WORKER,
    "contract_months": "24",
    "joined_on": "2025-08-01",
}


def logged_in(registry, role: str = "officer") -> Client:
    client = Client()
    client.force_login(registry.world.users[role])
    return client


def api_as(registry, role: str = "officer") -> APIClient:
    api = APIClient()
    api.force_authenticate(registry.world.users[role])
    return api


def foreign_worker(passport: str = "B1234567", name: str = "Somchai Phommavong") -> Member:
    """A foreign worker as typed, not recorded yet."""
    return Member(
        full_name=name,
        gender="male",
        birth_date=D(1992, 4, 5),
        joined_on=D(2025, 8, 1),
        nationality="Lào",
        contract_months=24,
        passport_number=passport,
    )


def foreign_member(
    registry, passport: str = "B1234567", name: str = "Somchai Phommavong", unit=None
) -> Member:
    return services.admit_member(member=foreign_worker(passport, name), unit=unit or registry.an.unit)


# ------------------------------------------------------------------------------------ page and API


def test_the_admission_page_takes_a_passport_shown_masked_in_the_list_and_in_full_on_the_record(registry):
    client = logged_in(registry)
    response = client.post(reverse("members:admit"), {**FOREIGN_WORKER, "passport_number": "b 1234-567"})
    assert response.status_code == 302, response.context["form"].errors
    member = Member.objects.get(full_name="Somchai Phommavong")
    assert member.passport_number == "B1234567"  # one form: upper case, no separators

    listed = client.get(reverse("members:list"), {"q": "somchai"})
    [(_member, personal)] = listed.context["rows"]
    assert personal.passport_number == "*****567" and "B1234567" not in listed.content.decode()
    detail = reverse("members:detail", kwargs={"code": member.code})
    assert "B1234567" not in client.get(detail).content.decode()
    full = client.get(detail, {"reveal": "1", "reason": "Kiểm tra hộ chiếu"})
    assert full.context["personal"].passport_number == "B1234567" and "B1234567" in full.content.decode()


def test_the_api_takes_a_passport_masks_it_and_refuses_a_duplicate_and_a_vietnamese_member(registry):
    api = api_as(registry)
    body = {**FOREIGN_WORKER, "contract_months": 24, "passport_number": "c9876543"}
    response = api.post("/api/members/", body, format="json")
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    assert Member.objects.get(code=code).passport_number == "C9876543"
    assert api.get(f"/api/members/{code}/").json()["passport_number"] == "*****543"

    again = api.post("/api/members/", {**body, "full_name": "Bounmy Sisavath"}, format="json")
    assert again.status_code == 400
    with translation.override(settings.LANGUAGE_CODE):  # the API answers in the default language
        expected = translation.gettext("Another member already has the passport number %(number)s.")
    assert again.json()["passport_number"] == [expected % {"number": "C9876543"}]
    response = api.patch(f"/api/members/{registry.an.code}/", {"passport_number": "D1112223"}, format="json")
    assert response.status_code == 400 and "CCCD/CMND" in response.json()["passport_number"][0]
    response = api.post("/api/members/", {**body, "passport_number": "AB-1"}, format="json")
    message = response.json()["passport_number"][0]  # in the default language: the numbers are what matter
    assert response.status_code == 400 and [int(n) for n in re.findall(r"\d+", message)] == [6, 20, 3]
    assert not Member.objects.filter(full_name="Bounmy Sisavath").exists()
    assert Member.objects.get(pk=registry.an.pk).passport_number is None


def test_a_vietnamese_member_has_no_passport_number_and_a_foreign_one_needs_no_number(registry):
    vietnamese = Member(
        full_name="Phạm Văn Dũng",
        gender="male",
        birth_date=D(1990, 3, 4),
        joined_on=D(2019, 6, 1),
        passport_number="N1234567",
    )
    with pytest.raises(ValidationError) as refused:
        services.admit_member(member=vietnamese, unit=registry.an.unit)
    assert set(refused.value.message_dict) == {"passport_number"}
    assert foreign_member(registry, passport="").passport_number is None  # neither number: recorded


def test_update_refuses_another_members_passport_and_a_merge_frees_it(registry):
    first = foreign_member(registry)
    second = foreign_member(registry, passport="E7654321", name="Bounmy Sisavath")
    with pytest.raises(ValidationError) as refused:
        services.update_member(member=second, passport_number="b1234567")
    assert refused.value.message_dict["passport_number"] == [
        "Another member already has the passport number B1234567."
    ]
    services.merge_members(keep=first, other=second, take=["passport_number"])
    second.refresh_from_db()
    assert second.passport_number is None
    assert Member.objects.get(pk=first.pk).passport_number == "E7654321"


# ---------------------------------------------------------------------------------- search, export


def names_found(client: Client, text: str) -> list[str]:
    return [
        member.full_name
        for member, _personal in client.get(reverse("members:list"), {"q": text}).context["rows"]
    ]


def test_a_whole_passport_number_finds_the_member_a_part_does_not(registry):
    foreign_member(registry)
    for role in ("officer", "viewer"):  # a viewer sees it masked: whole numbers only, as for ID numbers
        client = logged_in(registry, role)
        assert names_found(client, "b1234567") == ["Somchai Phommavong"]
        assert names_found(client, "B 1234 567") == ["Somchai Phommavong"]
        assert names_found(client, "B12345") == []
    response = api_as(registry, "viewer").get("/api/members/", {"q": "B1234567"})
    assert [m["full_name"] for m in response.json()["results"]] == ["Somchai Phommavong"]


def test_exports_mask_the_passport_unless_in_full(registry):
    member = foreign_member(registry)
    masked = {r["code"]: r for r in exports.records(unit=registry.an.unit)}
    full = {r["code"]: r for r in exports.records(unit=registry.an.unit, full=True)}
    assert masked[member.code]["passport_number"] == "*****567"
    assert full[member.code]["passport_number"] == "B1234567"
    assert "Số hộ chiếu" in [column.header for column in exports.COLUMNS]


# ------------------------------------------------------------------------------------------ import

HEADERS = [*listfiles.HEADERS, "Quốc tịch", "Thời hạn HĐLĐ", "Số hộ chiếu"]


def foreign_row(stt: int, name: str, passport: str, id_number: str = "") -> list:
    return [stt, name, D(1992, 4, 5), "Nam", None, id_number, D(2025, 8, 1), "Đoàn viên", "Lào", 24, passport]


def read(path, unit, mode: str = "add"):
    batch = import_services.create_batch(file=path, unit=unit, mode=mode, user=None)
    return import_services.read_batch(batch=batch)


def test_an_imported_passport_column_is_checked_and_repeats_await_a_decision(registry, tmp_path):
    foreign_member(registry)
    rows = [
        foreign_row(1, "Bounmy Sisavath", "p 7654321"),
        foreign_row(2, "Bounmy Sisavath Khác", "P7654321"),  # the same passport as row 5
        foreign_row(3, "Somchai P.", "b1234567"),  # the registry member's passport
        foreign_row(4, "Kham Vongsa", "X1"),  # too short
        [5, "Lê Văn Việt", D(1990, 1, 2), "Nam", None, "", D(2019, 6, 1), "Đoàn viên", "", None, "V1234567"],
    ]
    batch = read(listfiles.xlsx(tmp_path / "ds.xlsx", rows, headers=HEADERS), registry.an.unit)
    summary = import_services.summary(batch)
    errors = {(e["row"], e["column"]) for e in summary["errors"]}
    assert errors == {(8, "Số hộ chiếu"), (9, "Số hộ chiếu")}  # too short; a Vietnamese member's
    duplicates = {d["row"]: d for d in summary["duplicates"]}
    assert set(duplicates) == {6, 7}
    assert duplicates[6]["duplicate_of_row"] == 5
    assert batch.rows.get(row_number=7).member_id == Member.objects.get(passport_number="B1234567").pk
    with pytest.raises(ValidationError, match="two people cannot share the passport number P7654321"):
        import_services.decide(batch=batch, rows=[6], decision="create")
    import_services.decide(batch=batch, rows=[6, 7], decision="skip")
    import_services.commit_batch(batch=batch)
    assert Member.objects.get(full_name="Bounmy Sisavath").passport_number == "P7654321"


def test_a_column_for_either_document_sends_letters_to_the_passport_and_digits_to_the_id(registry, tmp_path):
    headers = [
        *listfiles.HEADERS[:5],
        "Số CCCD/CMND/Hộ chiếu",
        *listfiles.HEADERS[6:],
        "Quốc tịch",
        "Thời hạn HĐLĐ",
    ]
    number = cccd(1990, "male", 41)
    rows = [
        [1, "Bounmy Sisavath", D(1992, 4, 5), "Nam", None, "P7654321", D(2025, 8, 1), "Đoàn viên", "Lào", 24],
        [2, "Phạm Văn Dũng", D(1990, 3, 4), "Nam", "Kinh", number, D(2019, 6, 1), "Đoàn viên", None, None],
    ]
    batch = read(listfiles.xlsx(tmp_path / "ds.xlsx", rows, headers=headers), registry.an.unit)
    assert import_services.summary(batch)["errors"] == []
    import_services.commit_batch(batch=batch)
    assert Member.objects.get(full_name="Bounmy Sisavath").passport_number == "P7654321"
    vietnamese = Member.objects.get(full_name="Phạm Văn Dũng")
    assert (vietnamese.id_number, vietnamese.passport_number) == (number, None)


def test_the_template_carries_the_passport_column(registry):
    stream = io.BytesIO()
    template(stream, unit=registry.an.unit, mode="add")
    sheet = load_workbook(stream).active
    assert "Số hộ chiếu" in [cell.value for cell in sheet[3]]


# ------------------------------------------------------------------------------------ update lists


def test_an_update_list_finds_a_foreign_member_by_passport_number_in_its_unit_only(registry, tmp_path):
    """A foreign worker has no ID number: the passport number finds them, with the ID number's rules."""
    somchai = foreign_member(registry)
    elsewhere = foreign_member(registry, "E7654321", "Bounmy Sisavath", unit=registry.world.units["b"])
    rows = [
        ["b 1234567", "0912 345 678"],
        ["E7654321", "0913000111"],  # a member of another grassroots union than the list's
        ["Z9999999", "0914000222"],  # nobody's
        ["B1234567", "0915000333"],  # the first row's member again
        ["", "0916000444"],  # no one named
    ]
    headers = ["Số hộ chiếu", "Điện thoại"]  # two headers, one of them a key: an update list
    path = listfiles.xlsx(tmp_path / "u.xlsx", rows, headers=headers, title=False, totals=False)
    batch = read(path, registry.an.unit, mode="update")
    assert dict(batch.rows.values_list("row_number", "status")) == {
        2: "update",
        3: "error",
        4: "error",
        5: "duplicate",
        6: "error",
    }
    assert batch.rows.get(row_number=2).member_id == somchai.pk
    for number, passport in ((3, "E7654321"), (4, "Z9999999")):  # as for an ID number: not said whose
        assert batch.rows.get(row_number=number).errors == [
            {"column": "Số hộ chiếu", "message": f"No member with {passport} in {registry.an.unit}."}
        ]
    assert batch.rows.get(row_number=5).reason == "The same passport number as row 2."
    assert batch.rows.get(row_number=6).errors == [
        {
            "column": "Số hộ chiếu",
            "message": "An update needs the member code, the ID number or the passport number of the member.",
        }
    ]
    import_services.decide(batch=batch, rows=[5], decision="skip")
    import_services.commit_batch(batch=batch)
    somchai.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (somchai.phone, somchai.passport_number, elsewhere.phone) == ("0912345678", "B1234567", "")


def test_a_masked_list_updates_a_foreign_member_keeping_the_registrys_passport(registry, tmp_path):
    member = foreign_member(registry)
    stream = io.BytesIO()
    exports.export_members(stream=stream, format="xlsx", unit=registry.an.unit, full=False)
    workbook = load_workbook(stream)
    sheet = workbook.active
    [headers] = [[cell.value for cell in r] for r in sheet.iter_rows() if r[0].value == "Mã đoàn viên"]
    [row] = [r for r in sheet.iter_rows() if r[0].value == member.code]
    assert row[headers.index("Số hộ chiếu")].value == "*****567"
    row[headers.index("Chức vụ công đoàn")].value = "Chủ tịch"
    path = tmp_path / "masked.xlsx"
    workbook.save(path)
    batch = read(path, registry.an.unit, mode="update")
    staged = batch.rows.get(member=member)
    assert (staged.status, set(staged.changes)) == ("update", {"union_position"})
    import_services.commit_batch(batch=batch)
    member.refresh_from_db()
    assert (member.union_position, member.passport_number) == ("chair", "B1234567")


# -------------------------------------------------------------------------------------- chuyển đến


def arrival_of(member: Member, **changes) -> dict:
    """What An Giang types to take in ``member`` (chuyển đến), naming them by their passport only."""
    return {
        **FOREIGN_WORKER,
        "entry": "receive",
        "unit": "AG-LX-01",
        "passport_number": member.passport_number.lower(),
        "received_on": "2025-10-05",
        "from_outside": "LĐLĐ tỉnh Kiên Giang",
        **changes,
    }


def test_a_foreign_member_transferred_to_another_province_is_found_there_by_passport(registry):
    somchai = foreign_member(registry)
    angiang = logged_in(registry, "outsider")
    arrival = arrival_of(somchai)
    still_there = angiang.post(reverse("members:admit"), arrival)
    assert still_there.status_code == 200
    refusal = " ".join(still_there.context["form"].errors["passport_number"])
    assert "05/10/2025" in refusal and "Nguyễn Trung Trực" not in refusal  # Kiên Giang's union not named
    services.transfer_member(member=somchai, on=D(2025, 10, 1), to_outside="LĐLĐ tỉnh An Giang")
    someone_else = angiang.post(reverse("members:admit"), {**arrival, "full_name": "Bounmy Sisavath"})
    assert "passport_number" in someone_else.context["form"].errors
    response = angiang.post(reverse("members:admit"), arrival)
    assert response.status_code == 302
    assert response.url == reverse("members:detail", kwargs={"code": somchai.code})
    somchai.refresh_from_db()
    assert (somchai.unit.code, somchai.status) == ("AG-LX-01", "active")
    assert Member.objects.filter(passport_number="B1234567").count() == 1


def test_the_api_takes_in_a_foreign_member_by_passport_as_the_page_does(registry):
    somchai = foreign_member(registry)
    services.transfer_member(member=somchai, on=D(2025, 10, 1), to_outside="LĐLĐ tỉnh An Giang")
    body = {**arrival_of(somchai, contract_months=24), "joined_on": "2025-08-01"}
    del body["entry"]
    response = api_as(registry, "outsider").post("/api/members/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["code"], response.json()["unit"]) == (somchai.code, "AG-LX-01")
    event = somchai.events.get(kind=EventKind.TRANSFER_IN)
    assert (event.on, event.other_unit_text) == (D(2025, 10, 5), "LĐLĐ tỉnh Kiên Giang")


def test_the_passport_of_a_deceased_member_does_not_bring_them_back(registry):
    gone = foreign_member(registry)
    services.end_membership(member=gone, kind=EventKind.DECEASED, on=D(2025, 9, 1))
    with pytest.raises(ValidationError) as refused:
        services.receive_member(
            member=foreign_worker(),
            unit=registry.world.units["d"],
            on=D(2025, 10, 5),
            from_outside="CĐ ngành",
        )
    assert refused.value.message_dict["passport_number"] == [
        "The passport number B1234567 is that of a member recorded as deceased: check it."
    ]
    gone.refresh_from_db()
    assert gone.status == "deceased"
