"""Indicator benchmark (issue 4, part 9): the seed targets' indicators on a province of 100,000 members
(1,000,000 with --million), each timed against hand-written SQL doing the same work in the same run, and
reported as a ratio.

    .venv/bin/python -m bench.indicators                        # SQLite, 100,000 members
    .venv/bin/python -m bench.indicators --million              # 1,000,000 members
    .venv/bin/python -m bench.indicators --db postgres          # a throwaway PostgreSQL cluster (bench/pg.py)

Set-up, not measured (timed and reported apart): one province, code KG so that the seed programme
KG-NQ-2020 files itself under it, with about one grassroots union (CĐCS) per 70 members under district-level
unions, written straight into the tables in the shapes the services write: a founding (reorganisation,
link, name) for every unit, 20 % of the CĐCS founded between 2019 and 2025, one employer each (workforce and
sector); 10 % of the CĐCS moved to another district union on 01/04/2025; most CĐCS under 10 members merged
into a neighbour on 01/07/2025 (merge, succession, link closed, members transferred on the day). Members
with their events (registered from the old lists on 01/01/2019, or admitted; transfers, suspensions,
leaving, retiring…) and the membership intervals of ``members.services.derive_memberships``; the people
of ``tests.members.listfiles.persons``. The change log is not written. Then the five seed programmes.

Measured:
  1  every window the seed targets need (each indicator a seed target follows, over its period read on
     31/12/2025) computed from scratch by the engine (``engine.actuals`` for every unit of the province,
     materialised windows deleted first) against one hand-written SQL statement per window: the GROUP BY of
     the same facts per unit, placed in the tree of the window's end (an ended unit at its successor's
     place) and rolled up by path prefix. Each engine result is checked against its baseline, unit by unit.
     Then where the engine's time goes: the GROUP BYs (``own_values``), placing the units, the roll-up in
     Python, writing the window's rows, reading them back.
  2  a new member admitted through ``members.services.admit_member`` (as the members page does), dated in
     2020 (a late entry, so every stored window from then on is refreshed), then the progress page's read
     of the province's new actual (``programme_of`` + ``unit_for`` + ``programme_progress``), checked to
     have grown by one; against one row inserted and one SELECT in a transaction.
  3  the progress page of KG-NQ-2020 and one target's drill-down page (children, bars, monthly trend) for
     the province officer through Django's test client, windows warm, against the root address through
     the same logged-in client (a redirect: the middleware and the session, no query of its own).
"""

import argparse
import contextlib
import datetime
import math
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file (bench/indicators.py): make `bench` and the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.document import README, write_block

D = datetime.date
DAY = datetime.timedelta(days=1)
EPOCH = D(2019, 1, 1)  # records begin: the units standing then are entered as founded on this day
LAST_FOUNDING = D(2025, 6, 30)
MOVE_DAY = D(2025, 4, 1)  # 10 % of the CĐCS change district union
MERGE_DAY = D(2025, 7, 1)  # most CĐCS under 10 members merge into a neighbour
HISTORY_ENDS = D(2025, 12, 31)
READ_ON = HISTORY_ENDS  # the day the seed targets are read for measurement 1
LATE_ENTRY_YEAR = 2020  # measurement 2 admits members dated in this year (KG-NQ-2020's)
MEMBERS_PER_UNION = 70
UNIONS_PER_DISTRICT = 100
SMALL_SHARE, SMALL_MERGED = 0.12, 0.7  # CĐCS of 3–9 members; the share of them that merge
CHUNK_UNIONS = 300  # unions whose members are generated and written together
PROGRAMME = "KG-NQ-2020"
PROVINCE_CODE = "KG"
SECTION = "Indicators (bench/indicators.py)"
SECTORS = {"private": 45, "fdi": 15, "soe": 5, "hcsn_full": 25, "hcsn_part": 5, "coop": 5}
EXITS = {"leave": 70, "retire": 20, "deceased": 5, "expel": 5}
DEPTHS = 6  # levels a path can have here (national, province, district, CĐCS, and room to spare)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]


def _load() -> float:
    return os.getloadavg()[0]


# ------------------------------------------------------------------------------------------- set-up


@dataclass
class Province:
    unit: object  # the province (a Unit)
    unit_ids: list[int]  # every unit of the province, ended ones too, and the national unit
    standing: list[int]  # CĐCS standing today
    founded: dict[int, D]
    counts: dict[str, int]
    seconds: float


def _random_day(rng: random.Random, first: D, last: D) -> D | None:
    if first > last:
        return None
    return first + DAY * rng.randint(0, (last - first).days)


def _sizes(rng: random.Random, total: int, small: list[int], others: list[int]) -> dict[int, int]:
    """Members per union: 3–9 for the small ones, the rest drawn skewed (many small, a few factories of
    thousands) and scaled so that the sizes add up to ``total`` exactly."""
    sizes = {unit: rng.randint(3, 9) for unit in small}
    weights = {unit: rng.lognormvariate(0, 1.1) for unit in others}
    left = total - sum(sizes.values())
    scale = left / sum(weights.values())
    exact = {unit: weight * scale for unit, weight in weights.items()}
    sizes.update({unit: int(value) for unit, value in exact.items()})
    short = total - sum(sizes.values())
    for unit in sorted(others, key=lambda u: exact[u] - int(exact[u]), reverse=True)[:short]:
        sizes[unit] += 1
    return sizes


