"""Daily work without cron: ``@daily`` jobs start once per installation and local day, from the web
process's first request of the day (thread mode) or the worker's loop, whichever gets there first."""

import datetime
import sys
import threading

import pytest
from django.db import DatabaseError, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congdoan.audit.models import ObjectChange
from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members import services as member_services
from congdoan.members.models import Status
from tests.members.test_lifecycle import new_member

DAY = datetime.date(2026, 11, 21)
LOGIN = reverse("accounts:login")


@jobs.job
def note_the_day(current: Job) -> dict:
    return {"day": current.daily_on.isoformat()}


@jobs.job
def break_down(current: Job) -> dict:
    raise RuntimeError("the daily task broke down")


@pytest.fixture
def daily_tasks(monkeypatch):
    """Only the tasks a test registers are daily, and the web process starts them (thread mode)."""
    monkeypatch.setattr(jobs, "_daily", {})
    return jobs.daily


@pytest.fixture
def on_day(monkeypatch):
    """Set the local day the middleware and the worker see, and the time to its noon: the next day's check
    falls at the local midnight after it, whatever the real time (Vietnam's day starts at 17:00 UTC)."""

    def set_day(day: datetime.date) -> None:
        noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        monkeypatch.setattr(timezone, "now", lambda: noon)

    return set_day


def daily_runs(function) -> list[datetime.date]:
    return list(
        Job.objects.filter(kind=jobs.kind_of(function))
        .order_by("daily_on")
        .values_list("daily_on", flat=True)
    )


def test_the_members_app_registers_its_daily_status_refresh():
    assert jobs._daily[jobs.kind_of(member_services.refresh_current_states_daily)] is (
        member_services.refresh_current_states_daily
    )


@pytest.mark.django_db
def test_a_daily_task_starts_once_a_day_and_again_the_next_day(settings, daily_tasks):
    settings.CONGDOAN_JOBS = "worker"
    daily_tasks(note_the_day)
    assert [run.daily_on for run in jobs.start_daily(today=DAY)] == [DAY]
    assert jobs.start_daily(today=DAY) == []
    assert daily_runs(note_the_day) == [DAY]
    assert [run.daily_on for run in jobs.start_daily(today=DAY + datetime.timedelta(days=1))] == [
        DAY + datetime.timedelta(days=1)
    ]
    assert jobs.work(once=True) == 2
    assert sorted(Job.objects.values_list("result", flat=True), key=str) == [
        {"day": "2026-11-21"},
        {"day": "2026-11-22"},
    ]


@pytest.mark.django_db(transaction=True)
def test_two_processes_racing_start_the_days_task_once(settings, daily_tasks):
    settings.CONGDOAN_JOBS = "worker"
    daily_tasks(note_the_day)
    together = threading.Barrier(2)
    started, failures = [], []

    def one_process() -> None:
        try:
            together.wait(timeout=10)
            started.extend(jobs.start_daily(today=DAY))  # each thread on its own connection
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    racers = [threading.Thread(target=one_process) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)
    assert failures == []
    assert len(started) == 1
    assert daily_runs(note_the_day) == [DAY]


@pytest.mark.django_db
def test_the_days_first_request_starts_the_daily_tasks_and_later_ones_only_compare_dates(
    settings, daily_tasks, on_day, monkeypatch
):
    settings.CONGDOAN_JOBS, settings.CONGDOAN_DAILY = "thread", True
    daily_tasks(note_the_day)
    calls = []
    start_daily = jobs.start_daily
    monkeypatch.setattr(jobs, "start_daily", lambda **kwargs: calls.append(kwargs) or start_daily(**kwargs))
    client = Client()  # one web process: one middleware
    on_day(DAY)
    assert client.get(LOGIN).status_code == 200
    assert client.get(LOGIN).status_code == 200
    assert calls == [{"today": DAY}]
    on_day(DAY + datetime.timedelta(days=1))
    assert client.get(LOGIN).status_code == 200
    assert daily_runs(note_the_day) == [DAY, DAY + datetime.timedelta(days=1)]
    assert Client().get(LOGIN).status_code == 200  # a second web process the same day finds the run taken
    assert len(calls) == 3
    assert daily_runs(note_the_day) == [DAY, DAY + datetime.timedelta(days=1)]


