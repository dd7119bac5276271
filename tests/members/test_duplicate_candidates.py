"""Pairs found and scored from the records' keys (``selectors.candidate_pairs``) against every pair of
records compared in full, on registries drawn at random from a few names, dates, phones and e-mails (so
groups of every rule meet, overlap and outgrow LARGEST_GROUP); the background scan stores the same pairs;
the screen counts every pair and loads the records of the page it shows only."""

import datetime
import itertools
import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdoan.members import duplicate_scans, selectors
from congdoan.members.models import DuplicateScan, Member, Status
from tests.members.test_pages_duplicates import client_for, url

D = datetime.date
pytestmark = pytest.mark.django_db

NAMES = ("Phạm Thị Hoa", "Pham Thi Hoa", "Đỗ Văn Nam", "Hồ Thị Lan", "Mai Văn Tú")
BIRTH_DATES = (D(1988, 9, 9), D(1988, 1, 2), D(1990, 5, 5), None)


def draw_registry(units: list, seed: int, count: int = 70) -> list[Member]:
    rng = random.Random(seed)
    made = []
    for index in range(count):
        birth_date = rng.choice(BIRTH_DATES)
        member = Member(
            code=f"T{seed:02d}{index:04d}",
            full_name=rng.choice(NAMES),
            birth_date=birth_date,
            birth_year=None if birth_date else rng.choice((1988, 1990, None)),
            gender="female",
            phone=rng.choice(("", "", "0911000001", "0911000002")),
            email=rng.choice(("", "", "", "hoa@example.vn")),
            joined_on=D(2020, 1, 1),
            unit=rng.choice(units),
            status=rng.choice((Status.ACTIVE,) * 8 + (Status.LEFT, Status.MERGED)),
        )
        member.set_derived_fields()
        made.append(member)
    return Member.objects.bulk_create(made)


def compared_in_full(members: list[Member]) -> dict[tuple[int, int], tuple[int, tuple[str, ...]]]:
    """Every two unmerged records met by a finding rule's group of at most LARGEST_GROUP, scored."""
    live = sorted((m for m in members if m.status != Status.MERGED), key=lambda m: m.pk)
    sizes = {rule: Counter(rule.key_of(m) for m in live) for rule in selectors.FINDING_RULES}
    found = {}
    for first, second in itertools.combinations(live, 2):
        met = [
            rule
            for rule in selectors.DUPLICATE_RULES
            if (key := rule.key_of(first)) is not None and key == rule.key_of(second)
        ]
        if not any(rule.finds and sizes[rule][rule.key_of(first)] <= selectors.LARGEST_GROUP for rule in met):
            continue
        if (score := sum(rule.weight for rule in met)) >= selectors.DUPLICATE_THRESHOLD:
            found[(first.pk, second.pk)] = (score, tuple(rule.key for rule in met))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairs_from_keys_are_the_pairs_compared_in_full(small_tree, monkeypatch, seed):
    monkeypatch.setattr(selectors, "LARGEST_GROUP", 6)  # some groups outgrow it
    monkeypatch.setattr(selectors, "KEYS_PER_QUERY", 2)  # several batches of keys per rule
    members = draw_registry([small_tree["a"], small_tree["b"], small_tree["c"]], seed)
    expected = compared_in_full(members)
    assert expected  # the draw makes pairs
    pairs = selectors.candidate_pairs(Member.objects.all())
    assert {(p.first_id, p.second_id): (p.score, tuple(r.key for r in p.rules)) for p in pairs} == expected
    sort_keys = {m.pk: m.sort_key for m in members}
    assert [(p.first_id, p.second_id) for p in pairs] == sorted(
        expected, key=lambda ids: (-expected[ids][0], sort_keys[ids[0]], *ids)
    )
    # The background scan stores the same pairs.
    scan = duplicate_scans.run_scan(DuplicateScan.objects.create(unit=small_tree["kg"]))
    stored = {(row.first_id, row.second_id): (row.score, tuple(row.rules)) for row in scan.pairs.all()}
    assert stored == expected and scan.pair_count == len(expected)


def test_the_screen_counts_every_pair_and_loads_the_records_of_its_page_only(
    registry, small_tree, monkeypatch
):
    from congdoan.members import views

    monkeypatch.setattr(views, "DUPLICATES_PAGE", 2)
    draw_registry([small_tree["a"], small_tree["b"], small_tree["c"]], seed=4)
    expected = selectors.candidate_pairs(selectors.members_under(registry.world.users["officer"]))
    assert len(expected) > 4
    client = client_for(registry, "officer")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url("duplicates"), {"page": 2})
    assert second.context["total"] == len(expected)
    shown = [(p.first.pk, p.second.pk, p.score) for p in second.context["page"].rows]
    assert shown == [(p.first_id, p.second_id, p.score) for p in expected[2:4]]
    # One query reads records (their names), for the two pairs shown.
    readings = [q["sql"] for q in queries.captured_queries if '"members_member"."full_name"' in q["sql"]]
    assert len(readings) == 1
    page = second.content.decode()
    assert all(pair.first.code in page and pair.second.code in page for pair in second.context["page"].rows)
