"""Indicator values per unit and period, rolled up the tree, materialised and kept fresh.

A *window* is one indicator, with its parameters' values, over one period on one tree: the tree as it
stood on the period's end, or today's tree (``regroup_today``). Computing a window runs each measure's
GROUP BY once (own values per unit), places every unit with facts in the tree, and adds its own values
to itself and its ancestors (a pass over at most one row per unit). A unit that had ended before the
period's end counts for its successor as of that day (the primary one first), or, ended without one,
for its last parent: a reorganisation loses no history.

Freshness: when facts of unit X change from date D on (``refresh_units``), only X's own values are
recomputed, in the stored windows ending on or after D of the indicators that read such facts, and
the difference is added to X's ancestors as placed in each window. A reorganisation moves subtrees,
so it marks the windows ending on or after its date stale (and every window on today's tree); a stale
window is recomputed as a whole when it is next read.

A write that commits while a window is being computed is applied, after its commit, to the windows its
writer can see — not to that window, whose transaction has not committed yet — and its facts may be
missing from the window's GROUP BY, read before the commit. So every computation ends with a catch-up
(``catch_up``): the units of the changes applied since it began are refreshed in the new window too.
A refresh recomputes a unit's own value and adds the difference, so doing it twice changes nothing.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from congdoan.core.db import insert_rows
from congdoan.indicators import catalogue
from congdoan.indicators.catalogue import Indicator, Values
from congdoan.indicators.models import IndicatorValue, IndicatorWindow, PendingChange
from congdoan.indicators.values import Actual
from congdoan.units.models import Succession, Unit, UnitLink, path_units

ZERO = Decimal(0)
Pair = tuple[Decimal, Decimal]  # numerator, denominator (0 for a count)
# Ids per IN list: a whole country's units would pass SQLite's and PostgreSQL's limits on bound parameters.
BATCH = 2000
# From this many units asked, ``actuals`` reads the whole window, and ``placements`` every link of the
# day, rather than IN lists of their ids.
WHOLE_WINDOW_FROM = 500
# Applied change notes are kept this long, for the catch-up of windows computed meanwhile.
KEEP_APPLIED = datetime.timedelta(hours=1)
# Clocks of several application servers may differ a little: a catch-up looks back this much further.
CLOCK_MARGIN = datetime.timedelta(minutes=1)


def batched(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for first in range(0, len(ids), BATCH):
        yield ids[first : first + BATCH]


# ------------------------------------------------------------------------------------------ own values


def own_values(
    indicator: Indicator,
    *,
    start: datetime.date | None,
    end: datetime.date,
    values: Values | None = None,
    unit_ids=None,
) -> dict[int, Pair]:
    """Each unit's own numerator and denominator: the facts that belong to the unit itself (``values``:
    the indicator's parameters, defaults for those missing)."""
    values = indicator.values(values)
    own: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for index, measure in enumerate(m for m in (indicator.numerator, indicator.denominator) if m):
        for unit_id, value in measure.per_unit(
            start=start, end=end, values=values, unit_ids=unit_ids
        ).items():
            own[unit_id][index] += Decimal(value)
    return {unit_id: (pair[0], pair[1]) for unit_id, pair in own.items()}


# ------------------------------------------------------------------------------------------- placement


def placements(unit_ids: Iterable[int], *, end: datetime.date, regroup_today: bool) -> dict[int, str]:
    """Where each unit's facts roll up from: the path of the unit, or of the unit that holds them.

    On today's tree that is ``Unit.path`` (ended units are filed under their successors). On the tree of
    ``end``: the place ``placing_on`` finds. A unit founded after ``end`` has no place."""
    wanted = set(unit_ids)
    if regroup_today:
        return {
            pk: path
            for batch in batched(wanted)
            for pk, path in Unit.objects.filter(pk__in=batch).values_list("pk", "path")
        }
    placing = placing_on(wanted, end=end)
    return {unit: path for unit in wanted if (path := placing.place(unit)) is not None}


