"""Live progress of a programme's targets for a unit on a day: actual, target, percent, met, pace, light.

The figures come from the indicator engine (``congdoan.indicators.engine.actuals``) for a target that
follows an indicator, and from the values units entered for a target entered by hand ("nhập tay",
``congdoan.plans.reported.rolled_up_windows``). A unit either source knows nothing about has *no figures*
(a grey light, "chưa có số liệu"), never a silent zero.

The window a target is read over is a whole number of calendar years: its year, its term, or, for an
"every year" target (and a standing one), the year of the day asked about. The day is clipped into that
window; the share of the window elapsed on it sets the pace a flow count should keep (admitted so far
against ``target * elapsed``), while stock and percent targets compare the current value with the target.

Roll-up follows the tree as it stood on the last day read (the default) or today's tree (``regroup_today``),
as the engine does. A unit's allocated target follows the same tree: its own share and the shares of the
units whose places it held by then, as the engine places their records (``engine.Placing``: a merge, a
split, or, for a unit ended without a successor, its last parent), so the actual and the target cover
the same units. Everything goes through the user's scope; ``user`` None is the operator of
the command line, who sees everything (as ``congdoan programmes list`` does).
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.indicators import catalogue, engine
from congdoan.indicators.values import HUNDRED, Actual
from congdoan.plans.allocation import shares_by_target
from congdoan.plans.models import Comparator, Programme, Target, TargetKind
from congdoan.plans.periods import Period, PeriodKind
from congdoan.plans.reported import FigureWindow, rolled_up_windows
from congdoan.plans.selectors import former_ancestors, visible
from congdoan.units.models import Unit, path_prefixes
from congdoan.units.selectors import links_by_day, names_on_days, today, tree_on, trees_on

SIGNS = {Comparator.AT_LEAST: "≥", Comparator.ABOVE: ">", Comparator.EXACTLY: "="}
# A target behind its pace by at most this share of the pace is amber rather than red.
AMBER_SHARE = Decimal("0.2")


class Light:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"

    LABELS = {
        GREEN: gettext_lazy("Met or on pace"),
        AMBER: gettext_lazy("Slightly behind"),
        RED: gettext_lazy("Behind"),
        GREY: gettext_lazy("No figures yet"),
    }
    COLOURS = {GREEN: "#1e6b3a", AMBER: "#a05a00", RED: "#b3261e", GREY: "#767676"}


class TargetSource:
    """Where the value a unit must reach comes from."""

    PROGRAMME = "programme"  # the unit the programme is filed under: the programme's value
    ALLOCATED = "allocated"  # a share allocated to this unit, with those of the units ended into it
    RATE = "rate"  # a percent target holds for every unit under the programme
    NONE = "none"  # a count no one allocated to this unit: only its share of the total is shown


# ------------------------------------------------------------------------------------------ the window


@dataclass(frozen=True)
class Window:
    """The days a target is read over, the day read (clipped into them), and the share elapsed then."""

    start: datetime.date
    end: datetime.date
    at: datetime.date
    elapsed: Decimal  # 0 before the window, 1 on or after its last day

    @property
    def started(self) -> bool:
        return self.elapsed > 0

    @property
    def ended(self) -> bool:
        return self.elapsed == 1


def window(target: Target, at: datetime.date) -> Window:
    period = target.period
    first, last = period.first, period.last
    if period.kind in (PeriodKind.EVERY_YEAR, PeriodKind.STANDING):
        year = at.year
        if first is not None:
            year = max(year, first)
        if last is not None:
            year = min(year, last)
        first = last = year
    start, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    if at < start:
        elapsed = Decimal(0)
    elif at >= end:
        elapsed = Decimal(1)
    else:
        elapsed = Decimal((at - start).days + 1) / Decimal((end - start).days + 1)
    return Window(start=start, end=end, at=min(max(at, start), end), elapsed=elapsed)


def month_ends(win: Window) -> list[datetime.date]:
    """The last day of each month from the window's start up to the day read (that day closes the list)."""
    days = []
    year, month = win.start.year, win.start.month
    while True:
        day = datetime.date(year, month, calendar.monthrange(year, month)[1])
        if day >= win.at:
            days.append(win.at)
            return days
        days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


