"""Union tree benchmark (issue 2, part 13): reads and a move on a national tree of 150,000 units, each timed
against hand-written SQL doing the same work in the same run, and reported as a ratio.

    .venv/bin/python bench/units_tree.py --db sqlite --units 150000
    .venv/bin/python bench/units_tree.py --db postgres --units 150000     # a throwaway cluster (bench/pg.py)
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres \
        .venv/bin/python bench/units_tree.py --db postgres

Set-up, not measured: the tree is bulk-inserted straight into Unit, UnitLink and UnitName, bypassing the
services and the change log, with the paths the services would have written: 1 national unit, 34 provinces,
2 % upper units, the rest grassroots unions (80 %) and sub-units, under random parents. 10 % of the grassroots
unions moved once on 01/07/2025, so they and their sub-units have two links. With --db postgres and a
DATABASE_URL, that server gets a database of its own (bench_units_tree, made anew, dropped at the end);
without one, a throwaway cluster is started and stopped. PostgreSQL is ANALYZEd after the load (as
autovacuum would); SQLite is not (nothing does it in a deployment).

Measured as a province officer of the largest province would read (median of --repeats, milliseconds):
  a  the province's subtree today (Unit.path__under) and on 01/01/2024 (selectors.links_on)
  b  units by level in that subtree (selectors.subtree_counts)
  c  its children today with their own child counts (selectors.children_on + count_children_on)
  d  moving an upper unit with 50 grassroots unions to another province (services.move_units, with its checks,
     reorganisation record and change log) against the bare tree writes in raw SQL (new links, closed links,
     new paths)
Ratio = ORM (or service) time / raw time, both measured alternately in the same run. EXPLAIN (QUERY PLAN)
of every query the selectors ran shows whether the subtree reads use the path index.
"""

import argparse
import contextlib
import datetime
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file (bench/units_tree.py): make `bench` and the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.document import README, write_block

D = datetime.date
FOUNDED = D(2019, 1, 1)
MOVED = D(2025, 7, 1)  # when 10 % of the grassroots unions changed parent
PAST = D(2024, 1, 1)
TODAY = D(2025, 12, 31)
FIRST_MOVE = D(2026, 1, 1)  # measured moves run one a day from here
PROVINCES = 34
UNDER_MOVED_UNIT = 50  # grassroots unions under each upper unit that (d) moves
BATCH = 10_000
SECTION = "Union tree over time (bench/units_tree.py)"


# ------------------------------------------------------------------------------------------- set-up


@dataclass
class Tree:
    units: int
    links: int
    seconds: float
    province: object  # the largest province (a Unit)
    movers: list[int]  # two upper units with UNDER_MOVED_UNIT grassroots unions each: one per side of (d)
    targets: list[int]  # a province for each mover to move to and back from


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    from django.db import connection

    adapt = connection.ops.adapt_datefield_value
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [[adapt(v) if isinstance(v, D) else v for v in row] for row in rows[start : start + BATCH]],
            )


