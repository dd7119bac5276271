"""The indicator catalogue: what each indicator counts, defined in code (never SQL typed by users).

An indicator is one *measure* (a count or a sum over a source of facts, with filters), or the ratio of
two measures. Each measure gives, per unit the facts belong to, one number through one GROUP BY; the
engine (``engine.py``) rolls those "own" numbers up the tree. Flow indicators count what happened in the
period [start, end]; stock indicators read the state on the period's end.

Sources and filters say which facts they read (``MEMBERS``, ``EMPLOYERS``, ``TREE``), so that a change
to those facts refreshes only the indicators that read them.

Some indicators take parameters (``Parameter``): a number a programme may set in its own rules (the
threshold of a "small" union in a merge rule), with a default. A filter holds the parameter where it
would hold the number; the indicator's name and definition show the value used.
"""

import datetime
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from congdoan.indicators import statements
from congdoan.members.cards import holding_card
from congdoan.members.models import MEMBER_STATES, EventKind, Gender, MemberEvent, Membership
from congdoan.plans.models import TargetKind
from congdoan.units.models import (
    Employer,
    Level,
    Reorganisation,
    ReorganisationUnit,
    Sector,
    Unit,
    workforce_standing_on,
)

FLOW, STOCK = "flow", "stock"
START, END = "start", "end"  # the day of the period a stock measure or a filter reads
MEMBERS, EMPLOYERS, TREE = "members", "employers", "tree"  # kinds of facts read

ENTERPRISE_SECTORS = (Sector.STATE_ENTERPRISE, Sector.PRIVATE_ENTERPRISE, Sector.FDI)
# Ways out of the union: the membership ends, or the member moves to a union outside the system.
EXIT_KINDS = (EventKind.LEAVE, EventKind.EXPEL, EventKind.RETIRE, EventKind.DECEASED, EventKind.DISSOLUTION)
EXITS = Q(kind__in=EXIT_KINDS) | Q(kind=EventKind.TRANSFER_OUT, other_unit__isnull=True)


def _on(day: str, start: datetime.date | None, end: datetime.date) -> datetime.date:
    # A period open at the start reads its first day as the beginning of time: nothing stood then.
    return end if day == END else start or datetime.date.min


def _unit(prefix: str, lookup: str) -> str:
    """The lookup ``lookup`` of the unit a fact belongs to, reached through ``prefix`` ("" for units)."""
    return f"{prefix}__{lookup}" if prefix else lookup


def active_memberships(on: datetime.date) -> QuerySet:
    return Membership.objects.filter(state__in=MEMBER_STATES, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )


# ------------------------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Parameter:
    """A whole number an indicator takes, named as in the programme's rules that may set it."""

    name: str
    default: int


Values = Mapping[str, int]  # parameter name -> value


def _value(number: "int | Parameter", values: Values) -> int:
    return values[number.name] if isinstance(number, Parameter) else number


# ---------------------------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source(ABC):
    """Where facts come from: ``facts(start, end, on)`` and the path from a fact to its unit's id."""

    unit_field: str  # the fact's unit id ("unit_id", or "id" for units themselves)
    unit_prefix: str  # the fact's unit, for filters ("unit", or "" for units)
    reads: frozenset[str]

    @abstractmethod
    def facts(self, start: datetime.date | None, end: datetime.date, on: datetime.date) -> QuerySet:
        """The facts of the period [start, end] (flows), or standing on ``on`` (stocks)."""


class MemberEvents(Source):
    def facts(self, start, end, on):
        events = MemberEvent.objects.filter(on__lte=end)
        return events.filter(on__gte=start) if start else events


class Memberships(Source):
    def facts(self, start, end, on):
        return active_memberships(on)


class Foundings(Source):
    """Units founded in the period, not born of a merge or a split (those add no new union)."""

    def facts(self, start, end, on):
        born_of_reorganisation = ReorganisationUnit.objects.filter(
            unit=OuterRef("unit"),
            reorganisation__kind__in=[Reorganisation.Kind.MERGE, Reorganisation.Kind.SPLIT],
            reorganisation__effective_on=OuterRef("effective_on"),
            role__in=[ReorganisationUnit.Role.TARGET, ReorganisationUnit.Role.CREATED],
        )
        founded = Reorganisation.objects.filter(kind=Reorganisation.Kind.FOUND, effective_on__lte=end)
        if start:
            founded = founded.filter(effective_on__gte=start)
        return founded.filter(~Exists(born_of_reorganisation))


