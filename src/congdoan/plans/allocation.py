"""Splitting a target among the units directly under its programme's unit, and adopting a share below.

Rules (a refusal says why, in Vietnamese):
- The units that take part are the units directly under the programme's unit *in the tree as it stood
  on the reference day* (``reference_day``): the day a split "by members" counts them on when it lies in
  the target's period, else the period's start when that has come, else today. A 2020 target is split
  among the units that carried it out in 2020, ended since or not; a split naming any other unit is
  refused.
- A count target is split into whole numbers that add up *exactly* to the target: by hand, or in
  proportion to a base (members on a date, the workforce of the employers in each unit's subtree, or
  last year's result of the target's indicator; "last year" is the year before the target's period, or
  before this year for an "every year" target), each base read on its own day's tree and its units then
  placed in the reference day's tree (``_per_child``), rounded by the largest remainder: every part is
  the exact proportional share rounded down or up, and the units with the largest fractions get the
  units left over (ties: in the order of unit codes).
- A percent target is not split: a ratio at the upper level is the sum of numerators over the sum of
  denominators below, so every unit reaching the same percent is exactly what makes the upper level
  reach it; each unit gets the same percent, and no other split of a percent is accepted.
- Every split is a new revision (who, when, method, base, note, its parts, and the reference day it was
  split on, ``units_on``: a later change of the target's period does not change what it meant); the latest
  is in force and the older ones stay readable. Only a user who may change the programme splits its
  targets. The sum check also sets the shares' units against the units under the programme's unit on
  that stored day, as the tree reads now: a decision recorded later with an earlier date shows there,
  and a unit that was not under it that day does not adopt its share.
- A unit adopts its share into its own programme: one programme filed under the unit, carrying out the
  upper programme, holds one target per upper target it took a share of (``Target.allocated_from``).
  Adopting again updates that target to the share in force and changes nothing when it already holds it.
  Only a unit active today adopts: an ended unit keeps its share (progress pages still show it).
- A split is not re-made when a unit moves after its day, out of or into the subtree of a unit holding a
  share (``moved_since_split``): its records count for its new parent from then on while the shares stay
  as split; the pages and the API name each such move recorded after the split in force, until an
  officer revises it (a revision made knowing of the move is the answer to it).
"""

import copy
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_many
from congdoan.indicators import engine
from congdoan.plans.models import (
    CENTS,
    Allocation,
    AllocationMethod,
    AllocationShare,
    Basis,
    DocumentKind,
    Programme,
    Target,
    TargetKind,
)
from congdoan.plans.periods import PeriodKind
from congdoan.plans.services import TargetSpec, check_may_edit
from congdoan.units.models import (
    Employer,
    Reorganisation,
    ReorganisationUnit,
    Unit,
    UnitLink,
    path_segment,
    workforce_standing_on,
)
from congdoan.units.selectors import child_units_on, links_by_day, names_on_days, tree_on, trees_on

REF_LENGTH = Programme._meta.get_field("ref").max_length


