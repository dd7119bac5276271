"""The target of a unit that absorbed another: its own share and the shares of the units that ended into
it, on the tree whose roll-up puts their records into its actual (today's, or the period's end once the
merge had happened by then); before the merge, on the tree of that day, nothing changes. A unit ended
without a successor hands its share, as its records, to its last parent.

The world: Kiên Giang's 2024 plan to admit 100 members, split by hand 60 to Rạch Giá's district union
and 40 to Phú Quốc's; two members admitted under Rạch Giá and three under Phú Quốc in spring 2024.
"""

import datetime
from decimal import Decimal

import pytest

from congdoan.members import services as members
from congdoan.members.models import Gender, Member
from congdoan.plans import allocation, progress
from congdoan.plans.models import AllocationMethod
from congdoan.units import services as units
from congdoan.units.models import Unit
from tests.factories import decision, found, unit_type
from tests.plans.test_allocation import add, plan_of

D = datetime.date
MID_2024, END_2024 = D(2024, 6, 30), D(2024, 12, 31)
MERGED_ON = D(2024, 10, 1)


ADMITTED = [("a", 3), ("b", 4), ("c", 5), ("c", 6), ("c", 7)]  # unit, day of March 2024


def admissions_plan(tree, shares: dict[str, int], admitted: list[tuple[str, int]]):
    """Kiên Giang's 2024 plan to admit 100 members, split by hand into ``shares``, and a member admitted in
    each unit of ``admitted`` on its day of March 2024."""
    programme = plan_of(tree["kg"], "KG-KH-2024", 2024)
    target = add(programme, 1, 100, manual=False, indicator="members_admitted")
    values = {code: Decimal(value) for code, value in shares.items()}
    allocation.allocate(user=None, target=target, method=AllocationMethod.MANUAL, values=values)
    for number, (unit, day) in enumerate(admitted, start=1):
        joined = D(2024, 3, day)
        member = Member(full_name=f"Danh Văn {number}", gender=Gender.MALE, birth_year=1990, joined_on=joined)
        members.admit_member(member=member, unit=tree[unit], on=joined)
    return target


@pytest.fixture
def plan(small_tree):
    return admissions_plan(small_tree, {"KG-RG": 60, "KG-PQ": 40}, ADMITTED)


def merge(sources, *, into=None, code=None, on=MERGED_ON) -> Unit:
    """Merge ``sources`` into ``into``, or into a new district union ``code`` under Kiên Giang."""
    new_unit = None
    if into is None:
        new_unit = units.NewUnit(code=code, name=f"Liên đoàn Lao động {code}", unit_type=unit_type("upper"))
    units.merge_units(
        sources=sources,
        into=into,
        new_unit=new_unit,
        new_parent=None if into else sources[0].parent,
        effective_on=on,
        decision=decision(on - datetime.timedelta(days=10)),
    )
    return into or Unit.objects.get(code=code)


def rows(target, units_, *, at, regroup_today=False) -> dict[str, tuple]:
    """code -> (actual, target, where the target comes from) for each unit."""
    [found] = progress.progress_for([progress.Ask(target, units_)], at=at, regroup_today=regroup_today)
    return {row.unit.code: (row.value, row.target_value, row.target_source) for row in found}


ALLOCATED = progress.TargetSource.ALLOCATED


def test_a_union_that_absorbed_another_after_the_split_is_set_both_shares(plan, small_tree):
    rg, pq = small_tree["rg"], small_tree["pq"]
    merge([pq], into=rg)
    # Before the merge, on the tree of that day: each its own share, each its own records.
    assert rows(plan, [rg, pq], at=MID_2024) == {
        "KG-RG": (2, Decimal(60), ALLOCATED),
        "KG-PQ": (3, Decimal(40), ALLOCATED),
    }
    # The same day on today's tree, and the year's end (merged by then): Rạch Giá counts Phú Quốc's
    # admissions, and is set Phú Quốc's share with its own.
    for at, regroup_today in ((MID_2024, True), (END_2024, False), (END_2024, True)):
        assert rows(plan, [rg], at=at, regroup_today=regroup_today) == {
            "KG-RG": (5, Decimal(100), ALLOCATED)
        }, (at, regroup_today)
    # Phú Quốc's own line keeps its share: on today's tree it still holds its records.
    assert rows(plan, [pq], at=MID_2024, regroup_today=True)["KG-PQ"][1:] == (Decimal(40), ALLOCATED)


def test_a_new_union_formed_by_a_merge_is_set_the_shares_of_those_it_replaced(plan, small_tree):
    rg, pq = small_tree["rg"], small_tree["pq"]
    merged = merge([rg, pq], code="KG-RGPQ")
    assert rows(plan, [merged], at=END_2024) == {"KG-RGPQ": (5, Decimal(100), ALLOCATED)}
    assert rows(plan, [merged], at=MID_2024, regroup_today=True) == {"KG-RGPQ": (5, Decimal(100), ALLOCATED)}
    # On the tree of mid-2024 it did not stand yet: no figures, no share.
    assert rows(plan, [merged], at=MID_2024)["KG-RGPQ"][1:] == (None, progress.TargetSource.NONE)
    # The province's drill-down at the year's end: the merged union alone, set the whole split.
    [drill] = progress.drill_downs(user=None, targets=[plan], unit=small_tree["kg"], at=END_2024)
    assert [(row.unit.code, row.value, row.target_value) for row in drill.children] == [
        ("KG-RGPQ", 5, Decimal(100))
    ]


