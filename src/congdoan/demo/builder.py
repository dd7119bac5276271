"""The demo: five provinces' union trees from 2019, their history, and the 2025 reorganisation.

Every unit, move, merge, split, rename and ending goes through the unit services, which keep history;
employers are saved through the ORM, whose signals write the change log. The whole build is one
transaction in one change context. The same seed and sizes build the same codes, names, sizes and dates.

A province's size is the workforce its employers hold (the members its grassroots unions could have);
the number of grassroots unions follows from it at about 71 workers each, the An Giang and Kiên Giang
ratio before their merger (DOMAIN.md §8). The members and their history come last (``demo.members``).

The seed programmes' campaigns show in the history: Điện Biên and Kiên Giang found a wave of grassroots
unions in 2020 (000 I.5, 002 I.2), a share of the target scaled to the province like the admissions, and
Lai Châu merges ("ghép") a share of its unions under 10 members each year from 2022 (001 II.3). Then the
units enter figures and share out a target (``demo.plans``).
"""

import dataclasses
import datetime
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

from congdoan.audit.context import change_context
from congdoan.core.text import fold
from congdoan.demo import names
from congdoan.demo.members import EPOCH, TARGET_REACHED, build_members
from congdoan.demo.places import PROVINCES, PROVINCES_BY_KEY, SECTOR_UNIONS, Commune, District, Province
from congdoan.demo.plans import work_on_programmes
from congdoan.plans.services import load_seed_programmes
from congdoan.units import services
from congdoan.units.models import Area, Decision, Employer, Level, Sector, Unit, UnitType

D = datetime.date
NATIONAL_FOUNDED = D(1929, 7, 28)
HISTORY_ENDS = D(2024, 12, 15)
REORGANISED_ON = D(2025, 7, 1)
DEFAULT_SEED = 2025
WORKERS_PER_GRASSROOTS = 71
MIN_WORKFORCE = 5  # a grassroots union needs five members or workers to be founded
MIN_PROVINCE_MEMBERS = 1_000
SUBUNIT_WORKFORCE = 600  # grassroots unions this large have sub-units (công đoàn bộ phận)
FOUNDING_SHARE = 0.85  # an employer's workforce when its union was founded, of the later count
SMALL_WORKFORCE = 10  # "ghép" merges grassroots unions below this size
UNIONS_PER_MERGE = 120  # one "ghép" merge for about this many grassroots unions, at least one a province
COMMUNE_UNION_MIN = 3  # a commune with fewer grassroots unions is hosted by the union of the district seat
PRE_EPOCH_NOTE = (
    "Có từ trước ngày 01/01/2019, khi hệ thống bắt đầu ghi nhận; ngày thành lập thực tế chưa nhập."
)

# fmt: off
UNIT_TYPES = (
    ("tld", "Tổng Liên đoàn Lao động Việt Nam", Level.NATIONAL, ""),
    ("ldld-tinh", "Liên đoàn Lao động tỉnh, thành phố", Level.PROVINCE, ""),
    ("cd-nganh-tu", "Công đoàn ngành Trung ương, công đoàn tổng công ty trực thuộc Tổng Liên đoàn",
     Level.PROVINCE, ""),
    ("ldld-huyen", "Liên đoàn Lao động huyện, quận, thị xã, thành phố thuộc tỉnh", Level.UPPER,
     "Kết thúc hoạt động từ 01/07/2025."),
    ("cd-vien-chuc", "Công đoàn Viên chức tỉnh, thành phố", Level.UPPER, "Kết thúc hoạt động từ 01/07/2025."),
    ("cd-nganh-dp", "Công đoàn ngành địa phương (Giáo dục, Y tế, …)", Level.UPPER,
     "Kết thúc hoạt động từ 01/07/2025."),
    ("cd-kcn", "Công đoàn các khu công nghiệp, khu kinh tế", Level.UPPER, ""),
    ("cd-xa", "Công đoàn xã, phường, đặc khu", Level.UPPER, "Thành lập từ 01/07/2025."),
    ("cdcs", "Công đoàn cơ sở", Level.GRASSROOTS, ""),
    ("nghiep-doan", "Nghiệp đoàn cơ sở", Level.GRASSROOTS,
     "Người lao động không có quan hệ lao động, cùng ngành nghề."),
    ("cd-bo-phan", "Công đoàn bộ phận", Level.SUBUNIT, ""),
)
# fmt: on
# The symbol a unit of each type puts after "QĐ-" in its decision numbers.
DECISION_SYMBOLS = {
    "tld": "TLĐ",
    "ldld-tinh": "LĐLĐ",
    "ldld-huyen": "LĐLĐ",
    "cd-vien-chuc": "CĐVC",
    "cd-nganh-dp": "CĐN",
    "cd-kcn": "CĐKCN",
    "cd-xa": "CĐ",
    "cdcs": "CĐCS",
    "nghiep-doan": "NĐ",
}


# ------------------------------------------------------------------------------------------ categories


@dataclass(frozen=True)
class Category:
    """A kind of grassroots union: its sector, where it sits until 2025 and how many work there."""

    sector: str
    # "district", "province", "park" or a sector-union key (GD, YT, VC); see _home_code for fall-backs
    home: str
    where: str  # "local" (any district), "seat" (a district seat) or "capital" (the provincial capital)
    workforce: tuple  # ("uniform", low, high) or ("lognormal", median, sigma, low, high); () for none
    female: float
    weights: dict[str, float]  # by province profile
    unit_type: str = "cdcs"


