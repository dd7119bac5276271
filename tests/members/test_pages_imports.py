"""Import pages over the import engine: upload → background reading with a progress bar → preview of every
row (Excel row number, column, message) → decisions on duplicates → commit as a job; the template and the
error report to download; nothing written before the commit, nothing at all when discarded."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from congdoan.core import jobs
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.models import Member
from tests.members import listfiles

D = datetime.date
pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"members:{name}", kwargs=kwargs)


def test_upload_read_preview_decide_commit(officer, registry, upload):
    rows = listfiles.people(5)
    rows[1][5] = "12345"  # an ID number of the wrong length
    rows.append(list(rows[2]))  # the same person twice
    rows[-1][0] = len(rows)
    batch = upload(officer, rows, name="Danh sách KG-RG-01.xlsx")
    # Reading runs in the background: the page shows a progress bar that polls.
    waiting = officer.get(url("import", pk=batch.pk)).content.decode()
    assert "<progress" in waiting and url("import_progress", pk=batch.pk) in waiting
    assert officer.get(url("import_progress", pk=batch.pk)).status_code == 200
    jobs.work(once=True)
    assert officer.get(url("import_progress", pk=batch.pk))["HX-Refresh"] == "true"

    preview = officer.get(url("import", pk=batch.pk))
    batch.refresh_from_db()
    assert (batch.state, batch.rows_total, batch.rows_error, batch.rows_duplicate) == ("ready", 6, 1, 1)
    errors = officer.get(url("import", pk=batch.pk), {"rows": "error"}).content.decode()
    error_row = batch.rows.get(status=ImportRow.Status.ERROR)
    assert f'id="row-{error_row.row_number}"' in errors and error_row.errors[0]["column"] in errors
    assert error_row.row_number == 6  # title rows and the header come first in the workbook
    assert [row.row_number for row in preview.context["page"].rows] == [5, 6, 7, 8, 9, 10]
    assert Member.objects.count() == 3  # nothing written yet

    # The undecided duplicate holds the commit back until a decision is taken.
    officer.post(url("import_commit", pk=batch.pk))
    assert jobs.work(once=True) == 0
    duplicate = batch.rows.get(status=ImportRow.Status.DUPLICATE)
    officer.post(url("import_decide", pk=batch.pk), {"rows": [duplicate.row_number], "decision": "skip"})
    duplicate.refresh_from_db()
    assert duplicate.decision == "skip"

    officer.post(url("import_commit", pk=batch.pk))
    assert "<progress" in officer.get(url("import", pk=batch.pk)).content.decode()
    assert jobs.work(once=True) == 1
    batch.refresh_from_db()
    assert (batch.state, batch.created) == ("committed", 4)
    assert Member.objects.filter(unit__code="KG-RG-01").count() == 1 + 4

    report = officer.get(url("import_errors", pk=batch.pk))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    reasons = [row[-2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(reasons) == 2 and any("12" in reason for reason in reasons)  # the error and the skipped row


def test_every_undecided_duplicate_decided_at_once_and_discard(officer, registry, upload):
    rows = listfiles.people(2)
    rows += [[3, *rows[0][1:]], [4, *rows[1][1:]]]
    batch = upload(officer, rows, name="Danh sách KG-RG-01.xlsx")
    jobs.work(once=True)
    officer.post(url("import_decide", pk=batch.pk), {"all_undecided": "on", "decision": "skip"})
    assert set(batch.rows.filter(status="duplicate").values_list("decision", flat=True)) == {"skip"}
    refused = officer.post(url("import_decide", pk=batch.pk), {"decision": "skip"}, follow=True)
    assert refused.status_code == 200 and list(refused.context["messages"])
    officer.post(url("import_discard", pk=batch.pk))
    batch.refresh_from_db()
    assert batch.state == "discarded" and not batch.rows.exists() and Member.objects.count() == 3


def test_the_upload_form_refuses_what_it_must(officer, registry):
    response = officer.post(
        url("imports"), {"file": SimpleUploadedFile("a.pdf", b"%PDF"), "unit": "AG-LX-01"}
    )
    assert {"file", "unit", "mode"} <= set(response.context["form"].errors)
    assert not ImportBatch.objects.exists()


def test_the_template_to_fill_in(officer):
    response = officer.get(url("import_template"), {"unit": "KG-RG-01", "mode": "add"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Danh sách đoàn viên"]
    assert "Họ và tên" in " ".join(
        str(cell) for cell in next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))
    )
    assert officer.get(url("import_template"), {"unit": "AG-LX-01"}).status_code == 404


def test_imports_are_for_those_who_may_change_members(registry):
    viewer = Client()
    viewer.force_login(registry.world.users["viewer"])
    assert viewer.get(url("imports")).status_code == 403
    batch = ImportBatch.objects.create(unit=registry.an.unit, file_name="x.xlsx")
    for name in ("import", "import_errors", "import_progress"):
        assert viewer.get(url(name, pk=batch.pk)).status_code == 403
    outsider = Client()
    outsider.force_login(registry.world.users["outsider"])
    assert outsider.get(url("import", pk=batch.pk)).status_code == 404
    assert outsider.post(url("import_discard", pk=batch.pk)).status_code == 404
