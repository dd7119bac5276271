"""Figures entered by hand ("nhập tay") for targets no record can give, and how they add up the tree.

Entering: a unit's figure for a target, as it stood on a date (``stands_on``, in one of the target's
years, not after today, while the unit was active): a whole count, or for a percent target a numerator
and a denominator (412 of 420 workers informed). The unit lies under the target's programme's unit and in
the user's scope; entering again for the same date replaces the figure. Figures belong to the target that
defines the measure (the top of a chain of adopted shares, ``measure_of``), so a figure entered through a
unit's own adopted target also counts for the targets above it.

Roll-up for a window [start, end] (``start`` None: from the beginning) — the rule:
- A unit's own figure is the latest it entered with ``stands_on`` in the window.
- The units that take part are those that stood in the tree on ``end``; a unit that ended before ``end``
  gives nothing (its successor reports for its people).
- A figure stands for its unit's whole subtree as it stood on the figure's day (``stands_on``). A unit's
  figure adds up the figures of the units in its subtree (itself included), each counted once: a figure
  whose unit lay under another counted figure's unit on that other figure's day is already in it and is
  not counted again (the covering figure wins). With no figure of its own nor below it, a unit has none
  (never a silent zero). Counts add up; ratios add numerators and denominators, never percents.
- The covering figure wins even when the covered one is later: the district's figure of March already
  holds the people of its CĐCS, and we cannot take out their March part to put their June figure in.
  A unit that came under the district after the district's day is not in its figure and is added.
- Subtrees are those of the tree as it stood on ``end`` (``UnitLink``), or with ``regroup_today`` those
  of today's tree (``Unit.parent``). Regrouped, a unit that has ended since ``end`` is filed under its
  successor; it was not a part of the successor on the successor's day but a predecessor, so its figure
  is added to the successor's even when the successor entered its own — but a CĐCS that moved with it
  to the successor is covered by the predecessor's figure and not counted twice.
- So a unit's figure is not always the sum of its children's: a CĐCS that left district A for district
  B after A's figure counts under B, yet once under their common parent, where A's figure covers it.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.indicators.engine import batched
from congdoan.indicators.values import Actual
from congdoan.plans.models import ReportedValue, Target, TargetKind
from congdoan.plans.periods import PeriodKind
from congdoan.units.models import Unit, UnitLink, path_units
from congdoan.units.selectors import child_units_on


def measure_of(target: Target) -> Target:
    """The target whose figures ``target`` reads: the top of its chain of adopted shares."""
    seen = {target.pk}
    while target.allocated_from_id is not None and target.allocated_from_id not in seen:
        seen.add(target.allocated_from_id)
        target = Target.objects.select_related("programme__unit").get(pk=target.allocated_from_id)
    return target


# ---------------------------------------------------------------------------------------- entering


def _whole_not_negative(value: Decimal | None, field: str, label: str) -> dict[str, str]:
    if value is None:
        return {field: _("%(label)s is required.") % {"label": label}}
    if value < 0 or value != value.to_integral_value():
        return {field: _("%(label)s is a whole number, 0 or more.") % {"label": label}}
    return {}


def _figure_errors(target: Target, numerator: Decimal | None, denominator: Decimal | None) -> dict[str, str]:
    errors = _whole_not_negative(numerator, "numerator", _("The figure"))
    if target.kind == TargetKind.COUNT:
        if denominator is not None:
            errors["denominator"] = _("A count target takes one figure, without “out of”.")
        return errors
    errors |= _whole_not_negative(denominator, "denominator", _("“Out of”"))
    if "denominator" not in errors and denominator == 0:
        errors["denominator"] = _("“Out of” cannot be 0: a percent of nothing means nothing.")
    elif not errors and numerator > denominator:
        errors["numerator"] = _("The figure (%(numerator)s) cannot exceed “out of” (%(denominator)s).") % {
            "numerator": numerator.normalize(),
            "denominator": denominator.normalize(),
        }
    return errors


def _date_errors(target: Target, unit: Unit, stands_on: datetime.date | None) -> dict[str, str]:
    if stands_on is None:
        return {"stands_on": _("Give the date the figure stands at.")}
    period = target.period
    if (period.first is not None and stands_on.year < period.first) or (
        period.last is not None and stands_on.year > period.last
    ):
        return {
            "stands_on": _("%(date)s lies outside the target's period (%(period)s).")
            % {"date": date_format(stands_on, "SHORT_DATE_FORMAT"), "period": period}
        }
    if stands_on > timezone.localdate():
        return {"stands_on": _("A figure stands at a date up to today, not later.")}
    if not unit.is_active_on(stands_on):
        return {
            "stands_on": _("%(unit)s was not active on %(date)s.")
            % {"unit": unit, "date": date_format(stands_on, "SHORT_DATE_FORMAT")}
        }
    return {}


def _unit_errors(user, target: Target, unit: Unit) -> dict[str, str]:
    if user is not None and not restrict(Unit.objects.filter(pk=unit.pk), user, Action.CHANGE).exists():
        return {"unit": _("%(unit)s is outside your unit: you cannot enter its figures.") % {"unit": unit}}
    home = target.programme.unit
    if home is None or not unit.path.startswith(home.path):
        return {
            "unit": _("%(unit)s is not under %(home)s, whose programme sets this target.")
            % {"unit": unit, "home": home or "—"}
        }
    return {}


@transaction.atomic
def enter_figure(
    *,
    user,
    target: Target,
    unit: Unit,
    stands_on: datetime.date | None,
    numerator: Decimal | None,
    denominator: Decimal | None = None,
    note: str = "",
) -> ReportedValue:
    """Record ``unit``'s figure for ``target`` as of ``stands_on`` (see the module docstring)."""
    if not target.manual:
        raise ValidationError(
            {
                "target": _("This target follows the indicator %(code)s: its figures come from the records.")
                % {"code": target.indicator}
            }
        )
    errors = _unit_errors(user, target, unit) | _date_errors(target, unit, stands_on)
    errors |= _figure_errors(target, numerator, denominator)
    if errors:
        raise ValidationError(errors)
    measure = measure_of(target)
    figure = ReportedValue.objects.select_for_update().filter(
        target=measure, unit=unit, stands_on=stands_on
    ).first() or ReportedValue(target=measure, unit=unit, stands_on=stands_on)
    figure.numerator, figure.denominator, figure.note = numerator, denominator, note.strip()
    figure.entered_by = user
    figure.full_clean()
    figure.save()
    return figure


