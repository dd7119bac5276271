"""The demo's members: people with a dated history in every grassroots union, from 2019 to the end of 2025.

Each grassroots union (CĐCS) holds most of its employer's workforce: on 01/01/2019, when records begin, the
members of the time are registered from the earlier lists (ghi nhận từ danh sách cũ); a union founded later
admits its first members on its founding day. Month by month the unions then admit new members (kết nạp),
towards a share of the workforce drawn per union (60–92%), and members leave, retire, die, are suspended
and resume, are expelled, or move to another union of the province or outside it. A union that merges
hands its members to the merged union on the day, a union that carves out a branch hands it a share, and
the members of a union that is dissolved end with it: what ``members.services.settle_members_of_ended_unit``
does. Two seed programmes count admissions: their provinces admit a share of the target in that year.

Members, events and intervals are written as plain rows (``core.db.insert_rows``) and the database logs them
as the member import's (``members.imports.writing.log_new_members``, in the build's one change context), a
group of unions at a time, so memory stays flat however large a province is. The
intervals come from ``members.services.derive_memberships``, the rule the services replay with. The same
seed and sizes give the same people and histories.
"""

import datetime
import enum
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max, Q
from django.utils import timezone

from congdoan.core.db import insert_rows
from congdoan.core.text import fold
from congdoan.demo import names
from congdoan.demo.places import Province
from congdoan.members import services
from congdoan.members.imports.writing import log_new_members
from congdoan.members.models import (
    CardType,
    EducationLevel,
    EventKind,
    Gender,
    Member,
    MemberEvent,
    Membership,
    PoliticalTheory,
    ProfessionalLevel,
    UnionPosition,
)
from congdoan.units.models import Reorganisation, ReorganisationUnit, Sector, Succession, Unit

D = datetime.date
DAY = datetime.timedelta(days=1)
EPOCH = D(2019, 1, 1)  # records begin: units that existed before are entered as founded on this day
HISTORY_ENDS = D(2025, 12, 31)  # the last day with member events
CHUNK_WORKFORCE = 12_000  # the unions simulated and written together hold about this many workers

# Admissions two seed programmes count: (province, year) -> the target's number (000 I.5, 002 I.1).
ADMISSION_TARGETS = {("DB", 2020): 594, ("KG", 2020): 5_821}
# The share of the target a province reaches, drawn per build: partial progress, sometimes more than met.
TARGET_REACHED = (0.6, 1.1)

# Yearly rates of leaving the union (thôi: people change jobs) by the builder's category of union.
LEAVING = {"private": 0.12, "park_private": 0.12, "fdi": 0.15, "coop": 0.08, "guild": 0.10, "soe": 0.05}
LEAVING_PUBLIC = 0.025
# Other yearly rates, of the members standing in a union.
DEATHS, EXPULSIONS, SUSPENSIONS = 0.002, 0.0003, 0.006
MOVES_OUTSIDE, MOVES_WITHIN = 0.006, 0.012  # transfers to another province, to a union of this province
FROM_OUTSIDE = 0.04  # the share of newcomers who transfer in from a union outside the system
# Ethnic groups of the members by province (official codes): Thái and Mông in the north-west, Khmer and
# Hoa in the Mekong delta.
ETHNIC_MIX = {
    "DB": {"01": 52, "03": 30, "08": 13, "29": 5},
    "LC": {"01": 48, "03": 24, "08": 20, "09": 8},
    "KG": {"01": 84, "05": 13, "04": 3},
    "AG": {"01": 91, "05": 6, "04": 2, "17": 1},
    "HN": {"01": 97, "06": 2, "02": 1},
}
PHONE_PREFIXES = ("32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98", "88", "91", "94",
                  "70", "76", "77", "78", "79", "81", "82", "83", "84", "85")  # fmt: skip