@dataclass(frozen=True)
class Placing:
    """Units on one day: the paths of those with a link that day (``paths``), and for each unit without
    one, the unit whose place it takes (``holders``): its successor as of that day (the primary one
    first), or, ended without one, its last parent. Indicators and progress both follow it, so a unit's
    actual and its allocated target cover the same units."""

    paths: dict[int, str]
    holders: dict[int, int]

    def chain(self, unit_id: int) -> list[int]:
        """The unit, then each unit holding its place in turn, up to the first with a place that day:
        the units its facts count for besides their ancestors."""
        chain = [unit_id]
        while chain[-1] not in self.paths and chain[-1] in self.holders:
            holder = self.holders[chain[-1]]
            if holder in chain:
                break
            chain.append(holder)
        return chain

    def place(self, unit_id: int) -> str | None:
        if unit_id in self.paths:  # most units: no chain to build
            return self.paths[unit_id]
        return self.paths.get(self.chain(unit_id)[-1])


def placing_on(unit_ids: Iterable[int], *, end: datetime.date) -> Placing:
    """Where ``unit_ids`` stood on ``end``, following the units that hold the places of those that had
    ended by then (a query or three per step along the chains)."""
    wanted = set(unit_ids)
    found: dict[int, str] = {}
    holder: dict[int, int] = {}  # a unit without a place on ``end`` -> the unit whose place it takes
    visited: set[int] = set()
    pending = wanted
    while pending:
        visited |= pending
        found.update(_paths_on(pending, end=end))
        unplaced = pending - found.keys()
        for batch in batched(unplaced):
            successions = (
                Succession.objects.filter(predecessor__in=batch, effective_on__lte=end)
                .order_by("predecessor", "-primary", "id")
                .values_list("predecessor_id", "successor_id")
            )
            for predecessor, successor in successions:
                holder.setdefault(predecessor, successor)
        for batch in batched(unplaced - holder.keys()):
            last_parents = (
                UnitLink.objects.filter(unit__in=batch, valid_to__lte=end, parent__isnull=False)
                .order_by("unit", "-valid_from")
                .values_list("unit_id", "parent_id")
            )
            for unit, parent in last_parents:
                holder.setdefault(unit, parent)
        pending = {holder[unit] for unit in unplaced if unit in holder} - visited
    return Placing(paths=found, holders=holder)


def _paths_on(unit_ids: set[int], *, end: datetime.date) -> Iterator[tuple[int, str]]:
    """(unit, path) of the links valid on ``end`` of those units that had one: for many units every link
    of the day in one query (a scan beats IN lists of thousands of ids), else by IN lists."""
    links = UnitLink.objects.filter(valid_from__lte=end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=end)
    )
    if len(unit_ids) > WHOLE_WINDOW_FROM:
        for unit_id, path in links.values_list("unit_id", "path"):
            if unit_id in unit_ids:
                yield unit_id, path
        return
    for batch in batched(unit_ids):
        yield from links.filter(unit__in=batch).values_list("unit_id", "path")


def roll_up(own: dict[int, Pair], places: dict[int, str]) -> dict[int, Pair]:
    """Each unit's subtree total: every unit's own values added to the units on its place's path."""
    rolled: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for unit_id, (numerator, denominator) in own.items():
        path = places.get(unit_id)
        if path is None:
            continue
        for ancestor in path_units(path):
            rolled[ancestor][0] += numerator
            rolled[ancestor][1] += denominator
    return {unit_id: (pair[0], pair[1]) for unit_id, pair in rolled.items()}


# --------------------------------------------------------------------------------------------- windows


def parameters_key(values: Values) -> str:
    """A window's parameters as stored, part of its key: "name=value" in the names' order, "," between."""
    return ",".join(f"{name}={value}" for name, value in sorted(values.items()))


def window_values(window: IndicatorWindow) -> dict[str, int]:
    """The parameters' values a window was computed with."""
    pairs = (item.split("=") for item in window.parameters.split(",") if item)
    return {name: int(value) for name, value in pairs}


def _window_lookup(indicator: Indicator, start, end, regroup_today, values: Values | None) -> dict:
    return dict(
        indicator=indicator.code,
        parameters=parameters_key(indicator.values(values)),
        start=indicator.window_start(start),
        end=end,
        regroup_today=regroup_today,
    )


_VALUE_COLUMNS = ["window", "unit_id", "own_numerator", "own_denominator", "numerator", "denominator"]


