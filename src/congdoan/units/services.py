"""Changes to the union tree. Each public function is one transaction, tied to a decision, and keeps history.

Rules every change obeys (a refusal names the field and says why, in Vietnamese):
- dates run forward: a change may not take effect before the unit's founding, nor before the latest
  change already recorded for any unit it touches;
- the tree stays a tree (no unit under itself or its descendants) and levels go down (a parent is of a
  higher level than its child);
- an ended unit has no active children and takes no further change (its ending is its latest change);
- a code is never reused, not even a code of an ended unit.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_many
from congdoan.core.text import normalize
from congdoan.units.models import (
    LEVEL_RANK,
    Area,
    Decision,
    Employer,
    EmployerWorkforce,
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

Role = ReorganisationUnit.Role


def _d(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


@dataclass(kw_only=True)
class NewUnit:
    """What a founding, a merge into a new unit or a split needs to know of a unit to create."""

    code: str
    name: str
    unit_type: UnitType
    short_name: str = ""
    sector: str = ""
    area: Area | None = None
    address: str = ""
    children: list[Unit] = field(default_factory=list)  # for a split: the children this part takes


# ---------------------------------------------------------------------------------------------- checks


def _check_code_free(code: str, field_name: str = "code") -> None:
    if Unit.objects.filter(code__iexact=code).exists():
        raise ValidationError(
            {
                field_name: _("The code %(code)s is already used by another unit (codes are never reused).")
                % {"code": code}
            }
        )


def _check_active(unit: Unit, on: datetime.date, field_name: str) -> None:
    if on < unit.founded_on:
        raise ValidationError(
            {
                "effective_on": _("%(unit)s was founded on %(date)s; the change cannot take effect earlier.")
                % {"unit": unit, "date": _d(unit.founded_on)}
            }
        )
    if unit.dissolved_on is not None:  # whatever ``on`` is: the ending is the unit's latest change
        raise ValidationError(
            {field_name: _("%(unit)s ended on %(date)s.") % {"unit": unit, "date": _d(unit.dissolved_on)}}
        )


def _check_levels(parent: Unit | None, child_type: UnitType, field_name: str = "parent") -> None:
    if parent is None:
        if child_type.level != Level.NATIONAL:
            raise ValidationError({field_name: _("Only a national unit may stand without a parent.")})
        return
    if LEVEL_RANK[parent.unit_type.level] >= LEVEL_RANK[child_type.level]:
        raise ValidationError(
            {
                field_name: _(
                    "A %(child)s unit cannot be placed under %(parent)s, which is not of a higher level."
                )
                % {"child": Level(child_type.level).label, "parent": parent}
            }
        )


def _open_link(unit: Unit) -> UnitLink:
    return UnitLink.objects.select_for_update().get(unit=unit, valid_to__isnull=True)


def _lock(units: list[Unit]) -> None:
    """Serialise concurrent changes to the same units (a no-op lock on SQLite, whose writes are serial).

    Then re-read them: the checks and the new paths must use what is committed, not what the caller
    loaded before (a form opened earlier, a concurrent request)."""
    list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    for unit in units:
        unit.refresh_from_db()


def _check_placed_since(parent: Unit, on: datetime.date) -> None:
    """A unit put under ``parent`` from ``on`` takes the path ``parent`` has held since its last move."""
    since = _open_link(parent).valid_from
    if on < since:
        raise ValidationError(
            {
                "effective_on": _(
                    "%(unit)s has stood where it is since %(date)s; a unit cannot be placed under it earlier."
                )
                % {"unit": parent, "date": _d(since)}
            }
        )


# ----------------------------------------------------------------------------------------- primitives


def _new_reorganisation(
    *,
    kind: str,
    effective_on: datetime.date,
    decision: Decision | None,
    unit: Unit,
    note: str,
    roles: list[tuple[Unit, str]],
) -> Reorganisation:
    reorg = Reorganisation.objects.create(
        kind=kind, effective_on=effective_on, decision=decision, unit=unit, note=note
    )
    ReorganisationUnit.objects.bulk_create(
        [ReorganisationUnit(reorganisation=reorg, unit=u, role=role) for u, role in dict.fromkeys(roles)]
    )
    return reorg


def _move_scope(unit: Unit, new_parent: Unit | None) -> None:
    """Re-file ``unit`` and everything filed under it in today's tree below ``new_parent``."""
    old_path = unit.path
    new_path = (new_parent.path if new_parent else "") + path_segment(unit.pk)
    new_depth = new_parent.depth + 1 if new_parent else 0
    if new_parent is not None and new_parent.path.startswith(old_path):
        raise ValidationError(
            {"parent": _("%(unit)s cannot be placed under itself or one of its own units.") % {"unit": unit}}
        )
    if new_path != old_path:
        Unit.objects.filter(path__under=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (new_depth - unit.depth),
        )
    unit.parent, unit.path, unit.depth = new_parent, new_path, new_depth