# ------------------------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Verdict:
    percent: Decimal | None  # actual / target, in percent (a percent target: its percent over the target's)
    met: bool | None
    expected: Decimal | None  # what should stand by now: target * elapsed for a flow count, else the target
    pace: Decimal | None  # actual / expected, in percent
    light: str | None  # None: no target to judge against


def meets(value: Decimal, comparator: str, target: Decimal) -> bool:
    if comparator == Comparator.ABOVE:
        return value > target
    if comparator == Comparator.EXACTLY:
        return value == target
    return value >= target


def _ratio(part: Decimal, whole: Decimal | None) -> Decimal | None:
    return part * HUNDRED / whole if whole else None


def judge(
    *,
    value: Decimal | None,
    target: Decimal | None,
    comparator: str,
    flow: bool,
    elapsed: Decimal,
) -> Verdict:
    """Met, pace and light for ``value`` (None: no figures, or a ratio over nothing) against ``target``.

    Met → green; on pace (not yet over) → green; short of the pace (or of the target, once the window is
    over) by at most 20% of it → amber; else red. An "exactly" target overshot is judged by the overshoot.
    """
    if value is None:
        return Verdict(percent=None, met=None, expected=None, pace=None, light=Light.GREY)
    if target is None:
        return Verdict(percent=None, met=None, expected=None, pace=None, light=None)
    met = meets(value, comparator, target)
    expected = target * elapsed if flow else target
    verdict = {
        "percent": _ratio(value, target),
        "met": met,
        "expected": expected,
        "pace": _ratio(value, expected),
    }
    if met:
        return Verdict(**verdict, light=Light.GREEN)
    if comparator == Comparator.EXACTLY and value > target:
        gap, base = value - target, target
    elif elapsed < 1 and value >= expected:
        return Verdict(**verdict, light=Light.GREEN)
    else:
        gap, base = expected - value, expected
    return Verdict(**verdict, light=Light.AMBER if gap <= AMBER_SHARE * base else Light.RED)


# ------------------------------------------------------------------------------------------ the figures


def is_flow(target: Target) -> bool:
    """Whether the target counts what happens in its window (paced by time) rather than a state."""
    if target.kind == TargetKind.PERCENT:
        return False
    if target.manual:
        return True  # an entered count is what was done in the window: admitted, founded, trained…
    return catalogue.get(target.indicator).semantics == catalogue.FLOW


@dataclass(frozen=True)
class Reading:
    """A target's figures over the days [start, end]."""

    target: Target
    start: datetime.date
    end: datetime.date


def read_figures(
    readings: list[Reading], *, unit_ids: Collection[int], regroup_today: bool
) -> list[dict[int, Actual]]:
    """For each reading, each unit's actual (its subtree rolled up) from the engine or the entered values;
    absent: none. However many readings (targets, month ends) and units, the engine's windows are read
    together, and so are the figures entered by hand and the tree they roll up along."""
    unit_ids = list(dict.fromkeys(unit_ids))
    computed = _computed(
        [reading for reading in readings if not reading.target.manual], unit_ids, regroup_today
    )
    entered = _entered([reading for reading in readings if reading.target.manual], unit_ids, regroup_today)
    return [(entered if reading.target.manual else computed)[reading] for reading in readings]


def _computed(
    readings: list[Reading], unit_ids: list[int], regroup_today: bool
) -> dict[Reading, dict[int, Actual]]:
    """What ``engine.actuals`` gives each reading, all read together (``engine.actuals_many``)."""
    reads = [
        engine.WindowRead(
            indicator=reading.target.indicator,
            start=reading.start,
            end=reading.end,
            values=indicator_values(reading.target),
        )
        for reading in readings
    ]
    found = engine.actuals_many(reads, unit_ids=unit_ids, regroup_today=regroup_today)
    return dict(zip(readings, found, strict=True))