def build(units: int, seed: int = 2025) -> Tree:
    """Bulk-insert the tree (see the module docstring); returns what the measurements need."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    from congdoan.core.text import fold
    from congdoan.units.models import Level, Unit, UnitLink, UnitName, UnitType, path_segment

    uppers_count = max(PROVINCES, round(units * 0.02))
    rest = units - 1 - PROVINCES - uppers_count
    if rest < 2 * UNDER_MOVED_UNIT + 10:
        raise SystemExit(f"--units {units} is too small for this tree")
    grassroots_count = round(rest * 0.8)
    started = time.perf_counter()
    rng = random.Random(seed)
    types = {
        level: UnitType.objects.get_or_create(
            code=f"bench-{level}", defaults={"name": str(label), "level": level}
        )[0]
        for level, label in Level.choices
    }
    first = (Unit.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    national = first
    provinces = list(range(first + 1, first + 1 + PROVINCES))
    uppers = list(range(provinces[-1] + 1, provinces[-1] + 1 + uppers_count))
    grassroots = list(range(uppers[-1] + 1, uppers[-1] + 1 + grassroots_count))
    subunits = list(range(grassroots[-1] + 1, first + units))

    level = {
        national: Level.NATIONAL,
        **dict.fromkeys(provinces, Level.PROVINCE),
        **dict.fromkeys(uppers, Level.UPPER),
        **dict.fromkeys(grassroots, Level.GRASSROOTS),
        **dict.fromkeys(subunits, Level.SUBUNIT),
    }
    parent = {
        national: None,
        **{p: national for p in provinces},
        **{u: rng.choice(provinces) for u in uppers},
    }
    movers = uppers[:2]
    for index, unit in enumerate(grassroots):
        parent[unit] = (
            movers[index // UNDER_MOVED_UNIT] if index < 2 * UNDER_MOVED_UNIT else rng.choice(uppers)
        )
    for unit in subunits:
        parent[unit] = rng.choice(grassroots)
    moved = {}  # grassroots union -> the upper unit it stood under until MOVED
    for unit in rng.sample(grassroots[2 * UNDER_MOVED_UNIT :], len(grassroots) // 10):
        moved[unit] = parent[unit]
        while moved[unit] == parent[unit]:
            moved[unit] = rng.choice(uppers[2:])

    path = {}
    for unit in parent:  # parents come first in this order
        path[unit] = (path[parent[unit]] if parent[unit] else "") + path_segment(unit)
    old_path = {unit: path[before] + path_segment(unit) for unit, before in moved.items()}
    for unit in subunits:
        if parent[unit] in moved:
            old_path[unit] = old_path[parent[unit]] + path_segment(unit)

    unit_rows, link_rows, name_rows = [], [], []
    for unit, unit_level in level.items():
        code = f"B{unit:07d}"
        name = f"{types[unit_level].name} số {unit}"
        depth = len(path[unit]) // len(path_segment(unit)) - 1
        unit_rows.append(
            (
                unit,
                code,
                name,
                "",
                types[unit_level].pk,
                "",
                FOUNDED,
                "",
                "",
                "",
                "",
                parent[unit],
                path[unit],
                depth,
                fold(f"{code} {name}"),
            )
        )
        name_rows.append((unit, name, "", FOUNDED, None))
        if unit in old_path:
            before = moved.get(unit, parent[unit])
            link_rows.append((unit, before, old_path[unit], depth, FOUNDED, MOVED))
            link_rows.append((unit, parent[unit], path[unit], depth, MOVED, None))
        else:
            link_rows.append((unit, parent[unit], path[unit], depth, FOUNDED, None))
    with transaction.atomic():
        _insert(
            Unit,
            [
                "id",
                "code",
                "name",
                "short_name",
                "unit_type",
                "sector",
                "founded_on",
                "address",
                "phone",
                "email",
                "note",
                "parent",
                "path",
                "depth",
                "search_text",
            ],
            unit_rows,
        )
        _insert(UnitLink, ["unit", "parent", "path", "depth", "valid_from", "valid_to"], link_rows)
        _insert(UnitName, ["unit", "name", "short_name", "valid_from", "valid_to"], name_rows)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Unit]):
                cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    province_of = Counter(p[: 2 * len(path_segment(national))] for p in path.values())
    largest = max(provinces, key=lambda p: province_of[path[p]])
    homes = [parent[m] for m in movers]
    targets = [next(p for p in provinces if p not in homes and p != largest) for _ in movers]
    return Tree(
        units=len(unit_rows),
        links=len(link_rows),
        seconds=time.perf_counter() - started,
        province=Unit.objects.get(pk=largest),
        movers=movers,
        targets=targets,
    )


# --------------------------------------------------------------------------------------- measuring


@dataclass
class Row:
    name: str
    rows: int
    orm_ms: float
    raw_ms: float
    queries: int

    @property
    def ratio(self) -> float:
        return self.orm_ms / self.raw_ms


@dataclass
class Report:
    db: str
    tree: Tree
    repeats: int
    rows: list[Row] = field(default_factory=list)
    plans: list["Plan"] = field(default_factory=list)


@dataclass
class Plan:
    measurement: str
    subtree: bool  # the query selects by a path prefix
    lines: list[str]
    uses_path_index: bool


def _raw(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _under(column: str, prefix: str) -> tuple[str, list]:
    """The hand-written subtree condition: LIKE 'P%' on PostgreSQL, the equivalent range on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"{column} LIKE %s", [prefix + "%"]
    return f"({column} >= %s AND {column} < %s)", [prefix, prefix + ":"]


def _valid_on(alias: str, on: D) -> tuple[str, list]:
    from django.db import connection

    day = connection.ops.adapt_datefield_value(on)
    return f"{alias}.valid_from <= %s AND ({alias}.valid_to IS NULL OR {alias}.valid_to > %s)", [day, day]


