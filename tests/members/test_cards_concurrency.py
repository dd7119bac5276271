"""Member cards decided at the same moment by two people, each in their own connection: one decision wins,
the other is refused as already made; two requests for the same member at once make one request."""

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import translation

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.members import cards
from congdoan.members.cards import CardWish
from congdoan.members.models import CardReason, CardRequest, CardRequestItem
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
