"""The demo's provinces at work on their seed programmes: figures entered by hand, and a target shared out.

Targets no record can give ("nhập tay") take the figures lower units report: each district union of Kiên
Giang its conferences of 2020 (002 I.6), each district union of Điện Biên its enterprise unions with a
collective agreement (000 I.4), and some grassroots unions of Lai Châu, each year from 2022, the workers
informed of the resolution (001 II.1) and the members in cultural and sports activities (001 II.4). The
upper levels read the sum. The other "nhập tay" targets stay without figures, as a province's do until
someone reports them. Điện Biên and Kiên Giang then split their admissions targets of 2020 (000 I.5,
002 I.1) among the units that stood directly under them on 01/01/2020, mostly district unions, in
proportion to their members that day. Those district unions ended on 01/07/2025: they keep their shares,
which the progress pages show, but adopt none (only a unit active today adopts). In Điện Biên the
largest share of a union still at work (a grassroots union directly under the province) is adopted into
its own programme.

All of it goes through the plans services (``reported.enter_figure``, ``allocation.allocate`` and
``adopt_share``) as the system, within the build's change context. The same seed gives the same figures.
"""

import datetime
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from congdoan.indicators.catalogue import active_memberships
from congdoan.plans import allocation, reported
from congdoan.plans.models import AllocationMethod, AllocationShare, Target
from congdoan.units.models import Employer, Level, Sector, Unit
from congdoan.units.selectors import child_units_on, tree_on

D = datetime.date
ENTERPRISE_SECTORS = (Sector.STATE_ENTERPRISE, Sector.PRIVATE_ENTERPRISE, Sector.FDI)
# The admissions targets split by members, and the day they are counted on (in the period: the day whose
# units take part); a share of the first is adopted.
SHARED_OUT = ("DB-579-CV-2019", "KG-NQ-2020")
SHARED_BY = "members_admitted"
COUNTED_ON = D(2020, 1, 1)


@dataclass(frozen=True)
class Reporting:
    """Who enters figures for a "nhập tay" target, when, and how much of it they reach."""

    programme: str
    text: str  # the start of the target's text (two targets may share a ref)
    years: tuple[int, ...]
    # a count: the share of the target the province reaches; a percent: the share of each unit's base
    reached: tuple[float, float]
    figures: str  # how the reporting units' figures are drawn: a key of FIGURES
    reporting: float = 1.0  # the share of the grassroots unions that report


REPORTINGS = (
    Reporting("KG-NQ-2020", "tổ chức hội nghị cán bộ, công chức", (2020,), (0.7, 1.05), "district_counts"),
    Reporting("DB-579-CV-2019", "tỷ lệ CĐCS doanh nghiệp có thỏa ước", (2020,), (0.55, 0.9), "agreements"),
    Reporting("LC-324-KH-2022", "trên 98% CCVCLĐ", (2022, 2023, 2024), (0.93, 1.0), "workers", 0.6),
    Reporting(
        "LC-324-KH-2022", "80% trở lên đoàn viên, CCVCLĐ", (2022, 2023, 2024), (0.7, 0.97), "members", 0.6
    ),
)


def _target(ref: str, text: str) -> Target:
    return Target.objects.select_related("programme__unit").get(programme__ref=ref, text__startswith=text)


def _grassroots_under(unit: Unit, on: datetime.date) -> list[int]:
    """The grassroots unions standing under ``unit`` (itself included) in the tree as it stood on ``on``."""
    grassroots = tree_on(on, under=unit).filter(unit__unit_type__level=Level.GRASSROOTS)
    return list(grassroots.values_list("unit_id", flat=True))


def _members_on(unit_ids: list[int], on: datetime.date) -> dict[int, int]:
    rows = active_memberships(on).filter(unit_id__in=unit_ids).values("unit").annotate(n=Count("id"))
    return {row["unit"]: row["n"] for row in rows}


