"""The test database lets a background job's thread write while another connection is in a transaction
on the same table, as when the live server serves a progress bar or starts the next job while the last
one records its end (see ``django_db_modify_db_settings`` in conftest.py)."""

import threading
import time

import pytest
from django.db import transaction

from congdoan.core import jobs
from congdoan.core.models import Job

TIMES = 200
polling = threading.Event()  # the job writes once the test reads, so that the two meet


@jobs.job
def report_often(current: Job, *, times: int) -> dict:
    polling.wait(timeout=30)
    for done in range(times):
        jobs.report(current, done, times, force=True)
    return {"reported": times}


@pytest.mark.django_db(transaction=True)
def test_a_job_thread_writes_its_progress_while_a_request_reads_it_in_a_transaction(settings):
    settings.CONGDOAN_JOBS = "thread"
    queued = jobs.enqueue(report_often, times=TIMES)
    thread = next(thread for thread in threading.enumerate() if thread.name == f"job-{queued.pk}")
    polling.set()
    while thread.is_alive():
        with transaction.atomic():  # a request's transaction, long enough for the job to run into it
            jobs.status(queued)
            time.sleep(0.002)
        time.sleep(0.002)  # then a pause before the next poll
    thread.join()
    state = jobs.status(queued)
    assert (state["state"], state["result"], state["error"]) == (Job.State.DONE, {"reported": TIMES}, "")