def _relink(unit: Unit, new_parent: Unit, on: datetime.date, reorg: Reorganisation) -> None:
    """Put active ``unit`` under ``new_parent`` from ``on``.

    Its active subtree's links follow with new paths."""
    _check_active(new_parent, on, "parent")
    _check_placed_since(new_parent, on)
    _check_levels(new_parent, unit.unit_type)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("%(unit)s cannot be placed under itself or one of its own units.") % {"unit": unit}}
        )
    own = _open_link(unit)
    if own.parent_id == new_parent.pk:
        raise ValidationError(
            {"parent": _("%(unit)s is already under %(parent)s.") % {"unit": unit, "parent": new_parent}}
        )
    _check_no_later_change_below(own.path, on)
    # With their units and parents loaded: the change log names both (UnitLink.__str__) for every link.
    subtree = list(
        UnitLink.objects.select_for_update(of=("self",))
        .filter(valid_to__isnull=True, path__under=own.path)
        .select_related("unit", "parent")
    )
    new_prefix = new_parent.path + path_segment(unit.pk)
    shift = new_parent.depth + 1 - own.depth
    closed, created, rewritten, befores = [], [], [], []
    for link in subtree:
        path = new_prefix + link.path[len(own.path) :]
        parent = new_parent if link.unit_id == unit.pk else link.parent
        if link.valid_from == on:  # a second change on the same day replaces the first
            befores.append(link.audit_snapshot())
            link.path, link.depth, link.parent, link.reorganisation = (
                path,
                link.depth + shift,
                parent,
                reorg,
            )
            rewritten.append(link)
        else:
            befores_closed = link.audit_snapshot()
            link.valid_to = on
            closed.append((link, befores_closed))
            created.append(
                UnitLink(
                    unit=link.unit,
                    parent=parent,
                    path=path,
                    depth=link.depth + shift,
                    valid_from=on,
                    reorganisation=reorg,
                )
            )
    UnitLink.objects.bulk_update([link for link, _ in closed], ["valid_to"], batch_size=1000)
    UnitLink.objects.bulk_update(rewritten, ["path", "depth", "parent", "reorganisation"], batch_size=1000)
    UnitLink.objects.bulk_create(created, batch_size=1000)
    log_many(
        action=ObjectChange.Action.UPDATE,
        objects=[link for link, _ in closed] + rewritten,
        befores=[before for _, before in closed] + befores,
    )
    log_many(action=ObjectChange.Action.CREATE, objects=created)
    _move_scope(unit, new_parent)
    unit.save(update_fields=["parent", "path", "depth"])


def _create_unit(
    spec: NewUnit,
    *,
    parent: Unit | None,
    on: datetime.date,
    reorg_kind: str,
    decision: Decision | None,
    note: str = "",
) -> tuple[Unit, Reorganisation]:
    _check_code_free(spec.code)
    _check_levels(parent, spec.unit_type)
    if parent is not None:
        _check_active(parent, on, "parent")
        _check_placed_since(parent, on)
    unit = Unit(
        code=spec.code,
        name=normalize(spec.name),  # before full_clean, so that a name of spaces counts as blank
        short_name=normalize(spec.short_name),
        unit_type=spec.unit_type,
        sector=spec.sector,
        area=spec.area,
        address=spec.address,
        founded_on=on,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
    )
    unit.full_clean(exclude=["path", "parent"])
    unit.save()
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    reorg = _new_reorganisation(
        kind=reorg_kind,
        effective_on=on,
        decision=decision,
        unit=unit,
        note=note,
        roles=[(unit, Role.CREATED)] + ([(parent, Role.TARGET)] if parent else []),
    )
    UnitLink.objects.create(
        unit=unit, parent=parent, path=unit.path, depth=unit.depth, valid_from=on, reorganisation=reorg
    )
    UnitName.objects.create(
        unit=unit, name=unit.name, short_name=unit.short_name, valid_from=on, reorganisation=reorg
    )
    return unit, reorg