def compute_window(window: IndicatorWindow, *, new: bool = False) -> dict[int, Pair]:
    """(Re)compute every row of a window: one GROUP BY per measure, then the roll-up. Returns the rolled
    values it stored, so that a reader of a window just computed need not read them back. A ``new``
    window has no rows to delete, and was created as computed and fresh."""
    indicator = catalogue.get(window.indicator)
    own = own_values(indicator, start=window.start, end=window.end, values=window_values(window))
    places = placements(own, end=window.end, regroup_today=window.regroup_today)
    rolled = roll_up(own, places)
    if not new:
        window.values.all().delete()
    # Plain tuples: bulk_create's model instances took 2.5 times a hand-written statement computing the
    # whole window (BENCHMARKS.md).
    insert_rows(
        IndicatorValue,
        _VALUE_COLUMNS,
        (
            (window.pk, unit_id, *own.get(unit_id, (ZERO, ZERO)), *rolled.get(unit_id, (ZERO, ZERO)))
            for unit_id in own.keys() | rolled.keys()
        ),
    )
    if not new:
        window.computed_at, window.stale = timezone.now(), False
        window.save(update_fields=["computed_at", "stale"])
    return rolled


def _computed_if_needed(
    lookup: dict, window: IndicatorWindow | None
) -> tuple[IndicatorWindow, dict[int, Pair] | None]:
    """The window of ``lookup`` (``window``: as found stored, None if missing), computed if it is missing
    or stale; with its rolled values when they were just computed and no catch-up changed them since."""
    begun = timezone.now()
    rolled = None
    if window is None:
        try:
            with transaction.atomic():
                window = IndicatorWindow.objects.create(**lookup, computed_at=begun)
                rolled = compute_window(window, new=True)
        except IntegrityError:  # another request computed it meanwhile
            window = IndicatorWindow.objects.get(**lookup)
    elif window.stale:
        with transaction.atomic():
            window = IndicatorWindow.objects.select_for_update().get(pk=window.pk)
            if window.stale:  # else another request recomputed it meanwhile
                rolled = compute_window(window)
    if rolled is None:
        return window, None
    return window, None if catch_up(window, since=begun) else rolled


@dataclass(frozen=True)
class WindowRead:
    """One window to read: an indicator over [start, end] with its parameters' ``values`` (a programme's
    rules; defaults for those missing)."""

    indicator: str
    start: datetime.date | None
    end: datetime.date
    values: Values | None = None


def actuals(
    *,
    indicator: str,
    start: datetime.date | None,
    end: datetime.date,
    unit_ids: Collection[int],
    regroup_today: bool = False,
    values: Values | None = None,
) -> dict[int, Actual]:
    """For each unit: its subtree's value, the tree as it stood on `end` (or today's tree when
    regroup_today). Flow indicators count what happened in [start, end]; stock indicators read the state
    on `end` (start ignored). ``values``: the indicator's parameters (a programme's rules; defaults for
    those missing). Reads materialised results; computes and stores what is missing. Units with nothing
    get Actual(0) / Actual(0, 0)."""
    [found] = actuals_many(
        [WindowRead(indicator=indicator, start=start, end=end, values=values)],
        unit_ids=unit_ids,
        regroup_today=regroup_today,
    )
    return found