P = Sector
# The first category of each sector with a weight is the one every province is sure to have.
# fmt: off
CATEGORIES: dict[str, Category] = {
    "ubnd": Category(P.PUBLIC_FULL, "district", "local", ("uniform", 18, 32), 0.40,
        {"delta": 12, "mountain": 14, "capital": 6}),
    "hospital": Category(P.PUBLIC_PART, "YT", "capital", ("uniform", 250, 1400), 0.65,
        {"delta": 1, "mountain": 1, "capital": 2}),
    "soe": Category(P.STATE_ENTERPRISE, "province", "local", ("lognormal", 150, 0.8, 20, 2500), 0.30,
        {"delta": 2, "mountain": 3, "capital": 5}),
    "private": Category(P.PRIVATE_ENTERPRISE, "district", "local", ("lognormal", 12, 1.25, 5, 5000), 0.35,
        {"delta": 17, "mountain": 8, "capital": 30}),
    "fdi": Category(P.FDI, "park", "park", ("lognormal", 700, 1.0, 50, 9000), 0.70,
        {"delta": 2, "mountain": 0, "capital": 4}),
    "coop": Category(P.COOPERATIVE, "district", "local", ("uniform", 5, 25), 0.30,
        {"delta": 3, "mountain": 4, "capital": 1}),
    "guild": Category(P.GUILD, "district", "local", (), 0.0,
        {"delta": 2, "mountain": 1, "capital": 2}, unit_type="nghiep-doan"),
    "foreign_org": Category(P.FOREIGN_ORG, "district", "seat", ("uniform", 5, 20), 0.60,
        {"delta": 0.3, "mountain": 0, "capital": 1}),
    "tram_yte": Category(P.PUBLIC_FULL, "district", "local", ("uniform", 5, 11), 0.70,
        {"delta": 10, "mountain": 12, "capital": 4}),
    "mam_non": Category(P.PUBLIC_FULL, "district", "local", ("uniform", 10, 35), 0.97,
        {"delta": 10, "mountain": 12, "capital": 8}),
    "tieu_hoc": Category(P.PUBLIC_FULL, "district", "local", ("uniform", 15, 45), 0.75,
        {"delta": 14, "mountain": 14, "capital": 10}),
    "thcs": Category(P.PUBLIC_FULL, "district", "local", ("uniform", 20, 60), 0.70,
        {"delta": 8, "mountain": 10, "capital": 6}),
    "thpt": Category(P.PUBLIC_FULL, "GD", "local", ("uniform", 45, 110), 0.60,
        {"delta": 4, "mountain": 4, "capital": 4}),
    "college": Category(P.PUBLIC_PART, "GD", "capital", ("uniform", 90, 320), 0.50,
        {"delta": 0.5, "mountain": 0.5, "capital": 1}),
    "department": Category(P.PUBLIC_FULL, "VC", "capital", ("uniform", 25, 110), 0.45,
        {"delta": 3, "mountain": 4, "capital": 3}),
    "provincial_part": Category(P.PUBLIC_PART, "VC", "capital", ("uniform", 40, 220), 0.45,
        {"delta": 1, "mountain": 1, "capital": 2}),
    "health_body": Category(P.PUBLIC_FULL, "YT", "capital", ("uniform", 40, 120), 0.55,
        {"delta": 1, "mountain": 1, "capital": 1}),
    "health_centre": Category(P.PUBLIC_PART, "YT", "seat", ("uniform", 80, 320), 0.62,
        {"delta": 1.5, "mountain": 1.5, "capital": 0.5}),
    "district_part": Category(P.PUBLIC_PART, "district", "seat", ("uniform", 8, 40), 0.45,
        {"delta": 3, "mountain": 4, "capital": 3}),
    "park_private": Category(P.PRIVATE_ENTERPRISE, "park", "park", ("lognormal", 120, 1.0, 10, 3000), 0.45,
        {"delta": 1.5, "mountain": 0, "capital": 0}),
}
# fmt: on
ENTERPRISES = {"soe", "private", "fdi", "coop", "park_private"}
# Where a category goes when the province has no unit of its home kind.
HOME_FALLBACK = {"GD": "district", "YT": "province", "VC": "province", "park": "district"}


def _short(place: str) -> str:
    """ "xã Mỹ Lâm" -> "Mỹ Lâm"."""
    for prefix in ("thị trấn ", "đặc khu ", "phường ", "xã "):
        if place.startswith(prefix):
            return place[len(prefix) :]
    return place


def _ascii_key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "", fold(_short(text)).upper())


# ----------------------------------------------------------------------------- the seed programmes' campaigns


@dataclass(frozen=True)
class FoundingWave:
    """A seed target counting the grassroots unions a province founds in a year, and which ones it counts."""

    year: int
    target: int
    categories: frozenset[str]
    min_workforce: int = 0  # the workforce of the employer from which a union counts

    def counts(self, plan: "GrassrootsPlan") -> bool:
        return (
            plan.founded_on.year == self.year
            and plan.category in self.categories
            and _workforce(plan) >= self.min_workforce
        )


FOUNDING_WAVES = {
    "DB": FoundingWave(2020, 15, frozenset(ENTERPRISES | {"guild"})),  # 000 I.5: 15 CĐCS founded
    # 002 I.2: 34 CĐCS founded in enterprises (state, non-state, FDI) of 25 workers or more
    "KG": FoundingWave(2020, 34, frozenset({"soe", "private", "fdi", "park_private"}), min_workforce=25),
}
# 001 II.3, every year from 2022: over 65% of the grassroots unions under 10 members merged ("ghép").
MERGE_CAMPAIGNS = {"LC": (2022, 2023, 2024)}
CAMPAIGN_SHARE = (0.4, 0.8)  # the share of the small unions merged in a year of the campaign
CAMPAIGN_NEWCOMERS = (4, 7)  # small enterprises founded the year before, which keep the campaign going

# ------------------------------------------------------------------------------------------------ plans


@dataclass
class EmployerPlan:
    name: str
    sector: str
    workforce: int
    female_share: float
    tax_code: str = ""
    fixed: bool = False  # kept out of the scaling to the province's size
    record: Employer | None = None


@dataclass
class Fate:
    """What happens to a grassroots union between its founding and 2025."""

    kind: str  # "dissolve", "rename", "move", "merge", "split"
    on: datetime.date
    target: str = ""  # rename: the employer's new name; move: the district key
    group: int = 0  # merge: the "ghép" group


@dataclass
class GrassrootsPlan:
    category: str
    name: str
    sector: str
    unit_type: str
    home: str  # code of the parent until 2025 (or until a move)
    district: District
    commune: Commune
    old_place: str
    employer: EmployerPlan | None
    founded_on: datetime.date = EPOCH
    fate: Fate | None = None
    subunits: list[str] = field(default_factory=list)
    unit: Unit | None = None
    ended: bool = False

    @property
    def is_enterprise(self) -> bool:
        return self.category in ENTERPRISES

    def offspring(self, *, name: str, home: str, on: datetime.date) -> "GrassrootsPlan":
        """A grassroots union born of this one (a merger, a split), in the same place and sector."""
        return dataclasses.replace(
            self,
            name=name,
            home=home,
            founded_on=on,
            employer=None,
            fate=None,
            subunits=[],
            unit=None,
            ended=False,
        )


@dataclass
class ProvincePlan:
    province: Province
    grassroots: list[GrassrootsPlan]
    merges: dict[int, tuple[datetime.date, list[GrassrootsPlan]]]
    # (district key, commune name) -> the commune union that takes over its grassroots unions in 2025
    commune_unions: dict[tuple[str, str], Unit] = field(default_factory=dict)