def _check_no_later_change_below(path: str, on: datetime.date) -> None:
    """Nothing that stood at or below ``path`` may have changed after ``on``.

    A change from ``on`` rewrites the paths below from that date, and a link that began or closed
    later (a unit founded, moved in or out, or ended there) would keep its old path for the dates between."""
    later = (
        UnitLink.objects.filter(path__under=path)
        .filter(Q(valid_from__gt=on) | Q(valid_to__gt=on))
        .select_related("unit")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "effective_on": _(
                    "%(unit)s already changed on %(date)s; a later change cannot take effect before it."
                )
                % {"unit": later.unit, "date": _d(later.valid_to or later.valid_from)}
            }
        )


def _end(unit: Unit, on: datetime.date, reorg: Reorganisation, successors: list[Unit]) -> None:
    """End ``unit`` on ``on``: its link closes.

    Today's tree files it under its first successor or its last parent."""
    own = _open_link(unit)
    if on <= own.valid_from:
        raise ValidationError(
            {
                "effective_on": _("%(unit)s last changed on %(date)s; it can only end after that.")
                % {"unit": unit, "date": _d(own.valid_from)}
            }
        )
    active_children = UnitLink.objects.filter(parent=unit, valid_to__isnull=True).select_related("unit")
    if active_children.exists():
        names = ", ".join(str(link.unit) for link in active_children[:5])
        raise ValidationError(
            {
                "children_to": _(
                    "%(unit)s still has active units under it (%(names)s): move them or end them first."
                )
                % {"unit": unit, "names": names}
            }
        )
    _check_no_later_change_below(own.path, on)
    before = own.audit_snapshot()
    own.valid_to = on
    own.save(update_fields=["valid_to"])
    log_many(action=ObjectChange.Action.UPDATE, objects=[own], befores=[before])
    for index, heir in enumerate(successors):
        Succession.objects.create(
            predecessor=unit, successor=heir, effective_on=on, reorganisation=reorg, primary=index == 0
        )
    _move_scope(unit, successors[0] if successors else own.parent)
    unit.dissolved_on = on
    unit.save()


# ------------------------------------------------------------------------------------------- services


@transaction.atomic
def record_decision(
    *,
    number: str,
    signed_on: datetime.date,
    signer: str,
    issuer: Unit | None = None,
    summary: str = "",
    file=None,
) -> Decision:
    decision = Decision(
        number=number.strip(),
        signed_on=signed_on,
        signer=signer.strip(),
        issuer=issuer,
        summary=summary.strip(),
    )
    if file:
        decision.file = file
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def found_unit(
    *,
    spec: NewUnit,
    parent: Unit | None,
    founded_on: datetime.date,
    decision: Decision | None = None,
    note: str = "",
) -> Unit:
    """Found a unit under ``parent`` (none only for the national unit)."""
    if parent is not None:
        _lock([parent])
    unit, _reorg = _create_unit(
        spec, parent=parent, on=founded_on, reorg_kind=Reorganisation.Kind.FOUND, decision=decision, note=note
    )
    return unit


@transaction.atomic
def move_units(
    *, units: list[Unit], new_parent: Unit, effective_on: datetime.date, decision: Decision, note: str = ""
) -> Reorganisation:
    """Move units (with everything under them) to another parent, from ``effective_on``."""
    if not units:
        raise ValidationError({"units": _("Choose at least one unit to move.")})
    _lock([*units, new_parent])
    reorg = _new_reorganisation(
        kind=Reorganisation.Kind.MOVE,
        effective_on=effective_on,
        decision=decision,
        unit=new_parent,
        note=note,
        roles=[(new_parent, Role.TARGET)] + [(u, Role.MOVED) for u in units],
    )
    for unit in units:
        unit.refresh_from_db()
        _check_active(unit, effective_on, "units")
        _relink(unit, new_parent, effective_on, reorg)
    return reorg