def actuals_many(
    reads: Sequence[WindowRead], *, unit_ids: Collection[int], regroup_today: bool = False
) -> list[dict[int, Actual]]:
    """What ``actuals`` gives for each of ``reads`` (in their order), however many: one query brings the
    stored windows up to date, one finds those of ``reads``, and one reads their rows for ``unit_ids``
    (for many units the whole windows: a scan by window id beats IN lists of thousands of ids). A missing
    or stale window is computed first, and its rows are not read back."""
    if not reads:
        return []
    # First, so that the windows computed here have no changes to catch up with (most pages read windows
    # already stored, and would apply them anyway).
    apply_pending()
    unit_ids = list(dict.fromkeys(unit_ids))
    indicators = [catalogue.get(read.indicator) for read in reads]
    lookups = [
        _window_lookup(indicator, read.start, read.end, regroup_today, read.values)
        for indicator, read in zip(indicators, reads, strict=True)
    ]
    keys = [(lookup["indicator"], lookup["parameters"], lookup["start"], lookup["end"]) for lookup in lookups]
    stored = IndicatorWindow.objects.filter(
        regroup_today=regroup_today,
        indicator__in={lookup["indicator"] for lookup in lookups},
        end__in={lookup["end"] for lookup in lookups},
    )
    windows = {(w.indicator, w.parameters, w.start, w.end): w for w in stored}
    rows: dict[int, dict[int, Pair]] = {}  # window id -> unit id -> its rolled pair
    for key, lookup in zip(keys, lookups, strict=True):
        window = windows.get(key)
        if window is None or window.stale:
            windows[key], rolled = _computed_if_needed(lookup, window)
            if rolled is not None:
                rows[windows[key].pk] = rolled
    unread = {windows[key].pk for key in keys} - rows.keys()
    rows.update({pk: {} for pk in unread})
    for values in _stored_rows(unread, unit_ids):
        for window_id, unit_id, numerator, denominator in values.values_list(
            "window_id", "unit_id", "numerator", "denominator"
        ):
            rows[window_id][unit_id] = (numerator, denominator)
    found = []
    for indicator, key in zip(indicators, keys, strict=True):
        window_rows = rows[windows[key].pk]
        ratio = indicator.denominator is not None
        # Most units of a window have nothing: they share one answer.
        result = dict.fromkeys(unit_ids, Actual(ZERO, ZERO if ratio else None))
        for unit_id, (numerator, denominator) in window_rows.items():
            if unit_id in result:
                result[unit_id] = Actual(_whole(numerator), _whole(denominator) if ratio else None)
        found.append(result)
    return found


def _stored_rows(window_ids: Collection[int], unit_ids: Collection[int]) -> Iterator:
    """The windows' rows to read for ``unit_ids``: for many units the whole windows in one query (a scan by
    window id beats IN lists of thousands of ids; the caller picks its units), else by IN lists."""
    if not window_ids:
        return
    rows = IndicatorValue.objects.filter(window__in=window_ids)
    if len(unit_ids) > WHOLE_WINDOW_FROM:
        yield rows
        return
    for batch in batched(unit_ids):
        yield rows.filter(unit_id__in=batch)


def _whole(number: Decimal) -> Decimal:
    """480 rather than the stored 480.00: counts read and print as whole numbers."""
    whole = number.to_integral_value()
    return whole if number == whole else number


# ------------------------------------------------------------------------------------------- freshness


def mark_stale(*, since: datetime.date) -> int:
    """The tree changed from ``since``: windows on that tree ending then or later, and every window on
    today's tree, are recomputed when next read."""
    return (
        IndicatorWindow.objects.filter(stale=False)
        .filter(Q(end__gte=since) | Q(regroup_today=True))
        .update(stale=True)
    )


def note_changes(*, changes: dict[int, datetime.date | None], reads: str) -> None:
    """Facts of the kind ``reads`` changed for some units, each from a date on (None: at any date).

    Recorded in the current transaction, applied once it commits (and before any read)."""
    if not changes:
        return
    PendingChange.objects.bulk_create(
        [PendingChange(unit_id=unit_id, since=since, reads=reads) for unit_id, since in changes.items()]
    )
    # Once per transaction, however many changes it makes (a merge of members notes dozens). A failure
    # after the commit leaves the notes for the next reader, and does not fail the committed write.
    waiting = transaction.get_connection().run_on_commit
    if not any(callback is apply_pending for _savepoints, callback, _robust in waiting):
        transaction.on_commit(apply_pending, robust=True)


def apply_pending() -> None:
    """Bring the stored windows up to date with the changes noted so far."""
    pending = list(
        PendingChange.objects.filter(applied_at=None)
        .order_by("pk")
        .values_list("pk", "unit_id", "since", "reads")
    )
    if not pending:
        return
    with transaction.atomic():
        for reads, changes in _by_kind(pending).items():
            refresh_units(changes=changes, reads=reads)
        now = timezone.now()
        PendingChange.objects.filter(pk__in=[row[0] for row in pending]).update(applied_at=now)
        PendingChange.objects.filter(applied_at__lt=now - KEEP_APPLIED).delete()


def _by_kind(notes) -> dict[str, dict[int, datetime.date | None]]:
    """Change notes (pk, unit, since, reads) as the earliest date per unit, for each kind of fact."""
    by_kind: dict[str, dict[int, datetime.date | None]] = defaultdict(dict)
    for _pk, unit_id, since, reads in notes:
        changes = by_kind[reads]
        known = changes.get(unit_id, since)
        changes[unit_id] = None if known is None or since is None else min(known, since)
    return by_kind


