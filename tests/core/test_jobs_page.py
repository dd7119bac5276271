"""The background jobs page and API: the user's subtree only, filters, labels, links, and errors whose
traceback only administrators read."""

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members.downloads import export_list_job
from congdoan.members.imports.services import read_batch_job
from tests.mixins import APIViewTestCases, build_world, client_for


def in_vietnamese(text: str) -> str:
    """A label as the pages and the API give it: in the default language, Vietnamese."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


SECRET = "Nguyễn Văn Bí mật 079123456789"


@jobs.job
def exploding_job(job):
    raise KeyError(SECRET)


def make_job(unit, *, kind=None, user=None, state=Job.State.DONE, created=None, **fields) -> Job:
    job = Job.objects.create(
        kind=kind or jobs.kind_of(read_batch_job),
        params=fields.pop("params", {"batch_id": 1}),
        unit=unit,
        user=user,
        state=state,
        request_id=uuid.uuid4(),
        **fields,
    )
    if created is not None:
        Job.objects.filter(pk=job.pk).update(created_at=created)
    return job


def at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 3, day, 9, 30))


@pytest.fixture
def world(small_tree):
    return build_world(small_tree)


def page_as(user, **query):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get(reverse("core:jobs"), query)


def listed_ids(response) -> set[int]:
    return {row.job.pk for row in response.context["rows"]}


class TestJobAPI(APIViewTestCases.ReadOnly):
    model = Job
    basename = "core-api:job"

    def make(self, world, unit):
        return make_job(unit, user=world.users["officer"])


@pytest.mark.django_db
def test_each_user_sees_the_jobs_of_their_subtree(world, small_tree):
    own = make_job(small_tree["a"])
    sibling = make_job(small_tree["b"])
    foreign = make_job(small_tree["d"])
    daily = make_job(None, kind="congdoan.members.services.refresh_current_states_daily")
    seen = {
        role: listed_ids(page_as(world.users[role])) for role in ("superuser", "admin", "chair", "outsider")
    }
    assert seen == {
        "superuser": {own.pk, sibling.pk, foreign.pk, daily.pk},
        "admin": {own.pk, sibling.pk},
        "chair": {own.pk},
        "outsider": {foreign.pk},
    }
    answer = client_for(world.users["superuser"]).get(reverse("core-api:job-detail", args=[daily.pk])).json()
    assert (answer["label"], answer["unit"], answer["user"]) == (
        in_vietnamese("Daily update of the members' current states"),
        None,
        None,
    )


@pytest.mark.django_db
def test_newest_first_paged(world, small_tree):
    made = [make_job(small_tree["a"], created=at(1) + datetime.timedelta(minutes=n)) for n in range(52)]
    first = page_as(world.users["officer"])
    assert [row.job.pk for row in first.context["rows"]] == [job.pk for job in reversed(made)][:50]
    assert listed_ids(page_as(world.users["officer"], page=2)) == {made[1].pk, made[0].pk}


@pytest.mark.django_db
def test_filters_by_state_kind_and_day(world, small_tree):
    unit, officer = small_tree["a"], world.users["officer"]
    failed = make_job(unit, state=Job.State.FAILED, created=at(2), error="Tệp hỏng")
    export = make_job(unit, kind=jobs.kind_of(export_list_job), params={}, created=at(5))
    early = make_job(unit, created=at(1))
    assert listed_ids(page_as(officer, state="failed")) == {failed.pk}
    assert listed_ids(page_as(officer, kind=export.kind)) == {export.pk}
    assert listed_ids(page_as(officer, since="2025-03-02", until="2025-03-04")) == {failed.pk}
    assert listed_ids(page_as(officer, until="01/03/2025")) == {early.pk}
    api = client_for(officer)
    answer = api.get(reverse("core-api:job-list"), {"state": "failed"}).json()
    assert [row["id"] for row in answer["results"]] == [failed.pk]
    answer = api.get(reverse("core-api:job-list"), {"since": "2025-03-03"}).json()
    assert [row["id"] for row in answer["results"]] == [export.pk]
    assert api.get(reverse("core-api:job-list"), {"state": "lost"}).status_code == 400


@pytest.mark.django_db
def test_a_row_names_the_kind_its_progress_and_dates(world, small_tree):
    job = make_job(
        small_tree["a"],
        user=world.users["officer"],
        state=Job.State.RUNNING,
        progress=1200,
        total=5000,
        phase="Đọc các dòng",
        created=at(7),
        started_at=at(7),
        params={"batch_id": 42},
    )
    unknown = make_job(small_tree["a"], kind="congdoan.gone.old_job", created=at(6))
    response = page_as(world.users["officer"])
    html = response.content.decode()
    assert "Reading an import file" in html and f'href="{reverse("members:import", args=[42])}"' in html
    assert "congdoan.gone.old_job" in html  # a kind the code no longer has: its dotted path
    assert "1.200 / 5.000" in html and "Đọc các dòng" in html
    assert "07/03/2025 09:30" in html
    assert f'href="{reverse("units:detail", args=[job.unit.code])}"' in html
    assert 'class="badge running"' in html
    assert {row.job.pk: row.page for row in response.context["rows"]}[unknown.pk] is None
    api = client_for(world.users["officer"]).get(reverse("core-api:job-detail", args=[job.pk])).json()
    assert api["label"] == in_vietnamese("Reading an import file")
    assert (api["progress"], api["total"], api["phase"]) == (1200, 5000, "Đọc các dòng")
    assert (api["user"], api["unit"], api["page"]) == ("kg-officer", "KG-RG-01", "/members/imports/42/")
    assert "params" not in api


@pytest.mark.django_db
def test_an_export_links_to_its_file_for_its_author_only(world, small_tree):
    export = make_job(
        small_tree["a"], kind=jobs.kind_of(export_list_job), user=world.users["officer"], params={}
    )
    link = f'href="{reverse("members:export_job", args=[export.pk])}"'
    assert link in page_as(world.users["officer"]).content.decode()
    assert link not in page_as(world.users["admin"]).content.decode()


@pytest.mark.django_db
def test_an_unexpected_error_traceback_is_for_administrators(world, small_tree, settings):
    settings.CONGDOAN_JOBS = "worker"
    failed = jobs.run(jobs.enqueue(exploding_job, user=world.users["officer"], unit=small_tree["a"]).pk)
    assert failed.state == Job.State.FAILED and "Traceback" in failed.error and SECRET in failed.error
    message = failed.error.splitlines()[0]

    officer_page = page_as(world.users["officer"]).content.decode()
    assert message in officer_page
    assert "Traceback" not in officer_page and SECRET not in officer_page
    admin_page = page_as(world.users["admin"]).content.decode()
    assert message in admin_page and "Traceback" in admin_page and SECRET in admin_page

    url = reverse("core-api:job-detail", args=[failed.pk])
    assert client_for(world.users["officer"]).get(url).json()["error"] == message
    assert client_for(world.users["admin"]).get(url).json()["error"] == failed.error


@pytest.mark.django_db
def test_a_job_error_for_the_user_is_shown_whole(world, small_tree):
    make_job(small_tree["a"], state=Job.State.FAILED, error="Dòng 3: thiếu họ tên\nDòng 9: ngày sinh sai")
    html = page_as(world.users["officer"]).content.decode()
    assert "Dòng 3: thiếu họ tên<br>Dòng 9: ngày sinh sai" in html


@pytest.mark.django_db
def test_the_list_asks_again_for_itself_while_a_job_is_under_way(world, small_tree):
    officer = world.users["officer"]
    make_job(small_tree["a"], state=Job.State.DONE)
    assert "hx-trigger" not in page_as(officer).content.decode()
    make_job(small_tree["a"], state=Job.State.QUEUED)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    partial = client.get(reverse("core:jobs"), {"state": "queued"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="jobs" hx-get="/jobs/?state=queued" hx-trigger="every 3s"')
    assert "<html" not in partial


@pytest.mark.django_db
def test_the_navigation_links_the_page(world):
    html = page_as(world.users["viewer"]).content.decode()
    assert f'<a href="{reverse("core:jobs")}" aria-current="page">Background jobs</a>' in html


@pytest.mark.django_db
def test_the_progress_a_job_reports_to_its_pages_keeps_its_traceback_back(world, small_tree, settings):
    """``jobs.status`` feeds the import, export and scan progress pages and their API to whoever may see the
    job's object, not administrators only."""
    settings.CONGDOAN_JOBS = "worker"
    failed = jobs.run(jobs.enqueue(exploding_job, user=world.users["officer"], unit=small_tree["a"]).pk)
    assert jobs.status(failed)["error"] == failed.error.splitlines()[0]
    assert "Traceback" not in jobs.status(failed)["error"] and SECRET not in jobs.status(failed)["error"]


