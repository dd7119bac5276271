"""Background jobs without a broker: a ``Job`` row per piece of work, run where the setting says.

``CONGDOAN_JOBS``:
  thread   (default) a daemon thread of the process that queued the job — the web process in a demo or
           a small office, so nothing else has to run; a job cut short by a restart is marked failed
  worker   ``congdoan worker`` (one or more processes) claims queued jobs from the table
  inline   at once, in the caller, once its transaction commits (tests, commands)

A job is a function marked ``@job`` taking the ``Job`` and its keyword parameters and returning a JSON
result. It runs inside ``change_context`` under the job's own request id and user, so everything it writes
is change-logged as one operation. It reports progress with ``report(job, done, total, phase)``; while the
job holds a long transaction (an import's commit) the row cannot be updated from its own connection, so
progress goes through a second connection on PostgreSQL and stays in memory on SQLite, where readers in
the same process (the web process, in thread mode) still see it through ``status``.

Daily work needs no cron: a job marked ``@daily`` (taking only the Job, whose ``daily_on`` is the day it is
for) is started by ``start_daily`` once per installation and local day, by whichever process gets there
first — the web process on its first request of the day in thread mode (``DailyWorkMiddleware``), the
worker's loop in worker mode. The Job row is the token: (kind, daily_on, attempt) is unique, so a process
that loses the race finds the row taken and does nothing. A run that failed (a locked database, a bug fixed
by a restart) is tried again the same day, after a back-off that grows with each attempt (``retry_delay``),
up to ``DAILY_ATTEMPTS``; each attempt is a Job row of its own, the failures kept with their errors. The
web process and the worker ask again only when ``next_daily_check`` says something may be due, not on
every request or loop. Inline mode (tests) starts nothing by itself. ``CONGDOAN_DAILY=off`` leaves the
daily tasks to their commands (cron).
"""

import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from congdoan.audit.context import change_context
from congdoan.core.models import Job

logger = logging.getLogger(__name__)

REPORT_EVERY = 0.5  # seconds between progress writes
STALE_AFTER = timedelta(minutes=10)  # a running job silent this long was cut short

_live: dict[uuid.UUID | int, dict] = {}  # progress of jobs running in this process
_side_connections: dict[int, object] = {}
_daily: dict[str, Callable] = {}  # kind -> function of every job marked @daily

DAILY_ATTEMPTS = 4  # a daily task's runs a day at the most: the first and three more after failures
FIRST_RETRY = timedelta(minutes=15)  # after a failed run; four times longer after each further one
DAILY_RECHECK = timedelta(minutes=5)  # how soon to look again at a daily run queued or under way


class JobError(Exception):
    """A failure to show the user as it is (the message is already for them)."""


def job(function: Callable | None = None, /, *, label=None, page: Callable | None = None):
    """Mark a function as runnable as a job; only marked functions can be named by a Job row.

    Used bare (``@job``) or with what the jobs page shows (``@job(label=..., page=...)``): ``label`` names
    the kind for people, ``page(job, user)`` is the address of what a job made, or None when that user
    has no page for it.
    """

    def mark(function: Callable) -> Callable:
        function.is_congdoan_job = True
        function.job_label = label
        function.job_page = page
        return function

    return mark if function is None else mark(function)


def daily(function: Callable | None = None, /, *, label=None):
    """Mark a job to run once a day (``start_daily``); it is called with the Job alone."""

    def mark(function: Callable) -> Callable:
        _daily[kind_of(function)] = job(function, label=label)
        return function

    return mark if function is None else mark(function)


def declared(kind: str) -> Callable | None:
    """The function marked @job that a Job row's kind names; None when the code no longer has it."""
    try:
        function = import_string(kind)
    except ImportError:
        return None
    return function if getattr(function, "is_congdoan_job", False) else None


