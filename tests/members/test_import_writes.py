"""The import's commit has the database build its rows (``imports.writing.create_members``): they must be
the rows ``admit_member`` writes for the same checked data: the member, its first event and membership
interval, the change log of both, and the indicators' notice of the new events."""

import datetime
from dataclasses import fields

import pytest
from django.db import DatabaseError, transaction

from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.core.text import person_collation_key
from congdoan.indicators.models import PendingChange
from congdoan.members import services as member_services
from congdoan.members.imports import services, writing
from congdoan.members.imports.rows import _Person, member_values
from congdoan.members.models import Member, MemberEvent, Membership
from tests.members import listfiles

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


def people(units) -> list[list]:
    """Every column filled on one row; a birth year only, a member who joined before the union existed
    (registered on its founding), capitals, a nine-digit CMND, quotes and percent signs (which the SQL
    must carry as values, never as its own text) on others; two grassroots unions."""
    a, b = units["a"].code, units["b"].code
    return [
        [1, "Nguyễn Thị Thu Hà", "17/03/1995", "Nữ", "Kinh", "Không", listfiles.cccd(1995, "female", 1),
         "0912345678", "Ha.Nguyen@Example.vn", "Đại học", "Chủ tịch", "Giáo viên", "01/09/2020", "x", a],
        [2, "LÊ VĂN CƯỜNG", "1980", "Nam", "Khmer", "Phật giáo", "", "", "", "", "", "", "15/06/2010", "", a],
        [3, "Y'Bhin Niê", "02/02/1988", "Nam", "", "", "123456789", "", "", "Trung cấp", "Tổ trưởng",
         "Kế toán 100% vốn 'FDI' %s", "05/05/2021", "", b],
    ]  # fmt: skip


def rows_of(member: Member) -> dict:
    """What the registry holds of ``member``, less what differs between any two writes (ids, code, times)."""
    event = MemberEvent.objects.get(member=member)
    changes = ObjectChange.objects.filter(object_id__in=[member.pk, event.pk], action="create")
    logged = {change.content_type.model: change for change in changes}
    volatile = {"id", "code", "member_id", "created_at"}

    def columns(model, **lookup):
        return {k: v for k, v in model.objects.filter(**lookup).values().get().items() if k not in volatile}

    return {
        "member": columns(Member, pk=member.pk),
        "event": columns(MemberEvent, pk=event.pk),
        "membership": columns(Membership, member=member),
        "member log": (
            logged["member"].unit_id,
            logged["member"].object_repr == str(member),
            logged["member"].before,
            {k: v for k, v in logged["member"].after.items() if k not in volatile},
            logged["member"].after["id"] == member.pk and logged["member"].after["code"] == member.code,
        ),
        "event log": (
            logged["memberevent"].unit_id,
            logged["memberevent"].object_repr,
            {k: v for k, v in logged["memberevent"].after.items() if k not in volatile},
            logged["memberevent"].after["member_id"] == member.pk,
        ),
    }


def test_the_commit_writes_what_admit_member_writes(small_tree, tmp_path):
    path = listfiles.csv_file(tmp_path / "ds.csv", people(small_tree), headers=listfiles.PROVINCIAL_HEADERS)
    batch = services.read_batch(batch=services.create_batch(file=path, unit=small_tree["kg"]))
    assert (batch.rows_new, batch.rows_error) == (3, 0)
    staged = list(batch.rows.select_related("unit").order_by("row_number"))
    expected, noticed = {}, set()
    for row in staged:  # the services' own rows, undone after reading them
        with transaction.atomic(), change_context():
            member = member_services.admit_member(member=Member(**member_values(row.data)), unit=row.unit)
            expected[row.row_number] = rows_of(member)
            noticed |= set(PendingChange.objects.values_list("unit_id", "since", "reads"))
            transaction.set_rollback(True)

    services.commit_batch(batch=batch)

    for row in batch.rows.order_by("row_number"):
        assert rows_of(row.member) == expected[row.row_number], row.row_number
    earliest = {}
    for unit_id, since, reads in noticed:
        earliest[unit_id, reads] = min(since, earliest.get((unit_id, reads), since))
    assert {(u, s, r) for (u, r), s in earliest.items()} == set(
        PendingChange.objects.values_list("unit_id", "since", "reads")
    )
    names = {"Nguyễn Thị Thu Hà", "Lê Văn Cường", "Y'Bhin Niê"}
    assert set(Member.objects.values_list("full_name", flat=True)) == names


def test_the_rows_person_has_the_members_defaults():
    """The rules check a row as a lightweight ``_Person``: its defaults must stay ``Member``'s."""
    assert {f.name: f.default for f in fields(_Person)} == {
        f.name: Member._meta.get_field(f.name).get_default() for f in fields(_Person)
    }