@transaction.atomic
def merge_units(
    *,
    sources: list[Unit],
    effective_on: datetime.date,
    decision: Decision,
    into: Unit | None = None,
    new_unit: NewUnit | None = None,
    new_parent: Unit | None = None,
    note: str = "",
) -> Reorganisation:
    """Merge ``sources`` into an existing unit ``into``, or into ``new_unit`` founded under ``new_parent``.

    The active children of every source move to the merged unit; the sources end, with it as successor.
    """
    if (into is None) == (new_unit is None):
        raise ValidationError({"into": _("Merge into either an existing unit or a new one.")})
    if into is not None and into in sources:
        raise ValidationError({"into": _("A unit cannot be merged into itself.")})
    if len(sources) < (1 if into else 2):
        raise ValidationError({"sources": _("Choose the units to merge.")})
    _lock([*sources, *(u for u in (into, new_parent) if u)])
    if new_unit is not None:
        into, _created = _create_unit(
            new_unit,
            parent=new_parent,
            on=effective_on,
            reorg_kind=Reorganisation.Kind.FOUND,
            decision=decision,
            note=note,
        )
    into.refresh_from_db()
    _check_active(into, effective_on, "into")
    reorg = _new_reorganisation(
        kind=Reorganisation.Kind.MERGE,
        effective_on=effective_on,
        decision=decision,
        unit=into,
        note=note,
        roles=[(into, Role.TARGET)] + [(s, Role.SOURCE) for s in sources],
    )
    for source in sources:
        source.refresh_from_db()
        _check_active(source, effective_on, "sources")
        if source.unit_type.level != into.unit_type.level:
            raise ValidationError(
                {
                    "sources": _(
                        "%(source)s is not of the same level as %(into)s; only units of one level merge."
                    )
                    % {"source": source, "into": into}
                }
            )
        if into.path.startswith(source.path):
            raise ValidationError(
                {"into": _("%(into)s lies under %(source)s.") % {"into": into, "source": source}}
            )
        for child in _active_children(source):
            _relink(child, into, effective_on, reorg)
            ReorganisationUnit.objects.get_or_create(reorganisation=reorg, unit=child, role=Role.MOVED)
        _end(source, effective_on, reorg, successors=[into])
    return reorg


@transaction.atomic
def split_unit(
    *,
    source: Unit,
    parts: list[NewUnit],
    effective_on: datetime.date,
    decision: Decision,
    end_source: bool = True,
    note: str = "",
) -> Reorganisation:
    """Split ``source`` into new units beside it, each taking the children listed in its part.

    With ``end_source`` the source ends and every active child must go to a part; without it, the parts
    are carved out (tách) and the source carries on with the children left to it.
    """
    if not parts:
        raise ValidationError({"parts": _("Describe at least one new unit.")})
    _lock([source])
    source.refresh_from_db()
    _check_active(source, effective_on, "source")
    assigned = [child.pk for part in parts for child in part.children]
    if len(assigned) != len(set(assigned)):
        raise ValidationError({"parts": _("A unit can go to one new unit only.")})
    children = {child.pk: child for child in _active_children(source)}
    if stray := [pk for pk in assigned if pk not in children]:
        raise ValidationError(
            {
                "parts": _(
                    "Only active units directly under %(source)s can be shared out (%(count)s are not)."
                )
                % {"source": source, "count": len(stray)}
            }
        )
    if end_source and (left := [c for pk, c in children.items() if pk not in assigned]):
        raise ValidationError(
            {
                "parts": _("%(count)s units under %(source)s have no new unit, e.g. %(example)s.")
                % {"count": len(left), "source": source, "example": left[0]}
            }
        )
    parent = source.parent
    reorg = _new_reorganisation(
        kind=Reorganisation.Kind.SPLIT,
        effective_on=effective_on,
        decision=decision,
        unit=source,
        note=note,
        roles=[(source, Role.SOURCE)],
    )
    created = []
    for part in parts:
        unit, _found = _create_unit(
            part,
            parent=parent,
            on=effective_on,
            reorg_kind=Reorganisation.Kind.FOUND,
            decision=decision,
            note=note,
        )
        ReorganisationUnit.objects.create(reorganisation=reorg, unit=unit, role=Role.CREATED)
        for child in part.children:
            _relink(children[child.pk], unit, effective_on, reorg)
            ReorganisationUnit.objects.get_or_create(reorganisation=reorg, unit=child, role=Role.MOVED)
        created.append(unit)
    if end_source:
        _end(source, effective_on, reorg, successors=created)
    return reorg


