"""Ending a grassroots union asks what becomes of its members; a merger takes them along (one transaction)."""

import datetime

import pytest
from django.urls import reverse

from congdoan.members.models import EventKind, Member, MemberEvent, Membership, Status
from congdoan.units.forms import UnitRef
from congdoan.units.models import Unit
from tests.members.people import admit
from tests.web.test_reorganise import DECISION, confirm_from_preview, snapshot

ENDS = datetime.date(2025, 7, 1)


@pytest.fixture
def members(small_tree):
    return [
        admit(small_tree["a"], "Nguyễn Văn An", serial=1),
        admit(small_tree["a"], "Trần Thị Bình", gender="female", serial=2),
        admit(small_tree["b"], "Lê Văn Cường", serial=3),
    ]


def registry_state():
    return (
        snapshot(),
        list(
            Membership.objects.order_by("pk").values_list("member", "unit", "state", "valid_from", "valid_to")
        ),
        MemberEvent.objects.count(),
    )


def dissolve(client, code="KG-RG-01", **data):
    return client.post(reverse("units:dissolve", args=[code]), {**DECISION, **data})


def test_the_form_counts_the_members_and_asks_about_them(client_as, members):
    officer = client_as("officer")
    page = officer.get(reverse("units:dissolve", args=["KG-RG-01"]))
    form = page.context["form"]
    assert form.members == 2 and {"members_fate", "members_to"} <= set(form.fields)
    assert "2" in str(form.fields["members_fate"].help_text)
    # An upper-level unit has no members of its own: no question.
    upper = officer.get(reverse("units:dissolve", args=["KG-RG"])).context["form"]
    assert "members_fate" not in upper.fields


def test_moving_the_members_previewed_then_confirmed(client_as, members):
    officer = client_as("officer")
    before = registry_state()
    preview = dissolve(officer, members_fate="move", members_to="KG-PQ-01")
    assert preview.context["preview"].members_moved == {
        UnitRef(code="KG-PQ-01", name=Unit.objects.get(code="KG-PQ-01").name): 2
    }
    assert preview.context["preview"].members_ended == 0
    assert registry_state() == before  # the preview was rolled back
    done = confirm_from_preview(officer, reverse("units:dissolve", args=["KG-RG-01"]), preview)
    assert done.status_code == 302
    assert Unit.objects.get(code="KG-RG-01").dissolved_on == ENDS
    an, binh, cuong = (Member.objects.get(pk=m.pk) for m in members)
    assert {an.unit.code, binh.unit.code} == {"KG-PQ-01"} and an.status == Status.ACTIVE
    assert cuong.unit.code == "KG-RG-02"
    moved = MemberEvent.objects.filter(
        kind=EventKind.TRANSFER_OUT, on=ENDS, decision_number=DECISION["number"]
    )
    assert moved.count() == 2


def test_ending_the_members_with_the_union(client_as, members):
    officer = client_as("officer")
    preview = dissolve(officer, members_fate="end")
    assert preview.context["preview"].members_ended == 2
    assert dissolve(officer, members_fate="end", confirm="1").status_code == 302
    an = Member.objects.get(pk=members[0].pk)
    assert an.status == Status.ENDED_BY_DISSOLUTION and an.unit.code == "KG-RG-01"
    assert an.events.last().kind == EventKind.DISSOLUTION


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "members_fate"),
        ({"members_fate": "move"}, "members_to"),
        ({"members_fate": "end", "members_to": "KG-PQ-01"}, "members_to"),
        ({"members_fate": "move", "members_to": "AG-LX-01"}, "members_to"),  # another province
        ({"members_fate": "move", "members_to": "KG-PQ"}, "members_to"),  # not a grassroots union
        ({"members_fate": "move", "members_to": "KG-PQ-01", "effective_on": "2099-01-01"}, "effective_on"),
    ],
)
def test_refusals_name_the_field_and_change_nothing(client_as, members, data, field):
    officer = client_as("officer")
    before = registry_state()
    response = dissolve(officer, confirm="1", **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert registry_state() == before


def test_a_merger_takes_the_members_into_the_merged_union(client_as, members):
    officer = client_as("officer")
    data = {**DECISION, "sources": ["KG-RG-01", "KG-RG-02"], "into": "KG-PQ-01"}
    preview = officer.post(reverse("units:merge"), data)
    target = Unit.objects.get(code="KG-PQ-01")
    assert preview.context["preview"].members_moved == {UnitRef.of(target): 3}
    assert officer.post(reverse("units:merge"), {**data, "confirm": "1"}).status_code == 302
    assert set(Member.objects.values_list("unit__code", flat=True)) == {"KG-PQ-01"}
    assert Membership.objects.filter(unit=target, valid_from=ENDS, state=Status.ACTIVE).count() == 3
