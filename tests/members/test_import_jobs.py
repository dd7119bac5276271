"""Imports as background jobs: inline, by `congdoan worker`, and in a thread of the web process."""

import threading

import pytest
from django.core.exceptions import ValidationError

from congdoan.audit.models import ObjectChange
from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members.imports import services
from congdoan.members.imports.models import ImportBatch
from congdoan.members.models import Member
from tests.members import listfiles

pytestmark = pytest.mark.usefixtures("english", "media")


@jobs.job
def failing_job(job, *, reason: str):
    raise ValidationError(reason)


def not_a_job(job):
    """Never runnable: not marked @job."""


@pytest.mark.django_db
def test_reading_and_committing_as_jobs_run_by_the_worker(small_tree, tmp_path, settings):
    settings.CONGDOAN_JOBS = "worker"
    path = listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(40))
    batch = services.create_batch(file=path, unit=small_tree["a"])
    job = services.start_reading(batch=batch)
    assert jobs.status(job)["state"] == Job.State.QUEUED
    assert jobs.work(once=True) == 1
    state = jobs.status(job)
    assert (state["state"], state["percent"], state["result"]["new"]) == (Job.State.DONE, 100, 40)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.READY
    commit = services.start_commit(batch=batch)
    jobs.work(once=True)
    assert jobs.status(commit)["result"]["created"] == 40 and Member.objects.count() == 40
    logged = ObjectChange.objects.filter(content_type__model="member", action="create")
    assert set(logged.values_list("request_id", flat=True)) == {batch.request_id}


@pytest.mark.django_db
def test_a_failing_job_records_its_message(settings):
    settings.CONGDOAN_JOBS = "worker"
    job = jobs.enqueue(failing_job, reason="Tệp hỏng")
    jobs.work(once=True)
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, "Tệp hỏng")
    with pytest.raises(ValueError):
        jobs.enqueue(not_a_job)


@pytest.mark.django_db
def test_inline_jobs_run_when_the_transaction_commits(
    small_tree, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.CONGDOAN_JOBS = "inline"
    batch = services.create_batch(
        file=listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(3)), unit=small_tree["a"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_reading(batch=batch)
    assert jobs.status(job)["state"] == Job.State.DONE


@pytest.mark.django_db
def test_stale_running_jobs_are_marked_failed(settings):
    from django.utils import timezone

    settings.CONGDOAN_JOBS = "worker"
    job = jobs.enqueue(failing_job, reason="x")
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, heartbeat_at=timezone.now() - jobs.STALE_AFTER * 2
    )
    assert jobs.fail_stale_jobs() == 1
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "interrupted" in job.error


@pytest.mark.django_db(transaction=True)
def test_thread_mode_runs_the_job_beside_the_web_process(small_tree, tmp_path, settings):
    settings.CONGDOAN_JOBS = "thread"
    batch = services.create_batch(
        file=listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(5)), unit=small_tree["a"]
    )
    job = services.start_reading(batch=batch)
    for thread in threading.enumerate():
        if thread.name == f"job-{job.pk}":
            thread.join(timeout=60)
    assert jobs.status(job)["state"] == Job.State.DONE
    batch.refresh_from_db()
    assert batch.rows_new == 5