def _d(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# ------------------------------------------------------------------------------------------- bases


def reference_day(target: Target, base_on: datetime.date | None = None) -> datetime.date:
    """The day of the tree whose units a split of ``target`` goes to (see the module docstring).

    ``base_on`` is the day a split by members counts them on: it sets the tree when it lies in the
    target's period and has come. An "every year" target is split for the year in progress."""
    today = timezone.localdate()
    period = target.period
    if period.kind == PeriodKind.EVERY_YEAR:
        first = last = today.year
    else:
        first, last = period.first, period.last
    start = datetime.date(first, 1, 1) if first is not None else None
    end = datetime.date(last, 12, 31) if last is not None else None
    if (
        base_on is not None
        and base_on <= today
        and (start is None or start <= base_on)
        and (end is None or base_on <= end)
    ):
        return base_on
    if start is not None and start <= today:
        return start
    return today


def _units_day(target: Target, method: str, base_on: datetime.date | None) -> datetime.date:
    """The reference day of a split of ``target`` by ``method`` (only a split by members has a say)."""
    return reference_day(target, base_on if method == AllocationMethod.MEMBERS else None)


def sharing_units(unit: Unit, on: datetime.date) -> list[Unit]:
    """The units a split of ``unit``'s target on the tree of ``on`` is among: those directly under it then,
    in code order, named as they were then (``name_then``)."""
    units = list(child_units_on(unit, on))
    _name_then({on: units})
    return units


def _name_then(units_by_day: Mapping[datetime.date, list[Unit]]) -> None:
    """Give each unit ``name_then``, the name it bore on its day: a split of 2020 names its units as they
    were called in 2020, not after a later merger renamed them. One query for all the days."""
    names = names_on_days(
        unit_ids={unit.pk for units in units_by_day.values() for unit in units}, days=units_by_day.keys()
    )
    for day, units in units_by_day.items():
        for unit in units:
            unit.name_then = names[day][unit.pk].name if unit.pk in names[day] else unit.name


def _under_on(parent: Unit, on: datetime.date) -> QuerySet[UnitLink]:
    """The links of ``on`` in the subtree of ``parent`` as it stood then, ``parent`` left out."""
    return tree_on(on, under=parent).exclude(unit=parent)


def _per_child(
    own: Mapping[int, Decimal], parent: Unit, children: list[Unit], day: datetime.date
) -> dict[int, Decimal]:
    """Units' own values summed per child of ``parent`` in the tree of ``day``: each unit placed there by
    the indicator engine (a unit ended by then in its successor's place); units placed elsewhere count
    for no child."""
    child_paths = dict(tree_on(day).filter(parent=parent).values_list("path", "unit_id"))
    totals = {child.pk: Decimal(0) for child in children}
    if not child_paths:
        return totals
    width = len(next(iter(child_paths)))  # every child's path: its parent's and one step
    places = engine.placements([pk for pk, value in own.items() if value], end=day, regroup_today=False)
    for unit_id, path in places.items():
        child = child_paths.get(path[:width])
        if child in totals:
            totals[child] += own[unit_id]
    return totals


def _own_on(
    indicator: str, *, start: datetime.date | None, end: datetime.date, parent: Unit, day: datetime.date
) -> dict[int, Decimal]:
    """Each unit's own value of ``indicator`` over [start, end] on the tree of ``end`` (the engine's
    subtree totals, less those of its children then), for the units under ``parent`` on ``end`` or on
    ``day``: the base of a split on the tree of ``day``."""
    then, later = _under_on(parent, end), _under_on(parent, day)
    units = {*then.values_list("unit_id", flat=True), *later.values_list("unit_id", flat=True)}
    parent_of = dict(
        tree_on(end)
        .filter(Q(parent__in=then.values("unit_id")) | Q(parent__in=later.values("unit_id")))
        .values_list("unit_id", "parent_id")
    )
    found = engine.actuals(
        indicator=indicator, start=start, end=end, unit_ids=units | parent_of.keys(), regroup_today=False
    )
    own = {unit: found[unit].numerator for unit in units}
    for child, parent_id in parent_of.items():
        own[parent_id] -= found[child].numerator
    return own


def member_bases(parent: Unit, children: list[Unit], on: datetime.date, day: datetime.date):
    """Members (active or suspended) on ``on`` in each child's subtree of the tree of ``day``."""
    own = _own_on("members", start=None, end=on, parent=parent, day=day)
    return _per_child(own, parent, children, day)


def workforce_bases(parent: Unit, children: list[Unit], day: datetime.date) -> dict[int, Decimal]:
    """The workforce of the employers of the units in each child's subtree of the tree of ``day``, as
    counted then (each employer's latest figure on or before ``day``, else its figure of today)."""
    employers = Employer.objects.filter(unit__in=_under_on(parent, day).values("unit_id"))
    standing = employers.annotate(standing=workforce_standing_on(day)).order_by().values("unit")
    own = standing.annotate(total=Sum("standing")).values_list("unit", "total")
    return _per_child({unit: Decimal(total or 0) for unit, total in own}, parent, children, day)


def base_year(target: Target) -> int:
    """The year whose result a split "in proportion to last year's result" reads."""
    period = target.period
    if period.kind == PeriodKind.EVERY_YEAR or period.first is None:
        return timezone.localdate().year - 1
    return period.first - 1


def last_year_bases(target: Target, children: list[Unit], day: datetime.date) -> dict[int, Decimal]:
    """Each child's result of the target's indicator in ``base_year``, in the tree of ``day``."""
    year = base_year(target)
    own = _own_on(
        target.indicator,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        parent=target.programme.unit,
        day=day,
    )
    return _per_child(own, target.programme.unit, children, day)


def largest_remainder(total: int, bases: list[Decimal]) -> list[int]:
    """Whole parts of ``total`` in proportion to ``bases`` (not all zero) that add up to ``total``.

    Each part is its exact share rounded down, plus one for the parts with the largest fractions
    (earlier parts first on equal fractions) until the total is reached.
    """
    whole = sum(Fraction(base) for base in bases)
    exact = [Fraction(total) * Fraction(base) / whole for base in bases]
    parts = [int(share) for share in exact]  # shares are not negative: int() rounds down
    left = total - sum(parts)
    by_fraction = sorted(range(len(bases)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_fraction[:left]:
        parts[index] += 1
    return parts


# ------------------------------------------------------------------------------------------- split


@dataclass(frozen=True)
class Part:
    unit: Unit
    value: Decimal
    base: Decimal | None = None


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def _bases(
    target: Target, method: str, children: list[Unit], base_on: datetime.date | None, day: datetime.date
):
    parent = target.programme.unit
    if method == AllocationMethod.MEMBERS:
        if base_on is None:
            raise ValidationError({"base_on": _("Choose the date on which members are counted.")})
        if base_on > timezone.localdate():
            raise ValidationError({"base_on": _("Members can be counted up to today, not on a later date.")})
        bases = member_bases(parent, children, base_on, day)
        empty = _("The units under %(unit)s have no members on %(date)s: there is nothing to share by.") % {
            "unit": parent,
            "date": _d(base_on),
        }
    elif method == AllocationMethod.LAST_YEAR:
        if target.manual:
            raise ValidationError(
                {
                    "method": _(
                        "A target entered by hand has no result of last year in the records: split it "
                        "by hand, by members or by workforce."
                    )
                }
            )
        bases = last_year_bases(target, children, day)
        empty = _("The units under %(unit)s had no result in %(year)s: there is nothing to share by.") % {
            "unit": parent,
            "year": base_year(target),
        }
    else:
        bases = workforce_bases(parent, children, day)
        empty = _(
            "No workforce is recorded for the employers of the units under %(unit)s: nothing to share by."
        ) % {"unit": parent}
    if not any(bases.values()):
        raise ValidationError({"method": empty})
    return bases


def split(
    *,
    target: Target,
    method: str,
    base_on: datetime.date | None = None,
    values: Mapping[str, Decimal] | None = None,
) -> list[Part]:
    """The parts a split gives (nothing saved), or the refusal; ``values``, by unit code, split by hand."""
    programme = target.programme
    if programme.unit is None:
        raise ValidationError(
            _("This programme is filed under no unit: there are no units to split it among.")
        )
    if method not in AllocationMethod.values:
        raise ValidationError({"method": _("Unknown way of splitting.")})
    day = _units_day(target, method, base_on)
    children = sharing_units(programme.unit, day)
    if not children:
        raise ValidationError(
            _("%(unit)s had no units directly under it on %(date)s to split the target among.")
            % {"unit": programme.unit, "date": _d(day)}
        )
    if target.kind == TargetKind.PERCENT:
        if method != AllocationMethod.SAME_PERCENT:
            raise ValidationError(
                {
                    "method": _(
                        "A percent target is not split: every unit below takes the same percent, which "
                        "makes the whole reach it."
                    )
                }
            )
        return [Part(unit=child, value=target.value) for child in children]
    if method == AllocationMethod.SAME_PERCENT:
        raise ValidationError({"method": _("Only a percent target passes the same percent down.")})
    if not _whole(target.value):
        raise ValidationError({"method": _("A count target is a whole number; correct the target first.")})
    if method == AllocationMethod.MANUAL:
        return _split_by_hand(target, children, values or {}, day)
    bases = _bases(target, method, children, base_on, day)
    values_ = largest_remainder(int(target.value), [bases[child.pk] for child in children])
    return [
        Part(unit=child, value=Decimal(value), base=bases[child.pk])
        for child, value in zip(children, values_, strict=True)
    ]


def _split_by_hand(
    target: Target, children: list[Unit], values: Mapping[str, Decimal], day: datetime.date
) -> list[Part]:
    codes = {child.code for child in children}
    errors: dict[str, str] = {}
    for code in sorted(set(values) - codes):
        errors[code] = _("%(code)s was not a unit directly under %(unit)s on %(date)s.") % {
            "code": code,
            "unit": target.programme.unit,
            "date": _d(day),
        }
    parts = []
    for child in children:
        value = values.get(child.code)
        if value is None:
            value = Decimal(0)  # a unit left out takes no part
        if value < 0 or not _whole(value):
            errors[child.code] = _("%(unit)s: a share is a whole number, 0 or more.") % {"unit": child}
            continue
        parts.append(Part(unit=child, value=value))
    if errors:
        raise ValidationError(errors)
    check_sum(target, parts)
    return parts


@dataclass(frozen=True)
class SumCheck:
    allocated: Decimal
    target: Decimal
    # Against the tree of the split's day as it reads now (a decision recorded later may correct it):
    missing: tuple[Unit, ...] = ()  # units directly under the programme's unit that day, without a share
    outside: tuple[Unit, ...] = ()  # units with a share that were not directly under it that day

    @property
    def difference(self) -> Decimal:
        return self.allocated - self.target

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def check_sum(target: Target, parts: list[Part]) -> None:
    """Refuse parts of a count target that do not add up to it exactly."""
    check = SumCheck(allocated=sum((part.value for part in parts), Decimal(0)), target=target.value)
    if target.kind == TargetKind.COUNT and not check.balanced:
        raise ValidationError(
            _(
                "The shares add up to %(allocated)s, the target is %(target)s (%(difference)s): "
                "they must add up exactly."
            )
            % {
                "allocated": localize(check.allocated.normalize()),
                "target": localize(target.whole_value),
                "difference": f"{check.difference.normalize():+}".replace(".", ","),
            }
        )


def _base_on(target: Target, method: str, given: datetime.date | None) -> datetime.date | None:
    """The day the base stood on, as the revision records it."""
    if method == AllocationMethod.MEMBERS:
        return given
    if method == AllocationMethod.LAST_YEAR:
        return datetime.date(base_year(target), 12, 31)
    return None


@transaction.atomic
def may_split(user, target: Target) -> bool:
    """Whether ``user`` may split ``target`` or revise its split: who may change its programme."""
    try:
        check_may_edit(user, target.programme.unit)
    except PermissionDenied:
        return False
    return True


def allocate(
    *,
    user,
    target: Target,
    method: str,
    base_on: datetime.date | None = None,
    values: Mapping[str, Decimal] | None = None,
    note: str = "",
) -> Allocation:
    """Record a new revision of the split of ``target`` (see the module docstring for the rules)."""
    check_may_edit(user, target.programme.unit)
    target = (
        Target.objects.select_for_update(of=("self",)).select_related("programme__unit").get(pk=target.pk)
    )
    parts = split(target=target, method=method, base_on=base_on, values=values)
    last = target.allocations.aggregate(last=Max("revision"))["last"] or 0
    allocation = Allocation(
        target=target,
        revision=last + 1,
        method=method,
        base_on=_base_on(target, method, base_on),
        units_on=_units_day(target, method, base_on),
        total=target.value,
        note=note.strip(),
        created_by=user,
    )
    allocation.full_clean()
    allocation.save()
    shares = AllocationShare.objects.bulk_create(
        AllocationShare(
            allocation=allocation,
            unit=part.unit,
            value=part.value.quantize(CENTS),
            base=None if part.base is None else part.base.quantize(CENTS),
        )
        for part in parts
    )
    log_many(action=ObjectChange.Action.CREATE, objects=shares)
    return allocation


# --------------------------------------------------------------------------------------- selectors


def current_allocation(target: Target) -> Allocation | None:
    return target.allocations.order_by("-revision").first()


def shares_of(target: Target) -> dict[int, Decimal]:
    """unit id -> the value allocated to it by the split in force (empty when the target was never split)."""
    return shares_by_target([target]).get(target.pk, {})


def shares_by_target(targets: Iterable[Target]) -> dict[int, dict[int, Decimal]]:
    """target id -> ``shares_of`` that target, for many targets in one query (the progress pages)."""
    found: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = current_shares().filter(allocation__target__in=list(targets)).order_by()
    for target_id, unit_id, value in rows.values_list("allocation__target_id", "unit_id", "value"):
        found[target_id][unit_id] = value
    return dict(found)


def revisions(target: Target) -> list[Allocation]:
    """Every split of ``target``, the one in force first, with its parts and their units."""
    shares = AllocationShare.objects.select_related("unit").order_by("unit__code")
    history = list(
        target.allocations.select_related("created_by")
        .prefetch_related(Prefetch("shares", queryset=shares))
        .order_by("-revision")
    )
    units_by_day = defaultdict(list)
    for split in history:
        units_by_day[split.units_on] += [share.unit for share in split.shares.all()]
    _name_then(units_by_day)
    return history


def sum_check(target: Target, allocation: Allocation) -> SumCheck:
    """What the split in force gives against the target's value today (a later change of the target shows),
    and its units against those under the programme's unit on the split's own day (``units_on``)."""
    shared = [share.unit for share in allocation.shares.all()]
    home = target.programme.unit
    standing = sharing_units(home, allocation.units_on) if home is not None else []
    standing_ids, shared_ids = {unit.pk for unit in standing}, {unit.pk for unit in shared}
    return SumCheck(
        allocated=sum((share.value for share in allocation.shares.all()), Decimal(0)),
        target=target.value,
        missing=tuple(unit for unit in standing if unit.pk not in shared_ids),
        outside=tuple(unit for unit in shared if unit.pk not in standing_ids),
    )


@dataclass(frozen=True)
class MovedSinceSplit:
    """A unit moved (with everything under it) after a split's day, out of or into a share's subtree."""

    moved: Unit  # named as it was on the day it moved (``name_then``), as are the two parents
    from_parent: Unit
    to_parent: Unit
    on: datetime.date
    left: Unit | None  # the unit of the split whose subtree it left (None: it came from elsewhere)
    joined: Unit | None  # the unit of the split whose subtree it joined (None: it went elsewhere)


def moved_since_split(allocation: Allocation) -> list[MovedSinceSplit]:
    """The moves (``units.services.move_units``) in effect by today and after ``allocation.units_on``,
    recorded after the split was, that took a unit out of, or into, the subtree of a unit holding a share
    of it: from the move on, its records count for its new parent while the shares stay as split. In order
    of date, then unit code; a fixed number of queries whatever the number of moves or units."""
    holders = Unit.objects.filter(shares__allocation=allocation).in_bulk()
    if not holders:
        return []
    # Only links through a share's unit (its segment in the path) can leave or join a share's subtree.
    through_holders = Q(pk__in=[])
    for pk in holders:
        through_holders |= Q(path__contains=path_segment(pk))
    previous = UnitLink.objects.filter(unit=OuterRef("unit"), valid_to=OuterRef("valid_from"))
    moves = list(
        UnitLink.objects.filter(
            valid_from__gt=allocation.units_on,
            valid_from__lte=timezone.localdate(),
            reorganisation__kind=Reorganisation.Kind.MOVE,
            # A revision made after the move was recorded is the officer's answer to it.
            reorganisation__created_at__gt=allocation.created_at,
            # The moved unit's own new link, not those of the units carried along under it.
            reorganisation__involved__unit=F("unit"),
            reorganisation__involved__role=ReorganisationUnit.Role.MOVED,
        )
        .filter(through_holders | Exists(previous.filter(through_holders)))
        .order_by()
        .values_list("unit_id", "parent_id", "valid_from")
    )
    if not moves:
        return []
    befores = {on - datetime.timedelta(days=1) for _unit, _parent, on in moves}
    days = befores | {on for _unit, _parent, on in moves}
    wanted = holders.keys() | {unit for unit, _parent, _on in moves}
    standing = links_by_day(
        trees_on(days)
        .filter(unit__in=list(wanted))
        .only("unit_id", "parent_id", "path", "valid_from", "valid_to"),
        days,
    )
    placed = {day: {link.unit_id: link for link in links} for day, links in standing.items()}

    home = allocation.target.programme.unit_id

    def holder(unit_id: int, day: datetime.date) -> Unit | None:
        """The share's unit whose subtree held ``unit_id`` that day, while it stood directly under the
        programme's unit (a share's unit moved away holds nothing of the split any more)."""
        link = placed[day].get(unit_id)
        if link is None:
            return None
        for place in placed[day].values():
            if place.unit_id in holders and place.parent_id == home and link.path.startswith(place.path):
                return holders[place.unit_id]
        return None

    found = []
    for unit_id, parent_id, on in moves:
        before = placed[on - datetime.timedelta(days=1)].get(unit_id)
        left, joined = holder(unit_id, on - datetime.timedelta(days=1)), holder(unit_id, on)
        if before is None or before.parent_id is None or left == joined:
            continue  # founded that day, a root, or moved within one share's subtree or outside them all
        found.append((unit_id, before.parent_id, parent_id, on, left, joined))
    if not found:
        return []
    units = Unit.objects.in_bulk({pk for row in found for pk in row[:3]})
    # A copy per unit and day, named then: one unit may be named differently on two moves' days.
    then = {(pk, row[3]): copy.copy(units[pk]) for row in found for pk in row[:3]}
    units_by_day = defaultdict(list)
    for (_pk, day), unit in then.items():
        units_by_day[day].append(unit)
    _name_then(units_by_day)
    moved = [
        MovedSinceSplit(
            moved=then[unit_id, on],
            from_parent=then[from_id, on],
            to_parent=then[to_id, on],
            on=on,
            left=left,
            joined=joined,
        )
        for unit_id, from_id, to_id, on, left, joined in found
    ]
    return sorted(moved, key=lambda move: (move.on, move.moved.code))


def current_shares() -> QuerySet[AllocationShare]:
    """Shares of the splits in force, with the target they come from, before scope: restrict it."""
    newer = Allocation.objects.filter(
        target=OuterRef("allocation__target"), revision__gt=OuterRef("allocation__revision")
    )
    return (
        AllocationShare.objects.filter(~Exists(newer))
        .select_related("unit", "allocation__target__programme__unit")
        .order_by("unit__code", "allocation__target__programme__ref", "allocation__target__position")
    )


def current_shares_for(user, action: str = Action.VIEW) -> QuerySet[AllocationShare]:
    """Shares of the splits in force allocated to units in the user's scope."""
    return restrict(current_shares(), user, action)


def adopted_target(share: AllocationShare) -> Target | None:
    """The target the share's unit made of it in its own programme, if it adopted it."""
    return (
        Target.objects.filter(allocated_from=share.allocation.target_id, programme__unit=share.unit_id)
        .select_related("programme")
        .first()
    )


# ---------------------------------------------------------------------------------------- adoption


@dataclass(frozen=True)
class Adoption:
    target: Target
    created: bool
    changed: bool  # False when the unit already held this share as it is


def _own_programme(upper: Programme, unit: Unit) -> Programme:
    """The unit's programme carrying out ``upper``: the one it has, or a new plan based on ``upper``."""
    existing = Programme.objects.select_for_update().filter(parent=upper, unit=unit).order_by("pk").first()
    if existing is not None:
        return existing
    stem = f"{upper.ref}-{unit.code}"[:REF_LENGTH]
    ref, number = stem, 1
    while Programme.objects.filter(ref=ref).exists():
        number += 1
        ref = f"{stem[: REF_LENGTH - len(str(number)) - 1]}-{number}"
    programme = Programme(
        ref=ref,
        kind=DocumentKind.PLAN,
        title=_("Carrying out %(programme)s") % {"programme": upper},
        issuer_name=unit.name,
        issuer_unit=unit,
        unit=unit,
        issued_on=timezone.localdate(),
        parent=upper,
        period_kind=upper.period_kind,
        period_start=upper.period_start,
        period_end=upper.period_end,
    )
    programme.full_clean()
    programme.save()
    basis = Basis(programme=programme, position=1, text=str(upper)[:500], document=upper)
    basis.full_clean()
    basis.save()
    return programme


@transaction.atomic
def adopt_share(*, user, share: AllocationShare) -> Adoption:
    """Put ``share`` into its unit's own programme (see the module docstring); refused for a share replaced
    by a newer split, and for a user who may not change the unit."""
    check_may_edit(user, share.unit)
    ended = Unit.objects.filter(pk=share.unit_id).values_list("dissolved_on", flat=True).get()  # as it is now
    if ended is not None and ended <= timezone.localdate():
        raise ValidationError(
            _(
                "%(unit)s ended on %(date)s: only a unit active today adopts a share into its own "
                "programme. Its share stays on the progress pages."
            )
            % {"unit": share.unit, "date": _d(ended)}
        )
    allocation = share.allocation
    upper_target = (
        Target.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=allocation.target_id)
    )
    if current_allocation(upper_target).pk != allocation.pk:
        raise ValidationError(
            _("A newer split of this target replaced this share: adopt the share in force.")
        )
    standing = tree_on(allocation.units_on).filter(parent=upper_target.programme.unit_id, unit=share.unit_id)
    if not standing.exists():
        raise ValidationError(
            _(
                "%(unit)s was not directly under %(home)s on %(date)s, the day whose units this split is "
                "among: the tree of that day was corrected after the split. Split the target again."
            )
            % {"unit": share.unit, "home": upper_target.programme.unit, "date": _d(allocation.units_on)}
        )
    programme = _own_programme(upper_target.programme, share.unit)
    spec = asdict(TargetSpec.of(upper_target)) | {"value": share.value}
    target = Target.objects.filter(programme=programme, allocated_from=upper_target).first()
    created = target is None
    if created:
        last = programme.targets.aggregate(last=Max("position"))["last"] or 0
        target = Target(programme=programme, position=last + 1, allocated_from=upper_target)
    before = None if created else target.audit_snapshot()
    for name, value in spec.items():
        setattr(target, name, value)
    target.full_clean()
    changed = created or target.audit_snapshot() != before
    if changed:
        target.save()
    return Adoption(target=target, created=created, changed=changed)
