"""Member writes: admission, the dated lifecycle, the member code; each public function is one transaction.

Member code (mã đoàn viên), stable for life and unique system-wide: ``YYSSSSSSSC`` — ten digits, where YY is
the year the code was issued, SSSSSSS a serial within that year and C a Luhn check digit over the first
nine, so a mistyped code is caught (``is_valid_code``). Codes are never reused.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdoan.core.jobs import daily
from congdoan.core.models import Job
from congdoan.core.text import fold
from congdoan.members.identity import (
    VIETNAM,
    check_id_number,
    nationality_name,
    passport_number,
    phone_number,
)
from congdoan.members.models import (
    MEMBER_STATES,
    RETURNABLE_STATES,
    CodeSequence,
    EventKind,
    Member,
    MemberEvent,
    Membership,
    Status,
)
from congdoan.units import services as unit_services
from congdoan.units.models import Decision, Level, Reorganisation, Unit

WORKING_AGE = 15  # Labour Code 2019, Art. 143: the general minimum age of an employee
# Trade Union Law 2024 (in force 01/07/2025), Art. 5: foreign workers with labour contracts of 12 months
# or more may join a grassroots union.
FOREIGN_MEMBERS_FROM = datetime.date(2025, 7, 1)
FOREIGN_CONTRACT_MONTHS = 12
LONGEST_CONTRACT_MONTHS = 600  # 50 years: more is a slip (a year typed as months, "2026")
# A suspension's planned end (tạm dừng sinh hoạt, Guidance 03/HD-TLĐ 2020; 38/HD-TLĐ 2024). The 12-month
# limit of the guidance binds a member's own reasons (illness, unpaid leave, a lost job); a suspension
# while the employer stands still has none, so only an end beyond any such stoppage is refused as a slip.
LONGEST_SUSPENSION_YEARS = 5
EARLIEST_BIRTH_YEAR = 1900  # a year before is a typing slip ("85" for 1985)


def _luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def is_valid_code(code: str) -> bool:
    return len(code) == 10 and code.isdigit() and _luhn_digit(code[:9]) == code[9]


def allocate_codes(count: int, *, year: int | None = None) -> list[str]:
    """Reserve ``count`` new member codes at once (imports take thousands in one step)."""
    year = (year or timezone.localdate().year) % 100
    with transaction.atomic():
        sequence, _created = CodeSequence.objects.select_for_update().get_or_create(year=year)
        first = sequence.last + 1
        sequence.last += count
        if sequence.last > 9_999_999:
            raise ValidationError(_("No member codes are left for this year."))
        sequence.save(update_fields=["last"])
    return [
        f"{year:02d}{serial:07d}" + _luhn_digit(f"{year:02d}{serial:07d}")
        for serial in range(first, first + count)
    ]


def _d(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _anniversary(day: datetime.date, year: int) -> datetime.date:
    """The same day in ``year`` (a birthday); 29/02 falls on 01/03 of a common year."""
    if year > datetime.MAXYEAR:  # a date in the far future: a slip, refused for itself
        return datetime.date.max
    try:
        return day.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def check_person(member: Member, *, today: datetime.date | None = None) -> None:
    """Rules on a member's own data, raised as ValidationError keyed by field. ``today`` saves checks of
    many rows at once from asking the time zone each time (6 µs, most of a row's check)."""
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    if not member.birth_date and not member.birth_year:
        errors["birth_date"] = _("Give the date of birth, or at least the year.")
    elif member.birth_date and member.birth_date > today:
        errors["birth_date"] = _("The date of birth is in the future.")
    elif member.birth_date and member.birth_date.year < EARLIEST_BIRTH_YEAR:
        errors["birth_date"] = _("The year of the date of birth is before %(year)s: check it.") % {
            "year": EARLIEST_BIRTH_YEAR
        }
    if member.birth_year and member.birth_year > today.year:
        errors["birth_year"] = _("The year of birth is in the future.")
    elif member.birth_year is not None and member.birth_year < EARLIEST_BIRTH_YEAR:
        errors["birth_year"] = _("Write the year of birth with four digits, e.g. 1985.")
    member.id_number = member.id_number or None  # "" is no number: ID numbers are unique
    if member.id_number:
        try:
            member.id_number = check_id_number(
                member.id_number,
                birth_year=member.birth_year or (member.birth_date.year if member.birth_date else None),
                gender=member.gender,
            ).number
        except ValueError as error:
            errors["id_number"] = str(error)
    if member.phone:
        try:
            member.phone = phone_number(member.phone)
        except ValueError as error:
            errors["phone"] = str(error)
    if member.contract_months is not None and not 0 < member.contract_months <= LONGEST_CONTRACT_MONTHS:
        errors["contract_months"] = _(
            "The term of the labour contract is given in months, from 1 to %(most)s."
        ) % {"most": LONGEST_CONTRACT_MONTHS}
    errors.update(_foreign_worker_errors(member))
    member.passport_number = member.passport_number or None  # unique, as the ID number
    if member.passport_number:
        errors.update(_passport_errors(member))
    year = member.birth_year if "birth_year" not in errors else None
    slip = member.birth_date and member.birth_date.year < EARLIEST_BIRTH_YEAR
    born = None if slip else member.birth_date or (datetime.date(year, 1, 1) if year else None)
    if member.party_joined_on and (
        member.party_joined_on > today or (born and member.party_joined_on < born)
    ):
        errors["party_joined_on"] = _("The date of joining the Party is in the future or before the birth.")
    if member.card_issued_on and (
        member.card_issued_on > today or (member.joined_on and member.card_issued_on < member.joined_on)
    ):
        errors["card_issued_on"] = _(
            "The card issue date is in the future or before the member joined the union."
        )
    if member.joined_on and born:
        if member.joined_on < born:
            errors["joined_on"] = _("The union joining date is before the date of birth.")
        elif member.joined_on < _anniversary(born, born.year + WORKING_AGE):
            errors["joined_on"] = _("The member was under working age (%(age)s) on the joining date.") % {
                "age": WORKING_AGE
            }
    if member.joined_on and member.joined_on > today:
        errors["joined_on"] = _("The union joining date is in the future.")
    if errors:
        raise ValidationError(errors)


def _foreign_worker_errors(member: Member) -> dict[str, str]:
    if member.nationality == VIETNAM:  # nearly every row of an import: spared the spelling's look-up
        return {}
    member.nationality = nationality_name(member.nationality)
    if member.nationality in ("", VIETNAM):
        return {}
    errors = {}
    if member.joined_on and member.joined_on < FOREIGN_MEMBERS_FROM:
        errors["joined_on"] = _(
            "A foreign worker may join the union from %(date)s (Trade Union Law 2024)."
        ) % {"date": _d(FOREIGN_MEMBERS_FROM)}
    if member.contract_months is None or member.contract_months < FOREIGN_CONTRACT_MONTHS:
        errors["contract_months"] = _(
            "A foreign worker joins with a labour contract of %(months)s months or more: give its term."
        ) % {"months": FOREIGN_CONTRACT_MONTHS}
    return errors


def _passport_errors(member: Member) -> dict[str, str]:
    """A passport number identifies a foreign worker; a Vietnamese member (the nationality already in its
    one spelling, ``_foreign_worker_errors``) is identified by the CCCD/CMND."""
    if member.nationality in ("", VIETNAM):
        return {
            "passport_number": _(
                "A passport number is recorded for a foreign worker only: a Vietnamese member is "
                "identified by the CCCD/CMND number (give the nationality of a foreign worker)."
            )
        }
    try:
        member.passport_number = passport_number(member.passport_number)
    except ValueError as error:
        return {"passport_number": str(error)}
    return {}


# A number another record holds already (each is unique), by field: the message that says so.
_TAKEN_NUMBER = {
    "id_number": gettext_lazy("Another member already has the ID number %(number)s."),
    "passport_number": gettext_lazy("Another member already has the passport number %(number)s."),
}


def taken_number_errors(member: Member, fields: Iterable[str] = tuple(_TAKEN_NUMBER)) -> dict[str, str]:
    """The member's identity numbers among ``fields`` that another record holds already."""
    others = Member.objects.exclude(pk=member.pk)
    return {
        name: _TAKEN_NUMBER[name] % {"number": number}
        for name in fields
        if (number := getattr(member, name)) and others.filter(**{name: number}).exists()
    }


def _check_grassroots(unit: Unit, on: datetime.date, field: str = "unit") -> None:
    if unit.unit_type.level not in (Level.GRASSROOTS, Level.SUBUNIT):
        raise ValidationError(
            {field: _("Members belong to a grassroots union; %(unit)s is not one.") % {"unit": unit}}
        )
    if not unit.is_active_on(on):
        raise ValidationError(
            {field: _("%(unit)s was not active on %(date)s.") % {"unit": unit, "date": _d(on)}}
        )


# ------------------------------------------------------------------------------------- memberships


# What a member must stand in just before an event of each kind (None: not in the union yet). One table
# for a step being recorded and for the steps recorded after its date, which it must leave valid.
ENDING_KINDS = (EventKind.LEAVE, EventKind.EXPEL, EventKind.RETIRE, EventKind.DECEASED, EventKind.DISSOLUTION)
STANDING_BEFORE: dict[str, tuple] = {
    EventKind.ADMIT: (None, *RETURNABLE_STATES),
    EventKind.REGISTER: (None, *RETURNABLE_STATES),
    EventKind.TRANSFER_IN: (None, *RETURNABLE_STATES),  # from outside; within the system: ``_applies``
    EventKind.TRANSFER_OUT: MEMBER_STATES,
    EventKind.SUSPEND: (Status.ACTIVE,),
    EventKind.RESUME: (Status.SUSPENDED,),
    **dict.fromkeys(ENDING_KINDS, MEMBER_STATES),
}


def _applies(event: MemberEvent, standing: Membership | None) -> bool:
    """Whether ``event`` may follow the interval the member stands in just before it (``STANDING_BEFORE``);
    a step within a membership is one of the unit the member stands in."""
    if event.kind == EventKind.TRANSFER_IN and event.other_unit_id is not None:
        # The second half of a transfer within the system: its first half left the member where they were.
        states, unit_id = MEMBER_STATES, event.other_unit_id
    else:
        states = STANDING_BEFORE[event.kind]
        unit_id = event.unit_id if None not in states else None
    if standing is None:
        return None in states
    return standing.state in states and (unit_id is None or standing.unit_id == unit_id)


class _History:
    """A member's membership intervals as their events, in date order, are added one by one."""

    TERMINAL = {
        EventKind.LEAVE: Status.LEFT,
        EventKind.EXPEL: Status.EXPELLED,
        EventKind.RETIRE: Status.RETIRED,
        EventKind.DECEASED: Status.DECEASED,
        EventKind.DISSOLUTION: Status.ENDED_BY_DISSOLUTION,
    }

    def __init__(self, member: Member):
        self.member = member
        self.intervals: list[Membership] = []

    def standing_on(self, on: datetime.date) -> Membership | None:
        return next((i for i in reversed(self.intervals) if i.valid_from <= on), None)

    def _enter(self, unit_id: int, state: str, on: datetime.date) -> None:
        intervals = self.intervals
        # A suspension's planned end lies ahead of the events after it: one dated before that end (an early
        # resumption, a transfer, an end of membership) replaces the planned return.
        while intervals and intervals[-1].valid_from > on:
            intervals.pop()
            if intervals:
                intervals[-1].valid_to = None
        if intervals and intervals[-1].valid_to is None:
            if intervals[-1].valid_from == on:
                intervals.pop()  # the later event of the same day wins
            else:
                intervals[-1].valid_to = on
        intervals.append(Membership(member=self.member, unit_id=unit_id, state=state, valid_from=on))

    def add(self, event: MemberEvent) -> None:
        if event.kind in (EventKind.ADMIT, EventKind.REGISTER, EventKind.TRANSFER_IN, EventKind.RESUME):
            self._enter(event.unit_id, Status.ACTIVE, event.on)
        elif event.kind == EventKind.SUSPEND:
            self._enter(event.unit_id, Status.SUSPENDED, event.on)
            if event.suspended_until:
                self._enter(event.unit_id, Status.ACTIVE, event.suspended_until)
        elif event.kind == EventKind.TRANSFER_OUT:
            if event.other_unit_id is None:  # to a union outside the system
                self._enter(event.unit_id, Status.TRANSFERRED_OUT, event.on)
        else:
            self._enter(event.unit_id, self.TERMINAL[event.kind], event.on)


def derive_memberships(member: Member, events: Iterable[MemberEvent]) -> list[Membership]:
    """The membership intervals that ``events``, in date order, give ``member`` (unsaved).

    The one rule from events to intervals: the services replay with it, and bulk writers that create
    whole histories at once (the demo) use it so that their intervals are exactly the services' own.
    """
    history = _History(member)
    for event in events:
        history.add(event)
    return history.intervals


def current_membership(intervals: list[Membership], today: datetime.date) -> Membership | None:
    """The interval a member stands in today (the first one if all lie ahead): what ``Member`` mirrors."""
    return next(
        (i for i in reversed(intervals) if i.valid_from <= today), intervals[0] if intervals else None
    )


def _replay(member: Member) -> None:
    """Rebuild the member's membership intervals from their events, and mirror the latest onto the member."""
    _store(member, derive_memberships(member, member.events.order_by("on", "id")))


def _store(member: Member, intervals: list[Membership]) -> None:
    """Put ``intervals`` in place of the member's membership intervals, and mirror today's onto the member."""
    Membership.objects.filter(member=member).delete()
    Membership.objects.bulk_create(intervals)
    current = current_membership(intervals, timezone.localdate())
    if current is not None and (member.unit_id, member.status) != (current.unit_id, current.state):
        member.unit_id, member.status = current.unit_id, current.state
        member.save(update_fields=["unit", "status"])


def _state_on(member: Member, on: datetime.date) -> Membership | None:
    return Membership.objects.filter(member=member, valid_from__lte=on).order_by("-valid_from").first()


def _require_member_state(member: Member, on: datetime.date, kind: str) -> Membership | None:
    """The interval the member stands in on ``on``, where a step of ``kind`` must find them
    (``STANDING_BEFORE``); a step within a membership takes its unit from it."""
    current = _state_on(member, on)
    if (current.state if current else None) not in STANDING_BEFORE[kind]:
        state = Status(current.state).label if current else _("not a member")
        raise ValidationError(
            {
                "member": _("On %(date)s %(member)s is %(state)s; this step does not apply.")
                % {"date": _d(on), "member": member.full_name, "state": state}
            }
        )
    return current


def _record(member: Member, *steps: MemberEvent) -> None:
    """Add one step's events (a transfer within the system is two) to the member's history and replay it.

    Officers type records in late, so a step may be dated before steps already recorded: it goes in at its
    date, after the events of that day (the later recorded wins), and each later event must still find the
    member as it requires (``_applies``), or the step is refused naming the first one it would break. One
    that did not apply before either (two records' histories merged) is not the new step's doing.
    """
    on = steps[0].on
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    for event in steps:
        event.full_clean(exclude=["member", "unit", "other_unit"])
    before, after = _History(member), _History(member)
    recorded = list(member.events.order_by("on", "id"))
    for event in (e for e in recorded if e.on <= on):
        before.add(event)
        after.add(event)
    for event in steps:
        after.add(event)
    for event in (e for e in recorded if e.on > on):
        if _applies(event, before.standing_on(event.on)) and not _applies(event, after.standing_on(event.on)):
            raise ValidationError(
                {
                    "on": _(
                        "After this date comes the event “%(event)s” of %(date)s, which would no longer be "
                        "valid with this one recorded."
                    )
                    % {"event": EventKind(event.kind).label, "date": _d(event.on)}
                }
            )
        before.add(event)
        after.add(event)
    for event in steps:
        event.save()
    _store(member, after.intervals)  # the events in their stored order (on, id): the replay's own


# ---------------------------------------------------------------------------------------- services


def admission_step(*, joined_on: datetime.date | None, unit: Unit) -> tuple[str, datetime.date | None]:
    """The first event of a member joining ``unit``: admitted on the joining date, or, for a member who
    joined before the unit existed, registered on its founding date."""
    if joined_on and joined_on < unit.founded_on:
        return EventKind.REGISTER, unit.founded_on
    return EventKind.ADMIT, joined_on


@transaction.atomic
def admit_member(
    *,
    member: Member,
    unit: Unit,
    on: datetime.date | None = None,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    note: str = "",
) -> Member:
    """Register a new member in ``unit`` (kết nạp) from ``on`` (default: their union joining date).

    A member who joined the union before ``unit`` was founded (an existing member on a list brought into
    the registry) is *registered* on the unit's founding date instead, so admissions are never invented.
    """
    kind = EventKind.ADMIT
    if on is None:
        kind, on = admission_step(joined_on=member.joined_on, unit=unit)
    if member.pk is not None:  # admitted again: only a former member, not a member nor the deceased
        _require_member_state(member, on, kind)
    member.unit = unit
    member.status = Status.ACTIVE
    check_person(member)
    _check_grassroots(unit, on)
    if taken := taken_number_errors(member):
        raise ValidationError(taken)
    if not member.code:
        member.code = allocate_codes(1)[0]
    member.full_clean(exclude=["unit", "employer", "code"])
    member.save()
    _record(
        member,
        MemberEvent(
            member=member,
            kind=kind,
            on=on,
            unit=unit,
            decision_number=decision_number,
            decision_date=decision_date,
            note=note,
        ),
    )
    return member


@transaction.atomic
def transfer_member(
    *,
    member: Member,
    on: datetime.date,
    to_unit: Unit | None = None,
    to_outside: str = "",
    decision_number: str = "",
    note: str = "",
) -> Member:
    """Move a member to another CĐCS (chuyển sinh hoạt), in this system or outside it (another province)."""
    current = _require_member_state(member, on, EventKind.TRANSFER_OUT)
    if (to_unit is None) == (not to_outside):
        raise ValidationError(
            {"to_unit": _("Choose the grassroots union the member moves to, or describe one outside.")}
        )
    if to_unit is not None:
        if to_unit.pk == current.unit_id:
            raise ValidationError(
                {"to_unit": _("The member already belongs to %(unit)s.") % {"unit": to_unit}}
            )
        _check_grassroots(to_unit, on, "to_unit")
    steps = [
        MemberEvent(
            member=member,
            kind=EventKind.TRANSFER_OUT,
            on=on,
            unit=current.unit,
            other_unit=to_unit,
            other_unit_text=to_outside,
            decision_number=decision_number,
            note=note,
        )
    ]
    if to_unit is not None:
        steps.append(
            MemberEvent(
                member=member,
                kind=EventKind.TRANSFER_IN,
                on=on,
                unit=to_unit,
                other_unit=current.unit,
                decision_number=decision_number,
                note=note,
            )
        )
    _record(member, *steps)
    return member


@transaction.atomic
def receive_member(
    *,
    member: Member,
    unit: Unit,
    on: datetime.date,
    from_outside: str,
    decision_number: str = "",
    note: str = "",
) -> Member:
    """Take in a member transferred from a union outside the system (chuyển đến).

    A person new to the registry gets a record. One already in it, moved out of the units the receiving
    user sees (to another province), is found by the ID number typed for them (a foreign worker by the
    passport number): their record goes on, with its member code and history, and its empty fields take
    what was typed."""
    check_person(member)
    _check_grassroots(unit, on)
    if member.pk is None and (record := _record_of_arrival(member, on)) is not None:
        member = record
    if member.pk is None:
        member.code = member.code or allocate_codes(1)[0]
        member.unit, member.status = unit, Status.ACTIVE
        member.full_clean(exclude=["unit", "employer", "code"])
        member.save()
    else:
        _require_member_state(member, on, EventKind.TRANSFER_IN)
    _record(
        member,
        MemberEvent(
            member=member,
            kind=EventKind.TRANSFER_IN,
            on=on,
            unit=unit,
            other_unit_text=from_outside,
            decision_number=decision_number,
            note=note,
        ),
    )
    return member


# Why a transfer in cannot go on with the record the typed number finds, by the number's field: the record
# is another person's (a mistyped number), a deceased member's, or a member's still.
_ARRIVAL_REFUSALS = {
    "id_number": {
        "other_person": gettext_lazy(
            "The ID number %(number)s is that of a member registered with another name or year of birth: "
            "check it."
        ),
        "deceased": gettext_lazy(
            "The ID number %(number)s is that of a member recorded as deceased: check it."
        ),
        "still_member": gettext_lazy(
            "The member with the ID number %(number)s still belongs to a grassroots union on %(date)s: it "
            "records the transfer out first."
        ),
    },
    "passport_number": {
        "other_person": gettext_lazy(
            "The passport number %(number)s is that of a member registered with another name or year of "
            "birth: check it."
        ),
        "deceased": gettext_lazy(
            "The passport number %(number)s is that of a member recorded as deceased: check it."
        ),
        "still_member": gettext_lazy(
            "The member with the passport number %(number)s still belongs to a grassroots union on %(date)s: "
            "it records the transfer out first."
        ),
    },
}


def _record_of_arrival(arrival: Member, on: datetime.date) -> Member | None:
    """The registry's record of the person ``arrival`` describes (by ID number, or by passport number for a
    foreign worker), its empty fields filled from it; refused when the name or the birth year differs (a
    mistyped number)."""
    for document in _ARRIVAL_REFUSALS:
        number = getattr(arrival, document)
        found = Member.objects.select_for_update().filter(**{document: number}, merged_into=None)
        if number and (record := found.first()) is not None:
            break
    else:
        return None
    refusals = _ARRIVAL_REFUSALS[document]
    born = arrival.birth_date.year if arrival.birth_date else arrival.birth_year
    if (fold(record.full_name), record.birth_year) != (fold(arrival.full_name), born):
        raise ValidationError({document: refusals["other_person"] % {"number": number}})
    state = _state_on(record, on)
    if state is not None and state.state == Status.DECEASED:
        raise ValidationError({document: refusals["deceased"] % {"number": number}})
    if state is not None and state.state in MEMBER_STATES:
        # Its union may be outside the user's scope: not named.
        raise ValidationError({document: refusals["still_member"] % {"number": number, "date": _d(on)}})
    for name in EDITABLE_FIELDS:
        attname = Member._meta.get_field(name).attname
        if _empty(getattr(record, attname)) and not _empty(getattr(arrival, attname)):
            setattr(record, attname, getattr(arrival, attname))
    return _check_and_save(record)


@transaction.atomic
def suspend_member(
    *,
    member: Member,
    on: datetime.date,
    until: datetime.date | None = None,
    decision_number: str = "",
    note: str = "",
) -> Member:
    """Temporarily suspend activity (tạm dừng sinh hoạt), optionally until a date."""
    current = _require_member_state(member, on, EventKind.SUSPEND)
    if until is not None and until <= on:
        raise ValidationError({"suspended_until": _("The suspension must end after it starts.")})
    if until is not None and until > _anniversary(on, on.year + LONGEST_SUSPENSION_YEARS):
        raise ValidationError(
            {
                "suspended_until": _(
                    "A suspension is planned for at most %(years)s years: check the end date, or leave it "
                    "empty and record the resumption when it comes."
                )
                % {"years": LONGEST_SUSPENSION_YEARS}
            }
        )
    _record(
        member,
        MemberEvent(
            member=member,
            kind=EventKind.SUSPEND,
            on=on,
            unit=current.unit,
            suspended_until=until,
            decision_number=decision_number,
            note=note,
        ),
    )
    return member


@transaction.atomic
def resume_member(*, member: Member, on: datetime.date, decision_number: str = "", note: str = "") -> Member:
    current = _require_member_state(member, on, EventKind.RESUME)
    _record(
        member,
        MemberEvent(
            member=member,
            kind=EventKind.RESUME,
            on=on,
            unit=current.unit,
            decision_number=decision_number,
            note=note,
        ),
    )
    return member


@transaction.atomic
def end_membership(
    *,
    member: Member,
    kind: str,
    on: datetime.date,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    note: str = "",
) -> Member:
    """End a membership: thôi, khai trừ, nghỉ hưu, mất, or the end of the CĐCS."""
    if kind not in ENDING_KINDS:
        raise ValidationError({"kind": _("This is not a way a membership ends.")})
    current = _require_member_state(member, on, kind)
    _record(
        member,
        MemberEvent(
            member=member,
            kind=kind,
            on=on,
            unit=current.unit,
            decision_number=decision_number,
            decision_date=decision_date,
            note=note,
        ),
    )
    return member


@transaction.atomic
def refresh_current_states(*, today: datetime.date | None = None) -> int:
    """Mirror onto each member the interval they stand in today where it began with no step of theirs: a
    suspension's planned end, reached since it was recorded. Run daily (the job below, or ``congdoan members
    statuses`` from cron)."""
    today = today or timezone.localdate()
    stale = (
        Membership.objects.filter(valid_from__lte=today)
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=today))
        .exclude(unit_id=models.F("member__unit_id"), state=models.F("member__status"))
        .select_related("member")
    )
    count = 0
    for interval in stale:
        member = interval.member
        member.unit_id, member.status = interval.unit_id, interval.state
        member.save(update_fields=["unit", "status"])
        count += 1
    return count