OCCUPATIONS = {
    "ubnd": ("Chuyên viên", "Công chức địa chính", "Công chức tư pháp", "Kế toán", "Văn thư"),
    "hospital": ("Bác sĩ", "Điều dưỡng", "Kỹ thuật viên y tế", "Dược sĩ", "Hộ lý", "Nhân viên hành chính"),
    "tram_yte": ("Y sĩ", "Điều dưỡng", "Hộ sinh", "Dược sĩ"),
    "health_centre": ("Bác sĩ", "Điều dưỡng", "Y sĩ", "Nhân viên hành chính"),
    "health_body": ("Chuyên viên", "Bác sĩ", "Kỹ thuật viên xét nghiệm"),
    "mam_non": ("Giáo viên mầm non", "Cô nuôi dưỡng", "Nhân viên kế toán"),
    "tieu_hoc": ("Giáo viên tiểu học", "Nhân viên thư viện", "Nhân viên kế toán"),
    "thcs": ("Giáo viên trung học cơ sở", "Nhân viên thiết bị", "Nhân viên kế toán"),
    "thpt": ("Giáo viên trung học phổ thông", "Nhân viên văn thư", "Nhân viên kế toán"),
    "college": ("Giảng viên", "Chuyên viên đào tạo", "Nhân viên"),
    "guild": ("Lao động tự do", "Lái xe", "Thuyền viên", "Bốc xếp"),
}
OCCUPATIONS_PUBLIC = ("Chuyên viên", "Kế toán", "Viên chức", "Nhân viên hành chính", "Lái xe")
OCCUPATIONS_ENTERPRISE = ("Công nhân", "Công nhân", "Công nhân", "Nhân viên kinh doanh", "Kế toán", "Thủ kho",
                          "Kỹ thuật viên", "Lái xe", "Tổ trưởng sản xuất", "Nhân viên văn phòng")  # fmt: skip
PUBLIC = {Sector.PUBLIC_FULL, Sector.PUBLIC_PART}


# Member records per worker of the employers that a history from 2019 gives (those who left count too).
PEOPLE_PER_WORKER = 1.17


def workforce_for(people: int) -> int:
    """The workforce a province needs for about ``people`` member records of its own accord, a little
    fewer, so that asking for exactly ``people`` tops up the last month rather than holding back."""
    return round(people / (PEOPLE_PER_WORKER + 0.05))


# ------------------------------------------------------------------------------------------ the unions


@dataclass(eq=False)
class UnionSpec:
    """A grassroots union as the members see it: its dates, its end, its size and its employers."""

    pk: int
    code: str
    province: Province
    category: str  # the builder's category key
    sector: str
    founded_on: datetime.date
    ended_on: datetime.date | None
    successor: int | None  # the union its members move to when it ends (a merger), else they end with it
    origin: str  # "new": admits its first members; "carved" (a split) or "merged": takes them over
    workforce: int
    female_share: float
    employers: list[int]
    end_decision: str = ""  # the number of the decision that ended it
    carved_from: int | None = None
    carve_share: float = 0.0


def union_specs(plans, *, seed: int) -> list[UnionSpec]:
    """The grassroots unions of the builder's province plans, with how each one ended, read back."""
    by_pk = {g.unit.pk: (plan.province, g) for plan in plans for g in plan.grassroots if g.unit}
    ended = dict(
        Unit.objects.filter(pk__in=by_pk, dissolved_on__isnull=False).values_list("pk", "dissolved_on")
    )
    successors = dict(
        Succession.objects.filter(predecessor__in=by_pk, successor__in=by_pk, primary=True).values_list(
            "predecessor", "successor"
        )
    )
    carved = dict(
        ReorganisationUnit.objects.filter(
            unit__in=by_pk,
            role=ReorganisationUnit.Role.CREATED,
            reorganisation__kind=Reorganisation.Kind.SPLIT,
        ).values_list("unit", "reorganisation__unit")
    )
    end_decisions = dict(
        ReorganisationUnit.objects.filter(
            unit__in=ended,
            role__in=[ReorganisationUnit.Role.SOURCE, ReorganisationUnit.Role.ENDED],
            reorganisation__kind__in=[Reorganisation.Kind.MERGE, Reorganisation.Kind.DISSOLVE],
        ).values_list("unit", "reorganisation__decision__number")
    )
    sources = defaultdict(list)
    for source, successor in successors.items():
        sources[successor].append(by_pk[source][1])
    specs = {}
    for pk, (province, plan) in by_pk.items():
        if plan.employer:
            workforce, female = plan.employer.workforce, plan.employer.female_share
            employers = [plan.employer.record.pk]
        elif sources[pk]:  # a merger: the employers of the unions it took in
            workforce = sum(s.employer.workforce for s in sources[pk])
            female = sum(s.employer.female_share * s.employer.workforce for s in sources[pk]) / workforce
            employers = [s.employer.record.pk for s in sources[pk]]
        else:  # a guild: self-employed workers of one trade
            workforce = random.Random(f"{seed}:{plan.unit.code}").randint(20, 60)
            female, employers = 0.2, []
        origin = "carved" if pk in carved else "merged" if sources[pk] else "new"
        specs[pk] = UnionSpec(
            pk=pk,
            code=plan.unit.code,
            province=province,
            category=plan.category,
            sector=plan.sector,
            founded_on=plan.founded_on,
            ended_on=ended.get(pk),
            successor=successors.get(pk),
            end_decision=end_decisions.get(pk) or "",
            origin=origin,
            workforce=workforce,
            female_share=female,
            employers=employers,
            carved_from=carved.get(pk),
        )
    for spec in specs.values():
        if spec.carved_from is not None:
            source = specs[spec.carved_from]
            spec.carve_share = spec.workforce / (spec.workforce + source.workforce)
    return sorted(specs.values(), key=lambda s: s.code)


