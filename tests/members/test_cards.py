"""Member cards, the services: a CĐCS requests, the upper level decides, print batches, issuing records the
history; every refusal of the workflow; the renewal campaign's coverage per unit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.indicators.engine import actuals
from congdoan.members import cards, services
from congdoan.members.card_exports import faces
from congdoan.members.cards import CardWish
from congdoan.members.models import (
    CardPrintBatch,
    CardReason,
    CardRequest,
    CardRequestItem,
    CardType,
    EventKind,
    MemberCard,
)
from congdoan.plans import indicators_registry, progress
from congdoan.plans.models import TargetKind
from tests.members.people import admit
from tests.mixins import make_user
from tests.plans.test_allocation import add, plan_of

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def users(registry):
    users = dict(registry.world.users)
    # The upper level of KG-RG-01 and KG-RG-02 itself (Rạch Giá), below the province.
    users["rg_officer"] = make_user("kg-rg-officer", registry.world.units["rg"], Role.OFFICER)
    return users


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def request_for(users, member, reason=CardReason.NEW, role="chair", **extra) -> CardRequest:
    return cards.request_cards(user=users[role], unit=member.unit, wishes=[CardWish(member, reason, **extra)])


def issued(users, unit, *requests, on=None) -> CardPrintBatch:
    for request in requests:
        cards.approve_request(request=request, user=users["rg_officer"])
    batch = cards.create_print_batch(
        user=users["officer"], unit=unit, requests=list(requests), issued_on=on or timezone.localdate()
    )
    cards.issue_batch(batch=batch, user=users["officer"])
    return batch


# ------------------------------------------------------------------------------------------- workflow


def test_a_card_goes_from_request_to_the_members_history(registry, users):
    an = registry.an
    request = request_for(users, an)
    assert request.state == CardRequest.State.PENDING and request.requested_by == users["chair"]
    cards.approve_request(request=request, user=users["rg_officer"])
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (CardRequest.State.APPROVED, users["rg_officer"])

    today = timezone.localdate()
    batch = cards.create_print_batch(
        user=users["officer"], unit=registry.world.units["kg"], requests=[request], issued_on=today
    )
    assert list(batch.items.values_list("member", flat=True)) == [an.pk]
    assert cards.issue_batch(batch=batch, user=users["officer"]) == 1

    an.refresh_from_db()
    assert (an.card_type, an.card_issued_on) == (CardType.REGULAR, today)
    card = an.cards.get()
    assert (card.number, card.reason, card.replaces, card.batch) == (
        f"{an.code}-01",
        CardReason.NEW,
        None,
        batch,
    )
    assert CardRequestItem.objects.get(member=an).card == card
    batch.refresh_from_db()
    assert batch.state == CardPrintBatch.State.ISSUED
    # Every write is in the change log: the request, its item, the batch, the card, the member.
    for obj in (request, request.items.get(), batch, card, an):
        assert ObjectChange.objects.for_object(obj).exists(), obj


def test_a_replacement_replaces_the_card_held(registry, users):
    an = registry.an
    issued(users, registry.world.units["rg"], request_for(users, an))
    first = an.cards.get()
    replacement = request_for(users, an, CardReason.LOST, card_type=CardType.LINKED)
    issued(users, registry.world.units["rg"], replacement)
    second = cards.cards_of(an).last()
    assert (second.number, second.replaces, second.reason) == (f"{an.code}-02", first, CardReason.LOST)
    an.refresh_from_db()
    assert an.card_type == CardType.LINKED
    assert [card.number for card in cards.cards_of(an)] == [f"{an.code}-01", f"{an.code}-02"]


def test_a_request_is_rejected_with_a_reason_and_may_be_made_again(registry, users):
    request = request_for(users, registry.an)
    with pytest.raises(ValidationError) as refused:
        cards.reject_request(request=request, user=users["rg_officer"], reason="  ")
    assert "Say why" in messages(refused.value, "reason")
    cards.reject_request(request=request, user=users["rg_officer"], reason="Ảnh không rõ")
    request.refresh_from_db()
    assert (request.state, request.rejection_reason) == (CardRequest.State.REJECTED, "Ảnh không rõ")
    assert request_for(users, registry.an).state == CardRequest.State.PENDING  # no longer open


# ------------------------------------------------------------------------------------------- refusals


def test_only_the_cdcs_scope_requests(registry, users):
    for role in ("outsider", "viewer"):
        with pytest.raises(PermissionDenied):
            request_for(users, registry.an, role=role)
    assert not CardRequest.objects.exists()


def test_a_member_not_standing_in_the_cdcs_is_refused(registry, users):
    unit = registry.an.unit
    with pytest.raises(ValidationError) as refused:
        cards.request_cards(
            user=users["officer"],
            unit=unit,
            wishes=[CardWish(registry.an, "new"), CardWish(registry.binh, "new")],
        )
    assert "Trần Thị Bình" in messages(refused.value, "members")
    assert "is not a member of" in messages(refused.value, "members")
    services.end_membership(member=registry.an, kind=EventKind.LEAVE, on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        request_for(users, registry.an)
    assert "Nguyễn Văn An" in messages(refused.value, "members")
    assert not CardRequest.objects.exists()


def test_a_member_with_a_waiting_request_is_refused(registry, users):
    first = request_for(users, registry.an)
    with pytest.raises(ValidationError) as refused:
        request_for(users, registry.an, CardReason.RENEWAL, role="officer")
    assert f"request {first.pk}" in messages(refused.value, "members")
    cards.approve_request(request=first, user=users["rg_officer"])
    with pytest.raises(ValidationError):  # approved, not printed yet: still open
        request_for(users, registry.an, CardReason.RENEWAL)
    with pytest.raises(ValidationError) as refused:
        cards.request_cards(
            user=users["chair"],
            unit=registry.an.unit,
            wishes=[CardWish(admit(registry.an.unit, "Phạm Văn Dũng", serial=9), "new")] * 2,
        )
    assert "listed twice" in messages(refused.value, "members")


def test_a_new_card_for_a_member_holding_one_is_refused(registry, users):
    services.update_member(member=registry.an, card_type=CardType.REGULAR, card_issued_on=D(2019, 7, 1))
    with pytest.raises(ValidationError) as refused:
        request_for(users, registry.an)
    assert "already holds a card" in messages(refused.value, "members")
    assert request_for(users, registry.an, CardReason.RENEWAL).state == CardRequest.State.PENDING


def test_a_replacement_for_a_member_holding_no_card_is_refused(registry, users):
    """Lost, damaged or changed: a replacement needs a card to replace. The registry knowing none is a gap
    the officer fixes on the member's page (or it is a first card): refused, naming the member."""
    for reason in (CardReason.LOST, CardReason.DAMAGED, CardReason.CHANGED):
        with pytest.raises(ValidationError) as refused:
            request_for(users, registry.an, reason)
        assert f"Nguyễn Văn An ({registry.an.code}) holds no card to replace" in messages(
            refused.value, "members"
        )
    assert not CardRequest.objects.exists()
    # A card known from an imported list is a card to replace.
    services.update_member(member=registry.an, card_type=CardType.REGULAR, card_issued_on=D(2019, 7, 1))
    assert request_for(users, registry.an, CardReason.LOST).items.get().reason == CardReason.LOST


