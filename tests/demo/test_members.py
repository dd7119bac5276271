"""The demo's members: sizes, people, histories the services would have written, exact counts on demand."""

import datetime
from collections import Counter

from django.db.models import Count, F, Q, Sum

from congdoan.audit.models import ObjectChange
from congdoan.demo.members import ADMISSION_TARGETS, TARGET_REACHED, _shares
from congdoan.demo.places import PROVINCES_BY_KEY
from congdoan.members import services
from congdoan.members.identity import check_id_number
from congdoan.members.models import MEMBER_STATES, EventKind, Member, MemberEvent, Membership
from congdoan.units.models import Employer, Level, Succession, Unit
from tests.demo.sizes import SMALL

D = datetime.date
PERSONAL = (
    "full_name", "birth_date", "birth_year", "gender", "ethnic_group", "religion", "nationality", "phone",
    "email", "education_level", "professional_level", "political_theory", "party_member", "party_joined_on",
    "union_position", "occupation", "employer_id", "joined_on", "card_type", "card_issued_on",
)  # fmt: skip


def standing_on(on, **filters):
    return Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on), valid_from__lte=on, state__in=MEMBER_STATES, **filters
    )


def test_unions_hold_most_of_their_workforce(demo, db):
    assert demo.members == Member.objects.count() > sum(SMALL.values()) * 0.8
    assert demo.member_events == MemberEvent.objects.count()
    on = D(2024, 12, 31)
    for key in SMALL:
        members = standing_on(on, unit__code__startswith=f"{key}-").count()
        workforce = Employer.objects.filter(unit__code__startswith=f"{key}-").filter(
            Q(unit__dissolved_on__isnull=True) | Q(unit__dissolved_on__gt=on)
        )
        share = members / workforce.aggregate(n=Sum("workforce"))["n"]
        assert 0.55 < share < 1.0, (key, share)
    # Every grassroots union active at the end of 2024 has members.
    active = Unit.objects.filter(unit_type__level=Level.GRASSROOTS, founded_on__lte=on).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)
    )
    empty = active.exclude(pk__in=standing_on(on).values("unit_id"))
    assert not empty.exists(), list(empty.values_list("code", flat=True)[:5])


def test_histories_have_every_kind_of_event(demo, db):
    kinds = Counter(MemberEvent.objects.values_list("kind", flat=True))
    assert set(kinds) == set(EventKind.values)
    newcomers = min(kinds[EventKind.REGISTER], kinds[EventKind.ADMIT])
    assert newcomers > kinds[EventKind.LEAVE] > kinds[EventKind.DECEASED]
    assert MemberEvent.objects.filter(kind=EventKind.SUSPEND, suspended_until__isnull=False).exists()
    assert MemberEvent.objects.filter(kind=EventKind.REGISTER).exclude(on=D(2019, 1, 1)).count() == 0


def test_seed_targets_show_partial_progress_scaled_to_the_province(demo, db):
    for (key, year), target in ADMISSION_TARGETS.items():
        wanted = target * SMALL[key] / PROVINCES_BY_KEY[key].members
        made = demo.admissions[(key, year)]
        assert (
            made
            == MemberEvent.objects.filter(
                kind=EventKind.ADMIT, on__year=year, unit__code__startswith=f"{key}-"
            ).count()
        )
        low, high = TARGET_REACHED
        assert low * wanted * 0.95 <= made <= high * wanted * 1.05, (key, made, wanted)


def test_members_of_ended_unions_are_settled_as_the_services_do(demo, db):
    ended = Unit.objects.filter(unit_type__level=Level.GRASSROOTS, dissolved_on__isnull=False)
    assert ended.count() > 10
    successors = dict(
        Succession.objects.filter(predecessor__in=ended).values_list("predecessor", "successor")
    )
    for unit in ended:
        assert not standing_on(unit.dissolved_on, unit=unit).exists(), unit.code
        left = MemberEvent.objects.filter(unit=unit, on=unit.dissolved_on)
        if unit.pk in successors:
            assert set(left.values_list("kind", "other_unit")) <= {
                (EventKind.TRANSFER_OUT, successors[unit.pk])
            }
        else:
            assert set(left.values_list("kind", flat=True)) <= {EventKind.DISSOLUTION}
    merged = ended.filter(pk__in=successors)
    assert MemberEvent.objects.filter(unit__in=merged, kind=EventKind.TRANSFER_OUT).exists()
    assert MemberEvent.objects.filter(kind=EventKind.DISSOLUTION, decision_number__contains="/QĐ-").exists()


