"""Member list pages (issue 3, parts 1 and 7): a province of 100,000 members (--members N for another size),
read through the real pages as a provincial officer and a CĐCS chair would, each timed against a trivial
page (the login form: a template, no query) in the same run and reported as a ratio.

    .venv/bin/python -m bench.members_list                      # SQLite, 100,000 members
    .venv/bin/python -m bench.members_list --members 1000000
    .venv/bin/python -m bench.members_list --db postgres        # a throwaway PostgreSQL 15 (bench/pg.py)

Set-up, not measured: one province, 10 district-level unions and 400 CĐCS founded through the unit services,
then the members bulk-inserted with the codes, search names and sort keys the services would have written
(the people of ``tests.members.listfiles.persons``, named from the demo's common names, so searches
meet many look-alikes).
PostgreSQL is ANALYZEd after the load (as autovacuum would); SQLite is not.

Measured (median and p95 of --repeats requests, milliseconds, through Django's test client):
  list          /members/ page 1, the province officer (50 of all members, Vietnamese order)
  list p200     page 200 of the same list (OFFSET 9,950)
  sort code     page 1 sorted by member code, descending
  search name   "nguyen van an" (diacritics folded, every word the start of a word of the name)
  search given  "an" (every An, Anh…)
  search none   a name nobody has: without the index of name words, every member read to find none
  search id     a whole ID number, and its first 6 digits
  district      the list of one district-level union's subtree
  chair         the list of a CĐCS chair (about 250 members)
  count         the count fragment the list page loads afterwards (all current members of the province)
  duplicates    the duplicates screen of one district-level union
Each with the number of queries the page ran and its slowest query's time and plan (EXPLAIN), to show
which index answers it. The name searches are then timed again with ``members.name_index`` left unused
(every search read along the list's order): what that index saves, in the same run. The results go to
this benchmark's block of BENCHMARKS.md (``--no-write``: printed only), each line with the load average.
"""

import argparse
import contextlib
import datetime
import math
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.document import README, write_block
from bench.members_import import SECTION

D = datetime.date
CDCS = 400
DISTRICTS = 10


