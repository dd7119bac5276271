"""People in Vietnamese order: the given name decides first, whole (its letters, then its tones), then the
middle names, then the family name; on the list page, in the API and in the exported list alike."""

import csv
import importlib
import io

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from congdoan.core.text import normalize, person_collation_key
from tests.members.people import admit
from tests.members.test_lifecycle import reference_key

# Every Hương before any Hường, every Anh before any Ảnh or Ánh, whatever their family and middle names.
ORDERED = [
    "Trần Thị Anh",
    "Vũ Văn Anh",
    "Lê Thị Ảnh",
    "Đặng Thị Ánh",
    "Phạm Thị Hương",
    "Trần Thị Hương",
    "Bùi Thị Hường",
    "Nguyễn Thị Hường",
]


@pytest.fixture
def people(small_tree):
    for serial, name in enumerate(reversed(ORDERED), 20):
        admit(small_tree["c"], name, gender="female", serial=serial)


def officer_of(registry) -> Client:
    client = Client()
    client.force_login(registry.world.users["officer"])
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_the_page_the_api_and_the_file_list_given_names_whole_first(registry, people):
    client = officer_of(registry)
    query = {"unit": "KG-PQ-01"}
    page = [member.full_name for member, _ in client.get("/members/", query).context["rows"]]
    api = [row["full_name"] for row in client.get("/api/members/", query).json()["results"]]
    response = client.get("/members/export/", {**query, "format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    exported = [line[1] for line in lines[1:]]
    assert page == api == exported == ORDERED


# A few letters, so that names often share a given name's letters and differ in its tones.
WORD = st.text(alphabet="aàảáăằâbdđ", min_size=1, max_size=3)


def reference_person_key(name: str):
    """Given name, middle names, family name, each compared whole before the next."""
    words = normalize(name).split()
    ordered = words[-1:] + words[1:-1] + words[:1] if len(words) > 1 else words
    return tuple(reference_key(word) for word in ordered)


@given(st.lists(st.lists(WORD, min_size=1, max_size=4).map(" ".join), min_size=2, max_size=8))
def test_person_key_orders_names_like_a_reference(names):
    assert [reference_person_key(name) for name in sorted(names, key=person_collation_key)] == sorted(
        reference_person_key(name) for name in names
    )


@pytest.mark.django_db
def test_the_migration_remakes_the_stored_keys(people):
    from django.apps import apps

    from congdoan.members.models import Member

    remake = importlib.import_module("congdoan.members.migrations.0012_person_sort_keys").remake_sort_keys
    Member.objects.update(sort_key="0")
    remake(apps, None)
    assert list(Member.objects.order_by("sort_key").values_list("full_name", flat=True)) == ORDERED
