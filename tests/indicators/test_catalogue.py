"""Each catalogue indicator on small hand-built trees, through a merge and a move across the period."""

import datetime
from decimal import Decimal

import pytest

from congdoan.indicators import catalogue, engine
from congdoan.indicators.engine import actuals
from congdoan.indicators.models import IndicatorWindow
from congdoan.indicators.values import Actual
from congdoan.members import services as members
from congdoan.members.models import EventKind
from congdoan.plans import indicators_registry
from congdoan.units import services as units
from congdoan.units.models import Sector
from tests.factories import decision, found, unit_type
from tests.indicators.builders import employ, join

D = datetime.date
YEAR_2024 = dict(start=D(2024, 1, 1), end=D(2024, 12, 31))
YEAR_2025 = dict(start=D(2025, 1, 1), end=D(2025, 12, 31))


def values(tree, indicator: str, **period) -> dict[str, Decimal | None]:
    """The indicator's value for every unit of the tree, by fixture name."""
    got = actuals(indicator=indicator, unit_ids=[u.pk for u in tree.values()], **period)
    return {name: got[unit.pk].value for name, unit in tree.items()}


def test_the_catalogue_names_defines_and_registers_every_indicator():
    codes = [indicator.code for indicator in catalogue.all_indicators()]
    assert len(codes) == len(set(codes))
    for indicator in catalogue.all_indicators():
        assert catalogue.get(indicator.code) is indicator
        assert str(indicator.name) and str(indicator.definition)
        assert indicator.semantics in (catalogue.FLOW, catalogue.STOCK)
        assert indicators_registry.lookup(indicator.code).kind == indicator.kind
    assert catalogue.get("small_grassroots_merged_pct").kind == "percent"
    assert catalogue.get("members_admitted").kind == "count"
    with pytest.raises(KeyError):
        catalogue.get("nobody_knows")


def test_admissions_count_in_the_period_and_roll_up(small_tree):
    t = small_tree
    join(t["a"], D(2023, 12, 31))  # before the period
    join(t["a"], D(2024, 1, 1))
    join(t["b"], D(2024, 12, 31))
    join(t["c"], D(2024, 6, 1))
    join(t["d"], D(2024, 6, 1))
    got = values(t, "members_admitted", **YEAR_2024)
    assert got == dict(national=4, kg=3, ag=1, rg=2, pq=1, lx=1, a=1, b=1, c=1, d=1)
    assert str(got["national"]) == "4"  # a whole number, not the stored 4.00
    ratio = actuals(indicator="small_grassroots_merged_pct", unit_ids=[t["kg"].pk, 0], **YEAR_2024)
    assert ratio[0] == Actual(Decimal(0), Decimal(0)) and ratio[0].value is None  # nothing: 0 of 0
    assert actuals(indicator="members", start=None, end=D(2024, 1, 1), unit_ids=[0])[0] == Actual(Decimal(0))


@pytest.mark.parametrize(
    ("batch", "whole_window_from"),
    [
        (engine.BATCH, engine.WHOLE_WINDOW_FROM),
        (1, engine.WHOLE_WINDOW_FROM),  # every list of ids read in many batches
        (engine.BATCH, 0),  # every read of a window reads it whole
    ],
)
def test_a_merge_across_the_period_loses_no_history(small_tree, batch, whole_window_from, monkeypatch):
    """a merges into c (another district) in 2025: a's 2024 facts count for c on the trees after."""
    monkeypatch.setattr(engine, "BATCH", batch)
    monkeypatch.setattr(engine, "WHOLE_WINDOW_FROM", whole_window_from)
    t = small_tree
    join(t["a"], D(2024, 3, 1))
    join(t["a"], D(2024, 4, 1))
    join(t["c"], D(2025, 5, 1))
    units.merge_units(
        sources=[t["a"]], into=t["c"], effective_on=D(2025, 3, 1), decision=decision(D(2025, 3, 1))
    )
    # The tree of 2024's end: a still stood under Rạch Giá.
    assert values(t, "members_admitted", **YEAR_2024) == dict(
        national=2, kg=2, ag=0, rg=2, pq=0, lx=0, a=2, b=0, c=0, d=0
    )
    # Over 2024-2025 on the tree of 2025's end: a's admissions belong to c, in Phú Quốc; a shows nothing.
    both = dict(start=D(2024, 1, 1), end=D(2025, 12, 31))
    assert values(t, "members_admitted", **both) == dict(
        national=3, kg=3, ag=0, rg=0, pq=3, lx=0, a=0, b=0, c=3, d=0
    )
    # Today's tree files a under c as well, and a keeps its own.
    regrouped = values(t, "members_admitted", **YEAR_2024, regroup_today=True)
    assert regrouped == dict(national=2, kg=2, ag=0, rg=0, pq=2, lx=0, a=2, b=0, c=2, d=0)
    # Members not moved out of a still stand in it: on 2025's end they count for c.
    assert values(t, "members", start=None, end=D(2025, 12, 31))["pq"] == 3


def test_a_move_follows_the_tree_of_the_period_end(small_tree):
    t = small_tree
    join(t["c"], D(2024, 6, 1))
    units.move_units(
        units=[t["c"]], new_parent=t["rg"], effective_on=D(2025, 2, 1), decision=decision(D(2025, 2, 1))
    )
    before = values(t, "members_admitted", **YEAR_2024)
    assert (before["pq"], before["rg"]) == (1, 0)
    after = values(t, "members_admitted", start=D(2024, 1, 1), end=D(2025, 12, 31))
    assert (after["pq"], after["rg"], after["kg"]) == (0, 1, 1)
    today = values(t, "members_admitted", **YEAR_2024, regroup_today=True)
    assert (today["pq"], today["rg"]) == (0, 1)