def _timed(orm, raw, repeats: int) -> tuple[float, float, object, object]:
    """Medians of ORM and raw runs taken in turn (a busy machine slows both alike), and a result of each."""
    orm_result, raw_result = orm(), raw()  # warm-up, and the results compared by the caller
    orm_times, raw_times = [], []
    for _ in range(repeats):
        for call, times in ((orm, orm_times), (raw, raw_times)):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(orm_times), statistics.median(raw_times), orm_result, raw_result


def _queries(call) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def _path_indexes() -> set[str]:
    from django.db import connection

    names = set()
    with connection.cursor() as cursor:
        for table in ("units_unit", "units_unitlink"):
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                if info["index"] and info["columns"] == ["path"]:
                    names.add(name)
    if connection.vendor == "postgresql":
        names |= {f"{name}_like" for name in names}  # Django's varchar_pattern_ops twin, used by LIKE 'P%'
    return names


def _explain(sql: str) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)  # no parameters: the captured SQL has its values, and maybe a literal %
        return [row[-1] for row in cursor.fetchall()]  # PostgreSQL: the one column; SQLite: the detail


def measure_reads(report: Report, user) -> None:
    from congdoan.units import selectors
    from congdoan.units.models import Unit

    province = report.tree.province
    scope, scope_params = _under("u.path", user.unit.path)
    under_today, under_today_params = _under("path", province.path)

    def root_path(on):
        valid, params = _valid_on("l", on)
        return _raw(
            f"SELECT l.path FROM units_unitlink l WHERE l.unit_id = %s AND {valid} LIMIT 1",
            [province.pk, *params],
        )[0][0]

    def subtree_today_raw():
        return _raw(f"SELECT * FROM units_unit WHERE {under_today} ORDER BY path", under_today_params)

    def links_past_raw():
        valid, params = _valid_on("l", PAST)
        under, under_params = _under("l.path", root_path(PAST))
        return _raw(
            "SELECT l.*, u.*, t.*, p.* FROM units_unitlink l JOIN units_unit u ON u.id = l.unit_id "
            "JOIN units_unittype t ON t.id = u.unit_type_id LEFT JOIN units_unit p ON p.id = l.parent_id "
            f"WHERE {valid} AND {scope} AND {under} ORDER BY u.path, l.valid_from",
            [*params, *scope_params, *under_params],
        )

    def counts_raw():
        valid, params = _valid_on("l", TODAY)
        under, under_params = _under("l.path", root_path(TODAY))
        return dict(
            _raw(
                "SELECT t.level, COUNT(*) FROM units_unitlink l JOIN units_unit u ON u.id = l.unit_id "
                f"JOIN units_unittype t ON t.id = u.unit_type_id WHERE {valid} AND {under} "
                "AND l.unit_id <> %s GROUP BY t.level",
                [*params, *under_params, province.pk],
            )
        )

    def children_raw():
        valid, params = _valid_on("l", TODAY)
        children = _raw(
            "SELECT l.unit_id, l.*, u.*, t.* FROM units_unitlink l JOIN units_unit u ON u.id = l.unit_id "
            f"JOIN units_unittype t ON t.id = u.unit_type_id WHERE {valid} AND l.parent_id = %s "
            f"AND {scope} ORDER BY u.code",
            [*params, province.pk, *scope_params],
        )
        ids = [row[0] for row in children]
        marks = ", ".join(["%s"] * len(ids))
        counts = dict(
            _raw(
                f"SELECT l.parent_id, COUNT(*) FROM units_unitlink l WHERE {valid} "
                f"AND l.parent_id IN ({marks}) GROUP BY l.parent_id",
                [*params, *ids],
            )
        )
        return children, counts

    def children_orm():
        links = list(selectors.children_on(user=user, parent=province, on=TODAY))
        return links, selectors.count_children_on(unit_ids=[link.unit_id for link in links], on=TODAY)

    def subtree_today_orm():
        return list(Unit.objects.filter(path__under=province.path))

    def links_past_orm():
        return list(selectors.links_on(user=user, on=PAST, under=province))

    def counts_orm():
        return selectors.subtree_counts(province, TODAY)

    def ids(rows):
        return [row[0] for row in rows]

    # (measurement, ORM call, raw call, what each returned in comparable form: rows in order, or counts)
    cases = [
        (
            "a. subtree today: Unit.path__under (model instances)",
            subtree_today_orm,
            subtree_today_raw,
            lambda orm: [unit.pk for unit in orm],
            ids,
        ),
        (
            "a. subtree on 01/01/2024: selectors.links_on(under=…)",
            links_past_orm,
            links_past_raw,
            lambda orm: [link.pk for link in orm],
            ids,
        ),
        ("b. units by level: selectors.subtree_counts", counts_orm, counts_raw, dict, dict),
        (
            "c. children_on + count_children_on",
            children_orm,
            children_raw,
            lambda orm: ([link.unit_id for link in orm[0]], orm[1]),
            lambda raw: (ids(raw[0]), raw[1]),
        ),
    ]
    indexes = _path_indexes()
    for name, orm, raw, orm_key, raw_key in cases:
        orm_ms, raw_ms, orm_result, raw_result = _timed(orm, raw, report.repeats)
        read = orm_key(orm_result)
        assert read == raw_key(raw_result), f"{name}: the baseline reads something else"
        size = (
            sum(read.values())
            if isinstance(read, dict)
            else len(read[0] if isinstance(read, tuple) else read)
        )
        queries = _queries(orm)
        report.rows.append(Row(name, size, orm_ms, raw_ms, len(queries)))
        for sql in queries:
            plan = _explain(sql)
            # A subtree read selects by a path prefix (core.db.Under on either database); (c) does too, for
            # the officer's scope, but rightly reads by parent.
            subtree = name.startswith(("a.", "b.")) and ('."path" >= ' in sql or '."path" LIKE ' in sql)
            report.plans.append(Plan(name, subtree, plan, any(i in line for i in indexes for line in plan)))


