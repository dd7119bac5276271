"""The engine against a brute-force reading of the raw facts (``brute.py``), on random histories.

Hypothesis draws a history: units founded, moved, merged, split and ended through the services;
members admitted (sometimes dated back), transferred, suspended, ended, corrected, issued cards;
employers taken on.
Halfway through, every indicator is read for a few windows, so the second half of the history reaches
those stored windows through the incremental refresh (or, after a reorganisation, by marking them
stale). At the end every unit's value in every window must equal the brute-force value; then a
recompute from scratch must change no stored row.
"""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congdoan.indicators import catalogue, engine
from congdoan.indicators.engine import actuals
from congdoan.indicators.models import IndicatorValue
from congdoan.members import services as members
from congdoan.members.models import CardReason, CardType, EventKind, Member, MemberCard
from congdoan.units import services as units
from congdoan.units.models import Employer, Sector, Unit
from tests.factories import decision, unit_type
from tests.indicators.brute import Facts

D = datetime.date
DAY = datetime.timedelta(days=1)
EPOCH = D(2019, 1, 1)
START = D(2020, 1, 1)
WINDOWS = [
    (D(2020, 1, 1), D(2020, 6, 30)),
    (D(2020, 3, 1), D(2021, 12, 31)),
    (None, D(2020, 12, 31)),
    (D(2021, 1, 1), D(2030, 12, 31)),
]
SECTORS = [Sector.PRIVATE_ENTERPRISE, Sector.FDI, Sector.PUBLIC_FULL, ""]

REORGANISATIONS = ["found", "move", "merge", "merge_new", "split", "dissolve"]
RECORDS = ["admit", "admit", "admit", "transfer", "suspend", "end", "correct", "employ", "card"]


class History:
    """Applies drawn steps through the services; a step the services refuse is simply skipped."""

    def __init__(self):
        self.today = START
        self.serial = itertools.count(1)
        self.decision = decision(EPOCH)
        national = self.found("national", None, EPOCH)
        provinces = [self.found("province", national, EPOCH) for _ in range(2)]
        uppers = [self.found("upper", provinces[i % 2], EPOCH) for i in range(3)]
        for index in range(4):
            self.found(
                "grassroots", uppers[index % 3], EPOCH, sector=SECTORS[index % 4], workforce=10 * index
            )

    def found(self, level: str, parent, on, sector: str = "", workforce: int = 0) -> Unit:
        serial = next(self.serial)
        spec = units.NewUnit(
            code=f"X{serial:03d}", name=f"Đơn vị {serial}", unit_type=unit_type(level), sector=sector
        )
        unit = units.found_unit(spec=spec, parent=parent, founded_on=on)
        if workforce:
            Employer.objects.create(unit=unit, name=f"Doanh nghiệp {serial}", workforce=workforce)
        return unit

    def active(self, level: str) -> list[Unit]:
        return list(Unit.objects.active_on(self.today).filter(unit_type__level=level).order_by("pk"))

    def step(self, data, kind: str) -> None:
        self.today += DAY * data.draw(st.sampled_from([0, 1, 20, 90]), label="days on")
        try:
            with transaction.atomic():
                getattr(self, f"do_{kind}")(data)
        except ValidationError:
            pass  # refused by the services: nothing written

    def pick(self, data, choices: list, label: str):
        return data.draw(st.sampled_from(choices), label=label) if choices else None

    # -------------------------------------------------------------------------------------- the tree

    def do_found(self, data):
        level = data.draw(st.sampled_from(["grassroots", "grassroots", "upper"]), label="level")
        parent = self.pick(data, self.active("upper" if level == "grassroots" else "province"), "parent")
        if parent is not None:
            sector = data.draw(st.sampled_from(SECTORS), label="sector")
            self.found(
                level, parent, self.today, sector, data.draw(st.sampled_from([0, 12, 30]), label="workforce")
            )

    def do_move(self, data):
        level = data.draw(st.sampled_from(["grassroots", "upper"]), label="level moved")
        unit = self.pick(data, self.active(level), "moved")
        parent = self.pick(data, self.active("upper" if level == "grassroots" else "province"), "to")
        if unit and parent:
            units.move_units(units=[unit], new_parent=parent, effective_on=self.today, decision=self.decision)

    def do_merge(self, data):
        grassroots = self.active("grassroots")
        if len(grassroots) >= 2:
            sources = data.draw(st.lists(st.sampled_from(grassroots), min_size=1, max_size=2, unique=True))
            into = self.pick(data, grassroots, "into")
            units.merge_units(sources=sources, into=into, effective_on=self.today, decision=self.decision)

    def do_merge_new(self, data):
        grassroots, uppers = self.active("grassroots"), self.active("upper")
        if len(grassroots) >= 2 and uppers:
            sources = data.draw(st.lists(st.sampled_from(grassroots), min_size=2, max_size=2, unique=True))
            serial = next(self.serial)
            spec = units.NewUnit(
                code=f"X{serial:03d}", name=f"Hợp nhất {serial}", unit_type=unit_type("grassroots")
            )
            parent = self.pick(data, uppers, "new parent")
            units.merge_units(
                sources=sources,
                new_unit=spec,
                new_parent=parent,
                effective_on=self.today,
                decision=self.decision,
            )

    def do_split(self, data):
        source = self.pick(data, self.active("grassroots"), "split")
        if source is not None:
            parts = []
            for _ in range(2):
                serial = next(self.serial)
                parts.append(
                    units.NewUnit(
                        code=f"X{serial:03d}", name=f"Tách {serial}", unit_type=unit_type("grassroots")
                    )
                )
            end_source = data.draw(st.booleans(), label="source ends")
            units.split_unit(
                source=source,
                parts=parts,
                effective_on=self.today,
                decision=self.decision,
                end_source=end_source,
            )

    def do_dissolve(self, data):
        unit = self.pick(data, self.active("grassroots"), "dissolved")
        successor = self.pick(data, [*self.active("grassroots"), None], "successor")
        if unit is not None:
            units.dissolve_unit(
                unit=unit, successor=successor, effective_on=self.today, decision=self.decision
            )

    # ------------------------------------------------------------------------------------ the records

    def when(self, data) -> datetime.date:
        """Mostly today; sometimes dated back into periods already read."""
        return self.today - DAY * data.draw(st.sampled_from([0, 0, 0, 45, 300, 500]), label="days back")

    def member(self, data) -> Member | None:
        return self.pick(data, list(Member.objects.order_by("pk")), "member")

    def do_admit(self, data):
        on = self.when(data)
        unit = self.pick(
            data,
            list(Unit.objects.active_on(on).filter(unit_type__level="grassroots").order_by("pk")),
            "admitted to",
        )
        if unit is not None:
            gender = data.draw(st.sampled_from(["male", "female"]), label="gender")
            person = Member(
                full_name=f"Trần Thị Thử {next(self.serial)}", gender=gender, birth_year=1990, joined_on=on
            )
            members.admit_member(member=person, unit=unit, on=on)

    def do_transfer(self, data):
        member, on = self.member(data), self.when(data)
        outside = data.draw(st.booleans(), label="to outside")
        if member is None:
            return
        if outside:
            members.transfer_member(member=member, on=on, to_outside="CĐCS ngoài hệ thống")
        else:
            to = self.pick(
                data,
                list(Unit.objects.active_on(on).filter(unit_type__level="grassroots").order_by("pk")),
                "to unit",
            )
            if to is not None:
                members.transfer_member(member=member, on=on, to_unit=to)

    def do_suspend(self, data):
        member = self.member(data)
        if member is not None:
            members.suspend_member(member=member, on=self.when(data))

    def do_end(self, data):
        member = self.member(data)
        kind = data.draw(
            st.sampled_from([EventKind.LEAVE, EventKind.RETIRE, EventKind.EXPEL]), label="ending"
        )
        if member is not None:
            members.end_membership(member=member, kind=kind, on=self.when(data))

    def do_correct(self, data):
        member = self.member(data)
        if member is not None:
            members.update_member(member=member, gender="female" if member.gender == "male" else "male")

    def do_card(self, data):
        member = self.member(data)
        if member is not None:
            MemberCard.objects.create(
                member=member,
                number=f"{member.code}-{next(self.serial):02d}",
                card_type=CardType.REGULAR,
                issued_on=self.when(data),
                reason=CardReason.RENEWAL,
            )

    def do_employ(self, data):
        unit = self.pick(
            data, list(Unit.objects.filter(unit_type__level="grassroots").order_by("pk")), "employs"
        )
        if unit is not None:
            Employer.objects.create(
                unit=unit, name="Công ty mới", workforce=data.draw(st.sampled_from([5, 25]), label="workers")
            )