def test_the_shares_follow_a_chain_of_merges_as_far_as_the_tree_read(plan, small_tree):
    rg, pq = small_tree["rg"], small_tree["pq"]
    city = found("Liên đoàn Lao động thành phố Hà Tiên", "upper", small_tree["kg"], code="KG-HT")
    merge([pq], into=rg)
    merge([rg], into=city, on=D(2025, 3, 1))
    # At the end of 2024 Rạch Giá had absorbed Phú Quốc and not yet been merged itself; Hà Tiên, given
    # no share, has none.
    assert rows(plan, [rg, city], at=END_2024) == {
        "KG-RG": (5, Decimal(100), ALLOCATED),
        "KG-HT": (0, None, progress.TargetSource.NONE),
    }
    # Today both have ended into Hà Tiên's union, which holds their records and their shares.
    assert rows(plan, [city], at=END_2024, regroup_today=True) == {"KG-HT": (5, Decimal(100), ALLOCATED)}


def test_without_a_merge_by_the_day_read_the_shares_are_the_units_own(plan, small_tree):
    rg, pq = small_tree["rg"], small_tree["pq"]
    expected = {"KG-RG": (2, Decimal(60), ALLOCATED), "KG-PQ": (3, Decimal(40), ALLOCATED)}
    for regroup_today in (False, True):
        assert rows(plan, [rg, pq], at=END_2024, regroup_today=regroup_today) == expected
    merge([pq], into=rg, on=D(2025, 1, 1))  # after the period: its end's tree still splits them
    assert rows(plan, [rg, pq], at=END_2024) == expected


# ------------------------------------------------------------------- a unit that ended without a successor

ENDED_ON = D(2024, 10, 1)
PROGRAMME = progress.TargetSource.PROGRAMME


def dissolve(unit, on=ENDED_ON) -> None:
    units.dissolve_unit(unit=unit, effective_on=on, decision=decision(on - datetime.timedelta(days=10)))


def test_a_grassroots_union_dissolved_after_the_split_counts_for_its_district(plan, small_tree):
    """Rạch Giá adopts its 60 and splits them 20 to one grassroots union (one admission) and 40 to the
    other (one admission); the first is dissolved in October without a successor. The engine counts its
    admission for Rạch Giá, whose target (its programme's value, its share of the province's) holds its
    20; the province's holds them all."""
    rg, a = small_tree["rg"], small_tree["a"]
    adopted = allocation.adopt_share(user=None, share=allocation.current_allocation(plan).shares.get(unit=rg))
    district = adopted.target
    allocation.allocate(
        user=None,
        target=district,
        method=AllocationMethod.MANUAL,
        values={"KG-RG-01": Decimal(20), "KG-RG-02": Decimal(40)},
    )
    dissolve(a)
    for regroup_today in (False, True):
        found = rows(district, [rg, a], at=END_2024, regroup_today=regroup_today)
        assert found["KG-RG"] == (2, Decimal(60), PROGRAMME)
        assert found["KG-RG-01"][1:] == (Decimal(20), ALLOCATED)  # its own line keeps its share
        assert rows(plan, [small_tree["kg"], rg], at=END_2024, regroup_today=regroup_today) == {
            "KG": (5, Decimal(100), PROGRAMME),
            "KG-RG": (2, Decimal(60), ALLOCATED),
        }


@pytest.fixture
def held_directly(small_tree):
    """A grassroots union held directly by the province (trực thuộc), one member admitted there in spring
    2024, and the province's plan split 50 to Rạch Giá (two admissions), 30 to Phú Quốc (three), 20 to it."""
    direct = found("Công đoàn cơ sở Bệnh viện Đa khoa tỉnh", "grassroots", small_tree["kg"], code="KG-BV")
    shares = {"KG-RG": 50, "KG-PQ": 30, "KG-BV": 20}
    target = admissions_plan({**small_tree, "direct": direct}, shares, [*ADMITTED, ("direct", 8)])
    return target, direct


def test_a_union_dissolved_without_a_successor_hands_its_share_to_its_last_parent(held_directly, small_tree):
    """The province hands its grassroots union over to Rạch Giá in July, which dissolves it in October
    without a successor: from then on its admission counts for Rạch Giá (the engine files it under its
    last parent), and so does its share."""
    target, direct = held_directly
    kg, rg, pq = small_tree["kg"], small_tree["rg"], small_tree["pq"]
    units.move_units(
        units=[direct], new_parent=rg, effective_on=D(2024, 7, 1), decision=decision(D(2024, 6, 20))
    )
    dissolve(direct)
    assert rows(target, [rg, direct], at=MID_2024) == {
        "KG-RG": (2, Decimal(50), ALLOCATED),
        "KG-BV": (1, Decimal(20), ALLOCATED),
    }
    for at, regroup_today in ((MID_2024, True), (END_2024, False), (END_2024, True)):
        assert rows(target, [kg, rg, pq], at=at, regroup_today=regroup_today) == {
            "KG": (6, Decimal(100), PROGRAMME),
            "KG-RG": (3, Decimal(70), ALLOCATED),
            "KG-PQ": (3, Decimal(30), ALLOCATED),
        }, (at, regroup_today)
    # The province's drill-down at the year's end: its units' targets add up to its own, as their actuals do.
    [drill] = progress.drill_downs(user=None, targets=[target], unit=kg, at=END_2024)
    assert (drill.own.value, drill.own.target_value) == (6, Decimal(100))
    assert [(row.unit.code, row.value, row.target_value) for row in drill.children] == [
        ("KG-PQ", 3, Decimal(30)),
        ("KG-RG", 3, Decimal(70)),
    ]
