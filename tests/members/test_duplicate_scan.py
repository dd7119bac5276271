"""Duplicates over a scope too large for the page: a background scan runs the same weighted rules over
every look-alike group, a batch of keys at a time, stores the pairs, and the page then shows them (paged,
the merged ones left out); the command does the same from the shell."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from congdoan.audit.models import ObjectChange
from congdoan.core.models import Job
from congdoan.members import duplicate_scans, selectors, services
from congdoan.members.models import DuplicateScan, Member
from tests.members.people import admit
from tests.members.test_pages_duplicates import client_for, url

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def look_alikes(registry, small_tree):
    """Pairs found by every rule across Kiên Giang, a pair under the threshold, and one in An Giang."""
    made = [
        admit(small_tree["a"], "Phạm Thị Hoa", gender="female", year=1988, serial=10),
        admit(small_tree["c"], "Phạm Thị  Hoa", gender="female", year=1988, serial=11),  # name, birth date
        admit(small_tree["a"], "Đỗ Văn Nam", year=1979, serial=12),
        admit(small_tree["a"], "Đỗ Văn Nam", year=1979, serial=13),  # name, year (not date), union
        admit(small_tree["b"], "Hồ Thị Lan", gender="female", year=1992, serial=14),
        admit(small_tree["c"], "Hồ Thị Lan", gender="female", year=1992, serial=15),
        admit(small_tree["b"], "Mai Văn Tùng", serial=16),
        admit(small_tree["c"], "Mai Văn Tú", serial=17),  # the same phone alone: 30, under the threshold
        admit(small_tree["d"], "Phạm Thị Hoa", gender="female", year=1988, serial=18),  # An Giang
    ]
    Member.objects.filter(pk=made[1].pk).update(email="hoa@example.vn")
    Member.objects.filter(pk=made[0].pk).update(email="hoa@example.vn")
    Member.objects.filter(pk__in=[made[4].pk, made[5].pk]).update(birth_date=D(1992, 7, 7))
    Member.objects.filter(pk=made[7].pk).update(phone=made[6].phone)
    Member.objects.filter(pk=made[3].pk).update(birth_date=D(1979, 9, 1))
    return made


def shown(pairs) -> list[tuple]:
    return [(p.first.pk, p.second.pk, p.score, p.reasons) for p in pairs]


@pytest.fixture
def forced_scan(monkeypatch, settings):
    """Kiên Giang counts as too large for the page, jobs run inline, and keys go two by two (batches)."""
    monkeypatch.setattr(selectors, "DUPLICATES_MAX_MEMBERS", 3)
    monkeypatch.setattr(selectors, "KEYS_PER_QUERY", 2)
    settings.CONGDOAN_JOBS = "inline"


def run_from_page(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("duplicates"), data)
    assert response.status_code == 302
    return response


def test_the_scan_finds_what_the_page_finds(
    look_alikes, registry, small_tree, forced_scan, django_capture_on_commit_callbacks
):
    officer = registry.world.users["officer"]
    expected = selectors.duplicate_candidates(selectors.members_under(officer, small_tree["kg"]))
    assert len(expected) == 3  # by name and birth date (+ e-mail), name, year and union, name and birth date
    client = client_for(registry, "officer")
    before = client.get(url("duplicates"))
    assert before.context["too_many"] == 3 and before.context["scanned_unit"] == small_tree["kg"]
    assert before.context["scan"] is None and "So sánh toàn bộ trong nền" in before.content.decode()
    done = run_from_page(client, django_capture_on_commit_callbacks)
    assert done.url == url("duplicates") + "?unit=KG"
    scan = DuplicateScan.objects.get()
    assert (scan.unit, scan.user, scan.pair_count) == (small_tree["kg"], officer, 3)
    job = Job.objects.get(pk=scan.job_id)
    assert job.state == Job.State.DONE and job.result == {"scan": scan.pk, "pairs": 3}
    assert job.total == len(selectors.FINDING_RULES) and job.progress == job.total  # a step a rule
    assert ObjectChange.objects.filter(object_id=str(scan.pk), request_id=job.request_id).exists()
    page = client.get(url("duplicates"), {"unit": "KG"})
    assert shown(page.context["page"].rows) == shown(expected) and page.context["total"] == 3
    assert look_alikes[8].code not in page.content.decode()  # An Giang's look-alike is not compared
    # The same merge links as the page's own comparison.
    assert (
        url("merge", code=expected[0].first.code, other_code=expected[0].second.code) in page.content.decode()
    )


def test_merged_records_are_left_out_and_a_new_scan_replaces_the_old(
    look_alikes, registry, small_tree, forced_scan, django_capture_on_commit_callbacks
):
    client = client_for(registry, "officer")
    run_from_page(client, django_capture_on_commit_callbacks, unit="KG")
    first_scan = DuplicateScan.objects.get()
    services.merge_members(keep=look_alikes[3], other=look_alikes[2])
    page = client.get(url("duplicates"), {"unit": "KG"})
    assert page.context["total"] == 2
    assert look_alikes[2].pk not in {p.second.pk for p in page.context["page"].rows}
    run_from_page(client, django_capture_on_commit_callbacks, unit="KG")
    latest = DuplicateScan.objects.get()
    assert latest.pk != first_scan.pk and latest.pair_count == 2
    assert client.get(url("duplicates"), {"unit": "KG"}).context["scan"] == latest


def test_pages_of_pairs(look_alikes, registry, small_tree, forced_scan, monkeypatch):
    from congdoan.members import views

    monkeypatch.setattr(views, "DUPLICATES_PAGE", 2)
    duplicate_scans.run_scan(DuplicateScan.objects.create(unit=small_tree["kg"]))
    client = client_for(registry, "officer")
    first = client.get(url("duplicates"), {"unit": "KG"}).context["page"]
    second = client.get(url("duplicates"), {"unit": "KG", "page": 2}).context["page"]
    assert (len(first.rows), first.has_next, len(second.rows), second.has_next) == (2, True, 1, False)


def test_progress_while_it_runs_and_the_error_when_it_fails(look_alikes, registry, small_tree, forced_scan):
    client = client_for(registry, "officer")
    scan = duplicate_scans.start_scan(user=registry.world.users["officer"], unit=small_tree["kg"])  # queued
    page = client.get(url("duplicates"), {"unit": "KG"})
    assert page.context["pending"] == scan and "So sánh toàn bộ trong nền" not in page.content.decode()
    progress = client.get(url("duplicate_scan", pk=scan.pk), headers={"HX-Request": "true"})
    assert url("duplicate_scan", pk=scan.pk) in progress.content.decode() and "HX-Refresh" not in progress
    Job.objects.filter(pk=scan.job_id).update(state=Job.State.FAILED, error="Máy chủ dừng")
    failed = client.get(url("duplicates"), {"unit": "KG"}).content.decode()
    assert "Máy chủ dừng" in failed and "So sánh toàn bộ trong nền" in failed
    duplicate_scans.run_scan(scan)
    assert client.get(url("duplicate_scan", pk=scan.pk))["HX-Refresh"] == "true"


def test_scans_are_scoped(look_alikes, registry, small_tree, forced_scan):
    scan = duplicate_scans.run_scan(DuplicateScan.objects.create(unit=small_tree["kg"]))
    outsider = client_for(registry, "outsider")  # An Giang
    assert outsider.get(url("duplicate_scan", pk=scan.pk)).status_code == 404
    assert outsider.get(url("duplicates"), {"unit": "KG"}).context["scan"] is None
    # A viewer reads the scan but may not start one.
    viewer = client_for(registry, "viewer")
    assert viewer.get(url("duplicates"), {"unit": "KG"}).context["scan"] == scan
    assert viewer.post(url("duplicates"), {"unit": "KG"}).status_code == 403
    # A unit outside the scope is refused, nothing started.
    response = client_for(registry, "officer").post(url("duplicates"), {"unit": "AG-LX-01"})
    assert response.status_code == 302 and DuplicateScan.objects.count() == 1


def test_the_command_lists_the_pairs_as_json(look_alikes, registry, small_tree):
    officer = registry.world.users["officer"]
    expected = selectors.duplicate_candidates(selectors.members_under(officer, small_tree["kg"]))
    out = io.StringIO()
    call_command(
        "members", "duplicates", "--unit", "KG", "--user", "kg-officer", "--format", "json", stdout=out
    )
    answer = json.loads(out.getvalue())
    assert answer["unit"] == "KG"
    assert [
        (row["first"], row["second"], row["score"], tuple(row["reasons"])) for row in answer["pairs"]
    ] == [(p.first.code, p.second.code, p.score, p.reasons) for p in expected]
    assert DuplicateScan.objects.get().user == officer  # kept as the unit's scan, shown by the page
    table = io.StringIO()
    call_command("members", "duplicates", "--unit", "KG-RG-01", "--format", "table", stdout=table)
    assert look_alikes[2].code in table.getvalue() and look_alikes[0].code not in table.getvalue()
    with pytest.raises(CommandError, match="nằm ngoài phạm vi"):
        call_command("members", "duplicates", "--unit", "KG", "--user", "ag-officer", stdout=io.StringIO())