def parameter_choices(indicator: catalogue.Indicator, drawn: dict) -> list[tuple]:
    """The parameters an indicator is read with: none given (its defaults), and the drawn values of
    those it takes, so that windows of both stand side by side."""
    taken = tuple((p.name, drawn[p.name]) for p in indicator.parameters)
    return [(), taken] if taken else [()]


def read_all(drawn: dict) -> dict:
    ids = list(Unit.objects.values_list("pk", flat=True))
    return {
        (indicator.code, start, end, regroup, given): {
            unit_id: actual.value
            for unit_id, actual in actuals(
                indicator=indicator.code,
                start=start,
                end=end,
                unit_ids=ids,
                regroup_today=regroup,
                values=dict(given),
            ).items()
        }
        for indicator in catalogue.all_indicators()
        for given in parameter_choices(indicator, drawn)
        for start, end in WINDOWS
        for regroup in (False, True)
    }


def stored_rows() -> set:
    return {
        row
        for row in IndicatorValue.objects.values_list(
            "window_id", "unit_id", "own_numerator", "own_denominator", "numerator", "denominator"
        )
        if any(row[2:])
    }


def check_history(data, first: int, second: int) -> None:
    # A programme's own threshold of a small union, next to the default 10: the histories' unions have a
    # few members, so low thresholds tell small from not small.
    drawn = {"small_below_members": data.draw(st.integers(1, 4), label="small below")}
    with transaction.atomic():
        history = History()
        for _ in range(first):
            history.step(data, data.draw(st.sampled_from(REORGANISATIONS + RECORDS), label="step"))
        read_all(drawn)  # stored now; what follows reaches them incrementally, or marks them stale
        later = RECORDS + (REORGANISATIONS if data.draw(st.booleans(), label="reorganise later") else [])
        for _ in range(second):
            history.step(data, data.draw(st.sampled_from(later), label="later step"))
        got = read_all(drawn)
        facts = Facts()
        for (code, start, end, regroup, given), values in got.items():
            expected = facts.values(code, start, end, regroup, dict(given))
            assert values == expected, f"{code} {given} {start}–{end}{' today' if regroup else ''}"
        kept = stored_rows()
        engine.refresh()
        assert stored_rows() == kept, "a recompute from scratch differs from the incremental rows"
        transaction.set_rollback(True)


PROFILE = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
@settings(max_examples=12, **PROFILE)
@given(st.data())
def test_engine_matches_brute_force(data):
    check_history(data, first=10, second=10)


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, **PROFILE)
@given(st.data())
def test_engine_matches_brute_force_at_length(data):
    check_history(data, first=25, second=25)
