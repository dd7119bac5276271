"""The index of name words (``members.name_index``): a search through it finds what the scan along the list
finds, and the database keeps it whatever writes the members (save, bulk insert, delete, a rebuilt table)."""

import datetime

import pytest
from django.db import connection

from congdoan.core.text import fold
from congdoan.members import name_index, selectors, services
from congdoan.members.models import Member
from tests.members.listfiles import cccd
from tests.members.people import admit

D = datetime.date
NAMES = ["Nguyễn Văn An", "Nguyễn Thị Anh", "Trần Văn Bình", "Lê Anh Tuấn", "Hồ-Thị Xuân", "Phạm Văn Ân"]
QUERIES = ["an", "nguyen an", "van", "anh tuan", "xuan", "thi xuan", "ho", "binh tran", "khong co ai", "a"]


def found(text: str) -> list[str]:
    return sorted(member.full_name for member in selectors.search(Member.objects.all(), text))


def by_hand(text: str) -> list[str]:
    """The members with a word of the name starting with each word of ``text``, read one by one."""
    words = fold(text).split()
    return sorted(
        member.full_name
        for member in Member.objects.all()
        if all(any(part.startswith(word) for part in member.search_name.split(" ")) for word in words)
    )


def reads_the_index(text: str) -> bool:
    sql = str(selectors.search(Member.objects.all(), text).query)
    return name_index.FTS_TABLE in sql or "to_tsvector" in sql


@pytest.fixture
def named(small_tree):
    return [admit(small_tree["a"], name, serial=serial) for serial, name in enumerate(NAMES, 1)]


@pytest.mark.django_db
def test_the_index_finds_what_the_words_of_the_names_say(named, monkeypatch):
    assert reads_the_index("nguyen an")
    assert {query: found(query) for query in QUERIES} == {query: by_hand(query) for query in QUERIES}
    assert found("an") == ["Lê Anh Tuấn", "Nguyễn Thị Anh", "Nguyễn Văn An", "Phạm Văn Ân"]
    assert found("xuan") == ["Hồ-Thị Xuân"] and found("thi xuan") == []  # "thi" follows a hyphen
    assert found("khong co ai") == []
    monkeypatch.setattr(name_index, "FEW_MATCHES", 1)  # more matches: read along the list, the same rows
    assert not reads_the_index("an") and reads_the_index("binh")
    assert {query: found(query) for query in QUERIES} == {query: by_hand(query) for query in QUERIES}


@pytest.mark.django_db
def test_the_database_keeps_the_index_through_saves_bulk_inserts_and_deletes(named, small_tree):
    services.update_member(member=named[2], full_name="Trần Văn Bảo")
    assert found("binh") == [] and found("bao") == ["Trần Văn Bảo"]

    bulk = Member(
        code="2500000990",
        full_name="Đinh Thị Huệ",
        gender="female",
        birth_date=D(1990, 1, 2),
        id_number=cccd(1990, "female", 990),
        joined_on=D(2020, 1, 1),
        unit=small_tree["a"],
    )
    bulk.set_derived_fields()
    Member.objects.bulk_create([bulk])  # no save(), no signal: the database indexes it
    assert found("dinh hue") == ["Đinh Thị Huệ"]
    Member.objects.filter(code="2500000990").delete()
    assert found("dinh hue") == []


@pytest.mark.django_db
def test_ensure_remakes_what_a_rebuilt_member_table_lost(named, small_tree):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite drops the index's triggers when a migration rebuilds the member table")
    with connection.cursor() as cursor:
        for trigger in name_index._TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
    admit(small_tree["a"], "Võ Thị Yến", serial=50)  # written while the index is not kept
    name_index.ensure()
    assert found("vo yen") == ["Võ Thị Yến"]
    admit(small_tree["a"], "Võ Văn Dũng", serial=51)  # and kept again afterwards
    assert found("vo") == ["Võ Thị Yến", "Võ Văn Dũng"]
