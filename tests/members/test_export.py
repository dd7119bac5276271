"""Member lists out: on a date through the membership intervals, in scope, personal data masked,
formula-looking text escaped, and back in again."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from congdoan.accounts.models import Role, User
from congdoan.audit.models import PersonalDataAccess
from congdoan.members import services as member_services
from congdoan.members.exports import export_members, mask_id_number, safe_text
from congdoan.members.imports import services as import_services
from congdoan.members.models import Member
from tests.members.listfiles import cccd

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


@pytest.fixture
def registry(small_tree):
    def admit(name, unit, gender="male", year=1990, serial=1, **extra):
        member = Member(
            full_name=name,
            gender=gender,
            birth_date=D(year, 3, 4),
            joined_on=D(2019, 6, 1),
            id_number=cccd(year, gender, serial),
            phone="0912345678",
            **extra,
        )
        return member_services.admit_member(member=member, unit=small_tree[unit])

    an = admit("Nguyễn Văn An", "a", occupation='=HYPERLINK("http://x")')
    binh = admit("Trần Thị Bình", "b", gender="female", serial=2)
    admit("Lê Văn Cường", "d", serial=3)  # An Giang
    member_services.transfer_member(member=binh, on=D(2022, 1, 1), to_unit=small_tree["c"])
    return {"an": an, "binh": binh}


def exported(format, **options) -> bytes:
    stream = io.BytesIO()
    export_members(stream=stream, format=format, **options)
    return stream.getvalue()


def test_members_of_a_subtree_on_a_date(small_tree, registry):
    def names(unit, on):
        return {r["full_name"]: r["unit"] for r in json.loads(exported("json", unit=small_tree[unit], on=on))}

    assert names("kg", D(2021, 1, 1)) == {"Nguyễn Văn An": "KG-RG-01", "Trần Thị Bình": "KG-RG-02"}
    assert names("kg", D(2023, 1, 1)) == {"Nguyễn Văn An": "KG-RG-01", "Trần Thị Bình": "KG-PQ-01"}
    assert names("rg", D(2023, 1, 1)) == {"Nguyễn Văn An": "KG-RG-01"}
    assert names("kg", D(2019, 1, 1)) == {}  # nobody had joined yet
    assert set(names("national", D(2023, 1, 1))) == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}


def test_personal_data_is_masked_unless_full_and_allowed(small_tree, registry):
    masked = json.loads(exported("json", unit=small_tree["kg"]))[0]
    assert (
        masked["id_number"] == mask_id_number(registry["an"].id_number)
        and masked["id_number"].endswith(registry["an"].id_number[-3:])
        and masked["id_number"].count("*") == 9
    )
    assert masked["birth_date"] == 1990 and "*" in masked["phone"]
    officer = User.objects.create(username="cb", unit=small_tree["kg"], role=Role.OFFICER)
    viewer = User.objects.create(username="xem", unit=small_tree["kg"], role=Role.VIEWER)
    outsider = User.objects.create(username="ag", unit=small_tree["ag"], role=Role.ADMIN)
    full = json.loads(exported("json", unit=small_tree["kg"], user=officer, full=True))[0]
    assert full["id_number"] == registry["an"].id_number and full["birth_date"] == "1990-03-04"
    with pytest.raises(PermissionDenied):
        exported("json", unit=small_tree["kg"], user=viewer, full=True)
    assert len(json.loads(exported("json", unit=small_tree["kg"], user=viewer))) == 2
    with pytest.raises(PermissionDenied):
        exported("json", unit=small_tree["kg"], user=outsider)
    # A user sees only their own part of a wider unit.
    chair = User.objects.create(username="ct", unit=small_tree["a"], role=Role.CHAIR)
    with pytest.raises(PermissionDenied):
        exported("json", unit=small_tree["kg"], user=chair)
    assert [r["full_name"] for r in json.loads(exported("json", unit=small_tree["a"], user=chair))] == [
        "Nguyễn Văn An"
    ]


def test_csv_and_xlsx_escape_formula_looking_text(small_tree, registry):
    assert safe_text("=1+1") == "'=1+1" and safe_text("-5") == "'-5" and safe_text("Kỹ sư") == "Kỹ sư"
    text = exported("csv", unit=small_tree["kg"], full=True).decode("utf-8")
    assert text.startswith("\ufeffMã đoàn viên,Họ và tên,Ngày sinh")
    records = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    an = next(r for r in records if r["Họ và tên"] == "Nguyễn Văn An")
    assert an["Nghề nghiệp"] == '\'=HYPERLINK("http://x")' and an["Ngày sinh"] == "04/03/1990"
    assert an["Giới tính"] == "Nam" and an["Số CCCD/CMND"] == registry["an"].id_number
    sheet = load_workbook(io.BytesIO(exported("xlsx", unit=small_tree["kg"], full=True))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert '\'=HYPERLINK("http://x")' in [cell.value for cell in cells]
    assert D(1990, 3, 4) in [cell.value.date() for cell in cells if isinstance(cell.value, datetime.datetime)]


def test_an_exported_list_imports_back_unchanged(small_tree, registry, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(exported("xlsx", unit=small_tree["kg"], full=True))
    batch = import_services.read_batch(
        batch=import_services.create_batch(file=path, unit=small_tree["kg"], mode="update")
    )
    summary = import_services.summary(batch)
    assert (summary["rows"], summary["unchanged"], summary["to_update"]) == (2, 1, 0), summary["file_error"]
    # Nguyễn Văn An's occupation is formula-looking text: the import refuses it rather than store it again.
    assert [e["column"] for e in summary["errors"]] == ["Nghề nghiệp"]


def test_a_masked_list_updates_without_touching_the_hidden_values(small_tree, registry, tmp_path):
    path = tmp_path / "masked.xlsx"
    path.write_bytes(exported("xlsx", unit=small_tree["kg"], full=False))
    batch = import_services.read_batch(
        batch=import_services.create_batch(file=path, unit=small_tree["kg"], mode="update")
    )
    summary = import_services.summary(batch)
    # The ID numbers, phones and e-mails read "***…": the registry keeps its own, nothing is refused for them.
    assert (summary["rows"], summary["unchanged"], summary["to_update"]) == (2, 1, 0), summary["file_error"]
    assert [e["column"] for e in summary["errors"]] == ["Nghề nghiệp"]
    # Adding from a masked list is refused row by row: no member is made without what was hidden.
    added = import_services.read_batch(batch=import_services.create_batch(file=path, unit=small_tree["kg"]))
    assert added.rows_error == added.rows_total == 2


def test_the_export_command(small_tree, registry, tmp_path):
    out = tmp_path / "kg.csv"
    call_command(
        "members",
        "export",
        "--unit=KG",
        "--format=csv",
        f"--output={out}",
        "--at=01/01/2021",
        stderr=io.StringIO(),
    )
    assert out.read_text(encoding="utf-8-sig").count("\n") == 3
    assert not PersonalDataAccess.objects.exists()  # masked: nothing to record
    call_command("members", "export", "--unit=KG", "--full", f"--output={out}", stderr=io.StringIO())
    access = PersonalDataAccess.objects.get()
    assert (access.action, access.object_id, access.user) == ("export", small_tree["kg"].pk, None)
    User.objects.create(username="xem", unit=small_tree["kg"], role=Role.VIEWER)
    with pytest.raises(CommandError, match="personal data"):
        call_command("members", "export", "--unit=KG", "--full", "--user=xem", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--at"):
        call_command("members", "export", "--unit=KG", "--at=tomorrow")
    template = tmp_path / "mau.xlsx"
    call_command("members", "template", "--unit=KG-RG-01", f"--output={template}")
    assert load_workbook(template)["Danh sách đoàn viên"]["B3"].value == "Họ và tên *"