@pytest.mark.django_db(transaction=True)
def test_a_failing_daily_task_does_not_break_the_request_that_started_it(settings, daily_tasks):
    settings.CONGDOAN_JOBS, settings.CONGDOAN_DAILY = "thread", True
    daily_tasks(break_down)
    assert Client().get(LOGIN).status_code == 200
    started = Job.objects.get(kind=jobs.kind_of(break_down))
    runner = next((thread for thread in threading.enumerate() if thread.name == f"job-{started.pk}"), None)
    if runner is not None:
        runner.join(timeout=30)
    started.refresh_from_db()
    assert started.state == Job.State.FAILED
    assert "the daily task broke down" in started.error  # (the traceback's last line)


@pytest.mark.django_db
def test_a_request_is_served_when_the_daily_tasks_cannot_be_started_and_the_next_one_tries_again(
    settings, monkeypatch
):
    settings.CONGDOAN_JOBS, settings.CONGDOAN_DAILY = "thread", True
    attempts = []

    def database_down(**kwargs):
        attempts.append(kwargs)
        raise DatabaseError("database is locked")

    monkeypatch.setattr(jobs, "start_daily", database_down)
    client = Client()
    assert client.get(LOGIN).status_code == 200
    assert client.get(LOGIN).status_code == 200
    assert len(attempts) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "daily"), [("inline", True), ("worker", True), ("thread", False)])
def test_requests_start_nothing_unless_the_web_process_runs_the_jobs_and_daily_work_is_on(
    settings, daily_tasks, mode, daily
):
    settings.CONGDOAN_JOBS, settings.CONGDOAN_DAILY = mode, daily
    daily_tasks(note_the_day)
    assert Client().get(LOGIN).status_code == 200
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_worker_loop_starts_and_runs_the_days_tasks_only_when_asked(settings, daily_tasks, on_day):
    settings.CONGDOAN_JOBS = "worker"
    daily_tasks(note_the_day)
    on_day(DAY)
    assert jobs.work(once=True) == 0  # as tests and callers other than `congdoan worker` use it
    assert jobs.work(once=True, daily=True) == 1
    assert jobs.work(once=True, daily=True) == 0  # the same day: already done
    on_day(DAY + datetime.timedelta(days=1))
    assert jobs.work(once=True, daily=True) == 1
    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.DONE}


@pytest.mark.django_db
def test_the_daily_status_refresh_brings_a_suspension_that_ended_up_to_date_under_its_jobs_request_id(
    small_tree, settings, django_capture_on_commit_callbacks
):
    settings.CONGDOAN_JOBS = "inline"
    today = timezone.localdate()
    member = member_services.admit_member(member=new_member(), unit=small_tree["a"])
    member_services.suspend_member(
        member=member, on=today - datetime.timedelta(days=10), until=today + datetime.timedelta(days=5)
    )
    member.refresh_from_db()
    assert member.status == Status.SUSPENDED
    with django_capture_on_commit_callbacks(execute=True):
        started = jobs.start_daily(today=today + datetime.timedelta(days=5))
    [refresh] = [
        run for run in started if run.kind == jobs.kind_of(member_services.refresh_current_states_daily)
    ]
    refresh.refresh_from_db()
    assert (refresh.state, refresh.result) == (Job.State.DONE, {"members": 1})
    member.refresh_from_db()
    assert member.status == Status.ACTIVE
    assert ObjectChange.objects.filter(
        object_id=member.pk, action="update", request_id=refresh.request_id
    ).exists()


# ------------------------------------------------------------------------------ a failed run is tried again

failures_left = {"count": 0}
run_gate = threading.Event()  # a test that needs a run still under way clears it, and sets it to go on
run_gate.set()


@jobs.job
def flaky(current: Job) -> dict:
    """Fails while ``failures_left`` says so, then succeeds; starts once ``run_gate`` is set."""
    run_gate.wait(timeout=30)
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise RuntimeError("database is locked")
    return {"attempt": current.attempt}


@pytest.fixture
def clock(monkeypatch):
    """The time jobs, the middleware and the rows' own dates read, moved by the test."""
    now = {"at": timezone.make_aware(datetime.datetime(2026, 11, 21, 0, 30))}
    monkeypatch.setattr(timezone, "now", lambda: now["at"])
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: timezone.localtime(now["at"]).date())

    def move(**delta) -> None:
        now["at"] += datetime.timedelta(**delta)

    return move