# ----------------------------------------------------------------------------------------- reading


def window_end(target: Target, at: datetime.date | None = None) -> datetime.date:
    """The day a page reads figures on: ``at``, or the end of the target's period, or today if sooner."""
    if at is not None:
        return at
    today = timezone.localdate()
    last = target.period.last
    return min(datetime.date(last, 12, 31), today) if last is not None else today


def window_start(target: Target, end: datetime.date) -> datetime.date | None:
    """Where the window ending on ``end`` opens: the first year, or for "every year" the year of ``end``."""
    period = target.period
    if period.kind == PeriodKind.EVERY_YEAR:
        return datetime.date(end.year, 1, 1)
    return datetime.date(period.first, 1, 1) if period.first is not None else None


def rows_for(unit: Unit, *, end: datetime.date, regroup_today: bool) -> list[Unit]:
    """``unit`` and the units directly under it, in the tree as it stood on ``end`` or in today's tree."""
    if regroup_today:
        children = Unit.objects.filter(parent=unit, founded_on__lte=end)
        return [unit, *children.order_by("code")]
    return [unit, *child_units_on(unit, end)]


def figures_for(user, target: Target) -> QuerySet[ReportedValue]:
    """The figures entered for ``target``'s measure by units in the user's scope, latest first."""
    figures = ReportedValue.objects.filter(target=measure_of(target)).select_related("unit", "entered_by")
    return restrict(figures, user).order_by("-stands_on", "unit__code")


@dataclass(frozen=True)
class Figure:
    actual: Actual
    entered: bool  # the unit's own figure; False: summed from the units below it
    own: ReportedValue | None = None


@dataclass
class _Tree:
    children: dict[int, set[int]]  # parent id -> child ids
    carried: dict[int, set[int]]  # successor id -> ended units filed under it (regrouped only)
    taking_part: set[int]  # units with figures that stood in the tree on ``end``
    places: dict[int, list[tuple[list[int], datetime.date, datetime.date | None]]]
    # unit with figures -> its places over time: (the units above it, valid from, valid until)


def _places(figures: QuerySet) -> dict[int, list[tuple[list[int], datetime.date, datetime.date | None]]]:
    """Every place in the tree, over time, of the units with figures: what each figure covers."""
    links = UnitLink.objects.filter(unit_id__in=figures.values("unit_id"))
    places = defaultdict(list)
    for unit_id, path, valid_from, valid_to in links.values_list("unit_id", "path", "valid_from", "valid_to"):
        places[unit_id].append((path_units(path)[:-1], valid_from, valid_to))
    return places