@pytest.mark.django_db
def test_an_ended_job_no_longer_shows_the_phase_it_last_reported(world, small_tree):
    # An export ends with its last phase ("writing the list") stored: beside "Done" it read as still running.
    make_job(small_tree["a"], state=Job.State.RUNNING, phase="Đang ghi danh sách")
    assert "Đang ghi danh sách" in page_as(world.users["officer"]).content.decode()
    Job.objects.update(state=Job.State.DONE, finished_at=at(7))
    html = page_as(world.users["officer"]).content.decode()
    assert "Đang ghi danh sách" not in html
    assert '<td data-label="Progress">—</td>' in html


@pytest.mark.django_db
def test_the_day_filters_are_date_pickers(world, small_tree):
    make_job(small_tree["a"], created=at(7))
    html = page_as(world.users["officer"], since="2025-03-07").content.decode()
    assert '<input type="date" name="since" value="2025-03-07"' in html
    assert '<input type="date" name="until"' in html


@pytest.mark.django_db
def test_the_page_and_the_api_ask_as_many_queries_for_many_rows_as_for_one(world, small_tree):
    """Labels, links, users and units come with the rows' one query, not one query per row."""
    superuser = world.users["superuser"]
    api = client_for(superuser)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            page_as(superuser)
        with CaptureQueriesContext(connection) as answer:
            api.get(reverse("core-api:job-list"))
        return len(page), len(answer)

    make_job(small_tree["a"], user=world.users["officer"])
    one = queries()
    for unit, role in (("b", "admin"), ("d", "outsider"), ("a", "chair")):
        make_job(small_tree[unit], user=world.users[role], state=Job.State.FAILED, error="Tệp hỏng")
        make_job(small_tree[unit], kind=jobs.kind_of(export_list_job), user=world.users[role], params={})
    assert queries() == one


@pytest.mark.django_db
def test_on_a_phone_each_cell_is_labelled_as_its_column(world, small_tree):
    """The stacked table's cell labels read as the column heads (the creation time: 'Tạo lúc')."""
    make_job(small_tree["a"])
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(world.users["officer"])
    html = client.get(reverse("core:jobs")).content.decode()
    heads = re.findall(r'<th scope="col">([^<]*)</th>', html)
    labels = re.findall(r'<td data-label="([^"]*)"', html)
    assert heads == labels
