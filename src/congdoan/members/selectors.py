"""Reading the member registry, always through the user's scope, and what a user may see of personal data.

Lists show personal data masked (ID and passport numbers, phone, e-mail, birth date as the year only). The
full values are shown by ``personal_data``, which only the roles that need them may call and which records
every call (Decree 13/2023/NĐ-CP): administrators, officers and the chair of the member's own CĐCS (the
chair's scope is that CĐCS), never a read-only viewer.
"""

import datetime
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdoan.accounts.models import Action, Role
from congdoan.accounts.scope import get_for, restrict
from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.core.text import fold
from congdoan.members import name_index
from congdoan.members.exports import mask_email, mask_id_number, mask_phone
from congdoan.members.identity import passport_number
from congdoan.members.models import Member, MemberEvent, Membership, Status
from congdoan.units.models import Unit
from congdoan.units.selectors import tree_on, valid_on

_SEPARATORS = re.compile(r"[\s.\-]")
_NOT_SEARCHABLE = re.compile(r"[^a-z0-9 ]")


def may_see_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.can(Action.VIEW_PERSONAL_DATA))


# Up to this many members, a list is read through the unit index and sorted; beyond, along the sort index.
FEW_MEMBERS = 20_000


def in_units(queryset: QuerySet[Member], units: QuerySet[Unit]) -> QuerySet[Member]:
    """The members of ``queryset`` standing in ``units``, asked for the way that is fast for their number.

    A join on the units' paths lets the database start from the units and sort every member found; for a
    province that is 800,000 rows sorted to show 50 (SQLite, knowing no statistics, always starts there).
    So a few members are found through the unit index and sorted, and many are read along the index of
    the list's order, with the unit test made unable to use an index (``unit_id + 0``): the first page
    then reads little more than its own rows.
    """
    ids = units.values("pk")
    if Member.objects.filter(unit_id__in=ids).order_by()[: FEW_MEMBERS + 1].count() <= FEW_MEMBERS:
        return queryset.filter(unit_id__in=ids)
    return queryset.alias(unit_key=F("unit_id") + 0).filter(unit_key__in=ids)


def members_under(user, unit: Unit | None = None) -> QuerySet[Member]:
    """The members of ``unit``'s subtree (default: all the user's scope), for reading them all (counts,
    duplicates): always through the unit index, which reads no member outside."""
    units = restrict(Unit.objects.all(), user)
    if unit is not None:
        units = units.filter(path__under=unit.path)
    return Member.objects.filter(unit_id__in=units.values("pk"))


def members_for(user, action: str = Action.VIEW) -> QuerySet[Member]:
    """Every member record the user may see (or change), merged records included: those standing in the
    units of the user's scope (``restrict`` on the units; see ``in_units`` for why not a join)."""
    members = Member.objects.select_related("unit")
    if user is not None and user.is_authenticated and user.is_superuser and user.is_active:
        return members
    return in_units(members, restrict(Unit.objects.all(), user, action))


def members_on_day(user, day: datetime.date, unit: Unit | None = None) -> QuerySet[Member]:
    """The member records with a membership interval on ``day`` in ``unit``'s subtree as it stood that
    day (default: anywhere), each carrying the interval as ``on_day`` (the unit and state they stood in
    that day; ``exports.standing``), within the user's scope as it was that day.

    The scope is that of the units the members stood in then, as for the printable list and the exported
    list of a past day (``exports.members_on``): a member who has left the scope since was one of its
    members that day. Intervals of one member never overlap, so each member comes once. As ``in_units``
    does for today's list, a few members are found through the intervals of their units and sorted, and
    many read along the index of the list's order.
    """
    units = restrict(Unit.objects.all(), user, Action.VIEW)
    if unit is not None:
        units = units.filter(pk__in=tree_on(day, under=unit).values("unit_id"))
    ids = units.values("pk")
    # Later filters read the interval through these aliases: a filter on ``on_day__…`` in another
    # ``filter()`` call would join the intervals again.
    members = (
        Member.objects.annotate(
            on_day=FilteredRelation("memberships", condition=valid_on(day, "memberships__"))
        )
        .alias(unit_on_day=F("on_day__unit_id"), state_on_day=F("on_day__state"))
        .filter(state_on_day__isnull=False)  # an inner join: the database may start from the intervals
        .select_related("unit", "on_day__unit")
    )
    intervals = Membership.objects.filter(valid_on(day), unit_id__in=ids).order_by()
    if intervals[: FEW_MEMBERS + 1].count() <= FEW_MEMBERS:
        return members.filter(unit_on_day__in=ids)
    return members.alias(unit_key=F("unit_on_day") + 0).filter(unit_key__in=ids)


