"""Change-log rows the database builds itself (``audit.services.snapshot_sql``, ``log_selected``): the JSON it
makes of a row is the ``audit_snapshot`` Python makes of it, on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.db import connection

from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_selected, snapshot_sql
from congdoan.members.imports.models import ImportBatch
from congdoan.members.models import Member
from congdoan.units.models import Employer

pytestmark = pytest.mark.django_db


def selected_snapshot(obj, **given) -> dict:
    after, params = snapshot_sql(type(obj), "t", given=given)
    table = connection.ops.quote_name(obj._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {after} FROM {table} AS t WHERE t.id = %s", [*params, obj.pk])
        (value,) = cursor.fetchone()
    return ObjectChange._meta.get_field("after").from_db_value(value, None, connection)


def test_the_database_writes_the_snapshot_python_writes(small_tree):
    member = Member.objects.create(
        full_name="Nguyễn Thị Thu Hà",
        birth_date=datetime.date(1995, 3, 17),
        birth_year=1995,
        gender="female",
        id_number="091195000001",
        party_member=True,
        party_joined_on=datetime.date(2020, 5, 19),
        joined_on=datetime.date(2019, 11, 8),
        unit=small_tree["a"],
        code="2600000017",
        search_name="nguyen thi thu ha",
        sort_key="1",
    )
    employer = Employer.objects.create(unit=small_tree["b"], name="Công ty TNHH Thủy sản Kiên Cường")
    for obj in (member, employer, small_tree["a"]):
        assert selected_snapshot(obj) == obj.audit_snapshot(), type(obj).__name__
    member.party_member = False
    member.save()
    assert selected_snapshot(member)["party_member"] is False


def test_a_field_sql_would_write_otherwise_must_be_given(small_tree):
    batch = ImportBatch.objects.create(unit=small_tree["kg"], file_name="ds.xlsx")
    with pytest.raises(TypeError, match="created_at"):
        snapshot_sql(ImportBatch, "t")
    python = batch.audit_snapshot()
    given = {name: python[name] for name in ("created_at", "committed_at", "request_id")}
    assert selected_snapshot(batch, **given) == python


def test_log_selected_writes_one_change_a_row(small_tree):
    members = [
        Member.objects.create(
            full_name=name,
            gender="male",
            joined_on=datetime.date(2020, 1, 1),
            unit=small_tree["c"],
            code=code,
        )
        for name, code in (("Lê Văn A", "2600000025"), ("Lê Văn B", "2600000033"))
    ]
    after, params = snapshot_sql(Member, "m")
    table = connection.ops.quote_name(Member._meta.db_table)
    ObjectChange.objects.all().delete()
    with change_context(request_id="0f8fad5b-d9cb-469f-a165-70867728950e"):
        log_selected(
            action=ObjectChange.Action.CREATE,
            model=Member,
            select=(
                f"SELECT m.id AS object_id, m.unit_id AS unit_id, m.full_name AS object_repr, "
                f"{after} AS after FROM {table} AS m WHERE m.unit_id = %s ORDER BY m.id"
            ),
            params=[*params, small_tree["c"].pk],
        )
    logged = ObjectChange.objects.order_by("object_id")
    assert [(c.object_id, c.object_repr, c.unit_id, c.after) for c in logged] == [
        (m.pk, m.full_name, small_tree["c"].pk, m.audit_snapshot()) for m in members
    ]
    assert {(c.action, str(c.request_id), c.content_type.model) for c in logged} == {
        ("create", "0f8fad5b-d9cb-469f-a165-70867728950e", "member")
    }