def attempts(function) -> list[tuple[int, str]]:
    return list(
        Job.objects.filter(kind=jobs.kind_of(function), daily_on=DAY)
        .order_by("attempt")
        .values_list("attempt", "state")
    )


@pytest.mark.django_db
def test_a_failed_daily_run_is_tried_again_after_a_growing_back_off(settings, daily_tasks, clock):
    settings.CONGDOAN_JOBS = "worker"
    daily_tasks(flaky)
    failures_left["count"] = 99
    assert [job.attempt for job in jobs.start_daily()] == [1]
    jobs.work(once=True)
    waits = [jobs.retry_delay(attempt) for attempt in range(1, jobs.DAILY_ATTEMPTS)]
    assert waits == [datetime.timedelta(minutes=15), datetime.timedelta(hours=1), datetime.timedelta(hours=4)]
    for attempt, wait in enumerate(waits, start=2):
        assert jobs.next_daily_check() == timezone.now() + wait
        clock(seconds=wait.total_seconds() - 1)
        assert jobs.start_daily() == []  # not yet
        clock(seconds=1)
        assert [job.attempt for job in jobs.start_daily()] == [attempt]
        assert jobs.start_daily() == []  # queued: once
        jobs.work(once=True)
    failed = [(attempt, Job.State.FAILED) for attempt in range(1, jobs.DAILY_ATTEMPTS + 1)]
    assert attempts(flaky) == failed
    assert all("database is locked" in error for error in Job.objects.values_list("error", flat=True))
    # The day's attempts are spent: nothing more until the next day, which starts afresh.
    clock(hours=12)
    assert jobs.start_daily() == []
    assert jobs.next_daily_check() == timezone.make_aware(datetime.datetime(2026, 11, 22))
    failures_left["count"] = 0
    clock(hours=7)  # 00:45 the next day
    next_day = DAY + datetime.timedelta(days=1)
    assert [(job.daily_on, job.attempt) for job in jobs.start_daily()] == [(next_day, 1)]


@pytest.mark.django_db
def test_a_daily_run_that_succeeds_on_a_retry_is_not_run_again(settings, daily_tasks, clock):
    settings.CONGDOAN_JOBS = "worker"
    daily_tasks(flaky)
    failures_left["count"] = 1
    clock(minutes=1)
    assert jobs.work(once=True, daily=True) == 1
    clock(minutes=15)
    assert jobs.work(once=True, daily=True) == 1
    assert attempts(flaky) == [(1, Job.State.FAILED), (2, Job.State.DONE)]
    clock(hours=5)
    assert jobs.work(once=True, daily=True) == 0
    assert jobs.next_daily_check() == timezone.make_aware(datetime.datetime(2026, 11, 22))


@pytest.mark.django_db(transaction=True)
def test_the_web_process_retries_a_failed_daily_run_after_its_back_off_not_on_every_request(
    settings, daily_tasks, clock, monkeypatch
):
    settings.CONGDOAN_JOBS, settings.CONGDOAN_DAILY = "thread", True
    daily_tasks(flaky)
    failures_left["count"] = 1
    calls = []
    start_daily = jobs.start_daily
    monkeypatch.setattr(jobs, "start_daily", lambda **kwargs: calls.append(kwargs) or start_daily(**kwargs))

    def finish_runs() -> None:
        for thread in threading.enumerate():
            if thread.name.startswith("job-"):
                thread.join(timeout=30)

    client = Client()
    gate = threading.Event()  # the first run stays under way until the request that started it is done
    monkeypatch.setattr(sys.modules[__name__], "run_gate", gate)
    assert client.get(LOGIN).status_code == 200
    gate.set()
    finish_runs()
    assert attempts(flaky) == [(1, Job.State.FAILED)]
    # While the run was under way the process looks again a few minutes on, then when the retry is due.
    clock(minutes=5)
    assert client.get(LOGIN).status_code == 200
    assert client.get(LOGIN).status_code == 200
    assert len(calls) == 2 and attempts(flaky) == [(1, Job.State.FAILED)]
    clock(minutes=10)
    assert client.get(LOGIN).status_code == 200
    finish_runs()
    assert client.get(LOGIN).status_code == 200
    assert len(calls) == 3
    assert attempts(flaky) == [(1, Job.State.FAILED), (2, Job.State.DONE)]