class MergedAway(Source):
    """Units ended in the period as a source of a merge."""

    def facts(self, start, end, on):
        sources = ReorganisationUnit.objects.filter(
            role=ReorganisationUnit.Role.SOURCE,
            reorganisation__kind=Reorganisation.Kind.MERGE,
            reorganisation__effective_on__lte=end,
        )
        return sources.filter(reorganisation__effective_on__gte=start) if start else sources


class Units(Source):
    def facts(self, start, end, on):
        return Unit.objects.active_on(on)


class Employers(Source):
    """The employers of the unions standing on the day read, with ``standing_workforce``: their workforce
    as counted on or before that day (the latest figure), else their own, today's."""

    def facts(self, start, end, on):
        employers = Employer.objects.filter(unit__in=Unit.objects.active_on(on))
        return employers.annotate(standing_workforce=workforce_standing_on(on))


MEMBER_EVENTS = MemberEvents("unit_id", "unit", frozenset({MEMBERS}))
MEMBERSHIPS = Memberships("unit_id", "unit", frozenset({MEMBERS}))
FOUNDINGS = Foundings("unit_id", "unit", frozenset({TREE}))
MERGED_AWAY = MergedAway("unit_id", "unit", frozenset({TREE}))
UNITS = Units("id", "", frozenset({TREE}))
EMPLOYERS_SOURCE = Employers("unit_id", "unit", frozenset({EMPLOYERS, TREE}))


# ---------------------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filter(ABC):
    reads: frozenset[str] = frozenset()

    @abstractmethod
    def q(self, prefix: str, start: datetime.date | None, end: datetime.date, values: Values) -> Q:
        """The condition, with the facts' unit reached through ``prefix`` (``values``: the indicator's
        parameters)."""


@dataclass(frozen=True)
class Where(Filter):
    """A condition on the facts themselves (an event's kind, a member's gender)."""

    condition: Q = field(default_factory=Q)

    def q(self, prefix, start, end, values):
        return self.condition


@dataclass(frozen=True)
class AtLevel(Filter):
    level: str = Level.GRASSROOTS
    reads: frozenset[str] = frozenset({TREE})

    def q(self, prefix, start, end, values):
        return Q(**{_unit(prefix, "unit_type__level"): self.level})


@dataclass(frozen=True)
class InSectors(Filter):
    sectors: tuple[str, ...] = ()
    reads: frozenset[str] = frozenset({TREE})

    def q(self, prefix, start, end, values):
        return Q(**{_unit(prefix, "sector__in"): self.sectors})


@dataclass(frozen=True)
class WorkforceAtLeast(Filter):
    """The union's employers together employ at least ``workers`` people, as counted on the period's end
    (``Employers``: the latest figure then, else today's)."""

    workers: int = 0
    reads: frozenset[str] = frozenset({EMPLOYERS})

    def q(self, prefix, start, end, values):
        large = (
            Employer.objects.annotate(standing=workforce_standing_on(end))
            .values("unit")
            .annotate(total=Sum("standing"))
            .filter(total__gte=self.workers)
        )
        return Q(**{_unit(prefix, "pk__in"): large.values("unit")})


@dataclass(frozen=True)
class MembersBelow(Filter):
    """The union had fewer than ``members`` members on the period's start or end (none counts too)."""

    members: int | Parameter = 0
    day: str = END
    reads: frozenset[str] = frozenset({MEMBERS})

    def q(self, prefix, start, end, values):
        larger = (
            active_memberships(_on(self.day, start, end))
            .values("unit")
            .annotate(total=Count("id"))
            .filter(total__gte=_value(self.members, values))
        )
        return ~Q(**{_unit(prefix, "pk__in"): larger.values("unit")})


@dataclass(frozen=True)
class ActiveOn(Filter):
    day: str = END
    reads: frozenset[str] = frozenset({TREE})

    def q(self, prefix, start, end, values):
        return Q(**{_unit(prefix, "pk__in"): Unit.objects.active_on(_on(self.day, start, end)).values("pk")})