def build(members: int, seed: int = 2025) -> Province:
    """Write the province (see the module docstring) straight into the tables."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from congdoan.core.text import fold
    from congdoan.units.models import (
        Employer,
        Level,
        Reorganisation,
        ReorganisationUnit,
        Succession,
        Unit,
        UnitLink,
        UnitName,
        UnitType,
        path_segment,
    )

    started = time.perf_counter()
    rng = random.Random(seed)
    types = {
        level: UnitType.objects.get_or_create(
            code=f"bench-{level}", defaults={"name": str(label), "level": level}
        )[0]
        for level, label in Level.choices
    }
    union_count = max(50, round(members / MEMBERS_PER_UNION))
    district_count = max(5, union_count // UNIONS_PER_DISTRICT)
    national, province = 1, 2
    districts = list(range(3, 3 + district_count))
    unions = list(range(districts[-1] + 1, districts[-1] + 1 + union_count))
    level = {national: Level.NATIONAL, province: Level.PROVINCE}
    level |= dict.fromkeys(districts, Level.UPPER) | dict.fromkeys(unions, Level.GRASSROOTS)
    founded = dict.fromkeys(level, EPOCH)
    for union in unions:
        if rng.random() < 0.2:
            founded[union] = _random_day(rng, EPOCH + DAY, LAST_FOUNDING)
    sector = {union: rng.choices(list(SECTORS), weights=list(SECTORS.values()))[0] for union in unions}
    first_parent = {national: None, province: national, **{d: province for d in districts}}
    first_parent |= {union: rng.choice(districts) for union in unions}

    small = rng.sample(unions, round(union_count * SMALL_SHARE))
    # Merged away: small unions standing at the start of 2025, into a union of the same district union
    # standing on the day (not itself merged away, not moved).
    candidates = [u for u in small if founded[u] < D(2025, 1, 1)]
    sources = set(rng.sample(candidates, round(len(candidates) * SMALL_MERGED)))
    movable = [u for u in unions if u not in sources and founded[u] < MOVE_DAY]
    parent = dict(first_parent)
    for union in rng.sample(movable, len(unions) // 10):
        while parent[union] == first_parent[union]:
            parent[union] = rng.choice(districts)
    moved = {union for union in unions if parent[union] != first_parent[union]}
    heirs_by_district = defaultdict(list)
    for union in unions:
        if union not in sources and union not in moved and founded[union] < MERGE_DAY:
            heirs_by_district[parent[union]].append(union)
    heir = {}
    for source in sorted(sources):
        if heirs_by_district[first_parent[source]]:
            heir[source] = rng.choice(heirs_by_district[first_parent[source]])
    sources = set(heir)

    def path_of(unit: int, parents: dict) -> str:
        up = parents[unit]
        return (path_of(up, parents) if up else "") + path_segment(unit)

    first_path = {unit: path_of(unit, first_parent) for unit in level}
    path = {unit: path_of(unit, parent) for unit in level}
    for source, target in heir.items():  # today's tree files an ended unit under its successor
        parent[source] = target
        path[source] = path[target] + path_segment(source)

    with transaction.atomic():
        Unit.objects.bulk_create(
            [
                Unit(
                    pk=unit,
                    code=PROVINCE_CODE if unit == province else f"B{unit:07d}",
                    name=(
                        "Liên đoàn Lao động tỉnh Kiên Giang"
                        if unit == province
                        else f"{types[unit_level].name} số {unit}"
                    ),
                    unit_type=types[unit_level],
                    sector=sector.get(unit, ""),
                    founded_on=founded[unit],
                    dissolved_on=MERGE_DAY if unit in sources else None,
                    parent_id=parent[unit],
                    path=path[unit],
                    depth=len(path[unit]) // len(path_segment(unit)) - 1,
                    search_text=fold(f"B{unit:07d} {types[unit_level].name} số {unit}"),
                )
                for unit, unit_level in level.items()
            ],
            batch_size=2000,
        )
        UnitName.objects.bulk_create(
            [
                UnitName(unit_id=unit.pk, name=unit.name, valid_from=unit.founded_on)
                for unit in Unit.objects.only("pk", "name", "founded_on")
            ],
            batch_size=2000,
        )
        reorganisations = [
            Reorganisation(kind=Reorganisation.Kind.FOUND, effective_on=founded[unit], unit_id=unit)
            for unit in level
        ]
        reorganisations += [
            Reorganisation(kind=Reorganisation.Kind.MOVE, effective_on=MOVE_DAY, unit_id=parent[union])
            for union in sorted(moved)
        ]
        reorganisations += [
            Reorganisation(kind=Reorganisation.Kind.MERGE, effective_on=MERGE_DAY, unit_id=heir[source])
            for source in sorted(sources)
        ]
        Reorganisation.objects.bulk_create(reorganisations, batch_size=2000)  # sets each one's pk
        founding = {unit: r.pk for unit, r in zip(level, reorganisations[: len(level)], strict=True)}
        after_moves = len(level) + len(moved)
        moving = {
            u: r.pk for u, r in zip(sorted(moved), reorganisations[len(level) : after_moves], strict=True)
        }
        merging = {u: r.pk for u, r in zip(sorted(sources), reorganisations[after_moves:], strict=True)}
        Role = ReorganisationUnit.Role
        roles = [
            ReorganisationUnit(reorganisation_id=founding[u], unit_id=u, role=Role.CREATED) for u in level
        ]
        roles += [
            ReorganisationUnit(reorganisation_id=founding[u], unit_id=first_parent[u], role=Role.TARGET)
            for u in level
            if first_parent[u]
        ]
        for union, pk in moving.items():
            roles += [
                ReorganisationUnit(reorganisation_id=pk, unit_id=parent[union], role=Role.TARGET),
                ReorganisationUnit(reorganisation_id=pk, unit_id=union, role=Role.MOVED),
            ]
        for source, pk in merging.items():
            roles += [
                ReorganisationUnit(reorganisation_id=pk, unit_id=heir[source], role=Role.TARGET),
                ReorganisationUnit(reorganisation_id=pk, unit_id=source, role=Role.SOURCE),
            ]
        ReorganisationUnit.objects.bulk_create(roles, batch_size=2000)
        Succession.objects.bulk_create(
            [
                Succession(
                    predecessor_id=source,
                    successor_id=heir[source],
                    effective_on=MERGE_DAY,
                    reorganisation_id=pk,
                    primary=True,
                )
                for source, pk in merging.items()
            ],
            batch_size=2000,
        )
        links = []
        for unit in level:
            depth = len(first_path[unit]) // len(path_segment(unit)) - 1
            until = MOVE_DAY if unit in moved else MERGE_DAY if unit in sources else None
            links.append(
                UnitLink(
                    unit_id=unit,
                    parent_id=first_parent[unit],
                    path=first_path[unit],
                    depth=depth,
                    valid_from=founded[unit],
                    valid_to=until,
                    reorganisation_id=founding[unit],
                )
            )
            if unit in moved:
                links.append(
                    UnitLink(
                        unit_id=unit,
                        parent_id=parent[unit],
                        path=path[unit],
                        depth=depth,
                        valid_from=MOVE_DAY,
                        reorganisation_id=moving[unit],
                    )
                )
        UnitLink.objects.bulk_create(links, batch_size=2000)
        chosen = set(small)
        sizes = _sizes(rng, members, small, [u for u in unions if u not in chosen])
        Employer.objects.bulk_create(
            [
                Employer(
                    unit_id=union,
                    name=f"Doanh nghiệp số {union}",
                    sector=sector[union],
                    workforce=math.ceil(sizes[union] / rng.uniform(0.6, 0.95)),
                    workforce_on=D(2025, 1, 1),
                )
                for union in unions
            ],
            batch_size=2000,
        )
    history = _MemberHistory(rng, founded, sources, heir, unions)
    counts = history.write(sizes)
    with connection.cursor() as cursor:
        from congdoan.members.models import Member, MemberEvent

        for sql in connection.ops.sequence_reset_sql(no_style(), [Unit, Member, MemberEvent]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    counts |= {"units": len(level), "links": len(links), "merged": len(sources), "moved": len(moved)}
    return Province(
        unit=Unit.objects.get(pk=province),
        unit_ids=list(level),
        standing=[u for u in unions if u not in sources],
        founded=founded,
        counts=counts,
        seconds=time.perf_counter() - started,
    )


class _MemberHistory:
    """Members with dated events, written a group of unions at a time (memory stays flat)."""

    def __init__(self, rng, founded, sources, heir, unions):
        self.rng, self.founded, self.sources, self.heir = rng, founded, sources, heir
        self.receivers = [u for u in unions if u not in sources]

    def _last_day(self, union: int) -> D:
        return MERGE_DAY - DAY if union in self.sources else HISTORY_ENDS

    def steps(self, home: int) -> list[tuple]:
        """One member's events as (kind, day, unit, other unit, suspended until), in date order."""
        rng, founded = self.rng, self.founded[home]
        if founded == EPOCH and rng.random() < 0.7:
            steps = [("register", EPOCH, home, None, None)]
        elif founded > EPOCH and rng.random() < 0.4:
            steps = [("admit", founded, home, None, None)]
        else:
            steps = [("admit", _random_day(rng, founded, self._last_day(home)), home, None, None)]
        unit, day = home, steps[0][1]
        if home not in self.sources and rng.random() < 0.03:
            to, on = rng.choice(self.receivers), _random_day(rng, day + DAY, HISTORY_ENDS)
            if on is not None and to != home and self.founded[to] <= on:
                steps += [("transfer_out", on, home, to, None), ("transfer_in", on, to, home, None)]
                unit, day = to, on
        chance = rng.random()
        if chance < 0.15:
            on = _random_day(rng, day + DAY, self._last_day(unit))
            if on is not None:
                kind = rng.choices(list(EXITS), weights=list(EXITS.values()))[0]
                return [*steps, (kind, on, unit, None, None)]
        elif chance < 0.16:
            on = _random_day(rng, day + DAY, self._last_day(unit))
            if on is not None:
                steps.append(("suspend", on, unit, None, min(on + 90 * DAY, self._last_day(unit))))
        if unit in self.sources:  # the merge hands the members still in the union to its heir
            steps += [
                ("transfer_out", MERGE_DAY, unit, self.heir[unit], None),
                ("transfer_in", MERGE_DAY, self.heir[unit], unit, None),
            ]
        return steps

    def write(self, sizes: dict[int, int]) -> dict[str, int]:
        """Members (model instances, for their derived fields), their events and intervals, inserted as
        rows (``units_tree._insert``: bulk_create's per-value compiling would double the set-up)."""
        from django.db import connection, transaction
        from django.utils import timezone
        from tests.members.listfiles import persons

        from bench.units_tree import _insert
        from congdoan.members.models import Member, MemberEvent, Membership
        from congdoan.members.services import allocate_codes, current_membership, derive_memberships

        total = sum(sizes.values())
        people = persons(total, seed=2025)
        codes = iter(allocate_codes(total, year=2025))
        today = timezone.localdate()
        created = connection.ops.adapt_datetimefield_value(timezone.now())
        member_columns = [f.name for f in Member._meta.concrete_fields]
        event_columns = ["id", "member", "kind", "on", "unit", "other_unit", "other_unit_text"]
        event_columns += ["suspended_until", "decision_number", "note", "created_at"]
        member_id = event_id = 0
        counts = {"members": 0, "events": 0, "memberships": 0}
        unions = list(sizes)
        for start in range(0, len(unions), CHUNK_UNIONS):
            members, events, intervals = [], [], []
            for home in unions[start : start + CHUNK_UNIONS]:
                for _ in range(sizes[home]):
                    person = next(people)
                    steps = self.steps(home)
                    member_id += 1
                    member = Member(
                        pk=member_id,
                        code=next(codes),
                        full_name=person.full_name,
                        birth_date=person.birth_date,
                        gender=person.gender,
                        id_number=person.id_number,
                        joined_on=steps[0][1],
                    )
                    member.set_derived_fields()
                    own = []
                    for kind, on, unit, other, until in steps:
                        event_id += 1
                        text = "LĐLĐ tỉnh khác" if kind == "transfer_out" and not other else ""
                        own.append((event_id, member_id, kind, on, unit, other, text, until, "", "", created))
                    # The services' rule reads an event's kind, day, unions and end of suspension.
                    spans = derive_memberships(
                        member,
                        [
                            MemberEvent(
                                kind=kind, on=on, unit_id=unit, other_unit_id=other, suspended_until=until
                            )
                            for _id, _member, kind, on, unit, other, _text, until, *_rest in own
                        ],
                    )
                    current = current_membership(spans, today)
                    member.unit_id, member.status = current.unit_id, current.state
                    members.append(tuple(getattr(member, f.attname) for f in Member._meta.concrete_fields))
                    events += own
                    intervals += [(member_id, i.unit_id, i.state, i.valid_from, i.valid_to) for i in spans]
            with transaction.atomic():
                _insert(Member, member_columns, members)
                _insert(MemberEvent, event_columns, events)
                _insert(Membership, ["member", "unit", "state", "valid_from", "valid_to"], intervals)
            counts["members"] += len(members)
            counts["events"] += len(events)
            counts["memberships"] += len(intervals)
        return counts


