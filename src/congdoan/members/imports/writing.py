"""The commit's new members, written by the database from the staged rows.

``admit_member`` for a chunk of staged rows at once: the members with their new codes, their first events
and membership intervals, and the change log of both, each in one INSERT … SELECT over the staged rows.
Only what needs Python, the member codes and the names' sort keys, is sent to the database, in a temporary
table; the rest never makes a round trip (a tuple a row from Python cost more than the database's own
writing: BENCHMARKS.md, "Member registry"). The rows written are those ``admit_member`` writes for the same
data (tests/members/test_import_writes.py compares them, on both databases).
"""

import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Min

from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_selected, snapshot_sql
from congdoan.core.db import insert_into_table, typed_placeholder
from congdoan.members import services as member_services
from congdoan.members.imports.models import ImportRow
from congdoan.members.imports.rows import MEMBER_FIELDS
from congdoan.members.models import EventKind, Member, MemberEvent, Membership, Status, member_sort_key
from congdoan.units.models import Unit

NEW = "congdoan_import_new_member"  # the temporary table: (staged row id, code, sort key)


def create_members(rows: list[tuple[int, str]], *, created_at: datetime.datetime) -> None:
    """Add a member for each staged row, given as (staged row id, full name); ``created_at`` is their
    events' creation time, one for the whole commit."""
    codes = member_services.allocate_codes(len(rows))
    first, last = codes[0], codes[-1]  # one unbroken range: allocate_codes holds the sequence
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {NEW} (row_id bigint PRIMARY KEY, code varchar(20), sort_key text)"
        )
        insert_into_table(
            NEW,
            ["row_id", "code", "sort_key"],
            ((pk, code, member_sort_key(name)) for (pk, name), code in zip(rows, codes, strict=True)),
        )
        for sql, params in (
            _members(),
            _links(),
            _events(first, last, created_at),
            _memberships(first, last),
        ):
            cursor.execute(sql, params)
        cursor.execute(f"DROP TABLE {NEW}")
    events = MemberEvent.objects.filter(member__code__range=(first, last))
    log_new_members(
        where="m.code BETWEEN %s AND %s",
        params=[first, last],
        created_at=created_at,
        # The indicators read an event's unit and date: the earliest of each unit says all of it.
        announce=[
            MemberEvent(unit_id=unit_id, on=on)
            for unit_id, on in events.values("unit_id").annotate(on=Min("on")).values_list("unit_id", "on")
        ],
    )


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _column_defaults(model) -> dict:
    """A new row's columns as ``model()`` fills them before the row's data (plain values, not enums)."""
    return {
        f.column: (str(value) if isinstance(value, str) else value)
        for f in model._meta.concrete_fields
        if not f.primary_key
        for value in [f.get_default()]
    }


def _staged_value(field) -> str:
    """The staged row's value of a member field, from its data (JSON), typed as the member's column."""
    if connection.vendor == "postgresql":
        return f"CAST(r.data ->> '{field.name}' AS {field.db_type(connection)})"
    return f"json_extract(r.data, '$.{field.name}')"


def _members() -> tuple[str, list]:
    given = {  # what the staged row's columns or the temporary table hold
        "code": "n.code",
        "sort_key": "n.sort_key",
        "unit_id": "r.unit_id",
        "search_name": "r.search_name",
        "birth_year": "r.birth_year",
    }
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    defaults = _column_defaults(Member) | {"status": str(Status.ACTIVE)}
    columns, params = [], []
    for field in fields:
        if field.column in given:
            columns.append(given[field.column])
        elif field.name in MEMBER_FIELDS:  # absent from the data: the model's default
            columns.append(f"COALESCE({_staged_value(field)}, {typed_placeholder(field)})")
            params.append(defaults[field.column])
        else:
            columns.append(typed_placeholder(field))
            params.append(defaults[field.column])
    return (
        f"INSERT INTO {_table(Member)} ({', '.join(_q(f.column) for f in fields)}) "
        f"SELECT {', '.join(columns)} FROM {_table(ImportRow)} AS r JOIN {NEW} AS n ON n.row_id = r.id "
        "ORDER BY n.row_id",
        params,
    )


