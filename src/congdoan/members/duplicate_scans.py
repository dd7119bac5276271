"""Possible duplicates over a unit too large to compare while a page waits (a province of 800,000).

A scan runs the weighted rules of ``selectors.candidate_pairs`` over every look-alike group of the
unit, as a background job: each rule's groups are read from one GROUP BY as a stream, a few hundred keys
at a time, and the pairs of each batch are written at once, so memory holds one batch of records, never
the province. The pairs are kept as rows (``DuplicateScanPair``), not in the job's JSON result: a province
can hold thousands of pairs, which the page shows a page at a time, best first, skipping those whose
records were merged since. A unit keeps its latest scan; a finished scan removes the older ones.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdoan.accounts.scope import restrict
from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members import selectors
from congdoan.members.models import DuplicateScan, DuplicateScanPair, Member, Status
from congdoan.units.models import Unit


def scan_members(user, unit: Unit) -> QuerySet[Member]:
    """The records a scan of ``unit`` compares: its subtree as ``user`` sees it; without a user (the
    command run by the system operator), the whole subtree."""
    if user is None:
        return Member.objects.filter(unit_id__in=Unit.objects.filter(path__under=unit.path).values("pk"))
    return selectors.members_under(user, unit)


def run_scan(scan: DuplicateScan, job: Job | None = None) -> DuplicateScan:
    """Compare the members of the scan's unit and store the pairs reaching the threshold."""
    members = scan_members(scan.user, scan.unit).exclude(status=Status.MERGED)
    # Progress counts the rules done: counting the groups beforehand would read the province twice.
    total = len(selectors.FINDING_RULES)
    for done, rule in enumerate(selectors.FINDING_RULES):
        jobs.report(job, done, total, str(rule.label).capitalize(), force=True)
        for batch in selectors.pair_batches(members, rule):
            # A pair met by an earlier rule is already stored: the unique constraint keeps it once.
            DuplicateScanPair.objects.bulk_create(
                [
                    DuplicateScanPair(
                        scan=scan,
                        first_id=pair.first_id,
                        second_id=pair.second_id,
                        score=pair.score,
                        rules=[rule.key for rule in pair.rules],
                    )
                    for pair in batch
                ],
                ignore_conflicts=True,
            )
            jobs.report(job, done, total)  # a heartbeat now and then while a rule's batches run
    jobs.report(job, total, total, force=True)
    scan.pair_count = scan.pairs.count()
    scan.finished_at = timezone.now()
    scan.save(update_fields=["pair_count", "finished_at"])
    replaced = (
        DuplicateScan.objects.filter(unit=scan.unit, created_at__lte=scan.created_at)
        .exclude(pk=scan.pk)
        .exclude(job__state__in=(Job.State.QUEUED, Job.State.RUNNING))
    )
    for older in replaced:
        older.delete()  # one by one: each removal is change-logged
    return scan


@jobs.job(
    label=_("Duplicate search"),
    page=lambda job, user: reverse("members:duplicate_scan", args=[job.params["scan_id"]]),
)
def duplicate_scan_job(job: Job, *, scan_id: int) -> dict:
    scan = run_scan(DuplicateScan.objects.select_related("unit", "user").get(pk=scan_id), job)
    return {"scan": scan.pk, "pairs": scan.pair_count}


def start_scan(*, user, unit: Unit) -> DuplicateScan:
    """Queue a scan of ``unit`` (in ``user``'s scope), to run in the background."""
    with transaction.atomic():  # the job starts once the scan row holds it
        scan = DuplicateScan.objects.create(unit=unit, user=user)
        scan.job = jobs.enqueue(duplicate_scan_job, user=user, unit=unit, scan_id=scan.pk)
        scan.save(update_fields=["job"])
    return scan


def scans_of(user, unit: Unit) -> QuerySet[DuplicateScan]:
    """The scans of ``unit`` the user may see, latest first."""
    return restrict(DuplicateScan.objects.filter(unit=unit).select_related("job", "user"), user)


def latest_scan(user, unit: Unit) -> DuplicateScan | None:
    return scans_of(user, unit).filter(finished_at__isnull=False).first()


def pending_scan(user, unit: Unit, latest: DuplicateScan | None) -> DuplicateScan | None:
    """A scan started after ``latest`` (``latest_scan``, which the caller has read) and not finished:
    queued, running or failed."""
    pending = scans_of(user, unit).filter(finished_at__isnull=True, job__isnull=False)
    if latest is not None:
        pending = pending.filter(created_at__gt=latest.created_at)
    return pending.first()


def shown_pairs(scan: DuplicateScan, user) -> QuerySet[DuplicateScanPair]:
    """The scan's pairs still worth a look, best first: both records unmerged and in the user's scope
    (without a user, the system operator's, all of them)."""
    pairs = (
        scan.pairs.exclude(first__status=Status.MERGED)
        .exclude(second__status=Status.MERGED)
        .select_related("first__unit", "second__unit")
        .order_by("-score", "first__sort_key", "first_id", "second_id")
    )
    if user is not None:
        units = restrict(Unit.objects.all(), user).values("pk")
        pairs = pairs.filter(first__unit_id__in=units, second__unit_id__in=units)
    return pairs


def as_pair(row: DuplicateScanPair) -> selectors.DuplicatePair:
    """A stored pair as the page and the command show one, its reasons in the reader's language."""
    rules = tuple(selectors.RULES_BY_KEY[key] for key in row.rules if key in selectors.RULES_BY_KEY)
    return selectors.DuplicatePair(row.first, row.second, row.score, rules)