def load_programmes(user) -> None:
    from congdoan.audit.context import change_context
    from congdoan.plans import services

    with change_context(user=user):
        services.load_seed_programmes(user=None)


# ------------------------------------------------------------------------------------------ measuring


@dataclass
class WindowRow:
    indicator: str
    values: dict  # the indicator's parameters
    queries: int  # by the engine, from scratch
    start: D | None
    end: D
    units: int  # units with a value
    engine_ms: float
    raw_ms: float
    parts: dict[str, float]  # where the engine's time goes (medians, ms)

    @property
    def ratio(self) -> float:
        return self.engine_ms / self.raw_ms

    @property
    def storing(self) -> float:
        """The window computed and stored, less its GROUP BYs, placing and roll-up: looking the window up,
        creating it, writing its rows, the catch-up and the transaction."""
        parts = self.parts
        return parts["whole window"] - parts["GROUP BY"] - parts["placing"] - parts["roll-up"]

    @property
    def answering(self) -> float:
        """The rest of the engine's time: ``actuals`` making the answer for every unit (reading the
        stored rows back only if the window was not computed by this call)."""
        return self.engine_ms - self.parts["whole window"]


@dataclass
class Timing:
    name: str
    median: float
    p95: float
    baseline_median: float
    baseline_p95: float
    count: int
    note: str = ""