@dataclass(frozen=True)
class HoldingCardIssuedInPeriod(Filter):
    """Memberships whose member holds a card issued within the period (the card renewal campaign's)."""

    reads: frozenset[str] = frozenset({MEMBERS})

    def q(self, prefix, start, end, values):
        return holding_card(start or datetime.date.min, end)


# ------------------------------------------------------------------------------------ measures, indicators


@dataclass(frozen=True)
class Measure:
    """A count (or a sum of ``total``) of a source's facts that pass every filter, per unit."""

    source: Source
    filters: tuple[Filter, ...] = ()
    total: str | None = None  # a field to add up; None: count the facts
    day: str = END  # the day a stock source is read on

    @property
    def reads(self) -> frozenset[str]:
        return self.source.reads.union(*(f.reads for f in self.filters))

    def grouped(
        self, start: datetime.date | None, end: datetime.date, values: Values, unit_ids=None
    ) -> QuerySet:
        """The measure's GROUP BY: a row (unit id, value) for each unit with facts."""
        facts = self.source.facts(start, end, _on(self.day, start, end))
        for one in self.filters:
            facts = facts.filter(one.q(self.source.unit_prefix, start, end, values))
        if unit_ids is not None:
            facts = facts.filter(**{f"{self.source.unit_field}__in": list(unit_ids)})
        value = Sum(self.total) if self.total else Count("pk")
        return facts.order_by().values(self.source.unit_field).annotate(value=value)

    def per_unit(
        self, *, start: datetime.date | None, end: datetime.date, values: Values, unit_ids=None
    ) -> dict[int, int]:
        """The measure for each unit with facts (only ``unit_ids`` if given), in one GROUP BY."""
        if unit_ids is None:  # a whole window: its shape's statement, compiled once
            rows = statements.grouped_rows(
                lambda first, last: self.grouped(first, last, values),
                shape=(self, tuple(sorted(values.items()))),
                start=start,
                end=end,
            )
        else:
            rows = self.grouped(start, end, values, unit_ids).values_list(self.source.unit_field, "value")
        return {unit_id: value for unit_id, value in rows if value}


def _filled(template: str, values: Values) -> str:
    return str(template) % values if values else str(template)


_filled_lazy = lazy(_filled, str)


@dataclass(frozen=True)
class Indicator:
    code: str
    name_text: str  # with %(parameter)s where a parameter's value goes
    definition_text: str
    semantics: str  # FLOW or STOCK
    numerator: Measure
    denominator: Measure | None = None  # a ratio, shown in percent
    parameters: tuple[Parameter, ...] = ()

    def values(self, given: Values | None = None) -> dict[str, int]:
        """Every parameter's value: as given (a programme's rules, which may hold other entries too),
        else its default."""
        given = given or {}
        return {parameter.name: given.get(parameter.name, parameter.default) for parameter in self.parameters}

    def name_for(self, given: Values | None = None) -> str:
        return _filled_lazy(self.name_text, self.values(given))

    def definition_for(self, given: Values | None = None) -> str:
        return _filled_lazy(self.definition_text, self.values(given))

    @property
    def name(self) -> str:
        """The name with the parameters' defaults (translated when shown)."""
        return self.name_for()

    @property
    def definition(self) -> str:
        return self.definition_for()

    @property
    def kind(self) -> str:
        return TargetKind.PERCENT if self.denominator else TargetKind.COUNT

    @property
    def reads(self) -> frozenset[str]:
        return self.numerator.reads | (self.denominator.reads if self.denominator else frozenset())

    def window_start(self, start: datetime.date | None) -> datetime.date | None:
        """The start a window keeps: stocks ignore it, so all their periods ending alike share one window."""
        return None if self.semantics == STOCK else start


GRASSROOTS = AtLevel(level=Level.GRASSROOTS)
ADMITTED = Measure(MEMBER_EVENTS, (Where(condition=Q(kind=EventKind.ADMIT)),))
SMALL_BELOW = Parameter("small_below_members", 10)  # the key of a programme's merge rule
SMALL_AT_START = (GRASSROOTS, ActiveOn(day=START), MembersBelow(members=SMALL_BELOW, day=START))