def _measures(targets: list[Target]) -> dict[int, int]:
    """target id -> the id of the target whose figures it reads (``reported.measure_of``, for many targets
    in one query a step up their chains of adopted shares)."""
    measure = {target.pk: target.pk for target in targets}
    climbing = {target.pk: target.allocated_from_id for target in targets if target.allocated_from_id}
    seen = {pk: {pk} for pk in climbing}
    while climbing:
        above = dict(Target.objects.filter(pk__in=set(climbing.values())).values_list("pk", "allocated_from"))
        for pk, step in list(climbing.items()):
            measure[pk] = step
            seen[pk].add(step)
            if above.get(step) is None or above[step] in seen[pk]:
                del climbing[pk]
            else:
                climbing[pk] = above[step]
    return measure


def _entered(
    readings: list[Reading], unit_ids: list[int], regroup_today: bool
) -> dict[Reading, dict[int, Actual]]:
    """Each reading's entered figures rolled up, all read together (``reported.rolled_up_windows``):
    the readings of one target from one day (a trend's month ends) are one window of figures."""
    if not readings:
        return {}
    measures = _measures([reading.target for reading in readings])
    ends: dict[tuple[Target, datetime.date], list[datetime.date]] = defaultdict(list)
    for reading in dict.fromkeys(readings):
        ends[reading.target, reading.start].append(reading.end)
    windows = [
        FigureWindow(measure_id=measures[target.pk], start=start, ends=tuple(days))
        for (target, start), days in ends.items()
    ]
    rolled = rolled_up_windows(windows, unit_ids=unit_ids, regroup_today=regroup_today)
    found = {}
    for (target, start), by_end in zip(ends, rolled, strict=True):
        for end, figures in by_end.items():
            found[Reading(target, start, end)] = {unit: figure.actual for unit, figure in figures.items()}
    return {reading: found[reading] for reading in readings}


def indicator_values(target: Target) -> dict | None:
    """The parameters the target's indicator takes from the target's programme: its merge rule sets the
    threshold of a small union; a programme without one follows the programme it carries out, up the
    chain (a district's share of a province's target counts what the province counts); with none, the
    indicator's defaults."""
    if target.manual or not catalogue.get(target.indicator).parameters:
        return None
    programme, seen = target.programme, set()
    while programme.merge_rule is None and programme.parent_id is not None and programme.pk not in seen:
        seen.add(programme.pk)
        programme = programme.parent
    return programme.merge_rule


def indicator_definition(target: Target) -> str:
    """The definition of the indicator the target follows, with the values of its parameters."""
    return catalogue.get(target.indicator).definition_for(indicator_values(target))


# ------------------------------------------------------------------------------------------ progress


@dataclass(frozen=True)
class Progress:
    target: Target
    unit: Unit
    name: str  # the unit's name on the day its tree is read
    window: Window
    actual: Actual | None
    target_value: Decimal | None  # what this unit must reach
    target_source: str
    verdict: Verdict
    share: Decimal | None  # a count without a target of its own: its part of the reference unit's actual

    @property
    def value(self) -> Decimal | None:
        return self.actual.value if self.actual is not None else None

    @property
    def numerator(self) -> Decimal | None:
        return self.actual.numerator if self.actual is not None else None

    @property
    def denominator(self) -> Decimal | None:
        return self.actual.denominator if self.actual is not None else None

    @property
    def has_figures(self) -> bool:
        return self.actual is not None

    @property
    def no_base(self) -> bool:
        """A ratio over nothing (0 of 0): there is nothing to count, so no percent."""
        return self.actual is not None and self.actual.value is None

    @property
    def requirement(self) -> str:
        """What this unit must reach, as a person reads it: ≥ 70%, ≥ 1.200."""
        if self.target_value is None:
            return ""
        sign = SIGNS[self.target.comparator]
        value = self.target_value.normalize() if self.target_value % 1 else int(self.target_value)
        return f"{sign} {localize(value)}{'%' if self.target.kind == TargetKind.PERCENT else ''}"

    @property
    def light_colour(self) -> str:
        return Light.COLOURS.get(self.verdict.light, "#2f5d9a")

    @property
    def light_label(self) -> str:
        if self.no_base:
            return _("Nothing to count")
        return str(Light.LABELS[self.verdict.light]) if self.verdict.light else ""


