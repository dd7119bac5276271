"""Names typed with the Icelandic Ð/ð (U+00D0/U+00F0), which old fonts and keyboards put where Đ/đ
belongs: found by typing "d", ordered among the Đ names, matched as the same person."""

import importlib

import pytest

from congdoan.core.text import fold, person_collation_key, sort_key
from tests.members.people import admit
from tests.members.test_name_order import officer_of

LOOKALIKE = "\u00d0ặng Thị Hoa"  # Ð
RIGHT = "Đặng Thị Hoa"


def test_fold_reads_the_lookalike_as_d():
    assert fold(LOOKALIKE) == fold(RIGHT) == "dang thi hoa"
    assert fold("Nguyễn Văn \u00f0ức") == "nguyen van duc"


def test_the_lookalike_sorts_as_the_letter_it_stands_for():
    assert person_collation_key(LOOKALIKE) == person_collation_key(RIGHT)
    assert sort_key("Dung") < sort_key("\u00d0ông") < sort_key("Em")


@pytest.mark.django_db
def test_a_member_named_with_the_lookalike_is_found_by_typing_d(registry, small_tree):
    member = admit(small_tree["c"], LOOKALIKE, gender="female", serial=31)
    assert member.search_name == "dang thi hoa"
    client = officer_of(registry)
    page = client.get("/members/", {"q": "dang thi hoa"}).context["rows"]
    api = client.get("/api/members/", {"q": "dang thi hoa"}).json()["results"]
    assert [m.code for m, _ in page] == [row["code"] for row in api] == [member.code]


@pytest.mark.django_db
def test_the_migration_remakes_the_keys_of_names_with_the_lookalike(small_tree):
    from django.apps import apps

    from congdoan.members.models import Member

    migration = importlib.import_module("congdoan.members.migrations.0015_covered_fk_indexes_lookalike_names")
    lookalike = admit(small_tree["c"], LOOKALIKE, gender="female", serial=31)
    right = admit(small_tree["c"], RIGHT, gender="female", serial=32)
    Member.objects.update(search_name="stale", sort_key="0")  # as the keys stood before
    migration.remake_lookalike_keys(apps, None)
    lookalike.refresh_from_db()
    right.refresh_from_db()
    assert (lookalike.search_name, lookalike.sort_key) == ("dang thi hoa", person_collation_key(RIGHT))
    assert right.search_name == "stale"  # only the names with the lookalike are read again