@transaction.atomic
def rename_unit(
    *,
    unit: Unit,
    name: str,
    effective_on: datetime.date,
    decision: Decision,
    short_name: str | None = None,
    note: str = "",
) -> Reorganisation:
    _lock([unit])
    unit.refresh_from_db()
    _check_active(unit, effective_on, "unit")
    current = UnitName.objects.select_for_update().get(unit=unit, valid_to__isnull=True)
    if effective_on < current.valid_from:
        raise ValidationError(
            {
                "effective_on": _(
                    "%(unit)s was last renamed on %(date)s; a later name cannot take effect before it."
                )
                % {"unit": unit, "date": _d(current.valid_from)}
            }
        )
    short_name = unit.short_name if short_name is None else short_name
    unit.name, unit.short_name = normalize(name), normalize(short_name)  # stored alike in Unit and UnitName
    unit.full_clean(exclude=["path", "parent"])
    if (unit.name, unit.short_name) == (current.name, current.short_name):
        raise ValidationError({"name": _("This is already the unit's name.")})
    reorg = _new_reorganisation(
        kind=Reorganisation.Kind.RENAME,
        effective_on=effective_on,
        decision=decision,
        unit=unit,
        note=note,
        roles=[(unit, Role.SUBJECT)],
    )
    if current.valid_from == effective_on:
        current.name, current.short_name, current.reorganisation = unit.name, unit.short_name, reorg
        current.save()
    else:
        current.valid_to = effective_on
        current.save()
        UnitName.objects.create(
            unit=unit,
            name=unit.name,
            short_name=unit.short_name,
            valid_from=effective_on,
            reorganisation=reorg,
        )
    unit.save()
    return reorg


@transaction.atomic
def dissolve_unit(
    *,
    unit: Unit,
    effective_on: datetime.date,
    decision: Decision,
    successor: Unit | None = None,
    children_to: Unit | None = None,
    note: str = "",
) -> Reorganisation:
    """End ``unit``. Its active children first move to ``children_to`` (or the unit may have none).

    A ``successor`` takes over its history in today's tree; without one it stays filed under its last parent.
    """
    _lock([u for u in (unit, successor, children_to) if u])
    unit.refresh_from_db()
    _check_active(unit, effective_on, "unit")
    if successor is not None:
        if successor == unit:
            raise ValidationError({"successor": _("A unit cannot succeed itself.")})
        _check_active(successor, effective_on, "successor")
    roles = [(unit, Role.ENDED)] + ([(successor, Role.TARGET)] if successor else [])
    reorg = _new_reorganisation(
        kind=Reorganisation.Kind.DISSOLVE,
        effective_on=effective_on,
        decision=decision,
        unit=unit,
        note=note,
        roles=roles,
    )
    if children_to is not None:
        for child in _active_children(unit):
            _relink(child, children_to, effective_on, reorg)
            ReorganisationUnit.objects.get_or_create(reorganisation=reorg, unit=child, role=Role.MOVED)
    if successor is not None:
        successor.refresh_from_db()
        if successor.path.startswith(unit.path):
            raise ValidationError(
                {"successor": _("The successor lies under the unit being ended; move it first.")}
            )
    _end(unit, effective_on, reorg, successors=[successor] if successor else [])
    return reorg


def _active_children(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(links__parent=unit, links__valid_to__isnull=True)
        .select_related("unit_type")
        .order_by("code")
    )


# ------------------------------------------------------------------------------- employers' workforce


def _keep_latest(employer: Employer) -> None:
    """The employer's own workforce fields are its latest figure (left as they are with no figure)."""
    latest = employer.workforce_figures.order_by("-on").first()
    if latest is not None and _take_figure(employer, latest) is not None:
        employer.save()


def _take_figure(employer: Employer, figure: EmployerWorkforce) -> dict | None:
    """Copy ``figure`` (its latest) into the employer's own workforce fields, checked, unsaved; returns the
    employer's change-log snapshot from before, or None when they held it already."""
    now = (figure.workforce, figure.female_workforce, figure.on)
    if (employer.workforce, employer.female_workforce, employer.workforce_on) == now:
        return None
    before = employer.audit_snapshot()
    employer.workforce, employer.female_workforce, employer.workforce_on = now
    employer.full_clean()
    return before