def member_for(user, code: str, action: str = Action.VIEW) -> Member:
    """One member by code: 404 outside the user's scope, 403 when visible but not theirs to change."""
    return get_for(
        Member.objects.select_related("unit", "unit__unit_type", "employer", "merged_into"),
        user,
        action,
        code=code,
    )


def search(queryset: QuerySet[Member], text: str, *, whole_id_numbers: bool = False) -> QuerySet[Member]:
    """Members matching what a person types: a member code or ID number (whole or its first digits), a
    whole passport number, or a name written with or without diacritics, each word the start of a word of
    the name ("nguyen van an" finds Nguyễn Văn An and Nguyễn Văn Anh; "an" finds every An and Anh).

    ``whole_id_numbers`` for users who may not see ID numbers: lists show their last digits, and a search
    by the first ones would tell the rest."""
    digits = _SEPARATORS.sub("", text)
    if digits.isdigit():
        # Digit strings compare alike in every collation, so a range is a prefix search on the index.
        upper = digits + ":"
        by_id = Q(id_number=digits) if whole_id_numbers else Q(id_number__gte=digits, id_number__lt=upper)
        return queryset.filter(Q(code__gte=digits, code__lt=upper) | by_id | Q(passport_number=digits))
    if any(character.isdigit() for character in digits):  # no name holds a digit: a passport's letters
        try:
            return queryset.filter(passport_number=passport_number(digits))
        except ValueError:
            return queryset.none()
    words = _NOT_SEARCHABLE.sub(" ", fold(text)).split()
    for word in words:
        queryset = queryset.filter(Q(search_name__startswith=word) | Q(search_name__contains=" " + word))
    return name_index.narrow(queryset, words) if words else queryset


# ------------------------------------------------------------------------------------- personal data


def masked_birth(member: Member) -> str:
    return str(member.birth_year or (member.birth_date.year if member.birth_date else "")) or "—"


@dataclass(frozen=True)
class PersonalData:
    """The personal fields of a member as one user may see them."""

    full: bool
    id_number: str
    passport_number: str
    phone: str
    email: str
    birth: str  # dd/mm/yyyy in full, the year when masked or when only the year is known

    @classmethod
    def masked(cls, member: Member) -> "PersonalData":
        return cls(
            full=False,
            id_number=mask_id_number(member.id_number or ""),
            passport_number=mask_id_number(member.passport_number or ""),
            phone=mask_phone(member.phone),
            email=mask_email(member.email),
            birth=masked_birth(member),
        )

    @classmethod
    def unmasked(cls, member: Member) -> "PersonalData":
        birth = member.birth_date.strftime("%d/%m/%Y") if member.birth_date else masked_birth(member)
        return cls(
            full=True,
            id_number=member.id_number or "",
            passport_number=member.passport_number or "",
            phone=member.phone,
            email=member.email,
            birth=birth,
        )


def personal_data(
    *, user, member: Member, reason: str = "", action: str = PersonalDataAccess.Action.VIEW
) -> PersonalData:
    """The member's personal data in full for a user allowed to see it, the access recorded; else 403.

    ``member`` must have been fetched through the user's scope (``member_for``)."""
    if not may_see_personal_data(user):
        raise PermissionDenied(_("Your role does not allow seeing personal data in full."))
    log_personal_data_access(action=action, obj=member, unit_id=member.unit_id, reason=reason)
    return PersonalData.unmasked(member)


def accesses_of(user, member: Member) -> QuerySet[PersonalDataAccess]:
    """Who opened this member's personal data, for administrators of the member's unit."""
    if not (user.is_superuser or user.role == Role.ADMIN):
        return PersonalDataAccess.objects.none()
    return restrict(PersonalDataAccess.objects.for_object(member), user)


# ----------------------------------------------------------------------------------------- history


def events_of(member: Member) -> QuerySet[MemberEvent]:
    return member.events.select_related("unit", "other_unit").order_by("on", "id")


def memberships_of(member: Member) -> QuerySet[Membership]:
    return member.memberships.select_related("unit").order_by("valid_from")


