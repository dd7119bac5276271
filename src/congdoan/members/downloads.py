"""Files the member pages and the API hand out: the filtered member list and a print batch's sheet of
cards (each written at once, or by a background job when it is long), the import template and the
import's error report.

A job's file holds personal data (a list, masked or not; names and member codes on cards): it is served to
the job's own user only and deleted once downloaded. A full (unmasked) list is recorded as an export of
personal data; a sheet of cards is not, as it carries no more than the masked list does (names, member
codes, CĐCS: ``card_exports``), which every role may take out.
"""

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import IO, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members import card_exports, cards, exports, selectors
from congdoan.members.filtersets import MemberFilterSet
from congdoan.members.models import CardPrintBatch, Member
from congdoan.members.tables import MemberTable
from congdoan.units.models import Unit

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}
# A longer list is written by a background job rather than while the browser waits (about a second).
INLINE_MAX = 20_000
# Likewise a batch of more cards: WeasyPrint lays out about 20 cards a second (1,000 take most of a minute).
CARDS_INLINE_MAX = 50
EXPORT_FOLDER = "member_exports"


def download(write: Callable[[IO[bytes]], object], filename: str, format: str = "xlsx") -> FileResponse:
    """A file written by ``write`` into a temporary file, sent as a download (FileResponse closes it)."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115
    write(stream)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[format])


def list_name(format: str) -> str:
    return f"doan-vien-{timezone.localdate():%Y%m%d}.{format}"


class FilteredList(NamedTuple):
    members: QuerySet[Member]  # in the list's order
    unit: Unit | None  # the unit the list is of: the one filtered on, else the user's
    on: datetime.date | None  # the day the list is of (``at``); None: today


def filtered_members(user, query: str) -> FilteredList:
    """The member list a page with this query string shows ``user``.

    A filter the page refuses (a unit outside the scope, a date that does not exist) is refused here too,
    ValidationError by field: a file without it would hold more people than asked for."""
    data = QueryDict(query)
    filterset = MemberFilterSet(
        data, queryset=selectors.members_for(user), request=SimpleNamespace(user=user)
    )
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    chosen = filterset.form.cleaned_data
    return FilteredList(
        MemberTable(data.get("sort")).order(filterset.qs), chosen.get("unit") or user.unit, chosen.get("at")
    )


def is_long(members) -> bool:
    return members[: INLINE_MAX + 1].count() > INLINE_MAX


def write_list(*, stream, user, query: str, format: str, full: bool) -> int:
    """Write the filtered list; a full (unmasked) list is recorded as an export of personal data."""
    members, unit, on = filtered_members(user, query)
    count = exports.export_queryset(
        stream=stream, format=format, members=members, unit=unit, user=user, full=full, on=on
    )
    if full:
        log_personal_data_access(
            action=PersonalDataAccess.Action.EXPORT,
            obj=unit or user,
            unit_id=unit.pk if unit else None,
            detail=f"{format}, {count} · {query}",
        )
    return count


def list_response(*, user, query: str, format: str, full: bool) -> FileResponse:
    return download(
        lambda stream: write_list(stream=stream, user=user, query=query, format=format, full=full),
        list_name(format),
        format,
    )


def export_path(job_id, format: str) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_FOLDER / f"{job_id}.{format}"


def write_job_file(job, *, format: str, filename: str, write: Callable[[IO[bytes]], int]) -> dict:
    """The file of an export job, written by ``write`` (returning how many rows or cards it holds) where
    ``job_file_response`` finds it; the job's result."""
    path = export_path(job.pk, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        count = write(stream)
    return {"file": path.name, "rows": count, "format": format, "filename": filename}


def _own_export_page(job, user) -> str | None:
    """The export's page and file are its author's alone (the file holds personal data)."""
    return reverse("members:export_job", args=[job.pk]) if job.user_id == user.pk else None


@jobs.job(label=gettext_lazy("Member list export"), page=_own_export_page)
def export_list_job(job, *, query: str, format: str, full: bool) -> dict:
    jobs.report(job, 0, 0, _("Writing the list"), force=True)
    return write_job_file(
        job,
        format=format,
        filename=list_name(format),
        write=lambda stream: write_list(stream=stream, user=job.user, query=query, format=format, full=full),
    )


def start_export(*, user, query: str, format: str, full: bool, unit):
    return jobs.enqueue(export_list_job, user=user, unit=unit, query=query, format=format, full=full)


def sheet_is_long(batch: CardPrintBatch) -> bool:
    return cards.batch_items(batch)[: CARDS_INLINE_MAX + 1].count() > CARDS_INLINE_MAX


@jobs.job(
    label=gettext_lazy("Card sheet"),
    page=lambda job, user: reverse("members:card_batch", args=[job.params["batch"]]),
)
def card_sheet_job(job, *, batch: int) -> dict:
    # The batch as the user may see it now: it may have been cancelled since the job was asked for.
    found = cards.batches_for(job.user).filter(pk=batch).first()
    if found is None or found.state == CardPrintBatch.State.CANCELLED:
        raise jobs.JobError(card_exports.CANCELLED)
    count = cards.batch_items(found).count()
    jobs.report(job, 0, 0, _("Laying out %(n)s cards") % {"n": count}, force=True)
    document = card_exports.sheet_document(found)
    jobs.report(job, 0, 0, _("Writing the PDF"), force=True)

    def write(stream) -> int:
        document.write_pdf(stream)
        return count

    return write_job_file(job, format="pdf", filename=f"{card_exports.file_stem(found)}.pdf", write=write)


def start_card_sheet(*, user, batch: CardPrintBatch) -> Job:
    """The job making ``batch``'s sheet for ``user``: the one under way (a second click), else a new one."""
    under_way = Job.objects.filter(
        kind=jobs.kind_of(card_sheet_job),
        user=user,
        params__batch=batch.pk,
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
    ).first()
    return under_way or jobs.enqueue(card_sheet_job, user=user, unit=batch.unit, batch=batch.pk)


def export_jobs_of(user):
    """The export jobs of ``user`` (nobody else's: the files hold personal data)."""
    return Job.objects.filter(
        kind__in=[jobs.kind_of(export_list_job), jobs.kind_of(card_sheet_job)], user=user
    )


def job_file_response(job) -> FileResponse:
    """The file a finished export job wrote, removed from the server as it is sent."""
    if job.state != Job.State.DONE:
        raise Http404(_("The file is not ready."))
    format = job.result["format"]
    path = export_path(job.pk, format)
    try:
        stream = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        raise Http404(_("The file was already downloaded and deleted; export the list again.")) from None
    path.unlink()  # the open file stays readable until sent; nothing with personal data is left behind
    # (A list job that ended before its result named the file: the list's name.)
    filename = job.result.get("filename") or list_name(format)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[format])
