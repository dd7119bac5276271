"""Background jobs as their readers see them: which ones, named how, with how much of their error."""

from dataclasses import dataclass

from django.db.models import QuerySet

from congdoan.accounts.models import Action, Role
from congdoan.accounts.scope import restrict
from congdoan.core import jobs
from congdoan.core.models import Job


def visible_jobs(user) -> QuerySet[Job]:
    """The jobs of the user's subtree, newest first. A job without a unit (a daily task, run for the whole
    installation) is under no subtree: only a superuser sees it."""
    return restrict(Job.objects.select_related("user", "unit"), user, Action.VIEW).order_by(
        "-created_at", "-pk"
    )


def kind_label(kind: str) -> str:
    """What people call a kind of job: the label it was declared with, else its dotted path."""
    function = jobs.declared(kind)
    label = getattr(function, "job_label", None)
    return str(label) if label else kind


def kind_choices(queryset: QuerySet[Job]) -> list[tuple[str, str]]:
    """The kinds that ``queryset`` holds, by label."""
    kinds = queryset.order_by().values_list("kind", flat=True).distinct()
    return sorted(((kind, kind_label(kind)) for kind in kinds), key=lambda choice: choice[1])


def sees_full_errors(user) -> bool:
    """Whether ``user`` reads a failed job's error in full, with any traceback: administrators do."""
    return user.is_superuser or user.role == Role.ADMIN


def page_for(job: Job, user) -> str | None:
    """The address of what ``job`` made, where its kind declares a page and ``user`` has one."""
    page = getattr(jobs.declared(job.kind), "job_page", None)
    return page(job, user) if page else None


@dataclass(frozen=True)
class JobRow:
    """One job with what the list shows of it to one user."""

    job: Job
    label: str
    progress: int
    total: int
    phase: str
    error: str  # the summary everyone reads
    full_error: str  # for administrators, when the error holds more than its summary; else empty
    page: str | None

    @property
    def under_way(self) -> bool:
        return self.job.state in (Job.State.QUEUED, Job.State.RUNNING)

    @property
    def readable_error(self) -> str:
        """The error as this user may read it: in full for administrators, the summary for others."""
        return self.full_error or self.error

    @classmethod
    def of(cls, job: Job, user) -> "JobRow":
        progress, total, phase = jobs.figures(job)
        summary = jobs.error_message(job)
        return cls(
            job=job,
            label=kind_label(job.kind),
            progress=progress,
            total=total,
            phase=phase,
            error=summary,
            full_error=job.error if sees_full_errors(user) and job.error != summary else "",
            page=page_for(job, user),
        )