def _trees(
    ends: Collection[datetime.date], figures: QuerySet, regroup_today: bool
) -> dict[datetime.date, _Tree]:
    """end -> the tree its figures roll up along, the tree read once for all the ends: those of the units
    with ``figures`` (in the windows of the latest ends; the units without a figure in a window by an
    earlier end are left out of that end's roll-up by its figures, not by its tree)."""
    places = _places(figures)
    if not regroup_today:
        return {end: _tree_on(end, places) for end in ends}
    with_figures, rows = _units_today(figures)
    return _trees_today(ends, with_figures, rows, places)


def _tree_on(end: datetime.date, places: dict) -> _Tree:
    """The paths, in the tree of ``end``, from the root down to each unit with figures: a unit without a
    figure below it has none, so the rest of the tree is not read. A path lists its unit's ancestors."""
    children: dict[int, set[int]] = defaultdict(set)
    taking_part = set()
    for unit_id, unit_places in places.items():
        for above, valid_from, valid_to in unit_places:
            if valid_from <= end and (valid_to is None or valid_to > end):
                taking_part.add(unit_id)
                for child, parent in zip([*above[1:], unit_id], above, strict=True):
                    children[parent].add(child)
    return _Tree(children=children, carried={}, taking_part=taking_part, places=places)


_TODAY_COLUMNS = ("pk", "parent_id", "path", "founded_on", "dissolved_on")


def _units_today(figures: QuerySet) -> tuple[set[int], list[tuple]]:
    """The units with figures, and today's rows (``_TODAY_COLUMNS``) of them and of the units above them."""
    rows = list(Unit.objects.filter(pk__in=figures.values("unit_id")).values_list(*_TODAY_COLUMNS))
    with_figures = {row[0] for row in rows}
    above = {upper for row in rows for upper in path_units(row[2])[:-1]} - with_figures
    for batch in batched(above):
        rows += Unit.objects.filter(pk__in=batch).values_list(*_TODAY_COLUMNS)
    return with_figures, rows


def _trees_today(
    ends: Collection[datetime.date], with_figures: set[int], rows: list[tuple], places: dict
) -> dict[datetime.date, _Tree]:
    """As ``_tree_on`` in today's tree, where an ended unit is carried by the unit it is filed under. The
    tree is today's for every end (built once, shared); only who takes part depends on the end."""
    today = timezone.localdate()
    children: dict[int, set[int]] = defaultdict(set)
    carried: dict[int, set[int]] = defaultdict(set)
    for unit_id, parent_id, _path, _founded_on, dissolved_on in rows:
        ended = dissolved_on is not None and dissolved_on <= today
        (carried if ended else children)[parent_id].add(unit_id)
    return {
        end: _Tree(
            children=children,
            carried=carried,
            taking_part={
                unit_id
                for unit_id, _parent_id, _path, founded_on, dissolved_on in rows
                if unit_id in with_figures
                and founded_on <= end
                and (dissolved_on is None or dissolved_on > end)
            },
            places=places,
        )
        for end in ends
    }


def _latest(figures: list[ReportedValue], units: set[int]) -> dict[int, ReportedValue]:
    latest: dict[int, ReportedValue] = {}
    for figure in figures:  # ordered by unit, date and pk: the latest in the window wins
        if figure.unit_id in units:
            latest[figure.unit_id] = figure
    return latest


def _coverers(tree: _Tree, own: dict[int, ReportedValue]) -> dict[int, set[int]]:
    """Unit -> the units with figures whose figure covers its own: it lay under them on their figure's day.
    Two units each under the other on the other's day (a swap between two figures): the later figure
    covers, so that one of them counts."""
    covered_by: dict[int, set[int]] = defaultdict(set)
    for unit_id in own:
        for above, valid_from, valid_to in tree.places.get(unit_id, ()):
            for upper in above:
                figure = own.get(upper)
                if (
                    figure
                    and valid_from <= figure.stands_on
                    and (valid_to is None or figure.stands_on < valid_to)
                ):
                    covered_by[unit_id].add(upper)
    key = {unit_id: (figure.stands_on, figure.pk) for unit_id, figure in own.items()}
    for unit_id, uppers in covered_by.items():
        uppers -= {
            upper for upper in uppers if unit_id in covered_by.get(upper, ()) and key[upper] < key[unit_id]
        }
    return covered_by