@dataclass
class Report:
    db: str
    members: int
    repeats: int
    province: Province
    windows: list[WindowRow] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)


def seed_windows(on: D) -> list[tuple[str, D | None, D, dict]]:
    """Each window (indicator, start, end, parameters) the seed targets read on ``on``, as the progress
    page asks."""
    from congdoan.indicators import catalogue
    from congdoan.plans.models import Target
    from congdoan.plans.progress import indicator_values, window

    found = {}
    targets = Target.objects.filter(manual=False).exclude(indicator="").select_related("programme")
    for target in targets.order_by("pk"):
        span = window(target, on)
        indicator = catalogue.get(target.indicator)
        values = tuple(indicator.values(indicator_values(target)).items())
        found.setdefault((indicator.code, indicator.window_start(span.start), span.at, values), None)
    return [(code, start, end, dict(values)) for code, start, end, values in found]


def _day(value: D) -> object:
    from django.db import connection

    return connection.ops.adapt_datefield_value(value)


def _own_sql(indicator: str, start: D | None, end: D, values: dict) -> tuple[str, list]:
    """The facts of one indicator as (unit_id, numerator, denominator) rows, GROUP BY unit, by hand."""
    first, last = _day(start or D.min), _day(end)
    members_on = (
        "SELECT unit_id FROM members_membership WHERE state IN ('active', 'suspended') AND valid_from <= %s "
        "AND (valid_to IS NULL OR valid_to > %s) GROUP BY unit_id HAVING COUNT(*) >= %s"
    )
    standing = "u.founded_on <= %s AND (u.dissolved_on IS NULL OR u.dissolved_on > %s)"
    founded = (
        "SELECT r.unit_id, COUNT(*), 0 FROM units_reorganisation r JOIN units_unit u ON u.id = r.unit_id "
        "JOIN units_unittype t ON t.id = u.unit_type_id WHERE r.kind = 'found' AND r.effective_on >= %s "
        "AND r.effective_on <= %s AND t.level = 'grassroots' AND NOT EXISTS (SELECT 1 FROM "
        "units_reorganisationunit ru JOIN units_reorganisation m ON m.id = ru.reorganisation_id WHERE "
        "ru.unit_id = r.unit_id AND m.kind IN ('merge', 'split') AND m.effective_on = r.effective_on AND "
        "ru.role IN ('target', 'created'))"
    )
    if indicator == "members_admitted":
        return (
            "SELECT unit_id, COUNT(*), 0 FROM members_memberevent WHERE kind = 'admit' AND \"on\" >= %s "
            'AND "on" <= %s GROUP BY unit_id',
            [first, last],
        )
    if indicator == "members":
        return (
            "SELECT unit_id, COUNT(*), 0 FROM members_membership WHERE state IN ('active', 'suspended') "
            "AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s) GROUP BY unit_id",
            [last, last],
        )
    if indicator == "grassroots_founded":
        return f"{founded} GROUP BY r.unit_id", [first, last]
    if indicator == "enterprise_grassroots_founded_25":
        return (
            f"{founded} AND u.sector IN ('soe', 'private', 'fdi') AND u.id IN (SELECT unit_id FROM "
            "units_employer GROUP BY unit_id HAVING SUM(workforce) >= 25) GROUP BY r.unit_id",
            [first, last],
        )
    if indicator == "small_grassroots_merged_pct":
        small = f"t.level = 'grassroots' AND {standing} AND u.id NOT IN ({members_on})"  # at the start
        small_params = [first, first, first, first, values["small_below_members"]]
        return (
            "SELECT unit_id, SUM(n), SUM(d) FROM ("
            "SELECT ru.unit_id, COUNT(*) n, 0 d FROM units_reorganisationunit ru JOIN units_reorganisation r "
            "ON r.id = ru.reorganisation_id JOIN units_unit u ON u.id = ru.unit_id JOIN units_unittype t ON "
            "t.id = u.unit_type_id WHERE ru.role = 'source' AND r.kind = 'merge' AND r.effective_on >= %s "
            f"AND r.effective_on <= %s AND {small} GROUP BY ru.unit_id "
            "UNION ALL SELECT u.id, 0, COUNT(*) FROM units_unit u JOIN units_unittype t ON "
            f"t.id = u.unit_type_id WHERE {small} GROUP BY u.id) facts GROUP BY unit_id",
            [first, last, *small_params, *small_params],
        )
    raise SystemExit(f"no hand-written baseline for the indicator {indicator}")


