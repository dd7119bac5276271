"""Reading the tree, always through the user's scope: today's, as it stood on a date, and a unit's history."""

import datetime

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


def links_on(*, user, on: datetime.date, under: Unit | None = None) -> QuerySet[UnitLink]:
    """The tree as it stood on ``on``: one link per unit that existed then, within the user's scope.

    ``under`` narrows it to that unit's subtree *as it stood then* (the unit itself included).
    """
    links = UnitLink.objects.filter(valid_on(on)).select_related("unit", "unit__unit_type", "parent")
    links = restrict(links, user, path_field="unit__path")
    if under is not None:
        root = UnitLink.objects.filter(valid_on(on), unit=under).first()
        if root is None:
            return links.none()
        links = links.filter(path__under=root.path)
    return links


def children_on(*, user, parent: Unit | None, on: datetime.date) -> QuerySet[UnitLink]:
    links = UnitLink.objects.filter(valid_on(on), parent=parent).select_related("unit", "unit__unit_type")
    return restrict(links, user, path_field="unit__path").order_by("unit__code")


def count_children_on(*, unit_ids: list[int], on: datetime.date) -> dict[int, int]:
    """How many units stood directly under each of ``unit_ids`` on ``on`` (for "expand" arrows)."""
    rows = (
        UnitLink.objects.filter(valid_on(on), parent_id__in=unit_ids)
        .order_by()  # the default order (by unit) would join every unit in for nothing
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    return dict(rows)


def names_on(*, unit_ids, on: datetime.date) -> dict[int, UnitName]:
    """The name each unit bore on ``on``; an ended unit keeps its last name."""
    result: dict[int, UnitName] = {}
    for name in UnitName.objects.filter(unit_id__in=list(unit_ids), valid_from__lte=on).order_by(
        "unit_id", "valid_from"
    ):
        result[name.unit_id] = name  # the latest that began on or before ``on`` wins
    return result


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
        .select_related("decision", "unit")
        .prefetch_related("involved__unit")
        .order_by("effective_on", "id")
    )


def subtree_counts(unit: Unit, on: datetime.date | None = None) -> dict[str, int]:
    """Units by level in the subtree of ``unit`` on ``on`` (today by default)."""
    on = on or today()
    root = UnitLink.objects.filter(valid_on(on), unit=unit).first()
    if root is None:
        return {}
    rows = (
        UnitLink.objects.filter(valid_on(on), path__under=root.path)
        .exclude(unit=unit)
        .values("unit__unit_type__level")
        .annotate(n=Count("id"))
    )
    return {row["unit__unit_type__level"]: row["n"] for row in rows}