def test_the_renewal_campaign_gives_a_member_without_a_card_a_first_one(registry, users):
    """The campaign asks for everyone: one who never had a card gets a first card, filed and issued as one;
    one who holds a card has it renewed (replaced)."""
    an, other = registry.an, admit(registry.an.unit, "Phạm Thị Hoa", gender="female", serial=12)
    issued(users, registry.world.units["rg"], request_for(users, an))
    campaign = cards.request_cards(
        user=users["chair"],
        unit=an.unit,
        wishes=[CardWish(an, CardReason.RENEWAL), CardWish(other, CardReason.RENEWAL)],
    )
    assert dict(campaign.items.values_list("member", "reason")) == {
        an.pk: CardReason.RENEWAL,
        other.pk: CardReason.NEW,
    }
    issued(users, registry.world.units["rg"], campaign)
    renewed, first = cards.cards_of(an).last(), other.cards.get()
    assert (renewed.reason, renewed.replaces) == (CardReason.RENEWAL, an.cards.first())
    assert (first.reason, first.replaces, first.number) == (CardReason.NEW, None, f"{other.code}-01")


def test_the_requesting_level_does_not_decide(registry, users):
    """The CĐCS never decides on its own request; one the province entered for it from the CĐCS's list is
    the CĐCS's all the same, and its upper union or the province decides on it (test_cards_upper_level)."""
    by_chair = request_for(users, registry.an)
    by_officer = request_for(users, registry.binh, role="officer")
    with pytest.raises(ValidationError) as refused:
        cards.approve_request(request=by_chair, user=users["chair"])
    assert "cannot decide on it" in " ".join(refused.value.messages)
    assert cards.may_decide(users["admin"], by_officer.unit)
    for role in ("viewer", "outsider"):
        with pytest.raises(ValidationError) as refused:
            cards.reject_request(request=by_chair, user=users[role], reason="Không")
        assert "Only the upper level" in " ".join(refused.value.messages)
    cards.approve_request(request=by_officer, user=users["rg_officer"])
    with pytest.raises(ValidationError) as refused:
        cards.approve_request(request=by_officer, user=users["rg_officer"])
    assert "already decided" in " ".join(refused.value.messages)
    assert CardRequest.objects.get(pk=by_chair.pk).state == CardRequest.State.PENDING


