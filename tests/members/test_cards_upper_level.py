"""Who decides on a card request: the requesting CĐCS's upper union (DOMAIN.md §2, "submits it on-line for
approval by the upper union"), that is its nearest ancestor above the grassroots level, and any level above it
in whose scope it is; never the CĐCS itself, nor one of its sub-units. A request entered by the upper level
on the CĐCS's behalf is decided by that same upper level (it was refused there, and only the national level
could approve the requests of a CĐCS standing directly under its province)."""

import pytest
from django.core.exceptions import ValidationError

from congdoan.accounts.models import Role
from congdoan.members import cards
from congdoan.members.cards import CardWish
from congdoan.members.models import CardReason, CardRequest
from tests.factories import found
from tests.members.people import admit
from tests.mixins import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def province_cdcs(registry):
    """The union of the province federation's own staff, standing directly under the province, its chair,
    and a member."""
    units = registry.world.units
    name = "Công đoàn cơ quan Liên đoàn Lao động tỉnh Kiên Giang"
    unit = found(name, "grassroots", units["kg"], code="KG-CQ")
    chair = make_user("kg-cq-chair", unit, Role.CHAIR)
    return unit, chair, admit(unit, "Đỗ Thị Hạnh", gender="female", serial=70)


def ask(user, member) -> CardRequest:
    return cards.request_cards(user=user, unit=member.unit, wishes=[CardWish(member, CardReason.NEW)])


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_the_province_decides_for_a_cdcs_directly_under_it(registry, province_cdcs):
    unit, chair, member = province_cdcs
    users = registry.world.users
    assert cards.upper_union(unit) == registry.world.units["kg"]
    by_chair = ask(chair, member)
    with pytest.raises(ValidationError) as refused:
        cards.approve_request(request=by_chair, user=chair)
    assert "cannot decide on it" in refusal(refused.value)
    assert cards.may_decide(users["officer"], unit)
    cards.reject_request(request=by_chair, user=users["officer"], reason="Thiếu ảnh")

    # Entered by a province officer from the CĐCS's paper list: the province itself decides on it.
    by_officer = ask(users["officer"], member)
    cards.approve_request(request=by_officer, user=users["admin"])
    by_officer.refresh_from_db()
    assert (by_officer.state, by_officer.decided_by) == (CardRequest.State.APPROVED, users["admin"])


def test_the_officer_who_entered_the_request_for_the_cdcs_may_approve_it(registry, province_cdcs):
    _unit, _chair, member = province_cdcs
    officer = registry.world.users["officer"]
    request = ask(officer, member)
    cards.approve_request(request=request, user=officer)
    assert CardRequest.objects.get(pk=request.pk).state == CardRequest.State.APPROVED


def test_another_province_never_decides(registry, province_cdcs):
    unit, chair, member = province_cdcs
    request = ask(chair, member)
    for role in ("outsider", "viewer"):
        assert not cards.may_decide(registry.world.users[role], unit)
        with pytest.raises(ValidationError) as refused:
            cards.approve_request(request=request, user=registry.world.users[role])
        assert "Only the upper level" in refusal(refused.value)


def test_a_sub_units_request_is_decided_above_its_cdcs(registry):
    """A sub-unit (công đoàn bộ phận) is part of its CĐCS: the CĐCS's chair does not approve its cards, the
    CĐCS's upper union does."""
    units, users = registry.world.units, registry.world.users
    subunit = found("Tổ công đoàn Khối Văn phòng", "subunit", units["a"], code="KG-RG-01-VP")
    member = admit(subunit, "Phan Văn Khải", serial=71)
    rg_officer = make_user("kg-rg-officer", units["rg"], Role.OFFICER)
    assert cards.upper_union(subunit) == units["rg"]
    request = ask(users["officer"], member)
    assert not cards.may_decide(users["chair"], subunit)
    with pytest.raises(ValidationError) as refused:
        cards.approve_request(request=request, user=users["chair"])
    assert "cannot decide on it" in refusal(refused.value)
    cards.approve_request(request=request, user=rg_officer)
    assert CardRequest.objects.get(pk=request.pk).state == CardRequest.State.APPROVED
