"""Possible duplicates (issue 3, parts 8 and 11): the duplicates screen of one district-level union and the
background scan of a whole province, on the province of ``bench.members_list`` (--members N, 10
district-level unions, 400 CĐCS; --var keeps the database for the next run).

    .venv/bin/python -m bench.members_duplicates --members 1000000 --var /tmp/dup1m   # SQLite
    .venv/bin/python -m bench.members_duplicates --db postgres --members 1000000      # bench/pg.py

Measured:
  screen      /members/duplicates/?unit=P-03 as the provincial officer (a tenth of the province), --repeats
              requests: median and p95 ms, against the login page in the same run; the median CPU ms of
              this process a request (SQLite's work included, PostgreSQL's server not); the page's queries
  scan        ``duplicate_scans.run_scan`` over the whole province (what "Compare all in the background"
              runs), in a process of its own: seconds, CPU seconds, peak memory (``ru_maxrss``), pairs found;
              against the baseline, in a process of its own too: the four rules' GROUP BYs written by hand
              in SQL over the same members (the least any comparison reads), read to the end
  bare        a process that only sets up Django: the memory every process holds before any work
  index       the index of the rules' fields (``member_duplicate_keys``): building it over the province
              (what migration members 0010 costs an existing registry), and --insert members bulk-inserted
              with and without it (each insert rolled back), the ratio being its cost on every insert
The results go to this benchmark's block of BENCHMARKS.md (``--no-write``: printed only).
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.document import README, write_block
from bench.members_import import SECTION
from bench.members_list import province_arguments, use_database

INDEX = "member_duplicate_keys"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup() -> None:
    import django

    django.setup()


def child_scan() -> dict:
    """The province's scan, as the background job runs it."""
    _setup()
    from congdoan.accounts.models import User
    from congdoan.audit.context import change_context
    from congdoan.members import duplicate_scans
    from congdoan.members.models import DuplicateScan
    from congdoan.units.models import Unit

    officer = User.objects.get(username="officer")
    started, cpu = time.perf_counter(), time.process_time()
    with change_context(user=officer):
        scan = duplicate_scans.run_scan(
            DuplicateScan.objects.create(unit=Unit.objects.get(code="P"), user=officer)
        )
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "pairs": scan.pair_count,
    }


def child_group_by() -> dict:
    """The baseline: each finding rule's GROUP BY written by hand over the province's members."""
    _setup()
    from django.db import connection

    from congdoan.members import selectors

    units = "SELECT id FROM units_unit WHERE path >= %s AND path < %s"
    province = _province_path()
    groups, started, cpu = 0, time.perf_counter(), time.process_time()
    with connection.cursor() as cursor:
        for rule in selectors.FINDING_RULES:
            columns = ", ".join(rule.fields)  # the fields are named as their columns
            present = " AND ".join(
                f"{name} <> ''" if name in ("search_name", "phone", "email") else f"{name} IS NOT NULL"
                for name in rule.fields
            )
            cursor.execute(
                f"SELECT {columns} FROM members_member WHERE unit_id IN ({units}) AND status <> 'merged' "
                f"AND {present} GROUP BY {columns} HAVING COUNT(*) BETWEEN 2 AND {selectors.LARGEST_GROUP}",
                [province, province + ":"],
            )
            groups += len(cursor.fetchall())
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "groups": groups,
    }


def child_bare() -> dict:
    _setup()
    from congdoan.units.models import Unit

    Unit.objects.count()
    return {"peak_mb": _peak_mb()}


CHILDREN = {"scan": child_scan, "group-by": child_group_by, "bare": child_bare}


def _province_path() -> str:
    from congdoan.units.models import Unit

    return Unit.objects.get(code="P").path


def in_child(name: str) -> dict:
    """Run ``name`` in a process of its own (its peak memory is its own), with this run's database."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.members_duplicates", "--child", name],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_page(client, url: str, repeats: int) -> tuple[list[float], float]:
    """The requests' wall times (ms, sorted) and their median CPU time (ms) in this process: on SQLite that
    holds the database's work too, and the load of a shared machine moves it less than wall time."""
    times, cpu = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return sorted(times), statistics.median(cpu)