def test_members_female_members_and_exits(small_tree):
    t = small_tree
    an = join(t["a"], D(2024, 1, 1))
    join(t["a"], D(2024, 1, 1), gender="female")
    binh = join(t["b"], D(2024, 1, 1), gender="female")
    chi = join(t["b"], D(2024, 1, 1))
    members.suspend_member(member=an, on=D(2024, 2, 1))  # suspended members still count
    members.end_membership(member=binh, kind=EventKind.LEAVE, on=D(2024, 7, 1))
    members.transfer_member(member=chi, on=D(2024, 8, 1), to_outside="CĐCS Công ty X, tỉnh An Giang")
    on_end = dict(start=None, end=D(2024, 12, 31))
    assert values(t, "members", **on_end)["rg"] == 2
    assert values(t, "members", start=None, end=D(2024, 6, 30))["rg"] == 4
    assert values(t, "female_members", **on_end)["rg"] == 1
    assert values(t, "female_members", start=None, end=D(2024, 6, 30))["rg"] == 2
    assert values(t, "members_exited", **YEAR_2024)["rg"] == 2  # left, and moved out of the system
    # A transfer inside the system is no exit.
    dung = join(t["a"], D(2024, 1, 1))
    members.transfer_member(member=dung, on=D(2024, 9, 1), to_unit=t["c"])
    assert values(t, "members_exited", **YEAR_2024)["kg"] == 2


def test_grassroots_unions_founded_standing_and_in_larger_enterprises(small_tree):
    t = small_tree
    grassroots = unit_type("grassroots")
    new = units.NewUnit(
        code="KG-RG-03", name="CĐCS Công ty May Kiên Giang", unit_type=grassroots, sector=Sector.FDI
    )
    garment = units.found_unit(spec=new, parent=t["rg"], founded_on=D(2024, 5, 1))
    employ(garment, 20)
    employ(garment, 10, name="Chi nhánh Rạch Giá")  # 30 together
    small = found(
        "CĐCS Công ty TNHH Nhỏ", "grassroots", t["rg"], on=D(2024, 6, 1), sector=Sector.PRIVATE_ENTERPRISE
    )
    employ(small, 24)
    school = found(
        "CĐCS Trường Mầm non Hoa Sen", "grassroots", t["pq"], on=D(2024, 7, 1), sector=Sector.PUBLIC_FULL
    )
    employ(school, 40)
    found("Công đoàn bộ phận Xưởng May", "subunit", garment, on=D(2024, 8, 1))  # not a grassroots union
    # Born of a merge on the same day: no new union.
    merged = units.NewUnit(code="KG-PQ-09", name="CĐCS Du lịch Phú Quốc", unit_type=grassroots)
    units.merge_units(
        sources=[t["c"], school],
        new_unit=merged,
        new_parent=t["pq"],
        effective_on=D(2024, 9, 1),
        decision=decision(D(2024, 9, 1)),
    )
    founded = values(t, "grassroots_founded", **YEAR_2024)
    assert (founded["rg"], founded["pq"], founded["kg"], founded["national"]) == (2, 1, 3, 3)
    larger = values(t, "enterprise_grassroots_founded_25", **YEAR_2024)
    assert (larger["rg"], larger["kg"]) == (1, 1)
    standing = values(t, "grassroots_unions", start=None, end=D(2024, 12, 31))
    assert (standing["rg"], standing["pq"], standing["national"]) == (4, 1, 6)
    assert values(t, "grassroots_unions", start=None, end=D(2019, 1, 1))["national"] == 4


def test_small_unions_merged_is_a_ratio_of_summed_counts(small_tree):
    """Of the unions under 10 members at the start, those merged away in the period; never a mean of %."""
    t = small_tree
    for _ in range(10):
        join(t["b"], D(2023, 1, 1))  # b is not small
    join(t["a"], D(2023, 1, 1))
    units.merge_units(
        sources=[t["a"]], into=t["b"], effective_on=D(2024, 5, 1), decision=decision(D(2024, 5, 1))
    )
    got = actuals(
        indicator="small_grassroots_merged_pct",
        unit_ids=[t["rg"].pk, t["pq"].pk, t["kg"].pk, t["national"].pk, t["b"].pk],
        **YEAR_2024,
    )
    assert got[t["rg"].pk] == Actual(Decimal(1), Decimal(1))  # a, placed with its successor b
    assert got[t["b"].pk] == Actual(Decimal(1), Decimal(1))
    assert got[t["pq"].pk] == Actual(Decimal(0), Decimal(1))  # c stayed
    assert got[t["kg"].pk].value == 50
    assert got[t["national"].pk] == Actual(Decimal(1), Decimal(3))  # d in An Giang too


def test_unionisation_rate_is_members_over_the_workforce(small_tree):
    t = small_tree
    employ(t["a"], 4)
    employ(t["b"], 6)
    join(t["a"], D(2024, 1, 1))
    join(t["a"], D(2024, 1, 1))
    join(t["b"], D(2024, 1, 1))
    got = values(t, "unionisation_pct", start=None, end=D(2024, 12, 31))
    assert (got["a"], got["b"], got["rg"]) == (50, Decimal(100) / 6, 30)
    assert got["pq"] is None  # no workforce known: no rate


def test_stocks_share_a_window_whatever_the_start(small_tree):
    join(small_tree["a"], D(2024, 1, 1))
    first = values(small_tree, "members", start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert first == values(small_tree, "members", start=None, end=D(2024, 12, 31))
    assert IndicatorWindow.objects.filter(indicator="members").count() == 1