def _workforce_of(unit_ids: list[int]) -> dict[int, int]:
    rows = Employer.objects.filter(unit_id__in=unit_ids).values("unit").annotate(n=Sum("workforce"))
    return {row["unit"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Round:
    """One year's reporting of a target: the day the figures stand on and what the units draw from."""

    target: Target
    on: datetime.date
    rng: random.Random
    reach: float
    scale: float  # the province's size against its default
    reporting: float  # the share of the grassroots unions that report


Figures = list[tuple[Unit, Decimal, Decimal | None]]


def _districts(round_: Round) -> list[Unit]:
    return list(child_units_on(round_.target.programme.unit, round_.on).filter(unit_type__code="ldld-huyen"))


def _district_counts(round_: Round) -> Figures:
    """A count target shared among the district unions by their grassroots unions: what each reports."""
    districts = _districts(round_)
    weights = [len(_grassroots_under(district, round_.on)) for district in districts]
    total = round(int(round_.target.value) * round_.reach * round_.scale)
    if not any(weights):
        return []
    shares = allocation.largest_remainder(total, [Decimal(weight) for weight in weights])
    return [
        (district, Decimal(share), None) for district, share in zip(districts, shares, strict=True) if share
    ]


def _agreements(round_: Round) -> Figures:
    """Per district union: its enterprise unions, and how many of them hold a collective agreement."""
    figures = []
    for district in _districts(round_):
        under = _grassroots_under(district, round_.on)
        enterprises = Unit.objects.filter(pk__in=under, sector__in=ENTERPRISE_SECTORS).count()
        if enterprises:
            held = round(enterprises * min(1.0, round_.reach + round_.rng.uniform(-0.1, 0.1)))
            figures.append((district, Decimal(held), Decimal(enterprises)))
    return figures


def _grassroots_part(round_: Round, bases: dict[int, int]) -> Figures:
    """Some grassroots unions report: their base (workers or members) and the part of it reached."""
    rng, figures = round_.rng, []
    for unit in Unit.objects.filter(pk__in=bases).order_by("code"):
        if rng.random() < round_.reporting:
            whole = bases[unit.pk]
            part = min(whole, round(whole * min(1.0, round_.reach + rng.uniform(-0.05, 0.05))))
            figures.append((unit, Decimal(part), Decimal(whole)))
    return figures


def _workers(round_: Round) -> Figures:
    return _grassroots_part(round_, _workforce_of(_grassroots_under(round_.target.programme.unit, round_.on)))


def _members(round_: Round) -> Figures:
    units = _grassroots_under(round_.target.programme.unit, round_.on)
    return _grassroots_part(round_, _members_on(units, round_.on))


FIGURES: dict[str, Callable[[Round], Figures]] = {
    "district_counts": _district_counts,
    "agreements": _agreements,
    "workers": _workers,
    "members": _members,
}


def enter_figures(*, seed: int, scale: Mapping[str, float]) -> int:
    """The figures of ``REPORTINGS``, entered through ``reported.enter_figure``; how many were entered."""
    entered = 0
    for reporting in REPORTINGS:
        target = _target(reporting.programme, reporting.text)
        for year in reporting.years:
            rng = random.Random(f"{seed}:figures:{reporting.programme}:{target.position}:{year}")
            stands_on = D(year, 12, rng.randint(5, 20))
            round_ = Round(
                target=target,
                on=stands_on,
                rng=rng,
                reach=rng.uniform(*reporting.reached),
                scale=scale.get(target.programme.unit.code, 1.0),
                reporting=reporting.reporting,
            )
            for unit, numerator, denominator in FIGURES[reporting.figures](round_):
                reported.enter_figure(
                    user=None,
                    target=target,
                    unit=unit,
                    stands_on=stands_on,
                    numerator=numerator,
                    denominator=denominator,
                    note="Số liệu đơn vị báo cáo.",
                )
                entered += 1
    return entered


def share_admissions() -> Target:
    """Split each admissions target of ``SHARED_OUT`` among the units under its province on
    ``COUNTED_ON``, in proportion to their members that day, and adopt the largest share of the first
    split held by a union active today into its own programme; the adopted target."""
    splits = []
    for ref in SHARED_OUT:
        target = Target.objects.select_related("programme__unit").get(programme__ref=ref, indicator=SHARED_BY)
        splits.append(
            allocation.allocate(
                user=None,
                target=target,
                method=AllocationMethod.MEMBERS,
                base_on=COUNTED_ON,
                note="Giao chỉ tiêu theo số đoàn viên ngày 01/01/2020.",
            )
        )
    # Kiên Giang's unions at work now stand under An Giang, whose programmes it would then count.
    largest = (
        AllocationShare.objects.filter(allocation=splits[0], unit__dissolved_on__isnull=True)
        .select_related("unit", "allocation")
        .order_by("-value", "unit__code")[:1]
        .get()
    )
    return allocation.adopt_share(user=None, share=largest).target


def work_on_programmes(*, seed: int, scale: Mapping[str, float]) -> int:
    """Figures entered and the admissions targets shared out (module docstring); the figures entered."""
    entered = enter_figures(seed=seed, scale=scale)
    share_admissions()
    return entered
