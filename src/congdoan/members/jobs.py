"""Member lists written in the background: a filtered list too long to write while the browser waits.

The job reads the list again as its user (same filters, same scope, same order), writes the file under
MEDIA_ROOT/member_exports/ and returns its name; the file holds personal data (masked or not), so it is
served to the job's own user only and deleted once downloaded.
"""

from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _

from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.core import jobs
from congdoan.members import exports, selectors
from congdoan.members.filtersets import MemberFilterSet
from congdoan.members.tables import MemberTable

EXPORT_FOLDER = "member_exports"


def filtered_members(user, query: str):
    """The member list a page with this query string shows ``user``, in its order, and the unit it is of."""
    data = QueryDict(query)
    filterset = MemberFilterSet(
        data or None, queryset=selectors.members_for(user), request=SimpleNamespace(user=user)
    )
    members = MemberTable(data.get("sort")).order(filterset.qs)
    unit = (filterset.form.cleaned_data.get("unit") if filterset.is_valid() else None) or user.unit
    return members, unit


def export_path(job_id, format: str) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_FOLDER / f"{job_id}.{format}"


def write_list(*, stream, user, query: str, format: str, full: bool) -> int:
    """Write the filtered list; a full (unmasked) list is recorded as an export of personal data."""
    members, unit = filtered_members(user, query)
    count = exports.export_queryset(
        stream=stream, format=format, members=members, unit=unit, user=user, full=full
    )
    if full:
        subject = unit or user
        log_personal_data_access(
            action=PersonalDataAccess.Action.EXPORT,
            obj=subject,
            unit_id=unit.pk if unit else None,
            detail=f"{format}, {count} · {query}",
        )
    return count


@jobs.job
def export_list_job(job, *, query: str, format: str, full: bool) -> dict:
    path = export_path(job.pk, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    jobs.report(job, 0, 0, _("Writing the list"), force=True)
    with open(path, "wb") as stream:
        count = write_list(stream=stream, user=job.user, query=query, format=format, full=full)
    return {"file": path.name, "rows": count, "format": format}