def _counted(units: set[int], covered_by: dict[int, set[int]]) -> set[int]:
    """The units among ``units`` whose figures count: those no counted figure among them covers."""
    decided: dict[int, bool] = {}

    def counts(unit_id: int, seen: frozenset[int]) -> bool:
        if unit_id not in decided:
            uppers = sorted((covered_by.get(unit_id, set()) & units) - seen)
            decided[unit_id] = not any(counts(upper, seen | {unit_id}) for upper in uppers)
        return decided[unit_id]

    return {unit_id for unit_id in sorted(units) if counts(unit_id, frozenset())}


def _actual(figure: ReportedValue) -> Actual:
    return Actual(figure.numerator, figure.denominator)


def rolled_up(
    *,
    target: Target,
    start: datetime.date | None,
    end: datetime.date,
    unit_ids: Collection[int],
    regroup_today: bool = False,
) -> dict[int, Figure]:
    """Each of ``unit_ids`` with a figure in the window: its own, or summed from below (module docstring)."""
    [found] = rolled_up_windows(
        [FigureWindow(measure_id=measure_of(target).pk, start=start, ends=(end,))],
        unit_ids=unit_ids,
        regroup_today=regroup_today,
    )
    return found[end]


@dataclass(frozen=True)
class FigureWindow:
    """The figures of one measure (``measure_of`` a target) from ``start`` (None: from the beginning) up
    to each of ``ends`` (one at least)."""

    measure_id: int
    start: datetime.date | None
    ends: tuple[datetime.date, ...]

    def __post_init__(self):
        if not self.ends:
            raise ValueError("A window of figures is read up to one day at least.")

    @property
    def reach(self) -> Q:
        reach = Q(target_id=self.measure_id, stands_on__lte=max(self.ends))
        return reach if self.start is None else reach & Q(stands_on__gte=self.start)

    def holds(self, figure: ReportedValue) -> bool:
        return (
            figure.target_id == self.measure_id
            and figure.stands_on <= max(self.ends)
            and (self.start is None or figure.stands_on >= self.start)
        )


def rolled_up_windows(
    windows: Sequence[FigureWindow], *, unit_ids: Collection[int], regroup_today: bool = False
) -> list[dict[datetime.date, dict[int, Figure]]]:
    """For each window, end -> what ``rolled_up`` gives for [start, end]: many windows (the targets of a
    programme's page) in the queries of one. The figures of all of them are one query, and the tree is
    read once along the units with any of them; a unit with figures of another window only lengthens the
    walk, as each window counts its own figures alone."""
    if not windows:
        return []
    reach = windows[0].reach
    for window in windows[1:]:
        reach |= window.reach
    in_windows = ReportedValue.objects.filter(reach)
    figures = list(in_windows.order_by("unit_id", "stands_on", "pk"))
    if not figures:  # many targets entered by hand have no figure yet: no tree to read
        return [{end: {} for end in window.ends} for window in windows]
    trees = _trees({end for window in windows for end in window.ends}, in_windows, regroup_today)
    by_measure: dict[int, list[ReportedValue]] = defaultdict(list)
    for figure in figures:  # each window scans its own measure's figures, not every window's
        by_measure[figure.target_id].append(figure)
    found = []
    for window in windows:
        held = [figure for figure in by_measure[window.measure_id] if window.holds(figure)]
        found.append(
            {
                end: _rolled_up_on(
                    [figure for figure in held if figure.stands_on <= end], trees[end], unit_ids
                )
                for end in window.ends
            }
        )
    return found


def _rolled_up_on(figures: list[ReportedValue], tree: _Tree, unit_ids: Collection[int]) -> dict[int, Figure]:
    """Each of ``unit_ids`` with a figure among ``figures`` (one window's), rolled up along ``tree``."""
    own = _latest(figures, tree.taking_part)
    covered_by = _coverers(tree, own)

    def with_figures_under(unit_id: int) -> set[int]:
        found, stack = set(), [unit_id]
        while stack:
            current = stack.pop()
            if current in own:
                found.add(current)
            stack += tree.children.get(current, ())
            stack += tree.carried.get(current, ())
        return found

    result = {}
    for unit_id in unit_ids:
        counted = _counted(with_figures_under(unit_id), covered_by)
        if not counted:
            continue
        entered = own[unit_id] if unit_id in counted else None
        result[unit_id] = Figure(
            actual=_total([_actual(own[part]) for part in sorted(counted)]),
            entered=entered is not None,
            own=entered,
        )
    return result


def _total(actuals: list[Actual]) -> Actual:
    total = actuals[0]
    for actual in actuals[1:]:
        total = total + actual
    return total
