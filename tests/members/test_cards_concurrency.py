"""Member cards decided at the same moment by two people, each in their own connection: one decision wins,
the other is refused as already made; two requests for the same member at once make one request; a batch
cancelled as it is handed out, an approval withdrawn as it is put in a batch: one of the two happens."""

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone, translation

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.members import cards
from congdoan.members.cards import CardWish
from congdoan.members.models import CardPrintBatch, CardReason, CardRequest, CardRequestItem, MemberCard
from tests.mixins import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]


def at_once(*actions: Callable[[], object]) -> list[str]:
    """Run ``actions`` in threads released together; each outcome is "done" or the refusal's text."""
    start = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        try:
            start.wait()
            with translation.override("en"):  # a thread starts in the default language
                action()
            outcomes.append("done")
        except ValidationError as refusal:
            outcomes.append(" ".join(refusal.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes, key=lambda outcome: outcome != "done")


def test_two_upper_level_officers_decide_at_once(registry):
    users, rg = registry.world.users, registry.world.units["rg"]
    deciders = [make_user(f"kg-rg-officer-{n}", rg, Role.OFFICER) for n in (1, 2)]
    request = cards.request_cards(
        user=users["chair"], unit=registry.an.unit, wishes=[CardWish(registry.an, "new")]
    )
    outcomes = at_once(
        lambda: cards.approve_request(request=request, user=deciders[0]),
        lambda: cards.reject_request(request=request, user=deciders[1], reason="Ảnh mờ"),
    )
    assert outcomes[0] == "done" and "already decided" in outcomes[1], outcomes
    request.refresh_from_db()
    assert request.state in (CardRequest.State.APPROVED, CardRequest.State.REJECTED)
    assert (request.state == CardRequest.State.REJECTED) == bool(request.rejection_reason)
    updates = ObjectChange.objects.for_object(request).filter(action=ObjectChange.Action.UPDATE)
    assert updates.count() == 1


def test_the_same_member_asked_for_twice_at_once(registry):
    users, an = registry.world.users, registry.an
    outcomes = at_once(
        lambda: cards.request_cards(user=users["chair"], unit=an.unit, wishes=[CardWish(an, CardReason.NEW)]),
        lambda: cards.request_cards(
            user=users["officer"], unit=an.unit, wishes=[CardWish(an, CardReason.NEW)]
        ),
    )
    assert outcomes[0] == "done" and "already has a card request waiting" in outcomes[1], outcomes
    assert CardRequestItem.objects.filter(member=an).count() == 1


def approved_request(registry, upper):
    users = registry.world.users
    request = cards.request_cards(
        user=users["chair"], unit=registry.an.unit, wishes=[CardWish(registry.an, "new")]
    )
    return cards.approve_request(request=request, user=upper)


def test_a_batch_cancelled_while_it_is_handed_out(registry):
    upper = make_user("kg-rg-officer", registry.world.units["rg"], Role.OFFICER)
    request = approved_request(registry, upper)
    batch = cards.create_print_batch(
        user=upper, unit=request.unit.parent, requests=[request], issued_on=timezone.localdate()
    )
    outcomes = at_once(
        lambda: cards.issue_batch(batch=batch, user=upper),
        lambda: cards.cancel_batch(batch=batch, user=upper, reason="Sai mẫu"),
    )
    assert outcomes[0] == "done" and ("handed out" in outcomes[1] or "cancelled" in outcomes[1]), outcomes
    batch.refresh_from_db()
    # Either the card was issued and the batch still holds it, or nothing was issued and the request waits.
    issued = MemberCard.objects.filter(batch=batch).exists()
    assert issued == (batch.state == CardPrintBatch.State.ISSUED)
    assert CardRequestItem.objects.filter(batch=batch).exists() == issued


def test_an_approval_withdrawn_while_it_is_put_in_a_batch(registry):
    upper = make_user("kg-rg-officer", registry.world.units["rg"], Role.OFFICER)
    request = approved_request(registry, upper)
    outcomes = at_once(
        lambda: cards.create_print_batch(
            user=upper, unit=request.unit.parent, requests=[request], issued_on=timezone.localdate()
        ),
        lambda: cards.withdraw_request(request=request, user=upper, reason="Không cần"),
    )
    assert outcomes[0] == "done" and ("print batch" in outcomes[1] or "not approved" in outcomes[1]), outcomes
    request.refresh_from_db()
    batched = CardPrintBatch.objects.exists()
    assert batched == (request.state == CardRequest.State.APPROVED)
    assert CardRequestItem.objects.filter(batch__isnull=False).exists() == batched
