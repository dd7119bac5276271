"""Review of the member record and its lifecycle (issue 3 parts 1, 2, 9, 10): cases found wanting."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from congdoan.members import services
from congdoan.members.models import EventKind, Member, Membership, Status

D = datetime.date


def new_member(**fields) -> Member:
    data = {
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "birth_date": D(1990, 5, 17),
        "joined_on": D(2015, 3, 1),
    }
    data.update(fields)
    return Member(**data)


def intervals(member):
    return [
        (m.unit.code, m.state, m.valid_from, m.valid_to)
        for m in Membership.objects.filter(member=member).order_by("valid_from")
    ]


def test_resuming_before_the_planned_end_of_a_suspension(small_tree):
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.suspend_member(member=member, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.resume_member(member=member, on=D(2021, 3, 1))
    assert intervals(member) == [
        ("KG-RG-01", Status.ACTIVE, D(2019, 1, 1), D(2021, 1, 1)),
        ("KG-RG-01", Status.SUSPENDED, D(2021, 1, 1), D(2021, 3, 1)),
        ("KG-RG-01", Status.ACTIVE, D(2021, 3, 1), None),
    ]


def test_ending_or_transferring_during_a_suspension_with_an_end(small_tree):
    t = small_tree
    retired = services.admit_member(member=new_member(), unit=t["a"])
    services.suspend_member(member=retired, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.end_membership(member=retired, kind=EventKind.RETIRE, on=D(2021, 3, 1))
    assert intervals(retired)[-1] == ("KG-RG-01", Status.RETIRED, D(2021, 3, 1), None)
    moved = services.admit_member(member=new_member(full_name="Lê Văn Bình"), unit=t["a"])
    services.suspend_member(member=moved, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.transfer_member(member=moved, on=D(2021, 3, 1), to_unit=t["b"])
    assert [(code, valid_from, valid_to) for code, _state, valid_from, valid_to in intervals(moved)[-2:]] == [
        ("KG-RG-01", D(2021, 1, 1), D(2021, 3, 1)),
        ("KG-RG-02", D(2021, 3, 1), None),
    ]


def test_a_member_born_on_a_leap_day_is_admitted(small_tree):
    member = services.admit_member(
        member=new_member(birth_date=D(1996, 2, 29), joined_on=D(2018, 3, 1)), unit=small_tree["a"]
    )
    assert member.status == Status.ACTIVE
    too_young = new_member(
        full_name="Lê Thị Hoa", gender="female", birth_date=D(2008, 2, 29), joined_on=D(2023, 2, 28)
    )
    with pytest.raises(ValidationError) as error:
        services.admit_member(member=too_young, unit=small_tree["a"])
    assert "joined_on" in error.value.message_dict


def test_an_empty_id_number_is_no_id_number(small_tree):
    """An API client sends "" for an unknown ID number: stored as none, so a second such member is not a
    'same ID number' (nor, on a correction, a unique-constraint crash)."""
    first = services.admit_member(member=new_member(id_number=""), unit=small_tree["a"])
    second = services.admit_member(
        member=new_member(full_name="Lê Văn Bình", id_number=""), unit=small_tree["a"]
    )
    assert first.id_number is None and second.id_number is None
    third = services.admit_member(member=new_member(full_name="Lê Văn Cường"), unit=small_tree["a"])
    services.update_member(member=third, id_number="")
    third.refresh_from_db()
    assert third.id_number is None