def chunks(specs: list[UnionSpec], size: int = CHUNK_WORKFORCE) -> Iterator[list[UnionSpec]]:
    """Groups of one province's unions, about ``size`` workers each, never parting unions whose members
    move between them on a merger or a split, and each with a union still active at the end."""
    parent: dict[int, int] = {s.pk: s.pk for s in specs}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for spec in specs:
        for other in (spec.successor, spec.carved_from):
            if other is not None:
                parent[root(spec.pk)] = root(other)
    clusters: dict[int, list[UnionSpec]] = {}
    for spec in specs:  # sorted by code: a cluster is keyed by its first union
        clusters.setdefault(root(spec.pk), []).append(spec)
    by_province: dict[str, list[list[UnionSpec]]] = defaultdict(list)
    for cluster in clusters.values():
        by_province[cluster[0].province.key].append(cluster)
    for province_clusters in by_province.values():
        groups: list[list[UnionSpec]] = [[]]
        for cluster in province_clusters:
            if sum(s.workforce for s in groups[-1]) >= size and any(s.ended_on is None for s in groups[-1]):
                groups.append([])
            groups[-1].extend(cluster)
        if len(groups) > 1 and all(s.ended_on is not None for s in groups[-1]):
            groups[-2].extend(groups.pop())
        yield from groups


# ------------------------------------------------------------------------------------------ the people


@dataclass(frozen=True, slots=True)
class Step:
    """One event of a person's history, before it is written."""

    kind: str
    on: datetime.date
    unit: int
    other_unit: int | None = None
    other_text: str = ""
    until: datetime.date | None = None
    decision: str = ""


@dataclass(eq=False, slots=True)
class Person:
    unit: UnionSpec
    female: bool
    born: datetime.date
    ethnic_group: str
    joined_on: datetime.date
    employer_id: int | None
    position: str
    home: UnionSpec | None = None  # the union they first stood in
    events: list["Step"] = field(default_factory=list)
    suspended: bool = False
    resting_until: datetime.date | None = None  # suspended until this day: no other step before it
    gone: bool = False

    def step(self, kind: str, on: datetime.date, unit: int, **details) -> None:
        self.events.append(Step(kind, on, unit, **details))


class Roster:
    """The people standing in a union, drawn at random in a fixed order."""

    def __init__(self):
        self.people: list[Person] = []
        self.position: dict[Person, int] = {}

    def __len__(self) -> int:
        return len(self.people)

    def add(self, person: Person) -> None:
        self.position[person] = len(self.people)
        self.people.append(person)

    def remove(self, person: Person) -> None:
        index = self.position.pop(person)
        last = self.people.pop()
        if last is not person:
            self.people[index] = last
            self.position[last] = index