def index_cost(inserted: int) -> dict:
    """Build the index over the registry as it stands (timed), and insert ``inserted`` members with and
    without it, each insert rolled back."""
    from django.db import connection, transaction
    from tests.members.listfiles import persons

    from congdoan.members.models import Member
    from congdoan.units.models import Unit

    units = list(Unit.objects.filter(code__startswith="P-C").values_list("pk", flat=True))
    people = list(persons(inserted, seed=99, start=2_000_000))

    def members() -> list[Member]:
        made = []
        for index, person in enumerate(people):
            member = Member(
                code=f"B{index:09d}",
                full_name=person.full_name,
                birth_date=person.birth_date,
                gender=person.gender,
                phone=f"08{index:08d}",
                joined_on=person.joined_on,
                unit_id=units[index % len(units)],
            )
            member.set_derived_fields()
            made.append(member)
        return made

    def insert_seconds() -> float:
        rows = members()  # made beforehand: only the writing is timed
        with transaction.atomic():
            started = time.perf_counter()
            Member.objects.bulk_create(rows, batch_size=5000)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    (keys_index,) = [index for index in Member._meta.indexes if index.name == INDEX]
    columns = ", ".join(Member._meta.get_field(name).column for name in keys_index.fields)
    times: dict[str, list[float]] = {"with": [], "without": []}
    build = 0.0
    for _ in range(2):  # alternately, the best of two each: the load of a shared machine moves
        times["with"].append(insert_seconds())
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {INDEX}")
        times["without"].append(insert_seconds())
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {INDEX} ON members_member ({columns})")
        build = time.perf_counter() - started
    best = {label: min(seconds) for label, seconds in times.items()}
    return {**best, "build": build, "inserted": inserted}


def run(args) -> str:
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench.members_list import _database_label, build
    from congdoan.accounts.models import User
    from congdoan.members.models import Member

    setup_test_environment()
    settings.SECURE_SSL_REDIRECT = False
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    if not User.objects.filter(username="officer").exists():  # a kept --var folder holds a built province
        started = time.perf_counter()
        build(args.members)
        print(f"{connection.vendor}: {args.members:,} members built in {time.perf_counter() - started:.1f} s")
    else:
        print(f"kept province; migrate took {migrated:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member")  # as autovacuum would: index-only scans
    members = Member.objects.count()

    client = Client()
    client.force_login(User.objects.get(username="officer"))
    url = "/members/duplicates/?unit=P-03"
    baseline, _ = timed_page(Client(), "/accounts/login/", args.repeats)
    screen, screen_cpu = timed_page(client, url, args.repeats)
    with CaptureQueriesContext(connection) as queries:
        shown = client.get(url)
    load_screen = os.getloadavg()[0]
    median, login = statistics.median(screen), statistics.median(baseline)
    screen_line = (
        f"| screen of P-03 ({shown.context['total']:,} pairs; CPU {screen_cpu:.0f} ms) | {median:.1f} "
        f"| {screen[math.ceil(len(screen) * 0.95) - 1]:.1f} | login page {login:.1f} "
        f"| {median / login:.1f} | {len(queries)} | {load_screen:.1f} |"
    )
    print(screen_line, flush=True)

    bare = in_child("bare")
    group_by = in_child("group-by")
    load_group_by = os.getloadavg()[0]
    scan = in_child("scan")
    load_scan = os.getloadavg()[0]
    index = index_cost(args.insert)
    load_index = os.getloadavg()[0]
    lines = [
        f"### Duplicates, {_database_label()}, {members:,} members",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%d/%m/%Y %H:%M} UTC on {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}: `.venv/bin/python -m bench.members_duplicates "
        f"{' '.join(sys.argv[1:])}`. A process that only sets up Django peaks at {bare['peak_mb']:.0f} MB.",
        "",
        "| what | median ms / s | p95 ms / CPU s | baseline | ratio | queries / found | load |",
        "|---|---:|---:|---:|---:|---:|---:|",
        screen_line,
        f"| province scan, {scan['peak_mb']:.0f} MB peak | {scan['seconds']:.1f} s | {scan['cpu']:.1f} s "
        f"| GROUP BYs by hand {group_by['seconds']:.1f} s ({group_by['peak_mb']:.0f} MB) "
        f"| {scan['seconds'] / group_by['seconds']:.1f} | {scan['pairs']:,} pairs "
        f"({group_by['groups']:,} groups) | {load_scan:.1f} |",
        f"| insert {index['inserted']:,} members with the index | {index['with']:.1f} s | | without "
        f"{index['without']:.1f} s | {index['with'] / index['without']:.2f} | | {load_index:.1f} |",
        f"| building the index over {members:,} members | {index['build']:.1f} s | | | | "
        f"| {load_index:.1f} |",
    ]
    print(f"(load when the baseline ran: {load_group_by:.1f})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    province_arguments(parser)
    parser.add_argument("--insert", type=int, default=50_000, help="members inserted to time the index")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdoan.settings")
    if args.child:  # a measured part, in its own process; the parent set the database up
        print(json.dumps(CHILDREN[args.child]()))
        return
    with contextlib.ExitStack() as stack:
        use_database(stack, args, "bench-members-duplicates")
        text = run(args)
        print("\n" + text)
        if not args.no_write:
            key = f"{args.db} {args.members}"
            write_block(text, benchmark="members_duplicates", key=key, section=SECTION)
            print(f"\nwritten to {README}")


if __name__ == "__main__":
    main()
