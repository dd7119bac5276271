"""A merge keeps both histories: the cards issued to the record merged away join the kept record's."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.members import cards, services
from congdoan.members.cards import CardWish
from congdoan.members.models import CardReason, Member
from tests.members.people import admit
from tests.mixins import make_user

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def twins(small_tree, registry):
    """The same person twice: a record of 2019 without a card, and one of 2023 that was issued a card."""
    first = admit(small_tree["c"], "Phạm Thị Hoa", gender="female", year=1988, serial=60)
    Member.objects.filter(pk=first.pk).update(id_number=None)
    first.refresh_from_db()
    second = admit(
        small_tree["c"], "Phạm Thị Hoa", gender="female", year=1988, serial=61, joined_on=D(2023, 3, 1)
    )
    chair = make_user("pq-chair", small_tree["c"], Role.CHAIR)
    officer = registry.world.users["officer"]
    request = cards.request_cards(user=chair, unit=small_tree["c"], wishes=[CardWish(second, CardReason.NEW)])
    cards.approve_request(request=request, user=officer)
    batch = cards.create_print_batch(
        user=officer, unit=small_tree["kg"], requests=[request], issued_on=timezone.localdate()
    )
    cards.issue_batch(batch=batch, user=officer)
    return first, second


def test_the_cards_of_the_record_merged_away_join_the_kept_record(twins, small_tree, registry):
    first, second = twins
    card = second.cards.get()
    services.merge_members(keep=first, other=second)
    assert list(first.cards.all()) == [card] and not second.cards.exists()
    assert ObjectChange.objects.for_object(card).filter(action=ObjectChange.Action.UPDATE).exists()
    # The renewal campaign counts the person once, holding the card.
    today = timezone.localdate()
    assert cards.card_coverage([small_tree["c"].pk], today, D(today.year, 1, 1))[small_tree["c"].pk] == (1, 1)
    client = Client()
    client.force_login(registry.world.users["officer"])
    assert card.number in client.get(f"/members/m/{first.code}/").content.decode()


def test_a_card_still_asked_for_the_record_merged_away_may_be_asked_for_the_kept_one(small_tree, registry):
    first = admit(small_tree["c"], "Võ Văn Tư", serial=70)
    second = admit(small_tree["c"], "Võ Văn Tư", serial=71)
    chair = make_user("pq-chair", small_tree["c"], Role.CHAIR)
    cards.request_cards(user=chair, unit=small_tree["c"], wishes=[CardWish(second, CardReason.NEW)])
    services.merge_members(keep=first, other=second)
    request = cards.request_cards(user=chair, unit=small_tree["c"], wishes=[CardWish(first, CardReason.NEW)])
    assert list(request.items.values_list("member", flat=True)) == [first.pk]