def _raw_move(unit_id: int, new_parent_id: int, on: D) -> None:
    """The tree writes of a move, by hand: new links for the subtree, old ones closed, new paths."""
    from django.db import connection, transaction

    from congdoan.units.models import path_segment

    day = connection.ops.adapt_datefield_value(on)
    with transaction.atomic():
        ((old, depth),) = _raw("SELECT path, depth FROM units_unit WHERE id = %s", [unit_id])
        ((parent_path, parent_depth),) = _raw(
            "SELECT path, depth FROM units_unit WHERE id = %s", [new_parent_id]
        )
        new, shift, keep_from = parent_path + path_segment(unit_id), parent_depth + 1 - depth, len(old) + 1
        under, params = _under("path", old)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO units_unitlink (unit_id, parent_id, path, depth, valid_from) "
                "SELECT unit_id, CASE WHEN unit_id = %s THEN %s ELSE parent_id END, "
                f"%s || substr(path, %s), depth + %s, %s FROM units_unitlink "
                f"WHERE valid_to IS NULL AND {under}",
                [unit_id, new_parent_id, new, keep_from, shift, day, *params],
            )
            cursor.execute(
                f"UPDATE units_unitlink SET valid_to = %s WHERE valid_to IS NULL AND valid_from < %s "
                f"AND {under}",
                [day, day, *params],
            )
            cursor.execute(
                f"UPDATE units_unit SET path = %s || substr(path, %s), depth = depth + %s WHERE {under}",
                [new, keep_from, shift, *params],
            )
            cursor.execute("UPDATE units_unit SET parent_id = %s WHERE id = %s", [new_parent_id, unit_id])


def measure_move(report: Report, user) -> None:
    from congdoan.audit.context import change_context
    from congdoan.units import services
    from congdoan.units.models import Unit, UnitLink

    tree = report.tree
    decision = services.record_decision(number="01/QĐ-BENCH", signed_on=FIRST_MOVE, signer="Benchmark")
    sides = {}
    for unit_id, target in zip(tree.movers, tree.targets, strict=True):
        sides[unit_id] = [target, Unit.objects.get(pk=unit_id).parent_id]  # there and back again
    orm_unit, raw_unit = tree.movers
    times = {orm_unit: [], raw_unit: []}
    queries = 0
    for day_index in range(report.repeats + 1):  # the first of each is a warm-up
        on = FIRST_MOVE + datetime.timedelta(days=day_index)
        for unit_id in (orm_unit, raw_unit):
            target = sides[unit_id][day_index % 2]
            if unit_id == orm_unit:
                unit, new_parent = Unit.objects.get(pk=unit_id), Unit.objects.get(pk=target)

                def move(unit=unit, new_parent=new_parent, on=on):
                    with change_context(user=user):
                        services.move_units(
                            units=[unit], new_parent=new_parent, effective_on=on, decision=decision
                        )
            else:

                def move(unit_id=unit_id, target=target, on=on):
                    _raw_move(unit_id, target, on)

            if day_index == 0 and unit_id == orm_unit:
                queries = len(_queries(move))
            else:
                started = time.perf_counter()
                move()
                if day_index:
                    times[unit_id].append((time.perf_counter() - started) * 1000)
    sizes = set()
    for unit_id in (orm_unit, raw_unit):
        unit = Unit.objects.get(pk=unit_id)
        assert unit.parent_id == sides[unit_id][report.repeats % 2], "the last move did not land"
        open_links = UnitLink.objects.filter(valid_to__isnull=True, path__under=unit.path)
        assert open_links.count() == Unit.objects.filter(path__under=unit.path).count()
        sizes.add(open_links.count())
    report.rows.append(
        Row(
            f"d. move an upper unit with {UNDER_MOVED_UNIT} CĐCS: services.move_units",
            max(sizes),
            statistics.median(times[orm_unit]),
            statistics.median(times[raw_unit]),
            queries,
        )
    )


