"""Reading the tree: today's, as it stood on a date, and a unit's history.

What a user reads goes through their scope. ``tree_on``, ``trees_on``, ``child_units_on``, the counts and the
names read the tree before any scope: for services that check the user themselves, and for the scoped readers
here.
"""

import datetime
from collections.abc import Collection, Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.units.models import Reorganisation, Succession, Unit, UnitLink, UnitName


def valid_on(on: datetime.date, prefix: str = "") -> Q:
    """Rows whose [valid_from, valid_to) interval contains ``on``."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": on})
    )


def units_for(user, action: str = Action.VIEW) -> QuerySet[Unit]:
    """Every unit the user may see (or change), ended ones included."""
    return restrict(Unit.objects.select_related("unit_type", "parent"), user, action)


def tree_on(on: datetime.date, *, under: Unit | Collection[int] | None = None) -> QuerySet[UnitLink]:
    """The tree as it stood on ``on``, before any scope: one link per unit that existed then.

    ``under`` (a unit, or the ids of several) narrows it to their subtrees *as they stood then* (each
    unit itself included; nothing for a unit that did not stand in the tree that day).
    """
    links = UnitLink.objects.filter(valid_on(on))
    if under is None:
        return links
    roots = [under.pk] if isinstance(under, Unit) else list(under)
    return links.filter(_under_any(links.filter(unit_id__in=roots).order_by().values_list("path", flat=True)))


def _under_any(paths: Iterable[str]) -> Q:
    """Links whose path lies under one of ``paths`` (none when there are none)."""
    within = Q(pk__in=[])
    last = None
    for path in sorted(paths):  # a path sorts right after its ancestors': those under another add nothing
        if last is None or not path.startswith(last):
            within |= Q(path__under=path)
            last = path
    return within


def trees_on(days: Collection[datetime.date]) -> QuerySet[UnitLink]:
    """The trees as they stood on each of ``days`` in one queryset, before any scope: every link that
    stood on at least one of them (``links_by_day`` sorts them out)."""
    on_any = Q(pk__in=[])
    for day in days:
        on_any |= valid_on(day)
    return UnitLink.objects.filter(on_any)


def links_by_day(
    links: Iterable[UnitLink], days: Collection[datetime.date]
) -> dict[datetime.date, list[UnitLink]]:
    """day -> those of ``links`` (read from ``trees_on(days)``) that stood that day, in the order read."""
    by_day: dict[datetime.date, list[UnitLink]] = {day: [] for day in days}
    for link in links:
        for day, standing in by_day.items():
            if link.valid_from <= day and (link.valid_to is None or day < link.valid_to):
                standing.append(link)
    return by_day


def links_on(*, user, on: datetime.date, under: Unit | None = None) -> QuerySet[UnitLink]:
    """``tree_on`` within the user's scope."""
    links = tree_on(on, under=under).select_related("unit", "unit__unit_type", "parent")
    return restrict(links, user, path_field="unit__path")


def children_on(*, user, parent: Unit | None, on: datetime.date) -> QuerySet[UnitLink]:
    """The links of the units directly under ``parent`` on ``on``, within the user's scope."""
    links = tree_on(on).filter(parent=parent).select_related("unit", "unit__unit_type")
    return restrict(links, user, path_field="unit__path").order_by("unit__code")


def child_units_on(parent: Unit, on: datetime.date) -> QuerySet[Unit]:
    """The units directly under ``parent`` in the tree as it stood on ``on``, in code order, before any
    scope."""
    return Unit.objects.filter(pk__in=tree_on(on).filter(parent=parent).values("unit_id")).order_by("code")


def count_children_on(*, unit_ids: list[int], on: datetime.date) -> dict[int, int]:
    """How many units stood directly under each of ``unit_ids`` on ``on`` (for "expand" arrows)."""
    rows = (
        tree_on(on)
        .filter(parent_id__in=unit_ids)
        .order_by()  # the default order (by unit) would join every unit in for nothing
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    return dict(rows)


def count_below_on(*, unit_ids: Collection[int], on: datetime.date) -> dict[int, int]:
    """How many units stood anywhere below each of ``unit_ids`` on ``on``, in one count over their subtrees
    (a unit that did not stand in the tree that day is left out)."""
    tops = dict(tree_on(on).filter(unit_id__in=list(unit_ids)).order_by().values_list("unit_id", "path"))
    if not tops:
        return {}
    below = {f"below_{unit}": Count("id", filter=Q(path__under=path)) for unit, path in tops.items()}
    counts = tree_on(on).filter(_under_any(tops.values())).aggregate(**below)
    return {unit: counts[f"below_{unit}"] - 1 for unit in tops}  # less the unit itself


def names_on(*, unit_ids: Iterable[int], on: datetime.date) -> dict[int, UnitName]:
    """The name each unit bore on ``on``; an ended unit keeps its last name."""
    return names_on_days(unit_ids=unit_ids, days=[on])[on]


def names_on_days(
    *, unit_ids: Iterable[int], days: Collection[datetime.date]
) -> dict[datetime.date, dict[int, UnitName]]:
    """day -> ``names_on`` that day, for several days in one query."""
    names: dict[datetime.date, dict[int, UnitName]] = {day: {} for day in days}
    if not names:
        return names
    rows = UnitName.objects.filter(unit_id__in=list(unit_ids), valid_from__lte=max(names))
    for name in rows.order_by("unit_id", "valid_from"):
        for day, named in names.items():
            if name.valid_from <= day:
                named[name.unit_id] = name  # the latest that began on or before the day wins
    return names


def today() -> datetime.date:
    return timezone.localdate()


def successor_today(unit: Unit) -> Unit:
    """The active unit that carries ``unit`` today (itself if active), following primary successions."""
    seen = set()
    current = unit
    while current.dissolved_on is not None and current.pk not in seen:
        seen.add(current.pk)
        step = (
            Succession.objects.filter(predecessor=current, primary=True).select_related("successor").first()
        )
        if step is None:
            break
        current = step.successor
    return current


def parent_history(unit: Unit) -> QuerySet[UnitLink]:
    return unit.links.select_related("parent", "reorganisation__decision").order_by("valid_from")


def name_history(unit: Unit) -> QuerySet[UnitName]:
    return unit.names.select_related("reorganisation__decision").order_by("valid_from")


def reorganisations_of(unit: Unit) -> QuerySet[Reorganisation]:
    return (
        Reorganisation.objects.filter(involved__unit=unit)
        .distinct()
        .select_related("decision__issuer", "unit")
        .prefetch_related("involved__unit")
        .order_by("effective_on", "id")
    )


def subtree_counts(unit: Unit, on: datetime.date | None = None) -> dict[str, int]:
    """Units by level in the subtree of ``unit`` on ``on`` (today by default)."""
    rows = (
        tree_on(on or today(), under=unit)
        .exclude(unit=unit)
        .values("unit__unit_type__level")
        .annotate(n=Count("id"))
    )
    return {row["unit__unit_type__level"]: row["n"] for row in rows}