def test_people_look_real(demo, db):
    members = Member.objects.all()
    total = members.count()
    for member in members.exclude(id_number__isnull=True).filter(id_number__regex=r"^\d{12}$")[:500]:
        check_id_number(member.id_number, birth_year=member.birth_year, gender=member.gender)
    with_cccd = members.filter(id_number__regex=r"^\d{12}$").count()
    assert with_cccd > total * 0.75
    assert members.filter(birth_date__isnull=True, birth_year__isnull=False).count() > total * 0.05
    assert members.exclude(card_type="").count() > total * 0.3
    first = [EventKind.REGISTER, EventKind.ADMIT]
    ethnic = {
        key: set(
            members.filter(events__kind__in=first, events__unit__code__startswith=f"{key}-").values_list(
                "ethnic_group", flat=True
            )
        )
        for key in ("DB", "LC", "KG")
    }
    assert {"03", "08"} <= ethnic["DB"] and {"03", "08"} <= ethnic["LC"] and "05" in ethnic["KG"]
    assert "05" not in ethnic["DB"]
    # Each grassroots union founded with members has one chair among them.
    founding = MemberEvent.objects.filter(kind__in=first, on=F("unit__founded_on"))
    chairs = Counter(founding.filter(member__union_position="chair").values_list("unit", flat=True))
    assert set(chairs) == set(founding.values_list("unit", flat=True)) and set(chairs.values()) == {1}


def _replay_through_services(original: Member) -> Member:
    """Walk ``original``'s events through the member services with a fresh record of the same person."""
    clone = Member(**{name: getattr(original, name) for name in PERSONAL})
    events = list(original.events.select_related("unit", "other_unit").order_by("on", "id"))
    skip_next = False
    for index, event in enumerate(events):
        if skip_next:
            skip_next = False
            continue
        kind, on, unit = event.kind, event.on, event.unit
        if index == 0 and kind in (EventKind.REGISTER, EventKind.ADMIT):
            services.admit_member(member=clone, unit=unit, on=None if kind == EventKind.REGISTER else on)
        elif index == 0:
            services.receive_member(member=clone, unit=unit, on=on, from_outside=event.other_unit_text)
        elif kind == EventKind.TRANSFER_OUT and event.other_unit is not None:
            services.transfer_member(member=clone, on=on, to_unit=event.other_unit)
            skip_next = True
        elif kind == EventKind.TRANSFER_OUT:
            services.transfer_member(member=clone, on=on, to_outside=event.other_unit_text)
        elif kind == EventKind.SUSPEND:
            services.suspend_member(member=clone, on=on, until=event.suspended_until)
        elif kind == EventKind.RESUME:
            services.resume_member(member=clone, on=on)
        else:
            services.end_membership(member=clone, kind=kind, on=on)
    return clone


def _intervals(member: Member) -> list[tuple]:
    return list(
        Membership.objects.filter(member=member)
        .order_by("valid_from", "id")
        .values_list("unit_id", "state", "valid_from", "valid_to")
    )


def test_intervals_are_exactly_what_the_services_derive(demo, db):
    sample = {}
    for kind in EventKind.values:  # someone with each kind of event, and some with long histories
        sample[kind] = MemberEvent.objects.filter(kind=kind).order_by("member_id").first().member
    busy = Member.objects.annotate(n=Count("events")).filter(n__gte=4).order_by("pk")
    for member in [*sample.values(), *busy[:15], *Member.objects.order_by("pk")[::997]]:
        clone = _replay_through_services(member)
        assert _intervals(clone) == _intervals(member), member.code
        assert (clone.unit_id, clone.status) == (member.unit_id, member.status), member.code
        assert list(clone.events.values_list("kind", "on", "unit", "other_unit", "suspended_until")) == list(
            member.events.values_list("kind", "on", "unit", "other_unit", "suspended_until")
        )


def test_shares_add_up():
    assert _shares(10, [1, 1, 1]) == [4, 3, 3] or sum(_shares(10, [1, 1, 1])) == 10
    assert _shares(100_000, [5, 3, 2]) == [50_000, 30_000, 20_000]
    assert sum(_shares(7, [3, 3, 1])) == 7


def test_the_members_log_holds_what_the_services_log(demo, db):
    """The database logs the demo's members and events (``writing.log_new_members``): each change row holds
    the snapshot, name and unit ``log_many`` would write for the row as it stands."""
    created = ObjectChange.objects.filter(action=ObjectChange.Action.CREATE)
    moved = list(Member.objects.filter(events__kind=EventKind.TRANSFER_IN).distinct()[:20])
    assert moved  # members whose unit is not their first event's
    for member in [*Member.objects.order_by("pk")[:20], *moved]:
        change = created.get(content_type__model="member", object_id=member.pk)
        assert (change.after, change.object_repr, change.unit_id) == (
            member.audit_snapshot(),
            str(member),
            member.audit_unit_id,
        )
        for event in member.events.all():
            change = created.get(content_type__model="memberevent", object_id=event.pk)
            assert (change.after, change.object_repr, change.unit_id) == (
                event.audit_snapshot(),
                str(event),
                event.audit_unit_id,
            )
