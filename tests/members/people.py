"""A small registry for the member page and API tests (the ``registry`` fixture of conftest.py): the
NetBox-style world of ``tests.mixins`` (a user per role in Kiên Giang, the chair in KG-RG-01, an officer of
An Giang) and members on both sides."""

import datetime
from dataclasses import dataclass

from congdoan.members import services
from congdoan.members.models import Member
from tests.members.listfiles import cccd
from tests.mixins import World

D = datetime.date


def admit(
    unit,
    name: str,
    *,
    gender: str = "male",
    year: int = 1990,
    serial: int = 1,
    joined_on=None,
    **extra,
) -> Member:
    member = Member(
        full_name=name,
        gender=gender,
        birth_date=D(year, 3, 4),
        joined_on=joined_on or D(2019, 6, 1),
        id_number=cccd(year, gender, serial),
        phone=f"09123{serial:05d}",
        **extra,
    )
    return services.admit_member(member=member, unit=unit)


@dataclass
class Registry:
    world: World
    an: Member  # KG-RG-01, the chair's CĐCS
    binh: Member  # KG-RG-02, a sibling CĐCS: the chair does not see her
    cuong: Member  # AG-LX-01, An Giang: no one in Kiên Giang sees him