def _target_for(target: Target, unit: Unit, shares: dict[int, Decimal]) -> tuple[Decimal | None, str]:
    if unit.pk == target.programme.unit_id:
        return target.value, TargetSource.PROGRAMME
    if unit.pk in shares:
        return shares[unit.pk], TargetSource.ALLOCATED
    if target.kind == TargetKind.PERCENT:
        return target.value, TargetSource.RATE
    return None, TargetSource.NONE


def _scoped(queryset: QuerySet, user, path_field: str | None = None) -> QuerySet:
    return queryset if user is None else restrict(queryset, user, Action.VIEW, path_field)


def tree_day(win: Window, regroup_today: bool) -> datetime.date:
    """The day whose tree the figures roll up along: the last day read, or today."""
    return today() if regroup_today else win.at


def allocated_targets(windows: dict[Target, Window], regroup_today: bool) -> dict[int, dict[int, Decimal]]:
    """target id -> unit id -> what the unit must reach by the split in force: its own share and the shares
    of the units whose places it held on the day whose tree is read (``engine.Placing``: their successors,
    or the last parent of one ended without a successor), as their records roll up into its actual. The
    tree is walked once for each day a split is read on."""
    shares = shares_by_target(windows)
    days = {target.pk: tree_day(win, regroup_today) for target, win in windows.items()}
    held: dict[datetime.date, set[int]] = defaultdict(set)
    for target_id, by_unit in shares.items():
        held[days[target_id]] |= by_unit.keys()
    placings = {day: engine.placing_on(unit_ids, end=day) for day, unit_ids in held.items()}
    targets: dict[int, dict[int, Decimal]] = {}
    for target_id, by_unit in shares.items():
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for unit_id, value in by_unit.items():
            for holder in placings[days[target_id]].chain(unit_id):
                totals[holder] += value
        targets[target_id] = dict(totals)
    return targets


def _names_by_day(unit_ids: Collection[int], days: Collection[datetime.date]) -> dict[datetime.date, dict]:
    """day -> unit id -> the name the unit bore that day: ``names_on_days`` in batches of ids, for a page
    that may ask for a whole province's units."""
    names: dict[datetime.date, dict[int, str]] = {day: {} for day in days}
    for batch in engine.batched(unit_ids):
        for day, named in names_on_days(unit_ids=batch, days=days).items():
            names[day].update((unit_id, name.name) for unit_id, name in named.items())
    return names


@dataclass(frozen=True)
class Ask:
    """The progress of ``target`` for each of ``units``; ``reference`` is the unit whose actual a unit
    without a target of its own is a share of."""

    target: Target
    units: list[Unit]
    reference: Unit | None = None


def progress_for(asks: list[Ask], *, at: datetime.date, regroup_today: bool = False) -> list[list[Progress]]:
    """The rows each ask asks for, the figures, shares and names of all of them read at once: the queries
    do not grow with the targets, the units or the days read."""
    windows = {ask.target: window(ask.target, at) for ask in asks}
    unit_ids = {unit.pk for ask in asks for unit in ask.units}
    unit_ids |= {ask.reference.pk for ask in asks if ask.reference is not None}
    readings = [Reading(ask.target, windows[ask.target].start, windows[ask.target].at) for ask in asks]
    found = read_figures(readings, unit_ids=unit_ids, regroup_today=regroup_today)
    shares = allocated_targets(windows, regroup_today)
    names = _names_by_day(unit_ids, {tree_day(win, regroup_today) for win in windows.values()})
    return [
        _rows(
            ask,
            win=windows[ask.target],
            found=figures,
            shares=shares.get(ask.target.pk, {}),
            names=names[tree_day(windows[ask.target], regroup_today)],
        )
        for ask, figures in zip(asks, found, strict=True)
    ]


