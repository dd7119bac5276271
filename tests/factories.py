"""Small builders for tests: a unit type per level, units founded through the services, a year's programme."""

import datetime
import itertools

from congdoan.plans.models import DocumentKind, Programme
from congdoan.plans.periods import PeriodKind
from congdoan.units import services
from congdoan.units.models import Level, UnitType

_codes = itertools.count(1)
EPOCH = datetime.date(2019, 1, 1)


def unit_type(level: str) -> UnitType:
    names = {
        Level.NATIONAL: "Tổng Liên đoàn",
        Level.PROVINCE: "LĐLĐ tỉnh",
        Level.UPPER: "Công đoàn cấp trên cơ sở",
        Level.GRASSROOTS: "Công đoàn cơ sở",
        Level.SUBUNIT: "Công đoàn bộ phận",
    }
    return UnitType.objects.get_or_create(code=f"t-{level}", defaults={"name": names[level], "level": level})[
        0
    ]


def found(name: str, level: str, parent=None, on: datetime.date = EPOCH, code: str | None = None, **extra):
    spec = services.NewUnit(
        code=code or f"U{next(_codes):05d}", name=name, unit_type=unit_type(level), **extra
    )
    return services.found_unit(spec=spec, parent=parent, founded_on=on)


def decision(on: datetime.date, number: str = "01/QĐ-LĐLĐ"):
    return services.record_decision(number=number, signed_on=on, signer="Nguyễn Văn An")


def year_programme(
    unit, year: int, ref: str, *, issued_on: datetime.date | None = None, **extra
) -> Programme:
    """A programme of ``year`` filed on ``unit`` and issued by it (a work programme of 5 January unless
    ``extra`` says otherwise)."""
    fields = {"kind": DocumentKind.WORK_PROGRAMME, "issuer_name": unit.name, **extra}
    return Programme.objects.create(
        ref=ref,
        unit=unit,
        issued_on=issued_on or datetime.date(year, 1, 5),
        period_kind=PeriodKind.YEAR,
        period_start=year,
        **fields,
    )