@daily(label=gettext_lazy("Daily update of the members' current states"))
def refresh_current_states_daily(current: Job) -> dict:
    """``refresh_current_states`` as the day's job, started without cron (``congdoan.core.jobs.daily``)."""
    return {"members": refresh_current_states(today=current.daily_on)}


def members_standing_in(*, unit: Unit, on: datetime.date):
    """The members who stand in ``unit`` itself (active or suspended) on ``on``."""
    member_ids = (
        Membership.objects.filter(unit=unit, state__in=MEMBER_STATES, valid_from__lte=on)
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=on))
        .values("member_id")
    )
    return Member.objects.filter(pk__in=member_ids)


@transaction.atomic
def settle_members_of_ended_unit(
    *, unit: Unit, on: datetime.date, move_to: Unit | None = None, decision_number: str = ""
) -> int:
    """When a CĐCS ends: move its members to ``move_to``, or end their membership with the dissolution."""
    count = 0
    for member in members_standing_in(unit=unit, on=on).order_by("pk"):
        if move_to is not None:
            transfer_member(member=member, on=on, to_unit=move_to, decision_number=decision_number)
        else:
            end_membership(member=member, kind=EventKind.DISSOLUTION, on=on, decision_number=decision_number)
        count += 1
    return count


def _check_settled_on(unit: Unit, on: datetime.date) -> None:
    if on > timezone.localdate() and members_standing_in(unit=unit, on=on).exists():
        raise ValidationError(
            {
                "effective_on": _(
                    "%(unit)s has members, whose steps cannot be dated in the future: record its end "
                    "on or after %(date)s."
                )
                % {"unit": unit, "date": _d(on)}
            }
        )
    # An end dated back must not leave members admitted or moved in since standing in an ended union.
    later = MemberEvent.objects.filter(unit=unit, on__gt=on).aggregate(latest=models.Max("on"))["latest"]
    if later is not None:
        raise ValidationError(
            {
                "effective_on": _(
                    "Members' steps in %(unit)s are recorded up to %(date)s: its end cannot be dated before."
                )
                % {"unit": unit, "date": _d(later)}
            }
        )


