"""A brute-force reading of every catalogue indicator, for the differential tests.

It loads the raw rows (units, links, successions, reorganisations, members, events, memberships,
employers) and walks them in Python, one fact at a time: no SQL filter, no GROUP BY, no materialised
path. A unit is placed on the period's end by walking its links and successions, and its ancestors are
found by walking parent links of that day (or ``Unit.parent`` for today's tree).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from congdoan.members.models import Member, MemberCard, MemberEvent, Membership
from congdoan.units.models import Employer, Reorganisation, ReorganisationUnit, Succession, Unit, UnitLink

COUNTED_STATES = {"active", "suspended"}
EXIT_KINDS = {"leave", "expel", "retire", "deceased", "dissolution"}
ENTERPRISES = {"soe", "private", "fdi"}
PERCENT = {"small_grassroots_merged_pct", "unionisation_pct", "members_with_new_card_pct"}
STOCKS = {"members", "female_members", "grassroots_unions", "unionisation_pct"}
SMALL_BELOW = 10  # a small union's members, unless the indicator is given another threshold


class Facts:
    def __init__(self):
        self.units = {u.pk: u for u in Unit.objects.select_related("unit_type")}
        self.links = list(UnitLink.objects.all())
        self.successions = list(Succession.objects.all())
        self.reorganisations = {r.pk: r for r in Reorganisation.objects.all()}
        self.roles = list(ReorganisationUnit.objects.all())
        self.gender = dict(Member.objects.values_list("pk", "gender"))
        self.events = list(MemberEvent.objects.all())
        self.memberships = list(Membership.objects.all())
        # The days each member's cards were issued: the card history, and the date on the member itself.
        self.card_days: dict[int, list[datetime.date]] = defaultdict(list)
        for member_id, day in MemberCard.objects.values_list("member_id", "issued_on"):
            self.card_days[member_id].append(day)
        for member_id, day in Member.objects.exclude(card_issued_on=None).values_list("pk", "card_issued_on"):
            self.card_days[member_id].append(day)
        self.workforce: dict[int, int] = defaultdict(int)
        for employer in Employer.objects.all():
            self.workforce[employer.unit_id] += employer.workforce

    # ------------------------------------------------------------------------------------ the tree

    def link_on(self, unit_id: int, day: datetime.date) -> UnitLink | None:
        for link in self.links:
            if (
                link.unit_id == unit_id
                and link.valid_from <= day
                and (link.valid_to is None or day < link.valid_to)
            ):
                return link
        return None

    def holder_on(self, unit_id: int, day: datetime.date, seen=()) -> int | None:
        """The unit standing on ``day`` that holds ``unit_id``'s facts."""
        if unit_id in seen:
            return None
        if self.link_on(unit_id, day) is not None:
            return unit_id
        heirs = sorted(
            (s for s in self.successions if s.predecessor_id == unit_id and s.effective_on <= day),
            key=lambda s: (not s.primary, s.pk),
        )
        if heirs:
            return self.holder_on(heirs[0].successor_id, day, (*seen, unit_id))
        ended = [
            link
            for link in self.links
            if link.unit_id == unit_id
            and link.valid_to is not None
            and link.valid_to <= day
            and link.parent_id
        ]
        if ended:
            last = max(ended, key=lambda link: link.valid_from)
            return self.holder_on(last.parent_id, day, (*seen, unit_id))
        return None

    def chain(self, unit_id: int, day: datetime.date, regroup_today: bool) -> list[int]:
        """The units a fact of ``unit_id`` counts for: its holder and the holder's ancestors."""
        if regroup_today:
            chain, current = [], self.units[unit_id]
            while current is not None:
                chain.append(current.pk)
                current = self.units.get(current.parent_id)
            return chain
        holder = self.holder_on(unit_id, day)
        chain = []
        while holder is not None:
            chain.append(holder)
            holder = self.link_on(holder, day).parent_id
        return chain

    # ------------------------------------------------------------------------------------ the facts

    def active(self, unit_id: int, day: datetime.date) -> bool:
        unit = self.units[unit_id]
        return unit.founded_on <= day and (unit.dissolved_on is None or day < unit.dissolved_on)

    def members_on(self, day: datetime.date, female: bool = False) -> list[int]:
        return [
            m.unit_id
            for m in self.memberships
            if m.state in COUNTED_STATES
            and m.valid_from <= day
            and (m.valid_to is None or day < m.valid_to)
            and (not female or self.gender[m.member_id] == "female")
        ]

    def grassroots(self, unit_id: int) -> bool:
        return self.units[unit_id].unit_type.level == "grassroots"

    def new_unions(self, start, end) -> list[int]:
        born_of_reorganisation = {
            (role.unit_id, self.reorganisations[role.reorganisation_id].effective_on)
            for role in self.roles
            if self.reorganisations[role.reorganisation_id].kind in ("merge", "split")
            and role.role in ("target", "created")
        }
        return [
            r.unit_id
            for r in self.reorganisations.values()
            if r.kind == "found"
            and (start is None or start <= r.effective_on)
            and r.effective_on <= end
            and (r.unit_id, r.effective_on) not in born_of_reorganisation
            and self.grassroots(r.unit_id)
        ]

    def small_at(self, day: datetime.date, below: int) -> list[int]:
        sizes = defaultdict(int)
        for unit_id in self.members_on(day):
            sizes[unit_id] += 1
        return [u for u in self.units if self.grassroots(u) and self.active(u, day) and sizes[u] < below]

    def own(self, indicator: str, start, end, given: dict) -> list[tuple[int, int, int]]:
        """(unit, numerator, denominator) for each fact (``given``: the indicator's parameters)."""
        within = lambda day: (start is None or start <= day) and day <= end  # noqa: E731
        if indicator == "members_admitted":
            return [(e.unit_id, 1, 0) for e in self.events if e.kind == "admit" and within(e.on)]
        if indicator == "members_exited":
            return [
                (e.unit_id, 1, 0)
                for e in self.events
                if within(e.on)
                and (e.kind in EXIT_KINDS or (e.kind == "transfer_out" and e.other_unit_id is None))
            ]
        if indicator == "members":
            return [(unit_id, 1, 0) for unit_id in self.members_on(end)]
        if indicator == "female_members":
            return [(unit_id, 1, 0) for unit_id in self.members_on(end, female=True)]
        if indicator == "grassroots_unions":
            return [(u, 1, 0) for u in self.units if self.grassroots(u) and self.active(u, end)]
        if indicator == "grassroots_founded":
            return [(u, 1, 0) for u in self.new_unions(start, end)]
        if indicator == "enterprise_grassroots_founded_25":
            return [
                (u, 1, 0)
                for u in self.new_unions(start, end)
                if self.units[u].sector in ENTERPRISES and self.workforce[u] >= 25
            ]
        if indicator == "small_grassroots_merged_pct":
            small = self.small_at(start or datetime.date.min, given.get("small_below_members", SMALL_BELOW))
            merged = {
                role.unit_id
                for role in self.roles
                if role.role == "source"
                and self.reorganisations[role.reorganisation_id].kind == "merge"
                and within(self.reorganisations[role.reorganisation_id].effective_on)
            }
            return [(u, 1 if u in merged else 0, 1) for u in small]
        if indicator == "members_with_new_card_pct":
            return [
                (m.unit_id, int(any(within(day) for day in self.card_days[m.member_id])), 1)
                for m in self.memberships
                if m.state in COUNTED_STATES
                and m.valid_from <= end
                and (m.valid_to is None or end < m.valid_to)
            ]
        if indicator == "unionisation_pct":
            standing = [u for u in self.units if self.active(u, end)]
            return [(unit_id, 1, 0) for unit_id in self.members_on(end)] + [
                (u, 0, self.workforce[u]) for u in standing if self.workforce[u]
            ]
        raise KeyError(indicator)

    def values(
        self, indicator: str, start, end, regroup_today: bool = False, given: dict | None = None
    ) -> dict[int, Decimal | None]:
        """Every unit's value: a count, or a percent (None for 0 of 0)."""
        numerators, denominators = defaultdict(int), defaultdict(int)
        for unit_id, numerator, denominator in self.own(indicator, start, end, given or {}):
            for holder in self.chain(unit_id, end, regroup_today):
                numerators[holder] += numerator
                denominators[holder] += denominator
        if indicator not in PERCENT:
            return {u: Decimal(numerators[u]) for u in self.units}
        return {
            u: (Decimal(numerators[u]) * 100 / denominators[u] if denominators[u] else None)
            for u in self.units
        }