def test_a_dash_for_the_id_number_is_no_number(small_tree, tmp_path):
    """Lists write "-" in an empty cell: for the ID number that is no number (None, as an empty cell), not
    an empty one, which the registry's unique ID numbers would refuse for the second such member."""
    rows = [[n, name, "1980", "Nam", "", "", "-", "", "", "", "", "", "15/06/2010", "", small_tree["a"].code]
            for n, name in ((1, "Lê Văn An"), (2, "Lê Văn Bình"))]  # fmt: skip
    path = listfiles.csv_file(tmp_path / "ds.csv", rows, headers=listfiles.PROVINCIAL_HEADERS)
    batch = services.read_batch(batch=services.create_batch(file=path, unit=small_tree["kg"]))
    assert (batch.rows_new, batch.rows_error) == (2, 0)

    services.commit_batch(batch=batch)

    assert list(Member.objects.order_by("full_name").values_list("full_name", "id_number")) == [
        ("Lê Văn An", None),
        ("Lê Văn Bình", None),
    ]


def test_a_commit_failing_half_way_leaves_nothing_behind(small_tree, tmp_path, monkeypatch):
    """An error after the new members are written (here: the intervals' statement) undoes the whole commit,
    the temporary table of new members too, so the next commit on the same connection creates it again."""
    path = listfiles.csv_file(tmp_path / "ds.csv", people(small_tree), headers=listfiles.PROVINCIAL_HEADERS)
    batch = services.read_batch(batch=services.create_batch(file=path, unit=small_tree["kg"]))
    logged = ObjectChange.objects.count()
    written = writing._memberships
    monkeypatch.setattr(writing, "_memberships", lambda first, last: ("SELECT no_such_column", []))
    with pytest.raises(DatabaseError):
        services.commit_batch(batch=batch)
    assert (Member.objects.count(), MemberEvent.objects.count()) == (0, 0)
    assert ObjectChange.objects.count() == logged
    assert batch.rows.exclude(member=None).count() == 0

    monkeypatch.setattr(writing, "_memberships", written)
    services.commit_batch(batch=batch)
    assert (Member.objects.count(), Membership.objects.count()) == (3, 3)


def test_duplicates_decided_different_people_are_written_as_new_members(small_tree, tmp_path):
    """Rows awaiting a decision, decided 'a different person', are written with the new rows: each its
    member, first event, interval and log, once. Here Excel row 3 meets a registry member (name, birth and
    union), row 5 repeats row 2 and row 6 repeats row 3."""
    a = small_tree["a"].code
    known = [[1, "Lê Văn Cường", "1980", "Nam", "", "", "", "", "", "", "", "", "15/06/2010", "", a]]
    path = listfiles.csv_file(tmp_path / "a.csv", known, headers=listfiles.PROVINCIAL_HEADERS)
    services.commit_batch(
        batch=services.read_batch(batch=services.create_batch(file=path, unit=small_tree["kg"]))
    )
    rows = [
        *people(small_tree),
        [4, "Nguyễn Thị Thu Hà", "17/03/1995", "Nữ", *[""] * 8, "01/09/2021", "", a],
        [5, "Lê Văn Cường", "1980", "Nam", *[""] * 3, "0912000111", *[""] * 4, "15/06/2010", "", a],
    ]  # fmt: skip
    path = listfiles.csv_file(tmp_path / "b.csv", rows, headers=listfiles.PROVINCIAL_HEADERS)
    batch = services.read_batch(batch=services.create_batch(file=path, unit=small_tree["kg"]))
    assert dict(batch.rows.values_list("row_number", "status")) == {
        2: "new", 3: "duplicate", 4: "new", 5: "duplicate", 6: "duplicate"
    }  # fmt: skip
    services.decide(batch=batch, rows=[3, 5, 6], decision="create")
    before = Member.objects.count()

    services.commit_batch(batch=batch)

    assert (batch.created, Member.objects.count() - before) == (5, 5)
    for row in batch.rows.select_related("member"):
        assert row.member.full_name == row.data["full_name"], row.row_number
        assert MemberEvent.objects.filter(member=row.member).count() == 1
        assert Membership.objects.filter(member=row.member).count() == 1
        logged = ObjectChange.objects.filter(request_id=batch.request_id, object_id=row.member.pk)
        assert logged.filter(content_type__model="member").count() == 1


def test_a_long_name_keeps_a_sort_key_within_its_column(small_tree, tmp_path):
    """A valid name of up to 120 characters makes a collation key of up to 600: stored cut to the column
    (PostgreSQL refused the row before), by the import as by ``admit_member``."""
    name = " ".join(["Nguyễn Thị Phương Thảo Minh Khuê"] * 3) + " Ánh"
    rows = [
        [
            1,
            name,
            "17/03/1995",
            "Nữ",
            "Kinh",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "01/09/2020",
            "",
            small_tree["a"].code,
        ]
    ]
    path = listfiles.csv_file(tmp_path / "ds.csv", rows, headers=listfiles.PROVINCIAL_HEADERS)
    batch = services.read_batch(batch=services.create_batch(file=path, unit=small_tree["kg"]))
    services.commit_batch(batch=batch)
    imported = Member.objects.get()
    admitted = member_services.admit_member(
        member=Member(full_name=name, gender="female", birth_date=D(1995, 3, 17), joined_on=D(2020, 9, 1)),
        unit=small_tree["b"],
    )
    limit = Member._meta.get_field("sort_key").max_length
    assert imported.sort_key == admitted.sort_key == person_collation_key(name)[:limit]
    assert len(person_collation_key(name)) > limit
