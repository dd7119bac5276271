"""The steps of an import as the pages and the API take them, over the import engine's services: upload a
list and start reading it in the background; start the commit once nothing holds it back."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.core.models import Job
from congdoan.members.exports import mask_email, mask_id_number, mask_phone
from congdoan.members.imports import services
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.selectors import may_see_personal_data


def busy(batch: ImportBatch) -> bool:
    """A job is reading or committing the batch."""
    return batch.job is not None and batch.job.state in (Job.State.QUEUED, Job.State.RUNNING)


def undecided(batch: ImportBatch) -> int:
    return batch.rows.filter(status=ImportRow.Status.DUPLICATE, decision=ImportRow.Decision.NONE).count()


def upload(*, file, unit, mode: str, user) -> ImportBatch:
    """Store the list and start reading it; the job starts once the batch is saved."""
    with transaction.atomic():
        batch = services.create_batch(file=file, unit=unit, mode=mode, user=user, name=file.name)
        services.start_reading(batch=batch)
    return batch


def commit(*, batch: ImportBatch, user, skip_undecided: bool) -> Job:
    """Start writing the previewed rows, refused at once (not by a failed job) when it cannot be done."""
    if busy(batch):
        raise ValidationError(_("This import is being read or committed; wait for it to end."))
    if batch.state != ImportBatch.State.READY:
        raise ValidationError(_("Only a previewed import can be committed."))
    waiting = undecided(batch)
    if waiting and not skip_undecided:
        raise ValidationError(_("%(n)s possible duplicates await a decision.") % {"n": waiting})
    with transaction.atomic():  # the job starts once the batch names it
        return services.start_commit(batch=batch, user=user, skip_undecided=skip_undecided)


# ---------------------------------------------------------------------- the registry's data in a preview

# How a list masks the personal data a row's changes show of the registry ({field: [registry, file]}): as
# the member list and the member page do until it is shown in full. The file's side is the list's own.
_MASKS = {
    "id_number": mask_id_number,
    "passport_number": mask_id_number,
    "phone": mask_phone,
    "email": mask_email,
    "birth_date": lambda shown: shown[-4:],  # dd/mm/yyyy: the year
}


def masked_changes(changes: dict[str, list[str]]) -> dict[str, list[str]]:
    """A row's ``changes`` with the registry's personal data masked."""
    return {
        name: [_MASKS[name](old) if name in _MASKS and old else old, new]
        for name, (old, new) in changes.items()
    }


def _shows_personal_data(row: ImportRow) -> bool:
    return any(name in _MASKS and old for name, (old, _new) in row.changes.items())


def hides_personal_data(rows: Sequence[ImportRow]) -> bool:
    """Whether the changes of ``rows`` hold registry personal data that ``masked_changes`` hides."""
    return any(_shows_personal_data(row) for row in rows)


def show_personal_data(*, user, batch: ImportBatch, rows: Sequence[ImportRow], reason: str = "") -> None:
    """Let ``user`` see in full the registry's personal data that ``rows`` (a page of the preview, their
    members selected) change: recorded once for the page, naming its members (Decree 13/2023/NĐ-CP), as
    opening a member's record is; refused to a role that may not see it."""
    if not may_see_personal_data(user):
        raise PermissionDenied(_("Your role does not allow seeing personal data in full."))
    shown = [row for row in rows if _shows_personal_data(row)]
    if not shown:
        return
    members = ", ".join(f"{row.row_number}: {row.member.code}" for row in shown if row.member is not None)
    log_personal_data_access(
        action=PersonalDataAccess.Action.VIEW,
        obj=batch,
        unit_id=batch.unit_id,
        reason=reason,
        detail=_("Import preview, rows and members: %(members)s") % {"members": members},
    )