_INDICATORS = [
    Indicator(
        code="members_admitted",
        name_text=_("Members admitted"),
        definition_text=_("Members admitted (kết nạp) in the period, counted where they were admitted."),
        semantics=FLOW,
        numerator=ADMITTED,
    ),
    Indicator(
        code="members",
        name_text=_("Members"),
        definition_text=_(
            "Members on the registry at the end of the period: active or suspended, counted in the "
            "grassroots union they belong to."
        ),
        semantics=STOCK,
        numerator=Measure(MEMBERSHIPS),
    ),
    Indicator(
        code="female_members",
        name_text=_("Female members"),
        definition_text=_("Female members (active or suspended) at the end of the period."),
        semantics=STOCK,
        numerator=Measure(
            MEMBERSHIPS, (Where(condition=Q(member__gender=Gender.FEMALE), reads=frozenset({MEMBERS})),)
        ),
    ),
    Indicator(
        code="members_exited",
        name_text=_("Members who left the union"),
        definition_text=_(
            "Memberships ended in the period: left, expelled, retired, deceased, ended with their grassroots "
            "union, or transferred to a union outside the system."
        ),
        semantics=FLOW,
        numerator=Measure(MEMBER_EVENTS, (Where(condition=EXITS),)),
    ),
    Indicator(
        code="grassroots_unions",
        name_text=_("Grassroots unions"),
        definition_text=_("Grassroots unions (CĐCS) standing at the end of the period."),
        semantics=STOCK,
        numerator=Measure(UNITS, (GRASSROOTS,)),
    ),
    Indicator(
        code="grassroots_founded",
        name_text=_("Grassroots unions founded"),
        definition_text=_(
            "Grassroots unions founded in the period; a union born of a merge or a split is not a new one."
        ),
        semantics=FLOW,
        numerator=Measure(FOUNDINGS, (GRASSROOTS,)),
    ),
    Indicator(
        code="enterprise_grassroots_founded_25",
        name_text=_("Grassroots unions founded in enterprises of 25 workers or more"),
        definition_text=_(
            "Grassroots unions founded in the period in state-owned, non-state or foreign-invested "
            "enterprises whose employers together employ at least 25 workers, as counted on the period's "
            "end (an employer's latest workforce figure then; with none that early, its figure of today)."
        ),
        semantics=FLOW,
        numerator=Measure(
            FOUNDINGS, (GRASSROOTS, InSectors(sectors=ENTERPRISE_SECTORS), WorkforceAtLeast(workers=25))
        ),
    ),
    Indicator(
        code="small_grassroots_merged_pct",
        name_text=_("Grassroots unions under %(small_below_members)s members merged"),
        definition_text=_(
            "Of the grassroots unions standing with fewer than %(small_below_members)s members at the start "
            "of the period, the share ended by a merge within the period."
        ),
        semantics=FLOW,
        numerator=Measure(MERGED_AWAY, SMALL_AT_START),
        denominator=Measure(UNITS, SMALL_AT_START, day=START),
        parameters=(SMALL_BELOW,),
    ),
    Indicator(
        code="members_with_new_card_pct",
        name_text=_("Members holding a card issued in the period"),
        definition_text=_(
            "Members at the end of the period holding a member card issued within the period (the card "
            "renewal campaign, đổi thẻ), out of all members then."
        ),
        semantics=FLOW,  # the period's start is the campaign's: it matters, unlike a stock's
        numerator=Measure(MEMBERSHIPS, (HoldingCardIssuedInPeriod(),)),
        denominator=Measure(MEMBERSHIPS),
    ),
    Indicator(
        code="unionisation_pct",
        name_text=_("Unionisation rate"),
        definition_text=_(
            "Members at the end of the period, out of the workforce of the employers of the grassroots "
            "unions standing then (an employer's latest workforce figure then; with none that early, its "
            "figure of today)."
        ),
        semantics=STOCK,
        numerator=Measure(MEMBERSHIPS),
        denominator=Measure(EMPLOYERS_SOURCE, total="standing_workforce"),
    ),
]
_BY_CODE = {indicator.code: indicator for indicator in _INDICATORS}


def get(code: str) -> Indicator:
    """The indicator of this code; KeyError if there is none."""
    return _BY_CODE[code]


def all_indicators() -> list[Indicator]:
    return list(_INDICATORS)