def _check_counted_on(on: datetime.date | None) -> None:
    if on is None:
        raise ValidationError({"on": _("Give the day the workforce was counted.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("A workforce is counted up to today, not on a later day.")})


def _own_figure_kept(employer: Employer, on: datetime.date) -> EmployerWorkforce | None:
    """The figure typed on the employer's page (dated, else today's), kept in the history when its first
    dated figure, counted on ``on``, is recorded; None if it had none or it is that day's."""
    if not employer.workforce and employer.workforce_on is None:
        return None
    kept_on = employer.workforce_on or timezone.localdate()
    if kept_on == on:
        return None
    return EmployerWorkforce(
        employer=employer,
        on=kept_on,
        workforce=employer.workforce,
        female_workforce=employer.female_workforce,
    )


@transaction.atomic
def record_workforce(
    *,
    employer: Employer,
    on: datetime.date | None,
    workforce: int | None,
    female_workforce: int | None = 0,
) -> EmployerWorkforce:
    """Record the employer's workforce as counted on ``on`` (again for a day: replaces that day's figure);
    the employer's own fields follow when it is the latest.

    The first figure of an employer that had one of its own before the history began (the workforce
    typed on its page) keeps that one in the history first, on the day it was counted, or today when
    it bears no date (what it stood for until now: today's figure), so an older figure recorded first
    does not replace it."""
    _check_counted_on(on)
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    if not employer.has_dated_workforce and (kept := _own_figure_kept(employer, on)) is not None:
        kept.full_clean()
        kept.save()
    figure = EmployerWorkforce.objects.filter(employer=employer, on=on).first() or EmployerWorkforce(
        employer=employer, on=on
    )
    figure.workforce, figure.female_workforce = workforce, female_workforce or 0
    figure.full_clean()
    figure.save()
    _keep_latest(employer)
    return figure


@dataclass(frozen=True)
class FirstWorkforce:
    """An employer's first dated workforce figure, for ``record_first_workforces``."""

    employer: Employer
    on: datetime.date
    workforce: int
    female_workforce: int = 0


@transaction.atomic
def record_first_workforces(*, figures: list[FirstWorkforce]) -> list[EmployerWorkforce]:
    """``record_workforce`` for many employers at once, each recording its first dated figure (the demo's
    founding-year figures): the figure an employer had on its own page goes into the history first, as
    there, and its own fields follow the latest. Written in bulk and logged with ``log_many``."""
    if len({figure.employer.pk for figure in figures}) < len(figures):
        raise ValueError("Each employer records one first figure at a time.")
    employers = Employer.objects.select_for_update().in_bulk([figure.employer.pk for figure in figures])
    if EmployerWorkforce.objects.filter(employer__in=list(employers)).exists():
        raise ValueError("An employer here has dated figures already: record_workforce records its next.")
    written, latest = [], {}
    for figure in figures:
        _check_counted_on(figure.on)
        employer = employers[figure.employer.pk]
        kept = _own_figure_kept(employer, figure.on)
        first = EmployerWorkforce(
            employer=employer,
            on=figure.on,
            workforce=figure.workforce,
            female_workforce=figure.female_workforce or 0,
        )
        own = [first] if kept is None else [kept, first]
        for row in own:
            row.full_clean(validate_unique=False)  # one figure a day: none recorded, two days apart
        written += own
        latest[employer.pk] = max(own, key=lambda row: row.on)
    EmployerWorkforce.objects.bulk_create(written)
    log_many(action=ObjectChange.Action.CREATE, objects=written)
    changed, befores = [], []
    for pk, figure in latest.items():
        employer = employers[pk]
        if (before := _take_figure(employer, figure)) is not None:
            befores.append(before)
            changed.append(employer)
    Employer.objects.bulk_update(changed, ["workforce", "female_workforce", "workforce_on"])
    log_many(action=ObjectChange.Action.UPDATE, objects=changed, befores=befores)
    return written


@transaction.atomic
def remove_workforce(*, figure: EmployerWorkforce) -> None:
    """Remove a figure recorded in error; the employer's own fields follow the latest one left."""
    employer = Employer.objects.select_for_update().get(pk=figure.employer_id)
    figure.delete()
    _keep_latest(employer)