def kind_of(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def enqueue(
    function: Callable, *, user=None, unit=None, daily_on: date | None = None, attempt: int = 1, **params
) -> Job:
    """Queue ``function(job, **params)``, to start as ``CONGDOAN_JOBS`` says after this transaction."""
    if not getattr(function, "is_congdoan_job", False):
        raise ValueError(f"{kind_of(function)} is not marked @job")
    created = Job.objects.create(
        kind=kind_of(function),
        params=params,
        user=user,
        unit=unit,
        request_id=uuid.uuid4(),
        daily_on=daily_on,
        attempt=attempt,
    )
    mode = settings.CONGDOAN_JOBS
    if mode == "inline":
        transaction.on_commit(lambda: run(created.pk))
    elif mode == "thread":
        transaction.on_commit(
            lambda: threading.Thread(
                target=_run_in_thread, args=(created.pk,), daemon=True, name=f"job-{created.pk}"
            ).start()
        )
    elif mode != "worker":
        raise ValueError(f"CONGDOAN_JOBS must be thread, worker or inline, not {mode!r}")
    return created


def retry_delay(attempt: int) -> timedelta:
    """How long after the failure of ``attempt`` the next one starts: 15 minutes, 1 hour, 4 hours."""
    return FIRST_RETRY * 4 ** (attempt - 1)


def _last_runs(today: date) -> dict[str, Job]:
    """The latest attempt of each daily task for ``today``."""
    runs = Job.objects.filter(kind__in=list(_daily), daily_on=today).order_by("kind", "attempt")
    return {run.kind: run for run in runs}


def _retry_at(run: Job) -> datetime | None:
    """When the next attempt of a failed daily run may start; None when it did not fail or has no more."""
    if run.state != Job.State.FAILED or run.attempt >= DAILY_ATTEMPTS:
        return None
    return (run.finished_at or run.created_at) + retry_delay(run.attempt)


def start_daily(*, today: date | None = None) -> list[Job]:
    """Queue today's run of each daily task that no process has started yet, and the next attempt of one
    whose last run today failed once its back-off has passed; return those queued here."""
    today = today or timezone.localdate()
    now = timezone.now()
    last = _last_runs(today)
    started = []
    for kind, function in _daily.items():
        run = last.get(kind)
        retry_at = None if run is None else _retry_at(run)
        if run is not None and (retry_at is None or retry_at > now):
            continue
        try:
            with transaction.atomic():
                started.append(enqueue(function, daily_on=today, attempt=run.attempt + 1 if run else 1))
        except IntegrityError:
            continue  # another process (or an earlier call) started it
    return started


def next_daily_check(*, today: date | None = None) -> datetime:
    """When ``start_daily`` may have something to start: the next failed run's retry, a few minutes on
    while a run is queued or under way (it may fail), else the next local day."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = [timezone.make_aware(datetime.combine(today + timedelta(days=1), datetime.min.time()))]
    last = _last_runs(today)
    for kind in _daily:
        run = last.get(kind)
        if run is None or run.state in (Job.State.QUEUED, Job.State.RUNNING):
            due.append(now + DAILY_RECHECK)
        elif (retry_at := _retry_at(run)) is not None:
            due.append(max(retry_at, now))
    return min(due)


def _run_in_thread(job_id) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()


def _claim(job_id) -> bool:
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=now, heartbeat_at=now
        )
    )


def run(job_id) -> Job:
    """Run one queued job here and now (if nobody else has claimed it) and record how it ended."""
    if not _claim(job_id):
        return Job.objects.get(pk=job_id)
    current = Job.objects.select_related("user").get(pk=job_id)
    function = declared(current.kind)
    if function is None:
        return _finish(current, error=f"{current.kind} is not a job")
    _live[current.pk] = {"progress": 0, "total": 0, "phase": "", "at": 0.0}
    try:
        with change_context(user=current.user, request_id=current.request_id):
            result = function(current, **current.params)
    except (JobError, ValidationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        return _finish(current, error="\n".join(messages))
    except Exception:
        logger.exception("job %s (%s) failed", current.pk, current.kind)
        return _finish(
            current,
            error=_("The job stopped on an unexpected error; the administrators can find it in the log.")
            + "\n"
            + traceback.format_exc(limit=3),
        )
    finally:
        side = _side_connections.pop(current.pk, None)
        if side is not None:
            side.close()
    return _finish(current, result=result)


# How ``run`` starts the traceback it keeps after an unexpected error's message.
TRACEBACK_START = "Traceback (most recent call last):"


def error_message(current: Job) -> str:
    """A failed job's error as its users read it: the message, without the traceback ``run`` keeps after an
    unexpected error's (its lines, the last the exception's own text, may quote data and code); the whole
    error is for administrators (``job_selectors.JobRow``)."""
    return current.error.split(TRACEBACK_START, 1)[0].strip()


def _finish(current: Job, *, result=None, error: str = "") -> Job:
    live = _live.pop(current.pk, None) or {}
    current.state = Job.State.FAILED if error else Job.State.DONE
    current.error, current.result = error, result
    current.finished_at = current.heartbeat_at = timezone.now()
    current.progress, current.total = live.get("progress", current.progress), live.get("total", current.total)
    if not error and current.total:
        current.progress = current.total
    current.save(
        update_fields=["state", "error", "result", "finished_at", "heartbeat_at", "progress", "total"]
    )
    return current


def report(
    current: Job | None, done: int, total: int, phase: str | None = None, *, force: bool = False
) -> None:
    """Record progress (at most every REPORT_EVERY seconds unless forced or the phase changes)."""
    if current is None:
        return
    live = _live.setdefault(current.pk, {"progress": 0, "total": 0, "phase": "", "at": 0.0})
    now = time.monotonic()
    changed_phase = phase is not None and phase != live["phase"]
    live.update(progress=done, total=total, phase=live["phase"] if phase is None else phase)
    if not (force or changed_phase or now - live["at"] >= REPORT_EVERY):
        return
    live["at"] = now
    values = {"progress": done, "total": total, "phase": live["phase"][:200], "heartbeat_at": timezone.now()}
    if not connection.in_atomic_block:
        Job.objects.filter(pk=current.pk).update(**values)
    elif connection.vendor == "postgresql":
        side = _side_connections.get(current.pk)
        if side is None:
            side = _side_connections[current.pk] = connections.create_connection(DEFAULT_DB_ALIAS)
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET progress = %s, total = %s, phase = %s, "
                "heartbeat_at = %s WHERE id = %s",
                [done, total, values["phase"], values["heartbeat_at"], current.pk],
            )
    # On SQLite the long transaction holds the only write lock: the progress stays in memory until it ends.


def figures(current: Job) -> tuple[int, int, str]:
    """Progress, total and phase of a job as read, the figures of this process first while it runs here."""
    live = _live.get(current.pk) if current.state == Job.State.RUNNING else None
    if live:
        return live["progress"], live["total"], live["phase"]
    return current.progress, current.total, current.phase


def status(current: Job) -> dict:
    """State and progress of a job as readers (a progress bar) need it, the in-process figures first."""
    current.refresh_from_db()
    progress, total, phase = figures(current)
    return {
        "id": str(current.pk),
        "state": current.state,
        "phase": phase,
        "progress": progress,
        "total": total,
        "percent": 100
        if current.state == Job.State.DONE
        else (int(100 * progress / total) if total else None),
        "result": current.result,
        "error": error_message(current),
    }


def fail_stale_jobs() -> int:
    """Jobs marked running whose process died (no heartbeat for STALE_AFTER) end as failed."""
    return Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER).update(
        state=Job.State.FAILED,
        finished_at=timezone.now(),
        error=_("The job was interrupted (the process running it stopped). Start it again."),
    )


def work(
    *, once: bool = False, poll: float = 1.0, stop: threading.Event | None = None, daily: bool = False
) -> int:
    """The worker loop: claim queued jobs oldest first and run them; with ``once``, stop when none is left.
    With ``daily``, start the daily tasks' runs (``start_daily``) whenever ``next_daily_check`` says."""
    done = 0
    stop = stop or threading.Event()
    daily_check = None  # when start_daily may next have something to start
    while not stop.is_set():
        if not connection.in_atomic_block:  # (a caller's transaction, as in tests, keeps its connection)
            close_old_connections()  # a long-lived worker must not hold a dead or stale connection
        fail_stale_jobs()
        if daily and (daily_check is None or timezone.now() >= daily_check):
            start_daily()
            daily_check = next_daily_check()
        next_id = (
            Job.objects.filter(state=Job.State.QUEUED)
            .order_by("created_at")
            .values_list("pk", flat=True)
            .first()
        )
        if next_id is None:
            if once:
                break
            stop.wait(poll)
            continue
        run(next_id)
        done += 1
    return done