class ProvincePlanner:
    """Draws a province's grassroots unions, employers, sizes and fates, without touching the database."""

    def __init__(self, province: Province, *, members: int, seed: int):
        self.province = province
        self.members = members
        self.rng = random.Random(f"{seed}:{province.key}")
        self.used: set[str] = set()
        self.profile = province.profile
        self.park_by_district = {park.district: park for park in province.industrial_parks}

    # --- where a union sits

    def _home_code(self, category: Category, district: District) -> str:
        home = category.home
        if home in SECTOR_UNIONS and home not in self.province.sector_unions:
            home = HOME_FALLBACK[home]
        if home == "park" and not self.province.industrial_parks:
            home = HOME_FALLBACK[home]
        if home == "district":
            return f"{self.province.key}-{district.key}"
        if home == "province":
            return self.province.key
        if home == "park":
            return f"{self.province.key}-KCN"
        return f"{self.province.key}-{home}"

    def _place(self, category: Category, district: District | None) -> tuple[District, Commune, str]:
        rng, districts = self.rng, self.province.districts
        if district is not None:
            commune = rng.choice(district.communes)
        elif category.where == "capital":
            district = districts[0]
            commune = district.communes[0]
        elif category.where == "park" and self.province.industrial_parks:
            park = rng.choice(self.province.industrial_parks)
            district = self.province.district(park.district)
            commune = next(c for c in district.communes if c.name == park.commune)
        else:
            district = rng.choices(districts, weights=[d.weight for d in districts])[0]
            if category.where == "seat":
                commune = district.communes[0]
            else:
                weights = [2] + [1] * (len(district.communes) - 1)
                commune = rng.choices(district.communes, weights=weights)[0]
        return district, commune, rng.choice(commune.old)

    # --- names

    def _candidates(self, key: str, district: District, old: str) -> list[str]:
        """Possible names of the employer (or, for a guild, of the union), best first."""
        rng, prov = self.rng, self.province
        place = _short(old)
        if key == "ubnd":
            return [f"Ủy ban nhân dân {old}"]
        if key == "tram_yte":
            return [f"Trạm Y tế {old}"]
        if key == "mam_non":
            return [f"Trường Mầm non {rng.choice(names.KINDERGARTEN_NAMES)}", f"Trường Mầm non {place}"]
        if key == "tieu_hoc":
            return [
                f"Trường Tiểu học {place}",
                f"Trường Tiểu học {place} 2",
                f"Trường Tiểu học {rng.choice(names.SCHOOL_PATRONS)}",
            ]
        if key == "thcs":
            return [f"Trường THCS {place}", f"Trường THCS {rng.choice(names.SCHOOL_PATRONS)}"]
        if key == "thpt":
            return [f"Trường THPT {rng.choice(names.SCHOOL_PATRONS)}", f"Trường THPT {place}"]
        if key == "college":
            return [f"{rng.choice(names.COLLEGES)} {prov.name}"]
        if key == "department":
            return [f"{rng.choice(names.PROVINCIAL_DEPARTMENTS)} {prov.full_name}"]
        if key == "provincial_part":
            body = rng.choice(names.PROVINCIAL_SELF_FUNDED)
            return [
                f"{body} {prov.name}"
                if body in {"Báo", "Đài Phát thanh và Truyền hình"}
                else f"{body} {prov.full_name}"
            ]
        if key == "hospital":
            return [
                f"{rng.choice(names.HOSPITALS)} {prov.full_name}",
                f"Bệnh viện Đa khoa khu vực {district.name}",
            ]
        if key == "health_body":
            return [f"{rng.choice(names.PROVINCIAL_HEALTH_BODIES)} {prov.full_name}"]
        if key == "health_centre":
            return [f"Trung tâm Y tế {district.full_name}"]
        if key == "district_part":
            return [f"{rng.choice(names.DISTRICT_SELF_FUNDED)} {district.full_name}"]
        if key == "soe":
            body = rng.choice(names.STATE_ENTERPRISES)
            return [f"{body} {prov.name}", f"{body} {district.name}"]
        if key in {"private", "park_private"}:
            form = rng.choices([f for f, _ in names.LEGAL_FORMS], weights=[w for _, w in names.LEGAL_FORMS])[
                0
            ]
            line = f"{form} {rng.choice(names.FIELDS[self.profile])} {rng.choice(names.TRADE_NAMES)}"
            return [line, f"{line} {place}"]
        if key == "fdi":
            brand = rng.choice(names.FOREIGN_BRANDS)
            return [f"Công ty TNHH {brand} Việt Nam", f"Công ty TNHH {brand} {prov.name}"]
        if key == "coop":
            return [f"Hợp tác xã {rng.choice(names.COOPERATIVE_FIELDS)} {place}"]
        if key == "guild":
            trade = rng.choice(names.GUILD_TRADES[self.profile])
            return [f"Nghiệp đoàn cơ sở {trade} {old}", f"Nghiệp đoàn cơ sở {trade} {district.full_name}"]
        if key == "foreign_org":
            return [f"{rng.choice(names.FOREIGN_ORGANISATIONS)} tại {prov.name}"]
        raise KeyError(key)

    def _draw(self, key: str, district: District | None = None) -> GrassrootsPlan | None:
        """One new grassroots union of category ``key`` (in ``district``), or None when its names run out."""
        category = CATEGORIES[key]
        for _attempt in range(40):
            district, commune, old = self._place(category, district)
            name = next((n for n in self._candidates(key, district, old) if n not in self.used), None)
            if name is None:
                continue
            self.used.add(name)
            employer = None
            if category.workforce:
                tax = (
                    f"{self.province.tax_prefix}{self.rng.randrange(10**8):08d}" if key in ENTERPRISES else ""
                )
                employer = EmployerPlan(
                    name=name,
                    sector=category.sector,
                    workforce=self._workforce(category),
                    female_share=category.female,
                    tax_code=tax,
                )
            union_name = name if category.unit_type == "nghiep-doan" else f"Công đoàn cơ sở {name}"
            return GrassrootsPlan(
                category=key,
                name=union_name,
                sector=category.sector,
                unit_type=category.unit_type,
                home=self._home_code(category, district),
                district=district,
                commune=commune,
                old_place=old,
                employer=employer,
            )
        return None

    def _workforce(self, category: Category) -> int:
        shape, *args = category.workforce
        if shape == "uniform":
            return self.rng.randint(*args)
        median, sigma, low, high = args
        return max(low, min(high, round(median * self.rng.lognormvariate(0, sigma))))

    # --- the province

    def plan(self) -> ProvincePlan:
        weights = {key: c.weights[self.profile] for key, c in CATEGORIES.items() if c.weights[self.profile]}
        sure, sectors = [], set()
        for key in weights:
            if CATEGORIES[key].sector not in sectors:
                sectors.add(CATEGORIES[key].sector)
                sure.append(key)
        count = max(len(sure), round(self.members / WORKERS_PER_GRASSROOTS))
        plans = [p for p in (self._draw(key) for key in sure) if p]
        failures: Counter = Counter()
        while len(plans) < count and weights:
            key = self.rng.choices(list(weights), weights=list(weights.values()))[0]
            drawn = self._draw(key)
            if drawn is not None:
                plans.append(drawn)
                continue
            failures[key] += 1
            if failures[key] >= 3:  # this category's names are used up in this province
                del weights[key]
        groups = self._small_groups(count)
        grouped = [plan for group in groups for plan in group]
        self._fit_workforce([p.employer for p in plans + grouped if p.employer])
        for plan in plans:
            self._date_and_subunits(plan)
        largest = max((p for p in plans if p.employer and p.sector != Sector.PUBLIC_FULL), key=_workforce)
        if not largest.subunits:  # the largest employer's union always has sub-units
            self._subunits(largest)
        merges = self._fates(plans, groups)
        plans.extend(grouped)
        # The seed programmes' campaigns come last: they add unions of fixed sizes, and the rest make room.
        added = self._founding_wave(plans) + self._merge_campaign(plans, merges)
        if added:
            plans.extend(added)
            self._fit_workforce([p.employer for p in plans if p.employer])
        self._vary_female_share([p.employer for p in plans if p.employer])
        return ProvincePlan(province=self.province, grassroots=plans, merges=merges)

    def _small_groups(self, count: int) -> list[list[GrassrootsPlan]]:
        """Pairs and triples of small enterprises' unions in one district, which "ghép" will merge."""
        groups = []
        for _group in range(max(1, round(count / UNIONS_PER_MERGE))):
            district = self.rng.choices(
                self.province.districts, weights=[d.weight for d in self.province.districts]
            )[0]
            group = [
                self._draw(self.rng.choice(["private", "coop"]), district)
                for _ in range(self.rng.randint(2, 3))
            ]
            group = [plan for plan in group if plan is not None]
            for plan in group:
                plan.employer.workforce = self.rng.randint(MIN_WORKFORCE, SMALL_WORKFORCE - 1)
                plan.employer.fixed = True
            if len(group) >= 2:
                groups.append(group)
        return groups

    def _fit_workforce(self, employers: list[EmployerPlan]) -> None:
        """Scale the drawn sizes so that the employers hold ``members`` workers in all, keeping the shape."""
        scaled = [e for e in employers if not e.fixed]
        wanted = self.members - sum(e.workforce for e in employers if e.fixed)
        factor = wanted / sum(e.workforce for e in scaled)
        for employer in scaled:
            employer.workforce = max(MIN_WORKFORCE, round(employer.workforce * factor))
        largest = max(scaled, key=lambda e: e.workforce)
        largest.workforce = max(MIN_WORKFORCE, largest.workforce + wanted - sum(e.workforce for e in scaled))

    def _vary_female_share(self, employers: list[EmployerPlan]) -> None:
        for employer in employers:
            share = min(1.0, max(0.0, employer.female_share + self.rng.uniform(-0.1, 0.1)))
            employer.female_share = round(employer.workforce * share) / employer.workforce

    def _date_and_subunits(self, plan: GrassrootsPlan) -> None:
        rng = self.rng
        if plan.category in ENTERPRISES | {"guild"} and rng.random() < 0.3:
            plan.founded_on = EPOCH + datetime.timedelta(
                days=rng.randint(45, (HISTORY_ENDS - EPOCH).days - 30)
            )
        if _workforce(plan) >= SUBUNIT_WORKFORCE and plan.sector != Sector.PUBLIC_FULL:
            self._subunits(plan)

    def _subunits(self, plan: GrassrootsPlan) -> None:
        pool = names.WARDS if plan.category == "hospital" else names.WORKSHOPS
        plan.subunits = [f"Công đoàn bộ phận {n}" for n in self.rng.sample(pool, self.rng.randint(2, 4))]

    def _fates(
        self, plans: list[GrassrootsPlan], groups: list[list[GrassrootsPlan]]
    ) -> dict[int, tuple[datetime.date, list[GrassrootsPlan]]]:
        """A few closures, renames, moves, "ghép" merges and one split, each union at most one of them."""
        rng = self.rng
        latest_start = HISTORY_ENDS - datetime.timedelta(days=200)
        free = [p for p in plans if p.is_enterprise and p.founded_on <= latest_start]
        rng.shuffle(free)

        def take(
            test: Callable[[GrassrootsPlan], bool], share: float, at_least: int = 2
        ) -> list[GrassrootsPlan]:
            chosen = [p for p in free if test(p)]
            chosen = chosen[: max(min(at_least, len(chosen)), round(share * len(chosen)))]
            for p in chosen:
                free.remove(p)
            return chosen

        def some_day(after: datetime.date) -> datetime.date:
            start = max(after + datetime.timedelta(days=180), D(2019, 6, 1))
            return start + datetime.timedelta(days=rng.randint(0, max(0, (HISTORY_ENDS - start).days)))

        for plan in take(lambda p: len(p.subunits) >= 2, 0, at_least=1):
            plan.fate = Fate("split", some_day(plan.founded_on))
        for plan in take(lambda p: not p.subunits, 0.05):
            plan.fate = Fate("dissolve", some_day(plan.founded_on))
        for plan in take(lambda p: p.employer.name.startswith("Công ty TNHH "), 0.04):
            new_name = "Công ty Cổ phần " + plan.employer.name.removeprefix("Công ty TNHH MTV ").removeprefix(
                "Công ty TNHH "
            )
            if new_name not in self.used:
                self.used.add(new_name)
                plan.fate = Fate("rename", some_day(plan.founded_on), target=new_name)
        if len(self.province.districts) > 1:
            in_district = {f"{self.province.key}-{d.key}" for d in self.province.districts}
            for plan in take(lambda p: p.home in in_district and not p.subunits, 0.03):
                others = [d for d in self.province.districts if d.key != plan.district.key]
                plan.fate = Fate("move", some_day(plan.founded_on), target=rng.choice(others).key)
        merges: dict[int, tuple[datetime.date, list[GrassrootsPlan]]] = {}
        for number, group in enumerate(groups, start=1):
            on = some_day(EPOCH)
            for plan in group:
                plan.fate = Fate("merge", on, group=number)
            merges[number] = (on, group)
        return merges

    def _founding_wave(self, plans: list[GrassrootsPlan]) -> list[GrassrootsPlan]:
        """The unions a seed target counts, founded through its year: the share of the target that the
        province reaches, scaled to its size like the admissions (``members.ADMISSION_TARGETS``)."""
        wave = FOUNDING_WAVES.get(self.province.key)
        if wave is None:
            return []
        rng = self.rng
        scale = self.members / self.province.members
        wanted = round(wave.target * rng.uniform(*TARGET_REACHED) * scale)
        counted = [p for p in plans if wave.counts(p)]
        for plan in counted:  # making room for the wave must not take them under the size counted
            if plan.employer:
                plan.employer.fixed = True
        missing = max(0, wanted - len(counted))
        weights = {key: CATEGORIES[key].weights[self.profile] for key in sorted(wave.categories)}
        weights = {key: weight for key, weight in weights.items() if weight}
        largest = max(MIN_WORKFORCE, wave.min_workforce, self.members // (2 * max(1, missing)))
        founded = []
        for _ in range(missing):
            key = rng.choices(list(weights), weights=list(weights.values()))[0]
            plan = self._draw(key)
            if plan is None:
                continue
            if plan.employer:
                drawn = wave.min_workforce + self._workforce(CATEGORIES[key])
                if drawn > largest:  # the province is too small for this employer: one of its size instead
                    drawn = rng.randint(max(MIN_WORKFORCE, wave.min_workforce), largest)
                plan.employer.workforce = drawn
                plan.employer.fixed = True
            plan.founded_on = D(wave.year, 1, 15) + datetime.timedelta(days=rng.randint(0, 330))
            founded.append(plan)
        return founded

    def _merge_campaign(
        self, plans: list[GrassrootsPlan], merges: dict[int, tuple[datetime.date, list[GrassrootsPlan]]]
    ) -> list[GrassrootsPlan]:
        """Each year of a "ghép" campaign, a share of the unions under 10 members merge two or three into
        one in their district; small enterprises founded the year before keep such unions coming."""
        rng = self.rng
        founded: list[GrassrootsPlan] = []
        waiting: list[GrassrootsPlan] = []  # small unions of the campaign not merged yet
        for year in MERGE_CAMPAIGNS.get(self.province.key, ()):
            first_day = D(year, 1, 1)
            districts = rng.sample(self.province.districts, min(2, len(self.province.districts)))
            for _ in range(rng.randint(*CAMPAIGN_NEWCOMERS)):
                plan = self._draw(rng.choice(["private", "coop"]), rng.choice(districts))
                if plan is None:
                    continue
                plan.employer.workforce = rng.randint(MIN_WORKFORCE, SMALL_WORKFORCE - 1)
                plan.employer.fixed = True
                plan.founded_on = D(year - 1, 2, 1) + datetime.timedelta(days=rng.randint(0, 240))
                founded.append(plan)
                waiting.append(plan)
            # Other unions that may stand under 10 members on 1 January count in the share too.
            others = [
                p
                for p in plans
                if p.employer
                and p.employer.workforce <= SMALL_WORKFORCE + 1
                and p.founded_on < first_day
                and (p.fate is None or p.fate.on >= first_day)
            ]
            share = rng.uniform(*CAMPAIGN_SHARE)
            wanted = min(len(waiting), round(share * (len(waiting) + len(others))))
            by_district: dict[str, list[GrassrootsPlan]] = defaultdict(list)
            for plan in waiting:
                by_district[plan.district.key].append(plan)
            for key in sorted(by_district):
                small = by_district[key]
                while len(small) >= 2 and wanted > 0:
                    size = 3 if len(small) == 3 or (wanted >= 3 and rng.random() < 0.4) else 2
                    group, small[:] = small[:size], small[size:]
                    on = D(year, 3, 1) + datetime.timedelta(days=rng.randint(0, 250))
                    number = len(merges) + 1
                    for plan in group:
                        plan.fate = Fate("merge", on, group=number)
                        waiting.remove(plan)
                    merges[number] = (on, group)
                    wanted -= len(group)
        return founded


def _workforce(plan: GrassrootsPlan) -> int:
    return plan.employer.workforce if plan.employer else 0


def _founding_workforce(province: Province, plan: GrassrootsPlan) -> int:
    """The workforce counted when the union was founded: fewer people then (``FOUNDING_SHARE`` of the
    later count), though never fewer than a union needs, nor than the founding wave counting it asks."""
    wave = FOUNDING_WAVES.get(province.key)
    floor = wave.min_workforce if wave is not None and wave.counts(plan) else MIN_WORKFORCE
    workforce = plan.employer.workforce
    return max(min(workforce, floor), round(workforce * FOUNDING_SHARE))


def _counted_on(plan: GrassrootsPlan) -> datetime.date:
    """When the employer's workforce was counted: the end of 2024, or the last year-end before it closed."""
    last_day = D(2024, 12, 31)
    if plan.fate and plan.fate.kind in {"dissolve", "merge"}:
        last_day = D(plan.fate.on.year - 1, 12, 31)
    return max(plan.founded_on, last_day)


# ---------------------------------------------------------------------------------------------- builder


@dataclass
class BuildResult:
    units: int
    employers: int
    decisions: int
    workforce: dict[str, int]
    members: int
    member_events: int
    admissions: dict[tuple[str, int], int]  # (province, year) -> admissions a seed programme counts
    figures: int  # figures entered by hand for the seed programmes' "nhập tay" targets


class DemoBuilder:
    """Carries out the plans through the services, in date order, then applies the 2025 reorganisation."""

    def __init__(self, *, seed: int, members: Mapping[str, int], people: Mapping[str, int]):
        self.seed = seed
        self.people = people
        self.plans = [
            ProvincePlanner(p, members=members.get(p.key, p.members), seed=seed).plan() for p in PROVINCES
        ]
        self.types: dict[str, UnitType] = {}
        self.areas: dict[str, Area] = {}
        self.units: dict[str, Unit] = {}
        self.issuers: dict[int, tuple[random.Random, str, dict[int, int]]] = {}
        self.counters: Counter = Counter()
        self.events: list[tuple[datetime.date, int, Callable[[], None]]] = []
        self.first_figures: list[services.FirstWorkforce] = []  # the day's, recorded at its end

    # --- helpers

    def _at(self, on: datetime.date, action: Callable[[], None]) -> None:
        self.events.append((on, len(self.events), action))

    def _decide(
        self, issuer: Unit, effective_on: datetime.date, summary: str, days_before: int = -1
    ) -> Decision:
        """A decision of ``issuer``: numbered in sequence per year, signed by its chair a few days before."""
        if issuer.pk not in self.issuers:
            rng = random.Random(f"{self.seed}:{issuer.code}")
            self.issuers[issuer.pk] = (rng, names.person_name(rng), {})
        rng, signer, numbers = self.issuers[issuer.pk]
        if days_before < 0:
            days_before = rng.randint(3, 20)
        signed_on = effective_on - datetime.timedelta(days=days_before)
        numbers[signed_on.year] = numbers.get(signed_on.year, rng.randint(4, 40)) + rng.randint(1, 6)
        symbol = DECISION_SYMBOLS[issuer.unit_type.code]
        return services.record_decision(
            number=f"{numbers[signed_on.year]}/QĐ-{symbol}",
            signed_on=signed_on,
            signer=signer,
            issuer=issuer,
            summary=summary[:500],
        )

    def _found(
        self,
        *,
        code: str,
        name: str,
        type_code: str,
        parent: Unit | None,
        on: datetime.date,
        area: Area | None,
        short_name: str = "",
        sector: str = "",
        address: str = "",
        decision: Decision | None = None,
        note: str = "",
    ) -> Unit:
        spec = services.NewUnit(
            code=code,
            name=name,
            short_name=short_name,
            unit_type=self.types[type_code],
            sector=sector,
            area=area,
            address=address,
        )
        unit = services.found_unit(spec=spec, parent=parent, founded_on=on, decision=decision, note=note)
        self.units[code] = unit
        return unit

    def _next_code(self, parent_code: str) -> str:
        self.counters[parent_code] += 1
        return f"{parent_code}-{self.counters[parent_code]:03d}"

    # --- reference data and the tree of 2019

    def _reference(self) -> None:
        for code, name, level, description in UNIT_TYPES:
            self.types[code], _created = UnitType.objects.get_or_create(
                code=code, defaults={"name": name, "level": level, "description": description}
            )
        for province in PROVINCES:
            ended = REORGANISED_ON if province.merged_into else None
            top = Area.objects.create(
                code=province.gso_code, name=province.full_name, kind=Area.Kind.PROVINCE, ended_on=ended
            )
            self.areas[province.key] = top
            for district in province.districts:
                d_area = Area.objects.create(
                    code=f"{province.gso_code}-{district.key}",
                    name=district.full_name,
                    kind=Area.Kind.DISTRICT,
                    parent=top,
                    ended_on=REORGANISED_ON,
                )
                self.areas[f"{province.key}-{district.key}"] = d_area
                for index, commune in enumerate(district.communes, start=1):
                    self.areas[f"{province.key}-{commune.name}"] = Area.objects.create(
                        code=f"{province.gso_code}-{district.key}-{index:02d}",
                        name=commune.name,
                        kind=Area.Kind.COMMUNE,
                        parent=d_area,
                    )

    def _upper_tree(self) -> None:
        national = self._found(
            code="TLD",
            name="Tổng Liên đoàn Lao động Việt Nam",
            short_name="TLĐ",
            type_code="tld",
            parent=None,
            on=NATIONAL_FOUNDED,
            area=None,
        )
        for province in PROVINCES:
            prov = self._found(
                code=province.key,
                name=f"Liên đoàn Lao động {province.full_name}",
                short_name=f"LĐLĐ {province.name}",
                type_code="ldld-tinh",
                parent=national,
                on=EPOCH,
                area=self.areas[province.key],
                note=PRE_EPOCH_NOTE,
            )
            for district in province.districts:
                kind, renamed_on = district.earlier_kind or (district.kind, None)
                unit = self._found(
                    code=f"{province.key}-{district.key}",
                    name=f"Liên đoàn Lao động {kind} {district.name}",
                    short_name=f"LĐLĐ {district.name}",
                    type_code="ldld-huyen",
                    parent=prov,
                    on=EPOCH,
                    area=self.areas[f"{province.key}-{district.key}"],
                    note=PRE_EPOCH_NOTE,
                )
                if renamed_on:
                    self._at(renamed_on, partial(self._rename_district, unit, province, district, renamed_on))
            beside = [
                (key, f"{SECTOR_UNIONS[key].name} {province.full_name}", SECTOR_UNIONS[key].unit_type)
                for key in province.sector_unions
            ]
            if province.industrial_parks:
                beside.append(("KCN", f"Công đoàn các Khu công nghiệp {province.full_name}", "cd-kcn"))
            for key, name, type_code in beside:
                self._found(
                    code=f"{province.key}-{key}",
                    name=name,
                    type_code=type_code,
                    parent=prov,
                    on=EPOCH,
                    area=self.areas[province.key],
                    note=PRE_EPOCH_NOTE,
                )

    def _rename_district(self, unit: Unit, province: Province, district: District, on: datetime.date) -> None:
        new_name = f"Liên đoàn Lao động {district.full_name}"
        decision = self._decide(self.units[province.key], on, f"Về việc đổi tên {unit.name} thành {new_name}")
        services.rename_unit(
            unit=unit,
            name=new_name,
            effective_on=on,
            decision=decision,
            note=f"Thành lập {district.full_name}.",
        )

    # --- grassroots unions and their history

    def _schedule(self, plan: ProvincePlan) -> None:
        for grassroots in plan.grassroots:
            self._at(grassroots.founded_on, partial(self._found_grassroots, plan.province, grassroots))
            fate = grassroots.fate
            if fate and fate.kind in {"dissolve", "rename", "move", "split"}:
                self._at(fate.on, partial(getattr(self, f"_{fate.kind}"), plan, grassroots))
        for number, (on, group) in plan.merges.items():
            self._at(on, partial(self._merge_small, plan, number, group))

    def _found_grassroots(self, province: Province, plan: GrassrootsPlan) -> None:
        parent = self.units[plan.home]
        decision = None
        if plan.founded_on > EPOCH:
            decision = self._decide(parent, plan.founded_on, f"Về việc thành lập {plan.name}")
        address = f"{plan.old_place}, {plan.district.full_name}, {province.full_name}"
        area = self.areas[f"{province.key}-{plan.commune.name}"]
        plan.unit = self._found(
            code=self._next_code(plan.home),
            name=plan.name,
            type_code=plan.unit_type,
            parent=parent,
            on=plan.founded_on,
            area=area,
            sector=plan.sector,
            address=address,
            decision=decision,
            note="" if decision else PRE_EPOCH_NOTE,
        )
        if plan.employer:
            self._add_employer(plan.unit, plan.employer, area, counted_on=_counted_on(plan))
            if plan.founded_on < _counted_on(plan):
                workforce = _founding_workforce(province, plan)
                self.first_figures.append(
                    services.FirstWorkforce(
                        employer=plan.employer.record,
                        on=plan.founded_on,
                        workforce=workforce,
                        female_workforce=round(workforce * plan.employer.female_share),
                    )
                )
        for index, name in enumerate(plan.subunits, start=1):
            self._found(
                code=f"{plan.unit.code}-BP{index}",
                name=name,
                type_code="cd-bo-phan",
                parent=plan.unit,
                on=plan.founded_on,
                area=area,
                sector=plan.sector,
            )

    def _record_first_figures(self) -> None:
        """The founding-year workforce of the employers whose unions a day founded, in one write."""
        if self.first_figures:
            services.record_first_workforces(figures=self.first_figures)
            self.first_figures = []

    def _add_employer(self, unit: Unit, plan: EmployerPlan, area: Area, counted_on: datetime.date) -> None:
        employer = Employer(
            unit=unit,
            name=plan.name,
            tax_code=plan.tax_code,
            sector=plan.sector,
            area=area,
            workforce=plan.workforce,
            female_workforce=round(plan.workforce * plan.female_share),
            workforce_on=counted_on,
        )
        employer.full_clean()
        employer.save()
        plan.record = employer

    def _dissolve(self, plan: ProvincePlan, grassroots: GrassrootsPlan) -> None:
        unit, on = grassroots.unit, grassroots.fate.on
        decision = self._decide(
            unit.parent, on, f"Về việc giải thể {unit.name} do doanh nghiệp chấm dứt hoạt động"
        )
        services.dissolve_unit(
            unit=unit,
            effective_on=on,
            decision=decision,
            note="Doanh nghiệp chấm dứt hoạt động, người lao động nghỉ việc.",
        )
        grassroots.ended = True

    def _rename(self, plan: ProvincePlan, grassroots: GrassrootsPlan) -> None:
        unit, on, employer_name = grassroots.unit, grassroots.fate.on, grassroots.fate.target
        new_name = f"Công đoàn cơ sở {employer_name}"
        decision = self._decide(unit.parent, on, f"Về việc đổi tên {unit.name} thành {new_name}")
        services.rename_unit(
            unit=unit,
            name=new_name,
            effective_on=on,
            decision=decision,
            note="Doanh nghiệp chuyển đổi thành công ty cổ phần.",
        )
        grassroots.name = new_name
        employer = grassroots.employer.record
        employer.name = employer_name
        employer.save()

    def _move(self, plan: ProvincePlan, grassroots: GrassrootsPlan) -> None:
        unit, on = grassroots.unit, grassroots.fate.on
        target = self.units[f"{plan.province.key}-{grassroots.fate.target}"]
        decision = self._decide(
            self.units[plan.province.key], on, f"Về việc chuyển {unit.name} về {target.name} quản lý"
        )
        services.move_units(
            units=[unit],
            new_parent=target,
            effective_on=on,
            decision=decision,
            note="Điều chỉnh phân cấp quản lý công đoàn cơ sở.",
        )
        grassroots.home = target.code

    def _split(self, plan: ProvincePlan, grassroots: GrassrootsPlan) -> None:
        """A branch with its own sub-unit leaves the grassroots union and forms its own (tách)."""
        unit, on = grassroots.unit, grassroots.fate.on
        parent = unit.parent
        source_employer = grassroots.employer.record
        branch_name = f"Chi nhánh {source_employer.name} tại {plan.province.name}"
        branch = grassroots.offspring(name=f"Công đoàn cơ sở {branch_name}", home=parent.code, on=on)
        taken = Unit.objects.filter(parent=unit).order_by("code").first()
        part = services.NewUnit(
            code=self._next_code(parent.code),
            name=branch.name,
            unit_type=unit.unit_type,
            sector=unit.sector,
            area=unit.area,
            address=unit.address,
            children=[taken],
        )
        decision = self._decide(
            parent, on, f"Về việc tách {taken.name} khỏi {unit.name} để thành lập {branch.name}"
        )
        services.split_unit(
            source=unit,
            parts=[part],
            effective_on=on,
            decision=decision,
            end_source=False,
            note="Chi nhánh hạch toán độc lập thành lập công đoàn cơ sở riêng.",
        )
        branch.unit = self.units[part.code] = Unit.objects.get(code=part.code)
        moved = source_employer.workforce // 3
        branch.employer = EmployerPlan(
            name=branch_name,
            sector=source_employer.sector,
            workforce=moved,
            female_share=source_employer.female_workforce / source_employer.workforce,
        )
        source_employer.female_workforce -= round(moved * branch.employer.female_share)
        source_employer.workforce -= moved
        source_employer.save()
        grassroots.employer.workforce -= moved
        self._add_employer(branch.unit, branch.employer, unit.area, counted_on=_counted_on(branch))
        plan.grassroots.append(branch)

    def _merge_small(self, plan: ProvincePlan, number: int, group: list[GrassrootsPlan]) -> None:
        """Small grassroots unions of one district merge ("ghép") into a new one covering their employers."""
        first = group[0]
        parent = first.unit.parent
        name = f"Công đoàn cơ sở ghép các doanh nghiệp {first.district.full_name} số {number}"
        merged = first.offspring(name=name, home=parent.code, on=first.fate.on)
        spec = services.NewUnit(
            code=self._next_code(parent.code),
            name=name,
            unit_type=self.types["cdcs"],
            sector=first.sector,
            area=first.unit.area,
            address=first.unit.address,
        )
        decision = self._decide(
            parent, merged.founded_on, f"Về việc ghép {len(group)} công đoàn cơ sở thành {name}"
        )
        services.merge_units(
            sources=[g.unit for g in group],
            new_unit=spec,
            new_parent=parent,
            effective_on=merged.founded_on,
            decision=decision,
            note="Ghép các công đoàn cơ sở dưới 10 đoàn viên cùng địa bàn.",
        )
        merged.unit = self.units[spec.code] = Unit.objects.get(code=spec.code)
        for source in group:
            source.ended = True
            employer = source.employer.record
            employer.unit = merged.unit
            employer.save()
        plan.grassroots.append(merged)

    # --- 1 July 2025

    def _reorganise(self) -> None:
        on = REORGANISED_ON
        for plan in self.plans:
            self._commune_unions(plan)
        for plan in self.plans:
            self._end_public_bodies(plan)
        for plan in self.plans:
            self._hand_over(plan)
        for plan in self.plans:
            self._end_upper_units(plan.province)
        for province in PROVINCES:
            if province.merged_into:
                self._merge_province(province, PROVINCES_BY_KEY[province.merged_into], on)

    def _successor_key(self, province: Province) -> str:
        return province.merged_into or province.key

    def _surviving(self, plan: ProvincePlan) -> list[GrassrootsPlan]:
        return [g for g in plan.grassroots if not g.ended and g.sector != Sector.PUBLIC_FULL]

    def _commune_unions(self, plan: ProvincePlan) -> None:
        """Found a union in each district seat and in each commune with enough grassroots unions for one."""
        province = plan.province
        new_key = self._successor_key(province)
        top = self.units[new_key]
        upper_codes = {f"{province.key}-{d.key}" for d in province.districts}
        counts = Counter(
            (g.district.key, g.commune.name) for g in self._surviving(plan) if g.home in upper_codes
        )
        for district in province.districts:
            host = None
            for index, commune in enumerate(district.communes):
                if index and counts[(district.key, commune.name)] < COMMUNE_UNION_MIN:
                    plan.commune_unions[(district.key, commune.name)] = host
                    continue
                code = f"{new_key}-{_ascii_key(commune.name)}"
                name = f"Công đoàn {commune.name}"
                decision = self._decide(top, REORGANISED_ON, f"Về việc thành lập {name}")
                unit = self._found(
                    code=code,
                    name=name,
                    type_code="cd-xa",
                    parent=top,
                    on=REORGANISED_ON,
                    area=self.areas[f"{province.key}-{commune.name}"],
                    decision=decision,
                    note="Thành lập theo chủ trương sắp xếp tổ chức công đoàn từ 01/07/2025.",
                )
                plan.commune_unions[(district.key, commune.name)] = unit
                host = host or unit

    def _end_public_bodies(self, plan: ProvincePlan) -> None:
        """Grassroots unions of bodies paid wholly by the state budget end; one decision per upper unit."""
        by_parent = defaultdict(list)
        for grassroots in plan.grassroots:
            if not grassroots.ended and grassroots.sector == Sector.PUBLIC_FULL:
                by_parent[grassroots.unit.parent_id].append(grassroots)
        for members in by_parent.values():
            parent = members[0].unit.parent
            decision = self._decide(
                parent,
                REORGANISED_ON,
                "Về việc kết thúc hoạt động các công đoàn cơ sở khu vực "
                "hành chính, sự nghiệp hưởng lương 100% từ ngân sách nhà nước",
            )
            for grassroots in members:
                services.dissolve_unit(
                    unit=grassroots.unit,
                    effective_on=REORGANISED_ON,
                    decision=decision,
                    note="Kết thúc hoạt động theo chủ trương sắp xếp tổ chức bộ máy năm 2025.",
                )
                grassroots.ended = True

    def _hand_over(self, plan: ProvincePlan) -> None:
        """The rest leave the district and sector unions: to their commune's union, or to the province."""
        province = plan.province
        top = self.units[self._successor_key(province)]
        upper_codes = {f"{province.key}-{d.key}" for d in province.districts}
        sector_codes = {f"{province.key}-{key}" for key in province.sector_unions}
        targets: dict[str, tuple[Unit, list[Unit]]] = {}
        for grassroots in self._surviving(plan):
            if grassroots.home in upper_codes:
                target = plan.commune_unions[(grassroots.district.key, grassroots.commune.name)]
            elif grassroots.home in sector_codes:
                target = top
            else:
                continue  # industrial-park unions and the province keep theirs
            targets.setdefault(target.code, (target, []))[1].append(grassroots.unit)
        for target, units in targets.values():
            decision = self._decide(
                top,
                REORGANISED_ON,
                f"Về việc chuyển giao {len(units)} công đoàn cơ sở về {target.name} quản lý",
            )
            services.move_units(
                units=units,
                new_parent=target,
                effective_on=REORGANISED_ON,
                decision=decision,
                note="Chuyển giao theo chủ trương sắp xếp tổ chức công đoàn từ 01/07/2025.",
            )

    def _end_upper_units(self, province: Province) -> None:
        codes = [f"{province.key}-{d.key}" for d in province.districts]
        codes += [f"{province.key}-{key}" for key in province.sector_unions]
        issuer = self.units[province.key]
        decision = self._decide(
            issuer,
            REORGANISED_ON,
            f"Về việc kết thúc hoạt động của {len(codes)} công đoàn cấp trên trực tiếp cơ sở",
        )
        for code in codes:
            services.dissolve_unit(
                unit=self.units[code],
                effective_on=REORGANISED_ON,
                decision=decision,
                note="Kết thúc hoạt động theo chủ trương sắp xếp tổ chức bộ máy năm 2025.",
            )

    def _merge_province(self, province: Province, into: Province, on: datetime.date) -> None:
        source, target = self.units[province.key], self.units[into.key]
        decision = self._decide(self.units["TLD"], on, f"Về việc hợp nhất {source.name} vào {target.name}")
        services.merge_units(
            sources=[source],
            into=target,
            effective_on=on,
            decision=decision,
            note=f"Hợp nhất {province.full_name} vào {into.full_name} từ 01/07/2025.",
        )
        park_union = self.units.get(f"{province.key}-KCN")
        if park_union is not None:
            new_name = f"Công đoàn các Khu công nghiệp {into.full_name}"
            decision = self._decide(target, on, f"Về việc đổi tên {park_union.name} thành {new_name}")
            services.rename_unit(unit=park_union, name=new_name, effective_on=on, decision=decision)

    # --- all of it

    def build(self) -> BuildResult:
        self._reference()
        self._upper_tree()
        for plan in self.plans:
            self._schedule(plan)
        day = None
        for on, _order, action in sorted(self.events, key=lambda event: event[:2]):
            if on != day:
                self._record_first_figures()
                day = on
            action()
        self._record_first_figures()
        self._reorganise()
        made = build_members(self.plans, seed=self.seed, people=self.people)
        load_seed_programmes()  # the five seed documents, filed under the provinces just built
        workforce = {
            plan.province.key: sum(g.employer.workforce for g in plan.grassroots if g.employer)
            for plan in self.plans
        }
        scale = {key: size / PROVINCES_BY_KEY[key].members for key, size in workforce.items()}
        return BuildResult(
            units=Unit.objects.count(),
            employers=Employer.objects.count(),
            decisions=Decision.objects.count(),
            workforce=workforce,
            members=made.members,
            member_events=made.events,
            admissions=made.admissions,
            figures=work_on_programmes(seed=self.seed, scale=scale),
        )


def build_demo(
    *,
    seed: int = DEFAULT_SEED,
    members: Mapping[str, int] | None = None,
    people: Mapping[str, int] | None = None,
) -> BuildResult:
    """Build the demo into an empty database; ``members`` sizes provinces by key (the workforce of their
    employers), ``people`` asks an exact number of member records for some of them."""
    if Unit.objects.exists():
        raise ValueError("The demo is built into a database without units.")
    with change_context(), transaction.atomic():
        return DemoBuilder(seed=seed, members=members or {}, people=people or {}).build()