# -------------------------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class DuplicateRule:
    """Two records share ``fields`` (none of them empty): that adds ``weight`` to their score."""

    key: str
    label: str
    fields: tuple[str, ...]
    weight: int
    finds: bool = True  # False: it only adds to the score of pairs other rules find (alone it is too weak)

    def key_of(self, member: Member) -> tuple | None:
        values = tuple(getattr(member, name) for name in self.fields)
        return None if any(value in (None, "") for value in values) else values


# An ID number is unique in the registry, so two records never share one: the import stops such pairs
# at the door. These rules find what slips through: the same person typed twice, with or without the ID.
DUPLICATE_RULES = (
    DuplicateRule(
        "name_birth_date", gettext_lazy("same name and date of birth"), ("search_name", "birth_date"), 60
    ),
    DuplicateRule(
        "name_year_unit",
        gettext_lazy("same name, year of birth and grassroots union"),
        ("search_name", "birth_year", "unit_id"),
        50,
    ),
    DuplicateRule(
        "name_year",
        gettext_lazy("same name and year of birth"),
        ("search_name", "birth_year"),
        20,
        finds=False,
    ),
    DuplicateRule("phone", gettext_lazy("same phone"), ("phone",), 30),
    DuplicateRule("email", gettext_lazy("same e-mail"), ("email",), 30),
)
DUPLICATE_THRESHOLD = 50
KEYS_PER_QUERY = 500  # look-alike groups whose records are read per query
LARGEST_GROUP = 20  # more records than this sharing a phone or a name is a shared number, not a person


# The time of a comparison grows with the members compared: a screen compares a unit at most this big
# while the page waits (BENCHMARKS.md, "Duplicates"); a larger one is compared by a background scan.
DUPLICATES_MAX_MEMBERS = 200_000


def too_many_to_compare(members: QuerySet[Member]) -> bool:
    return members.order_by()[: DUPLICATES_MAX_MEMBERS + 1].count() > DUPLICATES_MAX_MEMBERS


@dataclass(frozen=True)
class DuplicatePair:
    first: Member
    second: Member
    score: int
    rules: tuple[DuplicateRule, ...]  # the rules the two records meet

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(str(rule.label) for rule in self.rules)


@dataclass(frozen=True)
class Candidate:
    """A pair found and scored from the two records' keys alone (``KEY_FIELDS``): what a screen counts and
    orders; only the pairs it shows get their records (``with_records``)."""

    first_id: int
    second_id: int
    score: int
    rules: tuple[DuplicateRule, ...]


RULES_BY_KEY = {rule.key: rule for rule in DUPLICATE_RULES}
# What scoring reads of a record: every rule's fields, all in the index of the rules' fields (with the
# status), so finding and scoring pairs reads no member row.
KEY_FIELDS = ("pk", *dict.fromkeys(name for rule in DUPLICATE_RULES for name in rule.fields))


def matched_rules(first, second) -> tuple[DuplicateRule, ...]:
    """The rules two records (members, or rows holding ``KEY_FIELDS``) meet; a rule that finds no pairs
    alone still adds its weight."""
    return tuple(
        rule
        for rule in DUPLICATE_RULES
        if (key := rule.key_of(first)) is not None and key == rule.key_of(second)
    )


def look_alike_groups(members: QuerySet[Member], rule: DuplicateRule) -> QuerySet:
    """The keys ``rule`` gives to more than one (and at most LARGEST_GROUP) of ``members``: one GROUP BY,
    read from the index of the rules' fields (``Member.Meta.indexes``) without touching the table. Only
    the count: an aggregate of the ids too (their lowest and highest, or their list) costs every one of a
    union's 100,000 keys more than reading the few groups' records by key afterwards."""
    return (
        _with_key(members, rule)
        .order_by()
        .values(*rule.fields)
        .annotate(n=Count("pk"))
        .filter(n__gt=1, n__lte=LARGEST_GROUP)
        .values_list(*rule.fields)
    )


def _with_key(members: QuerySet[Member], rule: DuplicateRule) -> QuerySet[Member]:
    # Each field present: one filter of all (an exclude of all would keep a record missing only one).
    present = members.filter(**{f"{name}__isnull": False for name in rule.fields})
    for name in set(rule.fields) & {"search_name", "phone", "email"}:
        present = present.exclude(**{name: ""})
    return present


