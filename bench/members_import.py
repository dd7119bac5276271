"""Member import benchmark (issue 3, part 11): a provincial list of 100,000 rows (1,000,000 with --million)
from .xlsx and .csv, imported through the real engine (read, check, stage, find duplicates, commit with
change log), against a raw bulk insert of the same rows in the same run. Each measurement runs in a child
process on a fresh database, so its peak memory (ru_maxrss) is its own.

    .venv/bin/python -m bench.members_import                 # 100k rows, SQLite, xlsx and csv
    .venv/bin/python -m bench.members_import --million       # and 1M rows
    .venv/bin/python -m bench.members_import --db postgres   # a throwaway PostgreSQL 15 cluster (bench/pg.py)
    .venv/bin/python -m bench.members_import --rows 1000000 --import-formats csv  # both read, csv imported
    .venv/bin/python -m bench.members_import --rows 20000 --formats csv --profile DIR   # where the time goes

Two baselines, both in the same run:
  raw members  executemany INSERT of the finished member rows (codes, search and sort keys precomputed),
               measured before and after the imports, the faster kept
  raw all      the same plus every other row the import writes: first events, memberships, change-log rows
and, to tell Django's share, the finished member rows as model instances through bulk_create.
Rates are rows per second; "ratio" = import rate / baseline rate. The goal, at least 50 % of "a raw bulk
insert of the same rows", is read against raw all: the rows the import must leave (the member, its first event
and membership, the change log of both) inserted bare. Raw members, shown beside as the stricter figure,
inserts the member rows only: raw all itself runs at 37-56 % of its rate.
Each run writes its table into BENCHMARKS.md, one block per database and size (not with --no-write, nor
with --profile, whose timings the profiler inflates).
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a file (bench/members_import.py): make `bench` and the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.document import README, write_block

SECTION = "Member registry (bench/members_import.py, bench/members_list.py)"
UNITS = 50
OCCUPATIONS = [
    "Công nhân may",
    "Giáo viên",
    "Kế toán",
    "Kỹ sư",
    "Nhân viên văn phòng",
    "Lái xe",
    "Điều dưỡng",
]
D = datetime.date


def people(count: int):
    """The rows of the list, deterministic: the people of the test lists (``tests.members.listfiles``),
    with contact details, an occupation, Party membership and a CĐCS added."""
    from tests.members.listfiles import persons

    rng = random.Random(2025)
    for index, person in enumerate(persons(count, seed=2025)):
        yield {
            "stt": index + 1,
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "gender": person.gender,
            "id_number": person.id_number,
            "phone": f"09{index:08d}",
            "email": f"dv{index}@congdoan.vn",
            "occupation": rng.choice(OCCUPATIONS),
            "joined_on": person.joined_on,
            "party_member": rng.random() < 0.1,
            "unit": f"BENCH-{index % UNITS + 1:03d}",
        }


def _cells(person: dict) -> list:
    return [
        person["stt"],
        person["full_name"],
        person["birth_date"],
        "Nam" if person["gender"] == "male" else "Nữ",
        "Kinh",
        "Không",
        person["id_number"],
        person["phone"],
        person["email"],
        "Đại học",
        "Đoàn viên",
        person["occupation"],
        person["joined_on"],
        "x" if person["party_member"] else "",
        person["unit"],
    ]


def write_file(path: Path, count: int) -> Path:
    """An .xlsx (title rows, a totals line) or a UTF-8 CSV, as a province would send them."""
    from tests.members.listfiles import PROVINCIAL_HEADERS

    if path.exists():
        return path
    partial = path.with_suffix(path.suffix + ".part")
    if path.suffix == ".csv":
        import csv

        with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(PROVINCIAL_HEADERS)
            for person in people(count):
                row = _cells(person)
                row[2], row[12] = row[2].strftime("%d/%m/%Y"), row[12].strftime("%d/%m/%Y")
                writer.writerow(row)
    else:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Danh sách")
        sheet.append(["LIÊN ĐOÀN LAO ĐỘNG TỈNH — DANH SÁCH ĐOÀN VIÊN"])
        sheet.append([])
        sheet.append(PROVINCIAL_HEADERS)
        for person in people(count):
            cells = _cells(person)
            for position in (2, 12):
                cells[position] = WriteOnlyCell(sheet, cells[position])
                cells[position].number_format = "DD/MM/YYYY"
            sheet.append(cells)
        sheet.append(["Tổng cộng", f"{count} đoàn viên"])
        workbook.save(partial)
    partial.rename(path)
    return path


# ------------------------------------------------------------------------------------------ child side


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdoan.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _tree():
    from congdoan.units import services
    from congdoan.units.models import Level, UnitType

    def unit_type(level):
        return UnitType.objects.get_or_create(
            code=f"bench-{level}", defaults={"name": level, "level": level}
        )[0]

    def found(code, level, parent):
        spec = services.NewUnit(code=code, name=f"Đơn vị {code}", unit_type=unit_type(level))
        return services.found_unit(spec=spec, parent=parent, founded_on=D(2019, 1, 1))

    province = found("BENCH", Level.PROVINCE, found("BENCH-TLD", Level.NATIONAL, None))
    upper = found("BENCH-UP", Level.UPPER, province)
    units = {found(f"BENCH-{n:03d}", Level.GRASSROOTS, upper).code: None for n in range(1, UNITS + 1)}
    return province, units


def child_import(path: Path) -> dict:
    from congdoan.members.imports import services

    province, _units = _tree()
    started, cpu = time.perf_counter(), time.process_time()
    batch = services.create_batch(file=path, unit=province)
    services.read_batch(batch=batch)
    read = time.perf_counter()
    services.commit_batch(batch=batch, skip_undecided=True)
    done = time.perf_counter()
    if batch.file_error:
        raise SystemExit(batch.file_error)
    from django.db import connection

    database = Path(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" else None
    # A large .xlsx is read by a second process (reading.read_ahead): its CPU counts, its memory adds.
    reader = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        # The file keeps its largest size (nothing truncates it): what the one commit transaction needed.
        "wal_mb": database and Path(f"{database}-wal").stat().st_size / 2**20,
        "db_mb": database and database.stat().st_size / 2**20,
        "seconds": done - started,
        "cpu_s": time.process_time() - cpu + reader.ru_utime + reader.ru_stime,
        "reader_mb": reader.ru_maxrss / 1024,
        "read_s": read - started,
        "commit_s": done - read,
        "rows": batch.rows_total,
        "created": batch.created,
        "errors": batch.rows_error,
        "duplicates": batch.rows_duplicate,
    }


def child_read(path: Path) -> dict:
    """The file reader alone (no checks, no database): its speed and whether its memory stays flat."""
    from congdoan.members.imports.reading import open_table

    started = time.perf_counter()
    table = open_table(path)
    rows = sum(1 for _row in table.rows())
    table.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_raw(count: int, everything: bool, orm: bool = False) -> dict:
    """INSERT the finished rows with executemany, in one transaction, timing only the inserts; with ``orm``
    the member rows only, as model instances made beforehand, through ``bulk_create`` instead."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from congdoan.core.text import fold, person_collation_key
    from congdoan.members.models import Member, MemberEvent, Membership
    from congdoan.units.models import Unit

    _tree()
    unit_ids = dict(Unit.objects.values_list("code", "id"))
    member_type = ContentType.objects.get_for_model(Member).pk
    event_type = ContentType.objects.get_for_model(MemberEvent).pk
    quote = connection.ops.quote_name
    member_columns = [
        "code",
        "full_name",
        "birth_date",
        "birth_year",
        "gender",
        "ethnic_group",
        "religion",
        "nationality",
        "id_number",
        "phone",
        "email",
        "education_level",
        "professional_level",
        "political_theory",
        "party_member",
        "union_position",
        "occupation",
        "joined_on",
        "card_type",
        "unit_id",
        "status",
        "search_name",
        "sort_key",
    ]

    def insert(model, columns, rows, returning=False):
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    request_id = str(uuid.uuid4())
    elapsed, chunk = 0.0, []
    first_id = 1

    def flush():
        nonlocal elapsed, cpu_used, first_id
        members = [
            (
                f"{25}{first_id + i:07d}0",
                p["full_name"],
                p["birth_date"],
                p["birth_date"].year,
                p["gender"],
                "01",
                "",
                "Việt Nam",
                p["id_number"],
                p["phone"],
                p["email"],
                "",
                "bachelor",
                "",
                p["party_member"],
                "member",
                p["occupation"],
                p["joined_on"],
                "",
                unit_ids[p["unit"]],
                "active",
                fold(p["full_name"]),
                person_collation_key(p["full_name"]),
            )
            for i, p in enumerate(chunk)
        ]
        ids = range(first_id, first_id + len(chunk))
        instances = orm and [
            Member(id=i, **dict(zip(member_columns, m, strict=True)))
            for i, m in zip(ids, members, strict=True)
        ]
        if everything:
            events = [
                (
                    member_id,
                    "admit",
                    p["joined_on"],
                    unit_ids[p["unit"]],
                    "",
                    "",
                    "",
                    datetime.datetime.now(datetime.UTC),
                )
                for member_id, p in zip(ids, chunk, strict=True)
            ]
            memberships = [
                (member_id, unit_ids[p["unit"]], "active", p["joined_on"])
                for member_id, p in zip(ids, chunk, strict=True)
            ]
            changes = [
                (
                    datetime.datetime.now(datetime.UTC),
                    "",
                    request_id,
                    "create",
                    content_type,
                    member_id,
                    f"{p['full_name']} ({member[0]})",
                    unit_ids[p["unit"]],
                    json.dumps(
                        {c: str(v) for c, v in zip(member_columns, member, strict=True)}, ensure_ascii=False
                    ),
                )
                for content_type in (member_type, event_type)
                for member_id, p, member in zip(ids, chunk, members, strict=True)
            ]
        started, cpu = time.perf_counter(), time.process_time()
        if orm:
            Member.objects.bulk_create(instances)
        else:
            insert(Member, ["id", *member_columns], [(i, *m) for i, m in zip(ids, members, strict=True)])
        if everything:
            insert(
                MemberEvent,
                [
                    "member_id",
                    "kind",
                    "on",
                    "unit_id",
                    "other_unit_text",
                    "decision_number",
                    "note",
                    "created_at",
                ],
                events,
            )
            insert(Membership, ["member_id", "unit_id", "state", "valid_from"], memberships)
            from congdoan.audit.models import ObjectChange

            insert(
                ObjectChange,
                [
                    "time",
                    "user_name",
                    "request_id",
                    "action",
                    "content_type_id",
                    "object_id",
                    "object_repr",
                    "unit_id",
                    "after",
                ],
                changes,
            )
        elapsed += time.perf_counter() - started
        cpu_used += time.process_time() - cpu
        first_id += len(chunk)
        chunk.clear()

    cpu_used = 0.0
    atomic = transaction.atomic()  # one transaction, like the import's commit; its COMMIT is timed too
    atomic.__enter__()
    for person in people(count):
        chunk.append(person)
        if len(chunk) == 2000:
            flush()
    flush()
    started, cpu = time.perf_counter(), time.process_time()
    atomic.__exit__(None, None, None)
    elapsed += time.perf_counter() - started
    cpu_used += time.process_time() - cpu
    return {"seconds": elapsed, "cpu_s": cpu_used, "rows": count, "created": Member.objects.count()}


