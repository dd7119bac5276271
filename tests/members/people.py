"""A small registry for the member page and API tests: the NetBox-style world of ``tests.mixins`` (a user
per role in Kiên Giang, the chair in KG-RG-01, an officer of An Giang) and members on both sides."""

import datetime
from dataclasses import dataclass

import pytest

from congdoan.members import services
from congdoan.members.models import Member
from tests.members.listfiles import cccd
from tests.mixins import World, build_world

D = datetime.date


def admit(unit, name: str, *, gender: str = "male", year: int = 1990, serial: int = 1, **extra) -> Member:
    member = Member(
        full_name=name,
        gender=gender,
        birth_date=D(year, 3, 4),
        joined_on=D(2019, 6, 1),
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


@pytest.fixture
def registry(small_tree) -> Registry:
    return Registry(
        world=build_world(small_tree),
        an=admit(small_tree["a"], "Nguyễn Văn An", serial=1),
        binh=admit(small_tree["b"], "Trần Thị Bình", gender="female", year=1985, serial=2),
        cuong=admit(small_tree["d"], "Lê Văn Cường", serial=3),
    )
