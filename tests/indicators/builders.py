"""Members and employers for indicator tests, written through the services."""

import datetime
import itertools

from congdoan.members import services as members
from congdoan.members.models import Member
from congdoan.units.models import Employer, Unit

_names = itertools.count(1)


def join(unit: Unit, on: datetime.date, *, gender: str = "male") -> Member:
    """A new member admitted to ``unit`` on ``on``."""
    member = Member(full_name=f"Nguyễn Văn Thử {next(_names)}", gender=gender, birth_year=1990, joined_on=on)
    return members.admit_member(member=member, unit=unit, on=on)


def employ(unit: Unit, workforce: int, name: str = "Công ty TNHH Thử nghiệm") -> Employer:
    return Employer.objects.create(unit=unit, name=name, workforce=workforce)
