"""The steps of an import as the pages and the API take them, over the import engine's services: upload a
list and start reading it in the background; start the commit once nothing holds it back."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from congdoan.core.models import Job
from congdoan.members.imports import services
from congdoan.members.imports.models import ImportBatch, ImportRow


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