def _links() -> tuple[str, list]:
    """Each staged row notes the member it created."""
    return (
        f"UPDATE {_table(ImportRow)} SET member_id = m.id FROM {NEW} AS n "
        f"JOIN {_table(Member)} AS m ON m.code = n.code WHERE {_table(ImportRow)}.id = n.row_id",
        [],
    )


def _events(first: str, last: str, created_at: datetime.datetime) -> tuple[str, list]:
    """The first events, as ``admission_step`` decides them: admitted on joining, or, for a member who
    joined before the unit existed, registered on its founding date."""
    fields = [f for f in MemberEvent._meta.concrete_fields if not f.primary_key]
    before_founding = "m.joined_on < u.founded_on"
    given = {
        "member_id": "m.id",
        "kind": f"CASE WHEN {before_founding} THEN %s ELSE %s END",
        "on": f"CASE WHEN {before_founding} THEN u.founded_on ELSE m.joined_on END",
        "unit_id": "m.unit_id",
    }
    defaults = _column_defaults(MemberEvent) | {"created_at": created_at}
    columns, params = [], []
    for field in fields:
        columns.append(given.get(field.column) or typed_placeholder(field))
        if field.column == "kind":
            params += [str(EventKind.REGISTER), str(EventKind.ADMIT)]
        elif field.column not in given:
            params.append(field.get_db_prep_save(defaults[field.column], connection))
    return (
        f"INSERT INTO {_table(MemberEvent)} ({', '.join(_q(f.column) for f in fields)}) "
        f"SELECT {', '.join(columns)} FROM {_table(Member)} AS m "
        f"JOIN {_table(Unit)} AS u ON u.id = m.unit_id "
        "WHERE m.code BETWEEN %s AND %s ORDER BY m.id",
        [*params, first, last],
    )


def _memberships(first: str, last: str) -> tuple[str, list]:
    state = typed_placeholder(Membership._meta.get_field("state"))
    return (
        f"INSERT INTO {_table(Membership)} (member_id, unit_id, state, valid_from) "
        f"SELECT e.member_id, e.unit_id, {state}, e.{_q('on')} FROM {_table(MemberEvent)} AS e "
        f"JOIN {_table(Member)} AS m ON m.id = e.member_id WHERE m.code BETWEEN %s AND %s ORDER BY e.id",
        [str(Status.ACTIVE), first, last],
    )


def log_new_members(
    *, where: str, params: list, created_at: datetime.datetime, announce: list[MemberEvent]
) -> None:
    """The change log of new members and of all their events, built by the database from the rows written
    (the import's and the demo's): ``where`` with ``params`` picks the members, read as ``m``;
    ``created_at`` is their events' creation time, one for all; ``announce`` as ``log_selected`` takes it."""
    after, snapshot_params = snapshot_sql(Member, "m")
    log_selected(
        action=ObjectChange.Action.CREATE,
        model=Member,
        select=(
            f"SELECT m.id AS object_id, m.unit_id AS unit_id, "
            f"substr(m.full_name || ' (' || m.code || ')', 1, 255) AS object_repr, {after} AS after "
            f"FROM {_table(Member)} AS m WHERE {where} ORDER BY m.id"
        ),
        params=[*snapshot_params, *params],
    )
    created_at = DjangoJSONEncoder().default(created_at)
    after, snapshot_params = snapshot_sql(MemberEvent, "e", given={"created_at": created_at})
    labels = [value for kind in EventKind for value in (str(kind), str(kind.label))]
    day = (
        f"to_char(e.{_q('on')}, 'DD/MM/YYYY')"
        if connection.vendor == "postgresql"
        else f"strftime('%%d/%%m/%%Y', e.{_q('on')})"
    )
    log_selected(
        action=ObjectChange.Action.CREATE,
        model=MemberEvent,
        select=(
            f"SELECT e.id AS object_id, e.unit_id AS unit_id, "
            f"(CASE e.kind {' '.join(['WHEN %s THEN %s'] * len(EventKind))} END) || ' ' || {day} "
            f"AS object_repr, {after} AS after FROM {_table(MemberEvent)} AS e "
            f"JOIN {_table(Member)} AS m ON m.id = e.member_id WHERE {where} ORDER BY e.id"
        ),
        params=[*labels, *snapshot_params, *params],
        announce=announce,
    )