def run(*, units: int, repeats: int, db: str = "") -> Report:
    """Build the tree in the database Django is connected to, then measure; the caller owns the database."""
    from django.db import connection

    from congdoan.accounts.models import Role, User

    tree = build(units)
    report = Report(db=db or connection.vendor, tree=tree, repeats=repeats)
    officer = User.objects.create(username="bench-officer", unit=tree.province, role=Role.OFFICER)
    measure_reads(report, officer)
    admin = User.objects.create(username="bench-admin", is_superuser=True)
    measure_move(report, admin)
    return report


# ---------------------------------------------------------------------------------------- reporting


def markdown(report: Report) -> str:
    from django.db import connection

    tree = report.tree
    if connection.vendor == "postgresql":
        engine = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        engine = f"SQLite {connection.Database.sqlite_version}"
    command = " ".join([".venv/bin/python", "bench/units_tree.py", *sys.argv[1:]])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"### {engine}, {tree.units:,} units",
        "",
        f"Run {datetime.datetime.now():%d/%m/%Y %H:%M} on {os.cpu_count()} CPUs (load {load:.1f}), Python "
        f"{platform.python_version()}: `{command}`. "
        f"Set-up (bulk insert, not measured): {tree.units:,} units and {tree.links:,} links "
        f"in {tree.seconds:.1f} s. "
        f"Province read: {tree.province.code}. Medians of {report.repeats} runs, ORM and raw taken in turn.",
        "",
        "| measurement | rows | ORM / service ms | raw SQL ms | ratio | ORM queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row.name} | {row.rows:,} | {row.orm_ms:.2f} | {row.raw_ms:.2f} | {row.ratio:.2f} "
        f"| {row.queries} |"
        for row in report.rows
    ]
    lines += [
        "",
        "Query plans (each query the ORM side ran; subtree reads should use a path index):",
        "",
        "```",
    ]
    for plan in report.plans:
        verdict = (
            ("path index used" if plan.uses_path_index else "path index NOT USED")
            if plan.subtree
            else "no subtree"
        )
        lines.append(f"-- {plan.measurement}: {verdict}")
        lines += [f"   {line}" for line in plan.lines]
    lines.append("```")
    return "\n".join(lines)


@contextlib.contextmanager
def database(kind: str):
    """Point Django at a fresh database of ``kind`` (before it is set up) and remove it afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-units."))
    os.environ["CONGDOAN_VAR"] = str(scratch)
    try:
        if kind == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
            yield
        else:
            from bench import pg

            with contextlib.ExitStack() as stack:
                server = os.environ.get("DATABASE_URL") or stack.enter_context(pg.cluster())
                os.environ["DATABASE_URL"] = pg.create_database(server, "bench_units_tree")
                try:
                    yield
                finally:
                    from django.db import connections

                    connections.close_all()
                    _drop(server, "bench_units_tree")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _drop(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--units", type=int, default=150_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    # Stopped (SIGTERM) like interrupted: unwind, so that a throwaway cluster is stopped and removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with database(args.db):
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdoan.settings")
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        report = run(units=args.units, repeats=args.repeats, db=args.db)
        text = markdown(report)
        print(text, flush=True)
        if not args.no_write:
            write_block(text, benchmark="units_tree", key=f"{args.db} {args.units}", section=SECTION)
            print(f"\nwritten to {README}")


if __name__ == "__main__":
    main()