def pairs_in_groups(
    members: QuerySet[Member], rule: DuplicateRule, keys: list[tuple], threshold: int = DUPLICATE_THRESHOLD
) -> Iterator[Candidate]:
    """The pairs of records of ``members`` sharing one of ``keys`` under ``rule`` that reach
    ``threshold``, scored by every rule from the records' keys.

    Only the records' keys are read, from the index: those whose key starts as one of ``keys`` does (a
    few more than the groups), kept when their whole key is one of them. A pair met by several rules
    comes once per rule that finds it."""
    wanted = set(keys)
    first_values = {f"{rule.fields[0]}__in": {key[0] for key in keys}}
    by_key: dict[tuple, list] = defaultdict(list)
    for record in members.filter(**first_values).order_by().values_list(*KEY_FIELDS, named=True):
        if (key := rule.key_of(record)) in wanted:
            by_key[key].append(record)
    for group in by_key.values():
        for first, second in itertools.combinations(sorted(group, key=lambda record: record.pk), 2):
            matched = matched_rules(first, second)
            if (score := sum(rule.weight for rule in matched)) >= threshold:
                yield Candidate(first.pk, second.pk, score, matched)


def pair_batches(
    members: QuerySet[Member], rule: DuplicateRule, threshold: int = DUPLICATE_THRESHOLD
) -> Iterator[list[Candidate]]:
    """``pairs_in_groups`` over every look-alike group of ``rule``, KEYS_PER_QUERY groups a batch: the
    groups are read as a stream, so memory holds one batch of records, never a province's groups."""
    keys = look_alike_groups(members, rule).iterator(chunk_size=KEYS_PER_QUERY)
    while batch := list(itertools.islice(keys, KEYS_PER_QUERY)):
        yield list(pairs_in_groups(members, rule, batch, threshold))


FINDING_RULES = tuple(rule for rule in DUPLICATE_RULES if rule.finds)


def candidate_pairs(members: QuerySet[Member], threshold: int = DUPLICATE_THRESHOLD) -> list[Candidate]:
    """Pairs of records in ``members`` (already scoped) that may be the same person, best first.

    Each rule finds its groups of look-alikes with one GROUP BY (a unit larger than a page may compare
    is compared by a background scan, ``members.duplicate_scans``); every pair met in any group is
    scored by all the rules, and the pairs reaching ``threshold`` are returned, as ids and scores: a
    screen shows a page of them (``with_records``).
    """
    members = members.exclude(status=Status.MERGED)
    pairs: dict[tuple[int, int], Candidate] = {}
    for rule in FINDING_RULES:
        for batch in pair_batches(members, rule, threshold):
            for pair in batch:
                pairs[(pair.first_id, pair.second_id)] = pair
    firsts = sorted({first for first, _ in pairs})
    sort_keys = {}
    for start in range(0, len(firsts), KEYS_PER_QUERY):  # the order: the first record's name
        chunk = firsts[start : start + KEYS_PER_QUERY]
        sort_keys.update(Member.objects.filter(pk__in=chunk).order_by().values_list("pk", "sort_key"))
    return sorted(
        pairs.values(),
        key=lambda pair: (-pair.score, sort_keys[pair.first_id], pair.first_id, pair.second_id),
    )


# What the duplicates screen shows of a record (``members/_duplicate_record.html``).
SHOWN_FIELDS = ("code", "full_name", "birth_year", "status", "unit__name", "unit__short_name")


def with_records(candidates: list[Candidate], fields: tuple[str, ...] | None = None) -> list[DuplicatePair]:
    """The pairs with their two records (only ``fields`` of them when given), in the same order."""
    records = Member.objects.select_related("unit").filter(
        pk__in={pk for pair in candidates for pk in (pair.first_id, pair.second_id)}
    )
    by_pk = {member.pk: member for member in (records.only(*fields) if fields else records)}
    return [
        DuplicatePair(by_pk[pair.first_id], by_pk[pair.second_id], pair.score, pair.rules)
        for pair in candidates
    ]


def duplicate_candidates(
    members: QuerySet[Member], threshold: int = DUPLICATE_THRESHOLD, limit: int | None = None
) -> list[DuplicatePair]:
    """The first ``limit`` (default: all) of ``candidate_pairs``, with both records in full."""
    return with_records(candidate_pairs(members, threshold)[:limit])