@transaction.atomic
def dissolve_grassroots_union(
    *,
    unit: Unit,
    effective_on: datetime.date,
    decision: Decision,
    members_to: Unit | None = None,
    successor: Unit | None = None,
    children_to: Unit | None = None,
    note: str = "",
) -> Reorganisation:
    """End a CĐCS and settle its members with it: moved to ``members_to``, or ended by the dissolution."""
    _check_settled_on(unit, effective_on)
    reorganisation = unit_services.dissolve_unit(
        unit=unit,
        effective_on=effective_on,
        decision=decision,
        successor=successor,
        children_to=children_to,
        note=note,
    )
    settle_members_of_ended_unit(
        unit=unit, on=effective_on, move_to=members_to, decision_number=decision.number
    )
    return reorganisation


@transaction.atomic
def merge_grassroots_unions(
    *,
    sources: list[Unit],
    effective_on: datetime.date,
    decision: Decision,
    into: Unit | None = None,
    new_unit: unit_services.NewUnit | None = None,
    new_parent: Unit | None = None,
    note: str = "",
) -> Reorganisation:
    """Merge units (``units.services.merge_units``); the members of each source follow into the merged one."""
    for source in sources:
        _check_settled_on(source, effective_on)
    reorganisation = unit_services.merge_units(
        sources=sources,
        effective_on=effective_on,
        decision=decision,
        into=into,
        new_unit=new_unit,
        new_parent=new_parent,
        note=note,
    )
    for source in sources:
        settle_members_of_ended_unit(
            unit=source, on=effective_on, move_to=reorganisation.unit, decision_number=decision.number
        )
    return reorganisation