def baseline(indicator: str, start: D | None, end: D, values: dict) -> dict[int, tuple]:
    """One statement: the facts grouped per unit, each unit placed in the tree of ``end`` (its own link
    then, or its primary successor's), rolled up to every unit on the path by the path's prefixes."""
    from django.db import connection

    from congdoan.units.models import PATH_STEP

    own, params = _own_sql(indicator, start, end, values)
    day = _day(end)

    def valid(alias: str) -> str:
        return f"{alias}.valid_from <= %s AND ({alias}.valid_to IS NULL OR {alias}.valid_to > %s)"

    depths = ", ".join(f"({k})" for k in range(1, DEPTHS + 1))
    sql = (
        f"WITH own(unit_id, n, d) AS ({own}), depths(k) AS (VALUES {depths}), "
        "held AS (SELECT own.n, own.d, COALESCE(x.unit_id, s.successor_id) AS holder FROM own "
        f"LEFT JOIN units_unitlink x ON x.unit_id = own.unit_id AND {valid('x')} "
        "LEFT JOIN units_succession s ON x.unit_id IS NULL AND s.predecessor_id = own.unit_id "
        'AND s."primary" AND s.effective_on <= %s), '
        f"placed AS (SELECT n, d, l.path FROM held JOIN units_unitlink l ON l.unit_id = held.holder "
        f"AND {valid('l')}) "
        f"SELECT CAST(substr(path, (k - 1) * {PATH_STEP} + 1, {PATH_STEP}) AS INTEGER), SUM(n), SUM(d) "
        f"FROM placed JOIN depths ON k * {PATH_STEP} <= length(path) GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, day, day, day, day, day])
        return {unit: (numerator, denominator) for unit, numerator, denominator in cursor.fetchall()}


def _engine_parts(indicator: str, start: D | None, end: D, values: dict) -> dict[str, float]:
    """The engine's steps for one window, timed one by one (the same calls ``compute_window`` makes)."""
    from congdoan.indicators import catalogue, engine
    from congdoan.indicators.models import IndicatorWindow

    found = catalogue.get(indicator)
    parts = {}
    clock = time.perf_counter()
    own = engine.own_values(found, start=start, end=end, values=values)
    parts["GROUP BY"] = time.perf_counter() - clock
    clock = time.perf_counter()
    places = engine.placements(own, end=end, regroup_today=False)
    parts["placing"] = time.perf_counter() - clock
    clock = time.perf_counter()
    engine.roll_up(own, places)
    parts["roll-up"] = time.perf_counter() - clock
    IndicatorWindow.objects.all().delete()
    clock = time.perf_counter()
    engine.actuals(indicator=indicator, start=start, end=end, unit_ids=[], values=values)
    parts["whole window"] = time.perf_counter() - clock
    return {name: seconds * 1000 for name, seconds in parts.items()}


def measure_windows(report: Report) -> None:
    from congdoan.indicators import engine
    from congdoan.indicators.models import IndicatorWindow

    unit_ids = report.province.unit_ids
    for indicator, start, end, values in seed_windows(READ_ON):

        def by_engine(indicator=indicator, start=start, end=end, values=values):
            return engine.actuals(indicator=indicator, start=start, end=end, unit_ids=unit_ids, values=values)

        def by_hand(indicator=indicator, start=start, end=end, values=values):
            return baseline(indicator, start, end, values)

        engine_times, raw_times, parts = [], [], defaultdict(list)
        for repeat in range(report.repeats + 1):  # the first of each is a warm-up
            IndicatorWindow.objects.all().delete()
            clock = time.perf_counter()
            computed = by_engine()
            engine_ms = (time.perf_counter() - clock) * 1000
            clock = time.perf_counter()
            expected = by_hand()
            raw_ms = (time.perf_counter() - clock) * 1000
            if repeat:
                engine_times.append(engine_ms)
                raw_times.append(raw_ms)
                for name, ms in _engine_parts(indicator, start, end, values).items():
                    parts[name].append(ms)
            report.loads.append(_load())
        for unit in unit_ids:
            numerator, denominator = expected.get(unit, (0, 0))
            actual = computed[unit]
            assert actual.numerator == numerator and (actual.denominator or 0) == denominator, (
                f"{indicator} {start}–{end}, unit {unit}: engine {actual}, by hand {numerator}/{denominator}"
            )
        IndicatorWindow.objects.all().delete()
        report.windows.append(
            WindowRow(
                indicator=indicator,
                values=values,
                queries=_queries(by_engine),
                start=start,
                end=end,
                units=sum(1 for unit in unit_ids if expected.get(unit, (0, 0)) != (0, 0)),
                engine_ms=statistics.median(engine_times),
                raw_ms=statistics.median(raw_times),
                parts={name: statistics.median(values) for name, values in parts.items()},
            )
        )
        print(f"  window {indicator} {start}–{end}: ratio {report.windows[-1].ratio:.2f}", flush=True)


def _queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def _page_read(officer, on: D):
    """What the progress page reads of the province's figures."""
    from congdoan.plans import progress

    programme = progress.programme_of(officer, PROGRAMME)
    unit = progress.unit_for(officer, programme, None, on)
    return progress.programme_progress(programme=programme, unit=unit, at=on)


def _admitted(rows) -> object:
    return next(row.numerator for row in rows if row.target.indicator == "members_admitted")


def measure_event_to_dashboard(report: Report, officer, events: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone
    from tests.members.listfiles import persons

    from congdoan.audit.context import change_context
    from congdoan.indicators import engine
    from congdoan.members import services
    from congdoan.members.models import Member
    from congdoan.units.models import Unit

    rng = random.Random(7)
    on = timezone.localdate()
    province = report.province
    first_day, last_day = D(LATE_ENTRY_YEAR, 1, 1), D(LATE_ENTRY_YEAR, 12, 31)
    open_to_admissions = [u for u in province.standing if province.founded[u] <= last_day]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_trivial_event (unit_id integer NOT NULL, day date NOT NULL)")
        cursor.execute("CREATE INDEX bench_trivial_event_unit ON bench_trivial_event (unit_id)")
    refreshes = []
    apply_pending = engine.apply_pending

    def timed_apply_pending():  # the refresh runs when the service's transaction commits
        clock = time.perf_counter()
        apply_pending()
        refreshes.append((time.perf_counter() - clock) * 1000)

    engine.apply_pending = timed_apply_pending
    before = _admitted(_page_read(officer, on))  # warm: the page's windows are stored
    totals, writes, refresh, reads, trivial = [], [], [], [], []
    # Other people than the province's (another seed), numbered within the million the generator keeps
    # unique; an ID number that meets one of the province's anyway is left out.
    people = persons(events + 1, seed=99, start=min(report.members, 1_000_000 - events - 1))
    try:
        for index in range(events + 1):  # the first of each is a warm-up
            union = Unit.objects.select_related("unit_type").get(pk=rng.choice(open_to_admissions))
            day = _random_day(rng, max(first_day, union.founded_on), last_day)
            person = next(people)
            taken = Member.objects.filter(id_number=person.id_number).exists()
            member = Member(
                full_name=person.full_name,
                birth_date=person.birth_date,
                gender=person.gender,
                id_number=None if taken else person.id_number,
                joined_on=day,
            )
            refreshes.clear()
            clock = time.perf_counter()
            with change_context(user=officer):
                services.admit_member(member=member, unit=union, on=day)
            written = time.perf_counter()
            refreshed = sum(refreshes)  # the page read below applies nothing more: the commit did
            after = _admitted(_page_read(officer, on))
            done = time.perf_counter()
            assert after == before + 1, f"the dashboard reads {after} admitted after {before} and one more"
            before = after
            clock_trivial = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_trivial_event (unit_id, day) VALUES (%s, %s)", [union.pk, _day(day)]
                )
                cursor.execute("SELECT COUNT(*) FROM bench_trivial_event WHERE unit_id = %s", [union.pk])
                cursor.fetchone()
            trivial_ms = (time.perf_counter() - clock_trivial) * 1000
            report.loads.append(_load())
            if index:
                totals.append((done - clock) * 1000)
                writes.append((written - clock) * 1000)
                reads.append((done - written) * 1000)
                trivial.append(trivial_ms)
                refresh.append(refreshed)
    finally:
        engine.apply_pending = apply_pending
    read_queries = _queries(lambda: _page_read(officer, on))
    for name, times, note in (
        ("2. new member event → updated dashboard", totals, "admit_member + refresh + page read"),
        ("2a. admit_member (with the refresh on commit)", writes, ""),
        ("2b. of which the incremental refresh", refresh, "engine.apply_pending on commit"),
        ("2c. progress page read of the new actual", reads, f"{read_queries} queries"),
    ):
        report.timings.append(
            Timing(name, statistics.median(times), _p95(times), statistics.median(trivial), _p95(trivial),
                   len(times), note)
        )  # fmt: skip


def measure_pages(report: Report, officer, requests: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from congdoan.plans.models import Target

    client = Client()
    client.force_login(officer)
    target = Target.objects.get(programme__ref=PROGRAMME, indicator="members_admitted")
    pages = [
        ("3. progress page (KG-NQ-2020, the province)", reverse("plans:progress", args=[PROGRAMME])),
        (
            "3a. target page (drill-down, bars, monthly trend)",
            reverse("plans:target-progress", args=[PROGRAMME, target.pk]),
        ),
    ]
    trivial_url = "/"  # a redirect to the tree: the middleware and the session, no query of its own
    expected = {trivial_url: 302}
    for name, url in pages:
        assert client.get(url).status_code == 200  # warm: every window the page reads is stored
        times, trivial = [], []
        for _ in range(requests):
            for address, into in ((url, times), (trivial_url, trivial)):
                clock = time.perf_counter()
                response = client.get(address)
                into.append((time.perf_counter() - clock) * 1000)
                assert response.status_code == expected.get(address, 200), (address, response.status_code)
            report.loads.append(_load())
        report.timings.append(
            Timing(name, statistics.median(times), _p95(times), statistics.median(trivial), _p95(trivial),
                   len(times), f"{_queries(lambda url=url: client.get(url))} queries")
        )  # fmt: skip


def run(*, members: int, repeats: int, events: int, requests: int, db: str) -> Report:
    from congdoan.accounts.models import Role, User

    province = build(members)
    officer = User.objects.create(username="bench-officer", unit=province.unit, role=Role.OFFICER)
    load_programmes(officer)
    report = Report(db=db, members=members, repeats=repeats, province=province)
    print(f"set-up: {province.counts} in {province.seconds:.1f} s", flush=True)
    measure_windows(report)
    measure_event_to_dashboard(report, officer, events)
    measure_pages(report, officer, requests)
    return report


# ----------------------------------------------------------------------------------------- reporting


def markdown(report: Report, command: str) -> str:
    from django.db import connection
    from django.utils.formats import date_format

    if connection.vendor == "postgresql":
        engine = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        engine = f"SQLite {connection.Database.sqlite_version}"
    counts = report.province.counts
    loads = report.loads or [_load()]

    def period(start, end):
        return f"{date_format(start, 'd/m/Y') if start else '…'} – {date_format(end, 'd/m/Y')}"

    engine_total = sum(row.engine_ms for row in report.windows)
    raw_total = sum(row.raw_ms for row in report.windows)
    lines = [
        f"### {engine}, {report.members:,} members",
        "",
        f"Run {datetime.datetime.now():%d/%m/%Y %H:%M} on {os.cpu_count()} CPUs (load {min(loads):.1f}–"
        f"{max(loads):.1f} during the measurements), Python {platform.python_version()}: `{command}`. "
        f"Set-up (written straight into the tables, not measured): {counts['units']:,} units "
        f"({counts['merged']:,} merged away and {counts['moved']:,} moved in 2025), {counts['members']:,} "
        f"members, {counts['events']:,} events and {counts['memberships']:,} membership intervals in "
        f"{report.province.seconds:.1f} s.",
        "",
        f"**1. Every window of the seed targets, from scratch** (medians of {report.repeats}; every unit's "
        "value checked against the hand-written statement):",
        "",
        "| indicator | period | units with a value | engine ms | queries | hand-written SQL ms | ratio "
        "| GROUP BYs ms | placing ms | roll-up ms | storing ms | answering ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def named(row: WindowRow) -> str:
        given = ", ".join(f"{name} = {value}" for name, value in row.values.items())
        return f"{row.indicator} ({given})" if given else row.indicator

    lines += [
        f"| {named(row)} | {period(row.start, row.end)} | {row.units:,} | {row.engine_ms:.1f} "
        f"| {row.queries} | {row.raw_ms:.1f} | {row.ratio:.2f} | {row.parts['GROUP BY']:.1f} "
        f"| {row.parts['placing']:.1f} | {row.parts['roll-up']:.1f} | {row.storing:.1f} "
        f"| {row.answering:.1f} |"
        for row in report.windows
    ]
    lines += [
        f"| **all {len(report.windows)} windows** | | | {engine_total:.1f} | | {raw_total:.1f} "
        f"| **{engine_total / raw_total:.2f}** | | | | | |",
        "",
        "Where the engine's time goes, each step timed apart (the same calls `compute_window` makes): the "
        "measures' GROUP BYs (`own_values`), placing the units with values in the tree of the window's end "
        "(`placements`), the roll-up in Python (`roll_up`), storing the window (the rest of `actuals`: "
        "looking it up, creating it, writing its rows, the catch-up, the transaction), and `actuals` making "
        "the answer for every unit (the rest of the engine's time). Queries: the engine's statements for "
        "one window from scratch (transaction statements included).",
        "",
        "**2–3. Event to dashboard, and the progress pages** (ms; baselines in the same run, in turn):",
        "",
        "| measurement | n | median | p95 | baseline median | baseline p95 | ratio of medians | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {t.name} | {t.count} | {t.median:.1f} | {t.p95:.1f} | {t.baseline_median:.2f} "
        f"| {t.baseline_p95:.2f} | {t.median / t.baseline_median:.1f} | {t.note} |"
        for t in report.timings
    ]
    lines += [
        "",
        "Baselines: (1) one hand-written statement per window; (2) one row inserted and one SELECT in a "
        "transaction; (3) `/`, a redirect to the tree page, through the same logged-in client (the "
        "middleware and the session, no query of its own).",
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def database(kind: str, members: int):
    """Point Django at a fresh database of ``kind`` (before it is set up) and remove it afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-indicators."))
    os.environ["CONGDOAN_VAR"] = str(scratch)
    try:
        if kind == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
            yield
            return
        from bench import pg

        with contextlib.ExitStack() as stack:
            server = os.environ.get("DATABASE_URL") or stack.enter_context(pg.cluster())
            name = f"bench_indicators_{members}"
            os.environ["DATABASE_URL"] = pg.create_database(server, name)
            try:
                yield
            finally:
                import psycopg
                from django.db import connections

                connections.close_all()
                with psycopg.connect(server, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 members (overrides --members)")
    parser.add_argument("--repeats", type=int, default=5, help="engine runs per window (measurement 1)")
    parser.add_argument("--events", type=int, default=50, help="member events (measurement 2)")
    parser.add_argument("--requests", type=int, default=50, help="page requests (measurement 3)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    members = 1_000_000 if args.million else args.members
    # Stopped (SIGTERM) like interrupted: unwind, so that a throwaway cluster is stopped and removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with database(args.db, members):
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdoan.settings")
        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        setup_test_environment()
        settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain http
        call_command("migrate", verbosity=0)
        report = run(
            members=members, repeats=args.repeats, events=args.events, requests=args.requests, db=args.db
        )
        command = " ".join([".venv/bin/python -m bench.indicators", *sys.argv[1:]])
        text = markdown(report, command)
        print(text, flush=True)
        if not args.no_write:
            write_block(text, benchmark="indicators", key=f"{args.db} {members}", section=SECTION)
            print(f"\nwritten to {README}")


if __name__ == "__main__":
    main()