def build(count: int):
    from django.db import connection
    from tests.members.listfiles import persons

    from congdoan.accounts.models import Role, User
    from congdoan.members.models import Member
    from congdoan.members.services import allocate_codes
    from congdoan.units import services
    from congdoan.units.models import Level, UnitType

    types = {
        level: UnitType.objects.get_or_create(
            code=f"bench-{level}", defaults={"name": str(label), "level": level}
        )[0]
        for level, label in Level.choices
    }

    def found(name, level, parent, code):
        spec = services.NewUnit(code=code, name=name, unit_type=types[level])
        return services.found_unit(spec=spec, parent=parent, founded_on=D(2019, 1, 1))

    national = found("Tổng Liên đoàn", Level.NATIONAL, None, "TLD")
    province = found("Liên đoàn Lao động tỉnh Thử nghiệm", Level.PROVINCE, national, "P")
    districts = [
        found(f"Công đoàn cấp trên {i}", Level.UPPER, province, f"P-{i:02d}") for i in range(DISTRICTS)
    ]
    cdcs = [
        found(f"Công đoàn cơ sở {i}", Level.GRASSROOTS, districts[i % DISTRICTS], f"P-C{i:04d}")
        for i in range(CDCS)
    ]
    User.objects.create(username="officer", unit=province, role=Role.OFFICER)
    User.objects.create(username="chair", unit=cdcs[7], role=Role.CHAIR)

    rng = random.Random(2025)
    codes = allocate_codes(count, year=2025)
    rows, batch = [], 5000
    for index, person in enumerate(persons(count, seed=2025)):
        member = Member(
            code=codes[index],
            full_name=person.full_name,
            birth_date=person.birth_date,
            gender=person.gender,
            id_number=person.id_number,
            phone=f"09{index:08d}",
            joined_on=person.joined_on,
            unit_id=cdcs[index % CDCS].pk,
            status="active" if rng.random() < 0.95 else "left",
        )
        member.set_derived_fields()
        rows.append(member)
        if len(rows) == batch:
            Member.objects.bulk_create(rows)
            rows = []
    Member.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(client, url: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


@dataclass
class Measured:
    page: str
    url: str
    median: float
    p95: float
    ratio: float
    load: float
    queries: int
    slowest_ms: float  # the page's slowest query, and its plan: which index answers it
    plan: list[str] = field(default_factory=list)


def slowest_query(client, url: str) -> tuple[int, float, list[str]]:
    """The page's queries (captured on one more request): how many, and the slowest one's time and plan
    (EXPLAIN). Each SELECT is run again and read to the end to time it: the time of ``execute`` alone
    (Django's query log) leaves out the rows SQLite finds while they are fetched."""
    from django.db import connection

    queries = []

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        client.get(url)
    selects = [q for q in queries if q[0].lstrip().upper().startswith("SELECT")]
    selects = [q for q in selects if "members_member" in q[0]] or selects  # not the session's
    timed_selects = []
    with connection.cursor() as cursor:
        for sql, params in selects:
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timed_selects.append((time.perf_counter() - started, sql, params))
        seconds, sql, params = max(timed_selects, key=lambda q: q[0])
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
        plan = [str(row[-1]) for row in cursor.fetchall()]
    return len(queries), seconds * 1000, plan


def run(members: int, repeats: int) -> tuple[str, list[Measured]]:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from congdoan.accounts.models import User
    from congdoan.members import name_index
    from congdoan.members.models import Member
    from congdoan.units.models import Unit

    setup_test_environment()
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain http
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="officer").exists():  # a kept --var folder holds a built province
        started = time.perf_counter()
        build(members)
        print(f"{connection.vendor}: {members:,} members built in {time.perf_counter() - started:.1f} s")
    members = Member.objects.count()
    officer, chair = User.objects.get(username="officer"), User.objects.get(username="chair")
    district = Unit.objects.get(code="P-03")
    sample = Member.objects.order_by("pk")[members // 2]

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    officer_client, chair_client = client_for(officer), client_for(chair)
    cases = [
        ("list", officer_client, "/members/"),
        ("list p200", officer_client, "/members/?page=200"),
        ("sort code", officer_client, "/members/?sort=-code"),
        ("search name", officer_client, "/members/?q=nguyen+van+an"),
        ("search given", officer_client, "/members/?q=an"),
        ("search none", officer_client, "/members/?q=khong+co+ai"),
        ("search id", officer_client, f"/members/?q={sample.id_number}"),
        ("search id 6", officer_client, f"/members/?q={sample.id_number[:6]}"),
        ("district", officer_client, f"/members/?unit={district.code}"),
        ("chair", chair_client, "/members/"),
        ("count", officer_client, "/members/count/"),
        ("duplicates", officer_client, f"/members/duplicates/?unit={district.code}"),
    ]
    baseline = statistics.median(timed(Client(), "/accounts/login/", repeats))
    print(f"baseline (login page): median {baseline:.1f} ms\n")
    print(f"{'page':<22}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}{'load':>6}   slowest query: ms, plan")

    def measure(name, client, url) -> Measured:
        times = sorted(timed(client, url, repeats))
        queries, slowest_ms, plan = slowest_query(client, url)
        measured = Measured(
            page=name,
            url=url,
            median=statistics.median(times),
            p95=times[math.ceil(len(times) * 0.95) - 1],  # nearest rank: of 20, the second slowest
            ratio=statistics.median(times) / baseline,
            load=os.getloadavg()[0],
            queries=queries,
            slowest_ms=slowest_ms,
            plan=plan,
        )
        print(
            f"{name:<22}{measured.median:>10.1f}{measured.p95:>9.1f}{measured.ratio:>8.1f}"
            f"{measured.load:>6.1f}   {slowest_ms:.1f} ms: {' | '.join(plan)[:120]}",
            flush=True,
        )
        return measured

    results = [measure(*case) for case in cases]
    # The same name searches with the index of name words left unused: what it saves, in the same run.
    with mock.patch.object(name_index, "narrow", lambda queryset, words: queryset):
        results += [
            measure(f"{name}, no name index", *case)
            for name, *case in cases
            if name.startswith("search") and not name.startswith("search id")
        ]
    heading = (
        f"### Member list, {_database_label()}, {members:,} members\n\n"
        f"Run {datetime.datetime.now(datetime.UTC):%d/%m/%Y %H:%M} UTC on {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}: `.venv/bin/python -m bench.members_list {' '.join(sys.argv[1:])}`. "
        f"Baseline: the login page, median {baseline:.1f} ms. {repeats} requests a page."
    )
    return heading, results


def _database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def markdown(heading: str, results: list[Measured]) -> str:
    lines = [
        heading,
        "",
        "| page | median ms | p95 ms | ratio to baseline | queries | slowest query ms | load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.page} | {r.median:.1f} | {r.p95:.1f} | {r.ratio:.1f} | {r.queries} | {r.slowest_ms:.1f} "
        f"| {r.load:.1f} |"
        for r in results
    ]
    lines += ["", "Plan of each page's slowest query:", "", "```"]
    for r in results:
        lines.append(f"-- {r.page}: {r.url}")
        lines += [f"   {line}" for line in r.plan]
    lines.append("```")
    return "\n".join(lines)


def province_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the benchmarks run on this province (this one and ``bench.members_duplicates``)."""
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--var", help="keep the SQLite database in this folder, and reuse it when run again")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")


def use_database(stack: contextlib.ExitStack, args: argparse.Namespace, name: str) -> None:
    """Point Django at the run's database: a new one on a throwaway PostgreSQL cluster (removed when
    ``stack`` closes), or an SQLite file in --var (a temporary folder unless given)."""
    var = args.var or stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{name}."))
    os.environ["CONGDOAN_VAR"] = var
    if args.db == "postgres":
        from bench import pg

        server = stack.enter_context(pg.cluster())
        os.environ["DATABASE_URL"] = pg.create_database(server, name.replace("-", "_"))
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    province_arguments(parser)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdoan.settings")
    with contextlib.ExitStack() as stack:
        use_database(stack, args, "bench-members-list")
        heading, results = run(args.members, args.repeats)
        text = markdown(heading, results)
        print("\n" + text)
        if not args.no_write:
            write_block(text, benchmark="members_list", key=f"{args.db} {args.members}", section=SECTION)
            print(f"\nwritten to {README}")


if __name__ == "__main__":
    main()