def run_child() -> None:
    kind, argument = sys.argv[2], sys.argv[3]
    _setup_django()
    if kind == "import" and os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(child_import, Path(argument))
        profiler.dump_stats(os.environ["BENCH_PROFILE"])
    elif kind == "import":
        result = child_import(Path(argument))
    elif kind == "read":
        result = child_read(Path(argument))
    else:
        result = child_raw(int(argument), everything=kind == "raw-all", orm=kind == "bulk")
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# ------------------------------------------------------------------------------------------ parent side


def measure(kind: str, argument: str, database_url: str, var: Path, profile: Path | None = None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONGDOAN_VAR": str(var),
        "CONGDOAN_IMPORT_MAX_MB": "2000",
        "DJANGO_SETTINGS_MODULE": "congdoan.settings",
        "CONGDOAN_JOBS": "inline",
        **({"BENCH_PROFILE": str(profile)} if profile else {}),
    }
    output = subprocess.run(
        [sys.executable, "-m", "bench.members_import", "--child", kind, argument],
        env=env,
        capture_output=True,
        text=True,
    )
    if output.returncode:  # the child's own traceback, not only its exit status
        raise SystemExit(f"{kind} {argument} failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child()
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also 1,000,000 rows")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument(
        "--import-formats", help="formats imported in full (default: --formats; the others are only read)"
    )
    parser.add_argument(
        "--files",
        default=os.path.join(tempfile.gettempdir(), "congdoan-bench-files"),
        help="where generated lists are kept between runs",
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument(
        "--no-raw-all", action="store_true", help="only the raw members baseline (saves minutes at 1M rows)"
    )
    parser.add_argument(
        "--profile",
        help="run the imports under cProfile, keep the profiles in this folder and print where the time goes "
        "(slower: nothing is written to BENCHMARKS.md)",
    )
    args = parser.parse_args()
    sizes = [args.rows] + ([1_000_000] if args.million else [])
    files = Path(args.files)
    files.mkdir(parents=True, exist_ok=True)
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    results = []
    with _databases(args.db) as fresh:
        for size in sizes:
            raw = measure("raw", str(size), *fresh())
            raw_all = None if args.no_raw_all else measure("raw-all", str(size), *fresh())
            bulk = measure("bulk", str(size), *fresh())
            for fmt in args.formats.split(","):
                path = write_file(files / f"people-{size}.{fmt}", size)  # people of listfiles.persons
                result = {
                    "db": args.db,
                    "rows": size,
                    "format": fmt,
                    "file_mb": path.stat().st_size / 2**20,
                    "read": measure("read", str(path), *fresh()),
                    "raw": raw,
                    "raw_all": raw_all,
                    "bulk": bulk,
                }
                if fmt in (args.import_formats or args.formats).split(","):
                    profile = args.profile and Path(args.profile) / f"import-{args.db}-{size}-{fmt}.prof"
                    result["import"] = measure("import", str(path), *fresh(), profile=profile)
                    if profile:
                        _print_profile(profile)
                result["load"] = os.getloadavg()[0]  # the machine is shared: how busy it was meanwhile
                results.append(result)
            # The raw baseline once more after the imports, keeping the faster time (and the lesser CPU) of
            # the two: a busy moment of the shared machine during the first must not flatter the import.
            again = measure("raw", str(size), *fresh())
            raw["seconds"], raw["cpu_s"] = (
                min(raw["seconds"], again["seconds"]),
                min(raw["cpu_s"], again["cpu_s"]),
            )
            for result in results:
                if result["rows"] == size:
                    _report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    for size in sizes:
        text = markdown([r for r in results if r["rows"] == size], " ".join(sys.argv[1:]))
        print("\n" + text)
        if not (args.no_write or args.profile):
            write_block(text, benchmark="members_import", key=f"{args.db} {size}", section=SECTION)
            print(f"\nwritten to {README}")


def markdown(results: list[dict], arguments: str) -> str:
    """The run as a table for BENCHMARKS.md."""
    load = os.getloadavg()[0]
    database = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[results[0]["db"]]
    lines = [
        f"### Import, {database}, {results[0]['rows']:,} rows",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%d/%m/%Y %H:%M} UTC on {os.cpu_count()} CPUs (load "
        f"{load:.1f} at the end), Python {sys.version.split()[0]}: "
        f"`.venv/bin/python -m bench.members_import {arguments}`.",
        "",
        "| db | rows | file | reader alone s / peak MB | import s (read + commit) | import CPU s "
        "| import peak MB (with reader process) | SQLite WAL / database MB | import rows/s "
        "| raw members rows/s | ratio (CPU) "
        "| raw all rows/s | ratio "
        "| bulk_create members rows/s (CPU s, raw's) | load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        read, imported = r["read"], r.get("import")
        cells = [
            r["db"],
            f"{r['rows']:,}",
            f"{r['format']} {r['file_mb']:.1f} MB",
            f"{read['seconds']:.1f} / {read['maxrss_mb']:.0f}",
        ]
        if imported:
            rate = imported["rows"] / imported["seconds"]
            raw = r["raw"]["rows"] / r["raw"]["seconds"]
            everything = r["raw_all"] and r["raw_all"]["rows"] / r["raw_all"]["seconds"]
            cells += [
                f"{imported['seconds']:.0f} ({imported['read_s']:.0f} + {imported['commit_s']:.0f})",
                f"{imported['cpu_s']:.0f}",
                f"{_import_peak(imported):.0f}",
                f"{imported['wal_mb']:,.0f} / {imported['db_mb']:,.0f}" if imported.get("wal_mb") else "—",
                f"{rate:,.0f}",
                f"{raw:,.0f}",
                f"{rate / raw:.1%} ({r['raw']['cpu_s'] / imported['cpu_s']:.1%})",
                f"{everything:,.0f}" if everything else "—",
                f"{rate / everything:.1%}" if everything else "—",
                f"{r['bulk']['rows'] / r['bulk']['seconds']:,.0f} ({r['bulk']['cpu_s']:.1f}, "
                f"{r['raw']['cpu_s']:.1f})",
            ]
        else:
            cells += ["—"] * 10
        cells.append(f"{r['load']:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


class _databases:
    """Hands out a fresh database per measurement: a new SQLite file, or a new database on a PG cluster."""

    def __init__(self, kind: str) -> None:
        self.kind, self.count = kind, 0

    def __enter__(self):
        self.root = Path(tempfile.mkdtemp(prefix="bench-members."))
        if self.kind == "postgres":
            from bench import pg

            self._cluster = pg.cluster()
            self.server = self._cluster.__enter__()
        return self.fresh

    def fresh(self) -> tuple[str, Path]:
        self.count += 1
        var = self.root / f"run{self.count}"
        var.mkdir()
        if self.kind == "postgres":
            from bench import pg

            return pg.create_database(self.server, f"bench{self.count}"), var
        return f"sqlite:///{var / 'bench.sqlite3'}", var

    def __exit__(self, *exc):
        if self.kind == "postgres":
            self._cluster.__exit__(*exc)
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


def _print_profile(path: Path) -> None:
    import pstats

    print(f"\nprofile of the import: {path}")
    stats = pstats.Stats(str(path)).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def _import_peak(imported: dict) -> float:
    """The import's peak memory: its own, plus the read-ahead process's when one read the sheet (both
    peaks added, as if they fell at the same moment)."""
    return imported["maxrss_mb"] + imported.get("reader_mb", 0)


def _report(result: dict) -> None:
    read = result["read"]
    line = (
        f"{result['db']:8} {result['rows']:>9,} {result['format']:4} {result['file_mb']:6.1f} MB | read only "
        f"{read['seconds']:6.1f} s, peak {read['maxrss_mb']:4.0f} MB"
    )
    imported = result.get("import")
    if imported:
        rate = imported["rows"] / imported["seconds"]
        raw_rate = result["raw"]["rows"] / result["raw"]["seconds"]
        all_rate = result["raw_all"] and result["raw_all"]["rows"] / result["raw_all"]["seconds"]
        cpu_ratio = result["raw"]["cpu_s"] / imported["cpu_s"]
        line += (
            f" | import {imported['seconds']:7.1f} s (read {imported['read_s']:.1f} + commit "
            f"{imported['commit_s']:.1f}, cpu {imported['cpu_s']:.1f}) {rate:7,.0f} rows/s, peak "
            f"{_import_peak(imported):4.0f} MB, WAL {imported.get('wal_mb') or 0:,.0f} MB "
            "| bulk_create members "
            f"{result['bulk']['rows'] / result['bulk']['seconds']:8,.0f} rows/s | raw members "
            f"{raw_rate:8,.0f} rows/s: ratio "
            f"{rate / raw_rate:5.1%} (cpu {cpu_ratio:5.1%}) | "
            + (f"raw all {all_rate:7,.0f} rows/s: ratio {rate / all_rate:5.1%} | " if all_rate else "")
            + f"created {imported['created']:,}, errors {imported['errors']}, "
            f"duplicates {imported['duplicates']}"
        )
    print(line, flush=True)


if __name__ == "__main__":
    main()