def test_a_batch_holds_approved_requests_only_of_units_below_it(registry, users):
    waiting = request_for(users, registry.an)
    approved = request_for(users, registry.binh, role="officer")
    cards.approve_request(request=approved, user=users["rg_officer"])
    kg, today = registry.world.units["kg"], timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(
            user=users["officer"], unit=kg, requests=[waiting, approved], issued_on=today
        )
    assert f"Request {waiting.pk}" in messages(refused.value, "requests")
    assert "is not approved" in messages(refused.value, "requests")
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(
            user=users["officer"], unit=registry.world.units["pq"], requests=[approved], issued_on=today
        )
    assert "is not under" in messages(refused.value, "requests")
    with pytest.raises(PermissionDenied):
        cards.create_print_batch(user=users["chair"], unit=kg, requests=[approved], issued_on=today)
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(user=users["officer"], unit=kg, requests=[], issued_on=today)
    assert "at least one" in messages(refused.value, "requests")
    assert not CardPrintBatch.objects.exists()

    cards.create_print_batch(user=users["officer"], unit=kg, requests=[approved], issued_on=today)
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(user=users["officer"], unit=kg, requests=[approved], issued_on=today)
    assert "already in a print batch" in messages(refused.value, "requests")


def test_a_batch_is_handed_out_once_and_not_before_its_date(registry, users):
    request = request_for(users, registry.an)
    cards.approve_request(request=request, user=users["rg_officer"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    batch = cards.create_print_batch(
        user=users["officer"], unit=registry.world.units["rg"], requests=[request], issued_on=tomorrow
    )
    with pytest.raises(ValidationError) as refused:
        cards.issue_batch(batch=batch, user=users["officer"])
    assert "hand them out from that day" in messages(refused.value, "issued_on")
    CardPrintBatch.objects.filter(pk=batch.pk).update(issued_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        cards.issue_batch(batch=batch, user=users["chair"])
    cards.issue_batch(batch=batch, user=users["officer"])
    with pytest.raises(ValidationError) as refused:
        cards.issue_batch(batch=batch, user=users["officer"])
    assert "already handed out" in " ".join(refused.value.messages)
    assert MemberCard.objects.count() == 1


# ------------------------------------------------------------------------------------------- coverage


def test_coverage_sums_the_subtree_on_a_date(registry, users):
    units = registry.world.units
    today = timezone.localdate()
    since = D(2024, 1, 1)
    ids = [units[name].pk for name in ("kg", "rg", "a", "b", "pq", "ag")]
    assert cards.card_coverage(ids, today, since) == {
        units["kg"].pk: (0, 2),
        units["rg"].pk: (0, 2),
        units["a"].pk: (0, 1),
        units["b"].pk: (0, 1),
        units["pq"].pk: (0, 0),
        units["ag"].pk: (0, 1),
    }
    issued(users, units["rg"], request_for(users, registry.an))
    # A card known only from an imported list counts by the member's own date; an old one does not.
    services.update_member(member=registry.binh, card_type=CardType.REGULAR, card_issued_on=D(2023, 12, 31))
    services.update_member(member=registry.cuong, card_type=CardType.REGULAR, card_issued_on=D(2024, 3, 1))
    coverage = cards.card_coverage(ids, today, since)
    assert coverage[units["kg"].pk] == (1, 2) and coverage[units["rg"].pk] == (1, 2)
    assert coverage[units["a"].pk] == (1, 1) and coverage[units["b"].pk] == (0, 1)
    assert coverage[units["ag"].pk] == (1, 1)
    # Before the card was issued, and before anyone joined (01/06/2019): nothing.
    yesterday = today - datetime.timedelta(days=1)
    assert cards.card_coverage([units["a"].pk], yesterday, since) == {units["a"].pk: (0, 1)}
    assert cards.card_coverage([units["kg"].pk], D(2019, 5, 1), D(2019, 1, 1)) == {units["kg"].pk: (0, 0)}
    # A member who left is no longer counted, nor is their card.
    services.end_membership(member=registry.an, kind=EventKind.RETIRE, on=today)
    assert cards.card_coverage([units["rg"].pk], today, since) == {units["rg"].pk: (0, 1)}
    assert cards.coverage_percent(1, 4) == 25 and cards.coverage_percent(0, 0) is None


def test_the_indicator_catalogue_follows_the_same_coverage(registry, users):
    """``members_with_new_card_pct`` (indicator engine, tree of the period's end) gives the same numerator and
    denominator as ``card_coverage`` for the campaign period."""
    units = registry.world.units
    issued(users, units["rg"], request_for(users, registry.an))
    services.update_member(member=registry.cuong, card_type=CardType.REGULAR, card_issued_on=D(2024, 3, 1))
    today, since = timezone.localdate(), D(2024, 1, 1)
    ids = [unit.pk for unit in units.values()]
    got = actuals(indicator="members_with_new_card_pct", start=since, end=today, unit_ids=ids)
    expected = cards.card_coverage(ids, today, since)
    assert {pk: (int(a.numerator), int(a.denominator)) for pk, a in got.items()} == expected
    assert expected[units["national"].pk] == (2, 3)
    assert indicators_registry.lookup("members_with_new_card_pct").kind == "percent"


# ------------------------------------------------------------------------- the member changes meanwhile
# One who left or moved to another CĐCS gets no card from the old CĐCS's request, and the new CĐCS may
# ask for one. A replacement cannot be dated before the card it replaces (a backdated one left the old
# card "held", and the next replacement failed on the database's constraint).


def approved(users, member, reason=CardReason.NEW) -> CardRequest:
    request = request_for(users, member, reason)
    cards.approve_request(request=request, user=users["rg_officer"])
    return request


def test_a_member_who_left_after_the_request_is_not_printed(registry, users):
    an, rg = registry.an, registry.world.units["rg"]
    request = approved(users, an)
    services.end_membership(member=an, kind=EventKind.LEAVE, on=timezone.localdate())
    assert not cards.printable_requests(users["rg_officer"], rg).exists()
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(
            user=users["rg_officer"], unit=rg, requests=[request], issued_on=timezone.localdate()
        )
    assert "no card to print" in messages(refused.value, "requests")
    assert not CardPrintBatch.objects.exists()


def test_a_member_who_left_after_the_batch_gets_no_card(registry, users):
    an, binh, rg = registry.an, registry.binh, registry.world.units["rg"]
    requests = [approved(users, an), request_for(users, binh, role="officer")]
    cards.approve_request(request=requests[1], user=users["rg_officer"])
    batch = cards.create_print_batch(
        user=users["rg_officer"], unit=rg, requests=requests, issued_on=timezone.localdate()
    )
    services.end_membership(member=an, kind=EventKind.LEAVE, on=timezone.localdate())
    assert [face.member_code for face in faces(batch)] == [binh.code]  # nor printed, if not yet
    assert cards.issue_batch(batch=batch, user=users["rg_officer"]) == 1
    an.refresh_from_db()
    assert not an.cards.exists() and an.card_issued_on is None
    assert binh.cards.count() == 1


def test_a_member_who_moved_is_asked_for_by_the_new_cdcs(registry, users):
    an, units = registry.an, registry.world.units
    old = approved(users, an)
    services.transfer_member(member=an, on=timezone.localdate(), to_unit=units["b"])
    an.refresh_from_db()
    assert an in cards.members_to_request(units["b"]).filter(requested=False)
    new = cards.request_cards(user=users["officer"], unit=units["b"], wishes=[CardWish(an, CardReason.NEW)])
    cards.approve_request(request=new, user=users["rg_officer"])
    batch = cards.create_print_batch(
        user=users["rg_officer"], unit=units["rg"], requests=[new], issued_on=timezone.localdate()
    )
    assert [face.unit_name for face in faces(batch)] == [units["b"].name]
    with pytest.raises(ValidationError):
        cards.create_print_batch(
            user=users["rg_officer"], unit=units["rg"], requests=[old], issued_on=timezone.localdate()
        )


def test_a_replacement_is_not_dated_before_the_card_it_replaces(registry, users):
    an, rg, today = registry.an, registry.world.units["rg"], timezone.localdate()

    def hand_out(reason, on):
        request = approved(users, an, reason)
        batch = cards.create_print_batch(user=users["rg_officer"], unit=rg, requests=[request], issued_on=on)
        cards.issue_batch(batch=batch, user=users["rg_officer"])

    hand_out(CardReason.NEW, today)
    lost = approved(users, an, CardReason.LOST)
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(
            user=users["rg_officer"], unit=rg, requests=[lost], issued_on=today - datetime.timedelta(days=1)
        )
    assert "nor before the cards they replace" in messages(refused.value, "issued_on")
    assert f"Nguyễn Văn An ({an.code}) holds a card issued on" in messages(refused.value, "issued_on")
    batch = cards.create_print_batch(user=users["rg_officer"], unit=rg, requests=[lost], issued_on=today)
    cards.issue_batch(batch=batch, user=users["rg_officer"])
    # Each replacement replaces the card held, and the chain of cards follows their dates.
    hand_out(CardReason.DAMAGED, today)
    chain = list(
        MemberCard.objects.filter(member=an).order_by("id").values_list("number", "replaces__number")
    )
    assert chain == [
        (f"{an.code}-01", None),
        (f"{an.code}-02", f"{an.code}-01"),
        (f"{an.code}-03", f"{an.code}-02"),
    ]


def test_a_targets_progress_reads_the_card_renewal(registry, users):
    """A programme's target "đổi thẻ đoàn viên" (seeds 000, 002) bound to the card indicator: its progress
    per unit is the campaign's coverage over the programme's year."""
    units, today = registry.world.units, timezone.localdate()
    programme = plan_of(units["kg"], "KG-KH-THE", today.year)
    target = add(programme, 1, 80, TargetKind.PERCENT, manual=False, indicator="members_with_new_card_pct")
    issued(users, units["rg"], request_for(users, registry.an))
    shown = [units[name] for name in ("kg", "rg", "a", "b")]
    [found] = progress.progress_for([progress.Ask(target, shown)], at=today)
    expected = cards.card_coverage([unit.pk for unit in shown], today, D(today.year, 1, 1))
    assert {row.unit.pk: (int(row.numerator), int(row.denominator)) for row in found} == expected
    assert expected[units["kg"].pk] == (1, 2)
    assert [row.value for row in found] == [50, 50, 100, 0]
    assert found[0].requirement == "≥ 80%"


def test_a_card_is_not_dated_before_its_member_joined(registry, users):
    """The import refuses a card issued before the member joined the union; so does a print batch."""
    request = approved(users, registry.an)  # joined 01/06/2019
    with pytest.raises(ValidationError) as refused:
        cards.create_print_batch(
            user=users["rg_officer"],
            unit=registry.world.units["rg"],
            requests=[request],
            issued_on=D(2019, 5, 31),
        )
    assert f"Nguyễn Văn An ({registry.an.code}) joined the union on 01/06/2019." in messages(
        refused.value, "issued_on"
    )
    assert not CardPrintBatch.objects.exists()