def _rows(
    ask: Ask, *, win: Window, found: dict[int, Actual], shares: dict[int, Decimal], names: dict[int, str]
) -> list[Progress]:
    target = ask.target
    flow = is_flow(target)
    whole = found.get(ask.reference.pk) if ask.reference is not None else None
    rows = []
    for unit in ask.units:
        actual = found.get(unit.pk)
        target_value, source = _target_for(target, unit, shares)
        share = None
        if source == TargetSource.NONE and actual is not None and whole is not None:
            share = _ratio(actual.numerator, whole.numerator)
        rows.append(
            Progress(
                target=target,
                unit=unit,
                name=names.get(unit.pk, unit.name),
                window=win,
                actual=actual,
                target_value=target_value,
                target_source=source,
                verdict=judge(
                    value=actual.value if actual is not None else None,
                    target=target_value,
                    comparator=target.comparator,
                    flow=flow,
                    elapsed=win.elapsed,
                ),
                share=share,
            )
        )
    return rows


# ----------------------------------------------------------------------------------- what a page reads


def _one(queryset: QuerySet, user, missing: str, **lookup):
    """One object in the user's scope (404 outside it); the command line's operator (None) reaches any."""
    if user is not None:
        return get_for(queryset, user, Action.VIEW, **lookup)
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(missing) from None


def programme_of(user, ref: str) -> Programme:
    """A programme with its targets, if the user may see it: filed in their subtree or above them (404)."""
    programmes = Programme.objects.select_related("unit").prefetch_related("targets")
    if user is not None:
        programmes = visible(programmes, user)
    return _one(programmes, None, _("There is no programme %(ref)s.") % {"ref": ref}, ref=ref)


def target_of(user, ref: str, pk: int) -> Target:
    """A target of the programme ``ref``, if the user may see the programme (404 otherwise)."""
    targets = Target.objects.select_related("programme", "programme__unit")
    if user is not None:
        targets = targets.filter(programme__in=visible(Programme.objects.all(), user))
    return _one(targets, None, _("Not found, or outside your unit."), programme__ref=ref, pk=pk)


def unit_of(user, code: str) -> Unit:
    units = Unit.objects.select_related("unit_type")
    return _one(units, user, _("No unit has the code «%(code)s».") % {"code": code}, code=code)


def lies_under(unit: Unit, root: Unit | None, on: datetime.date) -> bool:
    """Whether ``unit`` stands under ``root`` in today's tree or in the tree of ``on``."""
    if root is None or unit.pk == root.pk:
        return True
    if unit.path.startswith(root.path):
        return True
    return tree_on(on, under=root).filter(unit=unit).exists()


def carried_out_back_then(unit: Unit, programme: Programme) -> bool:
    """Whether ``unit`` stood under the programme's unit while it ran, though no longer (moved away, or its
    province merged away): it still reads the progress of what it carried out."""
    return Programme.objects.filter(former_ancestors(unit), pk=programme.pk).exists()


def unit_for(user, programme: Programme, code: str | None, on: datetime.date) -> Unit:
    """The unit progress is read for: ``code``, else the programme's own unit when it is in the user's scope,
    else the user's own (a programme filed above them); it must stand under the programme's unit (today, on
    ``on``, or while the programme ran: ``selectors.former_ancestors``) and in the user's scope, or it is not
    found."""
    if code:
        unit = unit_of(user, code)
    elif programme.unit_id is not None and (
        user is None or restrict(Unit.objects.filter(pk=programme.unit_id), user, Action.VIEW).exists()
    ):
        unit = programme.unit
    elif user is not None and user.unit_id is not None:
        unit = unit_of(user, user.unit.code)
    else:
        raise Http404(_("Choose a unit."))
    if not lies_under(unit, programme.unit, on) and not carried_out_back_then(unit, programme):
        raise Http404(
            _("%(unit)s does not stand under %(filed)s, where the programme is filed.")
            % {"unit": unit.name, "filed": programme.unit.name}
        )
    return unit


def total_holder(programme: Programme, unit: Unit) -> Unit | None:
    """The unit whose actual a unit's own figure is a share of on its own line: the programme's unit."""
    return programme.unit if programme.unit_id is not None and programme.unit_id != unit.pk else None


