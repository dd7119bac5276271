"""`congdoan import-members` on a generated realistic list of a few thousand rows, and its JSON contract."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from congdoan.audit.models import ObjectChange
from congdoan.members.imports.models import ImportBatch
from congdoan.members.models import Member
from tests.members import listfiles
from tests.members.listfiles import cccd

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]
ROWS = 3000


def run(*args) -> tuple[int, dict | str]:
    out = io.StringIO()
    code = 0
    try:
        call_command("import-members", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit:
        code = exit.code
    text = out.getvalue()
    return code, json.loads(text) if "--format=json" in args else text


@pytest.fixture
def realistic_list(tmp_path):
    """A province-style list: a few thousand valid people, two bad rows and one repeated person."""
    rows = listfiles.people(ROWS)
    rows[10][2] = "31/02/1990"  # an impossible date
    rows[20][5] = rows[20][5][:-1]  # an ID number one digit short
    rows.append([ROWS + 1, *rows[30][1:]])  # row 30 again
    return listfiles.xlsx(tmp_path / "danh-sach.xlsx", rows)


def test_a_realistic_list_imports_through_the_command(small_tree, realistic_list):
    report = realistic_list.with_name("loi.xlsx")
    code, summary = run(str(realistic_list), "--unit=KG-RG-01", "--format=json", f"--error-report={report}")
    assert code == 3  # imported, some rows left out
    left_out = [row[-1].value for row in load_workbook(report).active.iter_rows(min_row=3)]
    assert left_out == [
        15,
        25,
        ROWS + 5,
    ]  # the two bad rows and the repeated person, by their row in the file
    for key in ("rows", "valid", "created", "updated", "unchanged", "errors", "duplicates"):
        assert key in summary
    assert (summary["rows"], summary["valid"], summary["created"], summary["updated"]) == (
        ROWS + 1,
        ROWS - 1,
        ROWS - 2,
        0,
    )
    assert sorted((e["row"], e["column"]) for e in summary["errors"]) == [(15, "Ngày sinh"), (25, "Số CCCD")]
    assert all(e["message"] for e in summary["errors"])
    assert [(d["row"], d["duplicate_of_row"]) for d in summary["duplicates"]] == [(ROWS + 5, 35)]
    assert Member.objects.filter(unit=small_tree["a"]).count() == ROWS - 2
    # Again: nothing changes, nothing is duplicated.
    before = ObjectChange.objects.exclude(content_type__model="importbatch").count()
    code, again = run(str(realistic_list), "--unit=KG-RG-01", "--format=json")
    assert (again["unchanged"], again["created"], again["updated"]) == (ROWS - 2, 0, 0)
    assert ObjectChange.objects.exclude(content_type__model="importbatch").count() == before
    assert Member.objects.count() == ROWS - 2


def test_dry_run_writes_nothing_at_all(small_tree, realistic_list):
    batches, changes = ImportBatch.objects.count(), ObjectChange.objects.count()
    _code, summary = run(str(realistic_list), "--unit=KG-RG-01", "--format=json", "--dry-run")
    assert summary["dry_run"] and summary["new"] == ROWS - 2 and summary["created"] == 0
    assert (Member.objects.count(), ImportBatch.objects.count(), ObjectChange.objects.count()) == (
        0,
        batches,
        changes,
    )


def test_update_mode_table_output_and_strict(small_tree, tmp_path):
    rows = listfiles.people(5)
    path = listfiles.xlsx(tmp_path / "a.xlsx", rows)
    assert run(str(path), "--unit=KG-RG-01", "--format=json")[0] == 0
    update = listfiles.xlsx(
        tmp_path / "u.xlsx",
        [[rows[0][5], "0912345678"], [cccd(1990, "male", 999), "0912"]],
        headers=["Số CCCD", "Điện thoại"],
        title=False,
        totals=False,
    )
    code, text = run(str(update), "--unit=KG-RG-01", "--mode=update", "--strict")
    assert (
        code == 3 and "“0912” is not a Vietnamese phone number" in text
    )  # a row had errors: nothing written
    assert not Member.objects.filter(phone="0912345678").exists()
    fixed = listfiles.xlsx(
        tmp_path / "f.xlsx",
        [[rows[0][5], "0912345678"]],
        headers=["Số CCCD", "Điện thoại"],
        title=False,
        totals=False,
    )
    code, summary = run(str(fixed), "--unit=KG-RG-01", "--mode=update", "--format=json")
    assert (code, summary["updated"]) == (0, 1)
    assert Member.objects.get(id_number=rows[0][5]).phone == "0912345678"


def test_refusals_and_usage_errors(small_tree, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    code, summary = run(str(fake), "--unit=KG-RG-01", "--format=json")
    assert code == 1 and "not an Excel workbook" in summary["file_error"] and summary["rows"] == 0
    with pytest.raises(CommandError, match="No unit"):
        call_command("import-members", str(fake), "--unit=NOPE")
    with pytest.raises(CommandError, match="No file"):
        call_command("import-members", str(tmp_path / "missing.xlsx"), "--unit=KG-RG-01")
    from congdoan.accounts.models import Role, User

    User.objects.create(username="ag", unit=small_tree["ag"], role=Role.OFFICER)
    good = listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(2))
    with pytest.raises(CommandError):
        call_command("import-members", str(good), "--unit=KG-RG-01", "--user=ag")  # outside their scope
    assert not Member.objects.exists()


def test_the_progress_bar_draws_only_on_a_terminal():
    from importlib import import_module

    progress_bar = import_module("congdoan.members.management.commands.import-members").ProgressBar

    class Terminal(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    for tty in (True, False):
        stream = Terminal(tty)
        bar = progress_bar(stream)
        bar(50, 100, "Reading the file")
        bar(100, 100, "Reading the file")
        bar.close()
        assert ("50.0%" in stream.getvalue() and "100.0%" in stream.getvalue()) is tty


def test_messages_reach_the_user_in_vietnamese(small_tree, tmp_path):
    from django.utils import translation

    rows = listfiles.people(2)
    rows[1][2] = "31/02/1990"
    path = listfiles.xlsx(tmp_path / "a.xlsx", rows)
    with translation.override("vi"):
        _code, summary = run(str(path), "--unit=KG-RG-01", "--format=json", "--dry-run")
    (error,) = summary["errors"]
    assert (error["row"], error["column"]) == (6, "Ngày sinh")
    assert "31/02/1990" in error["message"] and error["message"] != "31/02/1990 is not a real date."
