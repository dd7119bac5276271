"""The rules of progress users will check: the window read, percent, met by the comparator, pace, light."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdoan.plans.models import Comparator, Programme, Target, TargetKind
from congdoan.plans.periods import PeriodKind
from congdoan.plans.progress import Light, judge, month_ends, window

D = Decimal
WHOLE_PERIOD = D(1)


def target(programme_period=(PeriodKind.YEAR, 2020, 2020), own=None) -> Target:
    kind, start, end = programme_period
    programme = Programme(ref="P", period_kind=kind, period_start=start, period_end=end)
    target = Target(programme=programme, value=D(100), kind=TargetKind.COUNT, manual=True)
    if own:
        target.period_kind, target.period_start, target.period_end = own
    return target


def rule(value, goal, comparator=Comparator.AT_LEAST, *, flow=False, elapsed=WHOLE_PERIOD):
    return judge(
        value=None if value is None else D(value),
        target=None if goal is None else D(goal),
        comparator=comparator,
        flow=flow,
        elapsed=elapsed,
    )


# ------------------------------------------------------------------------------------------- window


def test_a_one_year_target_is_read_over_its_year_and_the_day_is_clipped_into_it():
    one_year = target()
    middle = window(one_year, datetime.date(2020, 7, 1))
    assert (middle.start, middle.end, middle.at) == (
        datetime.date(2020, 1, 1),
        datetime.date(2020, 12, 31),
        datetime.date(2020, 7, 1),
    )
    assert middle.elapsed == D(183) / D(366)  # 2020 is a leap year; 1 July is its 183rd day

    before = window(one_year, datetime.date(2019, 11, 5))
    assert before.at == datetime.date(2020, 1, 1) and before.elapsed == 0 and not before.started

    after = window(one_year, datetime.date(2023, 3, 1))
    assert after.at == datetime.date(2020, 12, 31) and after.elapsed == 1 and after.ended


def test_an_every_year_target_is_read_over_the_year_asked_about_within_its_years():
    every_year = target((PeriodKind.EVERY_YEAR, 2022, None), own=(PeriodKind.EVERY_YEAR, None, None))
    assert window(every_year, datetime.date(2024, 5, 9)).start == datetime.date(2024, 1, 1)
    assert window(every_year, datetime.date(2024, 5, 9)).end == datetime.date(2024, 12, 31)
    early = window(every_year, datetime.date(2021, 6, 1))  # before the plan's first year
    assert early.start == datetime.date(2022, 1, 1) and early.elapsed == 0

    bounded = target((PeriodKind.TERM, 2023, 2028), own=(PeriodKind.EVERY_YEAR, None, None))
    late = window(bounded, datetime.date(2031, 2, 1))
    assert late.start == datetime.date(2028, 1, 1) and late.elapsed == 1


def test_a_term_target_is_read_over_the_whole_term():
    term = window(target((PeriodKind.TERM, 2023, 2028)), datetime.date(2024, 1, 1))
    assert (term.start, term.end) == (datetime.date(2023, 1, 1), datetime.date(2028, 12, 31))
    assert D("0.16") < term.elapsed < D("0.17")


def test_month_ends_run_up_to_the_day_read():
    days = month_ends(window(target(), datetime.date(2020, 3, 15)))
    assert days == [datetime.date(2020, 1, 31), datetime.date(2020, 2, 29), datetime.date(2020, 3, 15)]
    assert month_ends(window(target(), datetime.date(2020, 1, 31))) == [datetime.date(2020, 1, 31)]
    assert len(month_ends(window(target(), datetime.date(2022, 1, 1)))) == 12


# -------------------------------------------------------------------------------------------- rules


def test_above_a_hundred_percent_is_met_and_shown_as_it_is():
    verdict = rule(150, 100)
    assert verdict.percent == 150 and verdict.met and verdict.light == Light.GREEN


@pytest.mark.parametrize(
    ("comparator", "value", "met"),
    [
        (Comparator.AT_LEAST, 70, True),
        (Comparator.ABOVE, 70, False),
        (Comparator.ABOVE, D("70.01"), True),
        (Comparator.EXACTLY, 70, True),
        (Comparator.EXACTLY, D("69.99"), False),
        (Comparator.EXACTLY, 71, False),
    ],
)
def test_the_comparator_decides_met(comparator, value, met):
    assert rule(value, 70, comparator).met is met


def test_an_exact_target_overshot_is_judged_by_the_overshoot():
    assert rule(110, 100, Comparator.EXACTLY).light == Light.AMBER
    assert rule(130, 100, Comparator.EXACTLY).light == Light.RED


def test_zero_of_zero():
    # A count target of 0 reached with 0: met by "at least" and "exactly", not by "above"; no percent.
    assert rule(0, 0).met and rule(0, 0).percent is None and rule(0, 0).light == Light.GREEN
    assert rule(0, 0, Comparator.EXACTLY).met
    above = rule(0, 0, Comparator.ABOVE)
    assert above.met is False and above.light == Light.AMBER  # exactly on the line it must pass
    # A ratio over nothing has no value: no percent, not judged, grey (nothing to count).
    nothing = rule(None, 70)
    assert nothing.percent is None and nothing.met is None and nothing.light == Light.GREY


def test_no_target_for_the_unit_gives_no_light():
    verdict = rule(12, None)
    assert verdict.light is None and verdict.met is None and verdict.percent is None


def test_a_flow_count_is_paced_by_the_share_of_the_period_elapsed():
    half = D("0.5")
    on_pace = rule(50, 100, flow=True, elapsed=half)
    assert not on_pace.met and on_pace.expected == 50 and on_pace.pace == 100 and on_pace.light == Light.GREEN
    assert rule(40, 100, flow=True, elapsed=half).light == Light.AMBER  # 80% of pace: behind by 20%
    assert rule(39, 100, flow=True, elapsed=half).light == Light.RED
    # Nothing is expected before the period starts.
    assert rule(0, 100, flow=True, elapsed=D(0)).light == Light.GREEN
    # Once the period is over, the pace is the target itself.
    assert rule(85, 100, flow=True, elapsed=D(1)).light == Light.AMBER
    assert rule(79, 100, flow=True, elapsed=D(1)).light == Light.RED


def test_stock_and_percent_targets_compare_the_current_value_with_the_target():
    early = rule(60, 70, flow=False, elapsed=D("0.1"))
    assert early.expected == 70 and early.light == Light.AMBER  # 60 ≥ 56 (80% of 70)
    assert rule(50, 70, flow=False, elapsed=D("0.1")).light == Light.RED
    assert rule(98, 98, Comparator.ABOVE).light == Light.AMBER  # "trên 98%": 98 itself is not enough


@given(
    value=st.decimals(min_value=0, max_value=10_000, places=2),
    goal=st.decimals(min_value=0, max_value=10_000, places=2),
    elapsed=st.decimals(min_value=0, max_value=1, places=3),
    flow=st.booleans(),
    comparator=st.sampled_from(list(Comparator)),
)
def test_met_is_always_green_and_a_light_is_always_given(value, goal, elapsed, flow, comparator):
    verdict = rule(value, goal, comparator, flow=flow, elapsed=elapsed)
    assert verdict.light in (Light.GREEN, Light.AMBER, Light.RED)
    if verdict.met:
        assert verdict.light == Light.GREEN
    if goal:
        assert verdict.percent == value * 100 / goal