def _months() -> Iterator[tuple[datetime.date, datetime.date]]:
    start = EPOCH
    while start <= HISTORY_ENDS:
        following = D(start.year + start.month // 12, start.month % 12 + 1, 1)
        yield start, following - DAY
        start = following


def _round(rng: random.Random, value: float) -> int:
    """``value`` rounded up or down at random, so that small expected counts add up right."""
    whole = int(value)
    return whole + (rng.random() < value - whole)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ChunkHistory:
    """Draws the people of a group of unions and their history, month by month."""

    def __init__(
        self,
        specs: list[UnionSpec],
        *,
        rng: random.Random,
        admissions: Mapping[int, int],
        people: int | None,
    ):
        self.specs = specs
        self.rng = rng
        self.admissions_wanted = admissions  # year -> admissions this group should make that year
        self.budget = people  # exactly this many people, if given
        self.rosters = {s.pk: Roster() for s in specs}
        self.resting: dict[int, list[Person]] = defaultdict(list)
        self.goal = {s.pk: round(s.workforce * rng.uniform(0.60, 0.92)) for s in specs}
        self.positions: dict[int, int] = defaultdict(int)
        self.people: list[Person] = []
        self.admitted: dict[int, int] = defaultdict(int)  # year -> admissions made
        self.due: dict[tuple[int, int], list[Person]] = defaultdict(list)  # (year, month) -> retirements
        self.resumes: dict[tuple[int, int], list[Person]] = defaultdict(list)
        self.unfounded = sum(1 for s in specs if s.origin == "new")
        self.by_pk = {s.pk: s for s in specs}
        self.carving: dict[int, list[UnionSpec]] = defaultdict(list)  # union -> branches carved out of it
        for spec in specs:
            if spec.carved_from is not None:
                self.carving[spec.carved_from].append(spec)

    # --- people

    def _room(self, wanted: int, *, founding: bool = False) -> int:
        """How many of ``wanted`` newcomers the budget allows (five are kept for each union to found)."""
        if self.budget is None:
            return wanted
        reserve = 5 * (self.unfounded - founding)
        return max(0, min(wanted, self.budget - len(self.people) - reserve))

    def _position(self, union: UnionSpec) -> str:
        index = self.positions[union.pk]
        self.positions[union.pk] += 1
        if index == 0:
            return UnionPosition.CHAIR
        if index == 1 and union.workforce >= 30:
            return UnionPosition.VICE_CHAIR
        if index < 5 and union.workforce >= 15:
            return UnionPosition.COMMITTEE
        return UnionPosition.GROUP_LEADER if self.rng.random() < 0.02 else UnionPosition.MEMBER

    def _person(self, union: UnionSpec, on: datetime.date, kind: str) -> Person:
        rng = self.rng
        female = rng.random() < union.female_share
        mix = ETHNIC_MIX[union.province.key]
        ethnic = rng.choices(list(mix), weights=list(mix.values()))[0]
        if kind == EventKind.REGISTER:
            age = rng.triangular(19, 54 if female else 59, 34)
        else:
            age = rng.triangular(18, 45, 23)
        born = on - datetime.timedelta(days=round(age * 365.25))
        if kind == EventKind.REGISTER:
            earliest = max(_years_later(born, 18), D(1990, 1, 1))
            joined = earliest + datetime.timedelta(days=rng.randint(0, max(0, (EPOCH - DAY - earliest).days)))
        elif kind == EventKind.TRANSFER_IN:
            earliest = _years_later(born, 18)
            joined = earliest + datetime.timedelta(days=rng.randint(0, max(0, (on - earliest).days - 30)))
        else:
            joined = on
        person = Person(
            unit=union,
            female=female,
            born=born,
            ethnic_group=ethnic,
            joined_on=joined,
            employer_id=rng.choice(union.employers) if union.employers else None,
            position=self._position(union),
            home=union,
        )
        # About the ages of the Labour Code 2019: 60 and 55, a few months more each year since 2021.
        retires_on = _years_later(born, 55 if female else 60) + datetime.timedelta(days=rng.randint(90, 240))
        if retires_on <= HISTORY_ENDS:
            self.due[(retires_on.year, retires_on.month)].append(person)
        self.people.append(person)
        self.rosters[union.pk].add(person)
        return person

    def _newcomer(self, union: UnionSpec, on: datetime.date) -> None:
        """A new member: admitted, or now and then transferred in from a union outside the system."""
        if self.rng.random() < FROM_OUTSIDE:
            person = self._person(union, on, EventKind.TRANSFER_IN)
            text = f"Liên đoàn Lao động {self.rng.choice(OTHER_PROVINCES)}"
            person.step(EventKind.TRANSFER_IN, on, union.pk, other_text=text)
        else:
            person = self._person(union, on, EventKind.ADMIT)
            person.step(EventKind.ADMIT, on, union.pk)
            self.admitted[on.year] += 1

    # --- steps

    def _leave(self, person: Person, kind: str, on: datetime.date, **details) -> None:
        person.step(kind, on, person.unit.pk, **details)
        self.rosters[person.unit.pk].remove(person)
        person.gone = True

    def _transfer(
        self, person: Person, to: UnionSpec, on: datetime.date, *, arrive: bool = True, decision: str = ""
    ) -> None:
        source = person.unit
        person.step(EventKind.TRANSFER_OUT, on, source.pk, other_unit=to.pk, decision=decision)
        person.step(EventKind.TRANSFER_IN, on, to.pk, other_unit=source.pk, decision=decision)
        self.rosters[source.pk].remove(person)
        person.unit, person.suspended = to, False  # a transfer makes them active in the new union
        if to.employers and person.employer_id not in to.employers:
            person.employer_id = self.rng.choice(to.employers)
        if arrive:
            self.rosters[to.pk].add(person)

    def _suspend(self, person: Person, on: datetime.date) -> None:
        rng, union = self.rng, person.unit
        until = on + datetime.timedelta(days=rng.randint(90, 365))
        first_of_end_month = union.ended_on.replace(day=1) if union.ended_on else None
        if (
            rng.random() < 0.5
            and until <= HISTORY_ENDS
            and (first_of_end_month is None or until < first_of_end_month)
        ):
            person.step(EventKind.SUSPEND, on, union.pk, until=until)
            person.resting_until = until
            self.rosters[union.pk].remove(person)
            self.resting[union.pk].append(person)
        else:
            person.step(EventKind.SUSPEND, on, union.pk)
            person.suspended = True
            back = on + datetime.timedelta(days=rng.randint(60, 540))
            if back <= HISTORY_ENDS:
                self.resumes[(back.year, back.month)].append(person)

    # --- the months

    def _window(self, union: UnionSpec, start, end) -> tuple[datetime.date, datetime.date] | None:
        """The days of the month on which a union's members may take a step of their own."""
        low = max(start, union.founded_on + DAY)
        high = end
        if union.ended_on is not None:
            high = min(high, union.ended_on - DAY)
        for spec in self.carving.get(union.pk, ()):
            if start <= spec.founded_on <= end:
                high = min(high, spec.founded_on - DAY)
        return (low, high) if low <= high else None

    def _day(self, window) -> datetime.date:
        low, high = window
        return low + datetime.timedelta(days=self.rng.randint(0, (high - low).days))

    def run(self) -> list[Person]:
        founding = sorted(self.specs, key=lambda s: (s.founded_on, s.code))
        endings = sorted(
            [(s.founded_on, 0, s) for s in self.specs if s.origin == "carved"]
            + [(s.ended_on, 1, s) for s in self.specs if s.ended_on is not None],
            key=lambda item: (item[0], item[1], item[2].code),
        )
        for start, end in _months():
            for spec in founding:
                if start <= spec.founded_on <= end:
                    self._found(spec)
            self._month(start, end)
            for on, order, spec in endings:
                if start <= on <= end:
                    self._carve(spec) if order == 0 else self._end(spec)
        self._top_up()
        return self.people

    def _found(self, union: UnionSpec) -> None:
        if union.origin != "new":
            return  # its members come with the merger or the split
        rng, on = self.rng, union.founded_on
        share = rng.uniform(0.50, 0.80) if on == EPOCH else rng.uniform(0.30, 0.60)
        count = self._room(max(5, round(union.workforce * share)), founding=True)
        self.unfounded -= 1
        kind = EventKind.REGISTER if on == EPOCH else EventKind.ADMIT
        for _ in range(count):
            person = self._person(union, on, kind)
            person.step(kind, on, union.pk)
        if kind == EventKind.ADMIT:
            self.admitted[on.year] += count

    def _month(self, start: datetime.date, end: datetime.date) -> None:
        rng = self.rng
        touched: set[Person] = set()
        arrivals: list[tuple[Person, UnionSpec]] = []
        windows = {}
        for spec in self.specs:
            if spec.founded_on <= end and (spec.ended_on is None or spec.ended_on > start):
                windows[spec.pk] = self._window(spec, start, end)
        # Unions a member may move to this month: open all month, with nothing else happening to them.
        settled = [spec for spec in self.specs if windows.get(spec.pk) == (start, end)]
        for spec in self.specs:
            resting = self.resting[spec.pk]
            for person in [p for p in resting if p.resting_until <= start]:
                resting.remove(person)
                person.resting_until = None
                self.rosters[spec.pk].add(person)
            window = windows.get(spec.pk)
            if window is None:
                continue
            roster = self.rosters[spec.pk]
            standing = len(roster)
            leaving = LEAVING_PUBLIC if spec.sector in PUBLIC else LEAVING.get(spec.category, 0.08)
            rates = (
                (EventKind.LEAVE, leaving),
                (EventKind.DECEASED, DEATHS),
                (EventKind.EXPEL, EXPULSIONS),
                (EventKind.TRANSFER_OUT, MOVES_OUTSIDE),
                ("within", MOVES_WITHIN),
                (EventKind.SUSPEND, SUSPENSIONS),
            )
            counts = [(kind, _round(rng, standing * rate / 12)) for kind, rate in rates]
            chosen = rng.sample(roster.people, min(standing, sum(n for _, n in counts)))
            for kind, count in counts:
                for person in chosen[:count]:
                    on = self._day(window)
                    touched.add(person)
                    if kind == "within":
                        destination = rng.choice(settled) if settled else None
                        if destination is not None and destination is not spec:
                            self._transfer(person, destination, on, arrive=False)
                            arrivals.append((person, destination))
                    elif kind == EventKind.SUSPEND:
                        if not person.suspended:
                            self._suspend(person, on)
                    elif kind == EventKind.TRANSFER_OUT:
                        self._leave(
                            person, kind, on, other_text=f"Liên đoàn Lao động {rng.choice(OTHER_PROVINCES)}"
                        )
                    else:
                        self._leave(person, kind, on)
                chosen = chosen[count:]
            size = len(roster) + len(resting)
            expected = standing * leaving / 12 + max(0, self.goal[spec.pk] - size) * 0.04
            newcomers = self._room(min(_round(rng, expected), max(0, spec.workforce - size)))
            for _ in range(newcomers):
                self._newcomer(spec, self._day(window))
        self._due_steps(start, end, windows, touched)
        self._campaign(start, end, windows)
        for person, destination in arrivals:
            self.rosters[destination.pk].add(person)

    def _due_steps(self, start, end, windows, touched: set[Person]) -> None:
        """Retirements and the ends of open suspensions that fall in this month."""
        month = (start.year, start.month)
        later = (end + DAY).year, (end + DAY).month
        for queue, step in ((self.due, "retire"), (self.resumes, "resume")):
            for person in queue.pop(month, []):
                if person.gone or (step == "resume" and not person.suspended):
                    continue
                window = windows.get(person.unit.pk)
                if person in touched or person.resting_until or window is None:
                    if later[0] <= HISTORY_ENDS.year:
                        queue[later].append(person)
                    continue
                touched.add(person)
                on = self._day(window)
                if step == "retire":
                    self._leave(person, EventKind.RETIRE, on)
                else:
                    person.step(EventKind.RESUME, on, person.unit.pk)
                    person.suspended = False

    def _campaign(self, start, end, windows) -> None:
        """In a year a seed programme counts, admit enough to keep pace with the share it reaches."""
        wanted = self.admissions_wanted.get(start.year)
        if not wanted:
            return
        missing = round(wanted * start.month / 12) - self.admitted[start.year]
        room = {
            pk: self.by_pk[pk].workforce - len(self.rosters[pk]) - len(self.resting[pk])
            for pk, window in windows.items()
            if window is not None
        }
        room = {pk: free for pk, free in room.items() if free > 0}
        total = sum(room.values())
        if missing <= 0 or not total:
            return
        for pk, free in room.items():
            count = self._room(min(free, _round(self.rng, missing * free / total)))
            for _ in range(count):
                self._newcomer(self.by_pk[pk], self._day(windows[pk]))

    def _carve(self, branch: UnionSpec) -> None:
        roster = self.rosters[branch.carved_from]
        for person in self.rng.sample(roster.people, round(len(roster) * branch.carve_share)):
            self._transfer(person, branch, branch.founded_on)

    def _end(self, union: UnionSpec) -> None:
        """What settle_members_of_ended_unit does: move the members to the successor, or end them."""
        assert not self.resting[union.pk], f"{union.code} ends while members rest"
        successor = self.by_pk.get(union.successor) if union.successor else None
        for person in list(self.rosters[union.pk].people):
            if successor is not None:
                self._transfer(person, successor, union.ended_on, decision=union.end_decision)
            else:
                self._leave(person, EventKind.DISSOLUTION, union.ended_on, decision=union.end_decision)

    def _top_up(self) -> None:
        """Admit the people still wanted to reach the exact number asked for, in the last month."""
        if self.budget is None or len(self.people) >= self.budget:
            return
        start = HISTORY_ENDS.replace(day=1)
        windows = [
            (spec, window)
            for spec in self.specs
            if spec.ended_on is None and (window := self._window(spec, start, HISTORY_ENDS)) is not None
        ]
        missing = self.budget - len(self.people)
        weights = [spec.workforce for spec, _window in windows]
        for spec, window in self.rng.choices(windows, weights=weights, k=missing):
            self._newcomer(spec, self._day(window))


OTHER_PROVINCES = ("tỉnh Cà Mau", "tỉnh Đồng Tháp", "thành phố Hồ Chí Minh", "tỉnh Sơn La", "tỉnh Lào Cai",
                   "thành phố Cần Thơ", "tỉnh Bắc Ninh", "tỉnh Bình Dương", "tỉnh Đồng Nai")  # fmt: skip


# ----------------------------------------------------------------------------------------------- writing


def _id_number(rng: random.Random, person: Person, serial: int) -> str | None:
    """A CCCD number for most (unique per person up to a million people), an old CMND or none for some."""
    draw = rng.random()
    if draw < 0.05:
        return None
    if draw < 0.12 or serial >= 10**6:
        return f"{(serial * 7919 + 104_729) % 10**9:09d}"
    province = f"0{person.home.province.gso_code}" if rng.random() < 0.9 else rng.choice(BIRTH_PROVINCES)
    century_and_gender = (2 if person.born.year >= 2000 else 0) + person.female
    return f"{province}{century_and_gender}{person.born.year % 100:02d}{(serial * 7919 + 12_345) % 10**6:06d}"


BIRTH_PROVINCES = ("001", "011", "012", "014", "089", "091", "092", "094", "096", "079", "038", "040")


def _member(rng: random.Random, person: Person, code: str, serial: int) -> Member:
    home = person.home
    public = home.sector in PUBLIC
    name = names.member_name(rng, ethnic_group=person.ethnic_group, female=person.female)
    year_only = rng.random() < 0.12  # old records hold the year of birth only
    party = rng.random() < (0.25 if public else 0.12 if home.sector == Sector.STATE_ENTERPRISE else 0.03)
    if public:
        professional = rng.choice([ProfessionalLevel.BACHELOR] * 4 + [ProfessionalLevel.COLLEGE,
                                  ProfessionalLevel.INTERMEDIATE, ProfessionalLevel.MASTER])  # fmt: skip
        occupation = rng.choice(OCCUPATIONS.get(home.category, OCCUPATIONS_PUBLIC))
    else:
        professional = rng.choice([ProfessionalLevel.NONE] * 3 + [ProfessionalLevel.ELEMENTARY] * 2
                                  + [ProfessionalLevel.INTERMEDIATE, ProfessionalLevel.COLLEGE,
                                     ProfessionalLevel.BACHELOR])  # fmt: skip
        occupation = rng.choice(OCCUPATIONS.get(home.category, OCCUPATIONS_ENTERPRISE))
    member = Member(
        code=code,
        full_name=name,
        birth_date=None if year_only else person.born,
        birth_year=person.born.year,
        gender=Gender.FEMALE if person.female else Gender.MALE,
        ethnic_group=person.ethnic_group,
        religion=_religion(rng, person.ethnic_group),
        id_number=_id_number(rng, person, serial),
        phone=f"0{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}" if rng.random() < 0.85 else "",
        email=(f"{fold(name).replace(' ', '')}{rng.randint(1, 99)}@gmail.com" if rng.random() < 0.12 else ""),
        education_level=EducationLevel.UPPER_SECONDARY
        if public or rng.random() < 0.6
        else rng.choice([EducationLevel.LOWER_SECONDARY, EducationLevel.PRIMARY]),
        professional_level=professional,
        political_theory=rng.choice(list(PoliticalTheory)[:2])
        if party or (public and rng.random() < 0.3)
        else "",
        party_member=party,
        party_joined_on=_years_later(person.born, rng.randint(22, 35)) if party else None,
        union_position=person.position,
        occupation=occupation,
        employer_id=person.employer_id,
        joined_on=person.joined_on,
    )
    if member.party_joined_on and member.party_joined_on > HISTORY_ENDS:
        member.party_member, member.party_joined_on = False, None
    if rng.random() < 0.45:  # cards issued in the campaigns since 2019
        first = max(person.joined_on, D(2019, 3, 1))
        member.card_type = CardType.LINKED if rng.random() < 0.15 else CardType.REGULAR
        member.card_issued_on = first + datetime.timedelta(
            days=rng.randint(0, max(0, (HISTORY_ENDS - first).days))
        )
    return member


def _religion(rng: random.Random, ethnic_group: str) -> str:
    if ethnic_group == "05":
        return "Phật giáo" if rng.random() < 0.9 else ""
    draw = rng.random()
    return "Phật giáo" if draw < 0.08 else "Công giáo" if draw < 0.12 else ""


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """``bulk_create`` of the demo's many rows, sent as plain tuples (``insert_rows``): bulk_create makes SQL
    of every value of every row, which cost more than the rest of the demo together. The rows get their
    ids: the build writes alone (one transaction) and a statement's rows take rising ids in their order."""
    fields = [(f, isinstance(f.target_field if f.is_relation else f, PLAIN_FIELDS))
              for f in model._meta.concrete_fields if not f.primary_key]  # fmt: skip
    # The connection itself: ``django.db.connection`` looks it up again at each use, a value's cost.
    database = connections[DEFAULT_DB_ALIAS]
    last = model.objects.aggregate(last=Max("pk"))["last"] or 0
    insert_rows(
        model,
        [f.name for f, _plain in fields],
        [[_db_value(f, plain, row, database) for f, plain in fields] for row in rows],
    )
    ids = model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk


# Fields that hold plain values (text, whole numbers, booleans, None) as the database does, and choices
# as their values: most of a row, which then needs none of the fields' own preparing.
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
PLAIN_VALUES = frozenset({str, int, bool, type(None)})


def _db_value(field: models.Field, plain: bool, row: models.Model, database: BaseDatabaseWrapper):
    """What bulk_create would write of ``field``: pre_save fills a creation time the row does not hold yet; a
    choice as its value (psycopg's COPY would write an enum's name)."""
    value = getattr(row, field.attname)
    if plain:
        if type(value) in PLAIN_VALUES:
            return value
        if isinstance(value, enum.Enum):
            return value.value
    if value is None:
        value = field.pre_save(row, add=True)
    value = field.get_db_prep_save(value, database)
    return value.value if isinstance(value, enum.Enum) else value


def write_people(people: list[Person], *, rng: random.Random, serials: Iterator[int]) -> tuple[int, int]:
    """Members, events and intervals of ``people`` in bulk, logged as created; (members, events)."""
    if not people:
        return 0, 0
    by_year: dict[int, list[Person]] = defaultdict(list)
    for person in people:
        by_year[person.events[0].on.year].append(person)
    codes: dict[Person, str] = {}
    for year, joined in sorted(by_year.items()):  # a code carries the year it was issued
        codes.update(zip(joined, services.allocate_codes(len(joined), year=year), strict=True))
    today = timezone.localdate()
    created_at = timezone.now()  # the events' creation time, one for the write (as an import's)
    members, events, intervals = [], [], []
    for person in people:
        member = _member(rng, person, codes[person], next(serials))
        member.set_derived_fields()
        own = [
            MemberEvent(
                member=member,
                kind=step.kind,
                on=step.on,
                unit_id=step.unit,
                other_unit_id=step.other_unit,
                other_unit_text=step.other_text,
                suspended_until=step.until,
                decision_number=step.decision,
                created_at=created_at,
            )
            for step in person.events
        ]
        derived = services.derive_memberships(member, own)
        current = services.current_membership(derived, today)
        member.unit_id, member.status = current.unit_id, current.state
        members.append(member)
        events.extend(own)
        intervals.extend(derived)
    _insert(Member, members)
    for row in (*events, *intervals):
        row.member_id = row.member.pk
    _insert(MemberEvent, events)
    _insert(Membership, intervals)
    log_new_members(
        where="m.id BETWEEN %s AND %s",
        params=[members[0].pk, members[-1].pk],
        created_at=created_at,
        announce=events,
    )
    return len(members), len(events)


@dataclass
class MembersResult:
    members: int = 0
    events: int = 0
    # province key -> admissions in the years the seed programmes count
    admissions: dict[tuple[str, int], int] = field(default_factory=dict)


def _shares(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - exact[i])
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    return shares


def build_members(plans, *, seed: int, people: Mapping[str, int] | None = None) -> MembersResult:
    """Members for every grassroots union of the built tree; ``people`` asks exact counts by province key."""
    people = people or {}
    specs = union_specs(plans, seed=seed)
    groups = list(chunks(specs))
    workforce: dict[str, int] = defaultdict(int)
    for spec in specs:
        workforce[spec.province.key] += spec.workforce
    wanted = {}
    for (key, year), target in ADMISSION_TARGETS.items():
        if key in workforce:
            reached = random.Random(f"{seed}:admissions:{key}:{year}").uniform(*TARGET_REACHED)
            scale = workforce[key] / next(s.province for s in specs if s.province.key == key).members
            wanted[(key, year)] = round(target * reached * scale)
    budgets: dict[int, int] = {}
    for key, count in people.items():
        own = [i for i, group in enumerate(groups) if group[0].province.key == key]
        budgets.update(
            zip(own, _shares(count, [sum(s.workforce for s in groups[i]) for i in own]), strict=True)
        )
    result = MembersResult()
    serials = iter(range(10**12))
    for index, group in enumerate(groups):
        key = group[0].province.key
        share = sum(s.workforce for s in group) / workforce[key]
        admissions = {year: round(n * share) for (k, year), n in wanted.items() if k == key}
        rng = random.Random(f"{seed}:members:{key}:{group[0].code}")
        history = ChunkHistory(group, rng=rng, admissions=admissions, people=budgets.get(index))
        members, events = write_people(history.run(), rng=rng, serials=serials)
        result.members += members
        result.events += events
    result.admissions = admissions_made(list(wanted))
    return result


def admissions_made(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """Admissions (kết nạp) recorded in each (province, year), counted from the events."""
    counts = {}
    for key, year in keys:
        counts[(key, year)] = MemberEvent.objects.filter(
            Q(unit__code__startswith=f"{key}-"), kind=EventKind.ADMIT, on__year=year
        ).count()
    return counts