def catch_up(window: IndicatorWindow, *, since: datetime.datetime) -> bool:
    """Refresh, in a window just computed from ``since`` on, the units of the changes applied meanwhile
    (their writers could not see the window yet) or still waiting; whether there were any."""
    notes = PendingChange.objects.filter(
        Q(applied_at=None) | Q(applied_at__gte=since - CLOCK_MARGIN)
    ).values_list("pk", "unit_id", "since", "reads")
    reads = catalogue.get(window.indicator).reads
    units = {
        unit_id
        for kind, changes in _by_kind(notes).items()
        if kind in reads
        for unit_id, changed_from in changes.items()
        if changed_from is None or changed_from <= window.end
    }
    for batch in batched(sorted(units)):
        with transaction.atomic():
            _refresh_window_units(window, batch)
    return bool(units)


def refresh_units(*, changes: dict[int, datetime.date | None], reads: str) -> None:
    """In every fresh window that can see the changes, recompute those units' own values and add the
    difference to the units above them as placed in that window."""
    codes = [indicator.code for indicator in catalogue.all_indicators() if reads in indicator.reads]
    dated = [since for since in changes.values() if since is not None]
    windows = IndicatorWindow.objects.filter(indicator__in=codes, stale=False)
    if len(dated) == len(changes):
        windows = windows.filter(end__gte=min(dated))
    for window in windows:
        units = [unit for unit, since in changes.items() if since is None or since <= window.end]
        for batch in batched(units):
            _refresh_window_units(window, batch)


def _refresh_window_units(window: IndicatorWindow, unit_ids: list[int]) -> None:
    # One refresh of a window at a time: each reads the stored own values it corrects.
    window = IndicatorWindow.objects.select_for_update().get(pk=window.pk)
    if window.stale:
        return
    indicator = catalogue.get(window.indicator)
    fresh = own_values(
        indicator, start=window.start, end=window.end, values=window_values(window), unit_ids=unit_ids
    )
    stored = {
        unit_id: (numerator, denominator)
        for unit_id, numerator, denominator in window.values.filter(unit_id__in=unit_ids).values_list(
            "unit_id", "own_numerator", "own_denominator"
        )
    }
    deltas = {}
    for unit_id in unit_ids:
        new, old = fresh.get(unit_id, (ZERO, ZERO)), stored.get(unit_id, (ZERO, ZERO))
        if new != old:
            deltas[unit_id] = (new[0] - old[0], new[1] - old[1])
    if not deltas:
        return
    places = placements(deltas, end=window.end, regroup_today=window.regroup_today)
    rolled = roll_up(deltas, places)
    IndicatorValue.objects.bulk_create(
        [IndicatorValue(window=window, unit_id=unit_id) for unit_id in deltas.keys() | rolled.keys()],
        ignore_conflicts=True,
    )
    by_own: dict[Pair, list[int]] = defaultdict(list)
    for unit_id in deltas:
        by_own[fresh.get(unit_id, (ZERO, ZERO))].append(unit_id)
    for (numerator, denominator), units in by_own.items():
        window.values.filter(unit_id__in=units).update(own_numerator=numerator, own_denominator=denominator)
    by_delta: dict[Pair, list[int]] = defaultdict(list)
    for unit_id, delta in rolled.items():
        by_delta[delta].append(unit_id)
    for (numerator, denominator), units in by_delta.items():
        # Added in the database, not written back: concurrent refreshes of other units add up.
        window.values.filter(unit_id__in=units).update(
            numerator=F("numerator") + numerator, denominator=F("denominator") + denominator
        )


def refresh(*, indicator: str | None = None, stale_only: bool = False) -> int:
    """Recompute stored windows (of one indicator, or only the stale ones); the number recomputed."""
    apply_pending()
    windows = IndicatorWindow.objects.order_by("pk")
    if indicator is not None:
        windows = windows.filter(indicator=catalogue.get(indicator).code)
    if stale_only:
        windows = windows.filter(stale=True)
    count = 0
    for window in windows:
        begun = timezone.now()
        with transaction.atomic():
            compute_window(window)
        catch_up(window, since=begun)
        count += 1
    return count