# -------------------------------------------------------------------------------- corrections, merges

# A member's own data, which a correction may change. The unit and status follow the events, the joining
# date is the date of the first event, and the code is for life: none of them is corrected here.
EDITABLE_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "gender",
    "ethnic_group",
    "religion",
    "nationality",
    "contract_months",
    "id_number",
    "passport_number",
    "phone",
    "email",
    "education_level",
    "professional_level",
    "political_theory",
    "party_member",
    "party_joined_on",
    "union_position",
    "occupation",
    "employer",
    "card_type",
    "card_issued_on",
)
# What a merge may take from the record merged away (its joining date too: it may be the true one).
MERGE_FIELDS = (*EDITABLE_FIELDS, "joined_on")


def _check_and_save(member: Member) -> Member:
    if member.birth_date:
        member.birth_year = member.birth_date.year
    check_person(member)
    if taken := taken_number_errors(member):
        raise ValidationError(taken)
    member.full_clean(exclude=["unit", "employer", "code", "merged_into"], validate_unique=False)
    member.save()
    return member


@transaction.atomic
def update_member(*, member: Member, **changes) -> Member:
    """Correct a member's own data (``EDITABLE_FIELDS``), checked as on admission."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_member cannot change {sorted(unknown)}")
    if member.merged_into_id:
        raise ValidationError(_("This record was merged into another one; correct that one instead."))
    for name, value in changes.items():
        setattr(member, name, value)
    return _check_and_save(member)


def _empty(value) -> bool:
    return value is None or value == ""


@transaction.atomic
def merge_members(*, keep: Member, other: Member, take: tuple[str, ...] | list[str] = ()) -> Member:
    """Merge ``other``, a second record of the same person, into ``keep``; both histories are kept.

    The other record's events and cards move to the kept member and its membership intervals are replayed
    from all the events together. Fields named in ``take`` come from the other record, and the kept
    record's empty fields are filled from it. The other record stays, marked merged and pointing to the
    kept one, without its ID and passport numbers (unique; the kept record may take them).
    """
    if keep.pk == other.pk:
        raise ValidationError({"other": _("A record cannot be merged with itself.")})
    unknown = set(take) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(
            {"take": _("These fields cannot be merged: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}}
        )
    locked = Member.objects.select_for_update().in_bulk([keep.pk, other.pk])
    keep, other = locked[keep.pk], locked[other.pk]
    for record, field in ((keep, "keep"), (other, "other")):
        if record.merged_into_id:
            raise ValidationError(
                {field: _("%(member)s was already merged into another record.") % {"member": record}}
            )
    for name in MERGE_FIELDS:
        attname = Member._meta.get_field(name).attname
        theirs = getattr(other, attname)
        if name in take or (_empty(getattr(keep, attname)) and not _empty(theirs)):
            setattr(keep, attname, theirs)
    if "birth_date" in take and other.birth_date is None:
        keep.birth_year = other.birth_year
    other.id_number, other.passport_number = None, None
    other.status, other.merged_into = Status.MERGED, keep
    other.save(update_fields=["id_number", "passport_number", "status", "merged_into"])
    Membership.objects.filter(member=other).delete()
    _check_and_save(keep)
    # Its events and the cards it was issued are the kept person's history now (a card request still
    # open for it lapses: the cards service issues none to a record that left its CĐCS).
    for record in (*other.events.all(), *other.cards.all()):
        record.member = keep
        record.save(update_fields=["member"])
    _replay(keep)
    return keep