def targets_of(programme: Programme) -> list[Target]:
    """The programme's targets, each knowing its programme (no query per target)."""
    targets = list(programme.targets.all())
    for target in targets:
        target.programme = programme
    return targets


def programme_progress(
    *, programme: Programme, unit: Unit, at: datetime.date, regroup_today: bool = False
) -> list[Progress]:
    """Every target of ``programme`` for ``unit``; a count without its own target is shown as a share of
    the programme unit's actual."""
    reference = total_holder(programme, unit)
    asks = [Ask(target, [unit], reference) for target in targets_of(programme)]
    return [row for rows in progress_for(asks, at=at, regroup_today=regroup_today) for row in rows]


def children(*, user, unit: Unit, days: Collection[datetime.date]) -> dict[datetime.date, list[Unit]]:
    """day -> the units directly under ``unit`` in the tree of that day, within the scope, by code (one
    query for all the days)."""
    links = trees_on(days).filter(parent=unit).select_related("unit", "unit__unit_type")
    by_day = links_by_day(_scoped(links, user, "unit__path").order_by("unit__code"), days)
    return {day: [link.unit for link in standing] for day, standing in by_day.items()}


@dataclass(frozen=True)
class DrillDown:
    own: Progress
    children: list[Progress]


def drill_downs(
    *, user, targets: list[Target], unit: Unit, at: datetime.date, regroup_today: bool = False
) -> list[DrillDown]:
    """Each target for ``unit`` (as on the programme's page) and for each unit directly under it (each
    child's share being of ``unit``); the units under it read once for each day their tree is read on."""
    days = {target: tree_day(window(target, at), regroup_today) for target in targets}
    below = children(user=user, unit=unit, days=set(days.values()))
    asks = []
    for target in targets:
        asks += [
            Ask(target, [unit], total_holder(target.programme, unit)),
            Ask(target, below[days[target]], unit),
        ]
    rows = progress_for(asks, at=at, regroup_today=regroup_today)
    return [DrillDown(own=own, children=rest) for [own], rest in zip(rows[::2], rows[1::2], strict=True)]


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    value: Decimal | None


def trend(*, target: Target, unit: Unit, at: datetime.date, regroup_today: bool = False) -> list[TrendPoint]:
    """The actual at each month end of the window up to the day read (flows: counted from its start)."""
    win = window(target, at)
    if not win.started:
        return []
    days = month_ends(win)
    readings = [Reading(target, win.start, day) for day in days]
    points = []
    for day, found in zip(
        days, read_figures(readings, unit_ids=[unit.pk], regroup_today=regroup_today), strict=True
    ):
        actual = found.get(unit.pk)
        points.append(TrendPoint(day=day, value=actual.value if actual is not None else None))
    return points


def live_targets(*, user, unit: Unit, on: datetime.date | None = None) -> list[Progress]:
    """The targets in force for ``unit`` on ``on`` (today): those of the programmes filed on it or on its
    ancestors in today's tree (that the user may see) whose period holds that day's year."""
    on = on or today()
    ancestors = path_prefixes(unit.path)
    year = on.year
    in_force = Q(period_kind=PeriodKind.YEAR, period_start=year) | (
        Q(period_kind__in=[PeriodKind.TERM, PeriodKind.EVERY_YEAR, PeriodKind.STANDING])
        & (Q(period_start__isnull=True) | Q(period_start__lte=year))
        & (Q(period_end__isnull=True) | Q(period_end__gte=year))
    )
    programmes = Programme.objects.filter(in_force, unit__path__in=ancestors)
    if user is not None:
        programmes = visible(programmes, user)
    programmes = (
        programmes.select_related("unit")
        .prefetch_related("targets")
        .order_by("-unit__depth", "-issued_on", "ref")
    )
    asks = [
        Ask(target, [unit], total_holder(programme, unit))
        for programme in programmes
        for target in targets_of(programme)
        if target.period.covers(Period(PeriodKind.YEAR, year, year))
    ]
    return [row for rows in progress_for(asks, at=on) for row in rows]
