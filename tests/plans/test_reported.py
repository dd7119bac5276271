"""Figures entered by hand for "nhập tay" targets: what is refused, and how they add up the tree."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdoan.accounts.models import Role
from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.indicators.values import Actual
from congdoan.plans import allocation, progress
from congdoan.plans.models import AllocationMethod, ReportedValue, Target, TargetKind
from congdoan.plans.reported import FigureWindow, enter_figure, figures_for, rolled_up, rolled_up_windows
from congdoan.units import services as units
from congdoan.units.models import Unit, UnitLink
from tests.factories import decision, year_programme

D = datetime.date
YEAR_START, YEAR_END = D(2024, 1, 1), D(2024, 12, 31)


@pytest.fixture
def tree(small_tree):
    return small_tree


@pytest.fixture
def programme(tree):
    return year_programme(tree["kg"], 2024, "KG-CT-2024")


def by_hand(programme, position: int, text: str, value: int, kind: str) -> Target:
    return Target.objects.create(
        programme=programme, position=position, text=text, value=Decimal(value), kind=kind, manual=True
    )


@pytest.fixture
def informed(programme):
    return by_hand(programme, 1, "98% người lao động được phổ biến nghị quyết", 98, TargetKind.PERCENT)


@pytest.fixture
def founded(programme):
    return by_hand(programme, 2, "Thành lập 20 công đoàn cơ sở", 20, TargetKind.COUNT)


def enter(target, unit, on, numerator, denominator=None, user=None):
    return enter_figure(
        user=user,
        target=target,
        unit=unit,
        stands_on=on,
        numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
    )


def rollup(target, tree, *codes, start=YEAR_START, end=YEAR_END, regroup_today=False):
    ids = {tree[code].pk: code for code in codes}
    found_ = rolled_up(target=target, start=start, end=end, unit_ids=list(ids), regroup_today=regroup_today)
    return {ids[unit_id]: (figure.actual, figure.entered) for unit_id, figure in found_.items()}


# ----------------------------------------------------------------------------------------- roll-up


def test_a_unit_without_a_figure_of_its_own_sums_its_children_ratios_by_parts(informed, tree):
    enter(informed, tree["a"], D(2024, 6, 30), 40, 50)
    enter(informed, tree["b"], D(2024, 9, 30), 90, 100)
    enter(informed, tree["c"], D(2024, 11, 1), 10, 10)
    assert rollup(informed, tree, "kg", "rg", "pq", "a", "ag") == {
        "kg": (Actual(Decimal(140), Decimal(160)), False),
        "rg": (Actual(Decimal(130), Decimal(150)), False),
        "pq": (Actual(Decimal(10), Decimal(10)), False),
        "a": (Actual(Decimal(40), Decimal(50)), True),
    }  # An Giang entered nothing: no figure rather than a zero
    enter(informed, tree["rg"], D(2024, 12, 15), 120, 150)  # the district's own count wins over its units'
    assert rollup(informed, tree, "kg", "rg") == {
        "kg": (Actual(Decimal(130), Decimal(160)), False),
        "rg": (Actual(Decimal(120), Decimal(150)), True),
    }
    assert rollup(informed, tree, "kg")["kg"][0].value == Decimal("81.25")


def test_the_latest_figure_in_the_window_counts(founded, tree):
    enter(founded, tree["a"], D(2024, 6, 30), 3)
    enter(founded, tree["a"], D(2024, 12, 1), 5)
    assert rollup(founded, tree, "a", end=D(2024, 9, 30)) == {"a": (Actual(Decimal(3)), True)}
    assert rollup(founded, tree, "a") == {"a": (Actual(Decimal(5)), True)}
    assert rollup(founded, tree, "a", start=D(2024, 7, 1), end=D(2024, 9, 30)) == {}
    assert rollup(founded, tree, "a", start=None, end=D(2024, 6, 29)) == {}


def test_a_unit_that_ended_counts_only_while_it_stood_in_the_tree(founded, tree):
    enter(founded, tree["a"], D(2024, 6, 30), 3)
    enter(founded, tree["b"], D(2024, 6, 30), 4)
    units.merge_units(
        sources=[tree["a"]], into=tree["b"], effective_on=D(2024, 10, 1), decision=decision(D(2024, 9, 20))
    )
    assert rollup(founded, tree, "rg", "a", end=D(2024, 9, 30)) == {
        "rg": (Actual(Decimal(7)), False),
        "a": (Actual(Decimal(3)), True),
    }
    # On 31/12 it had ended: its people are the successor's, who reports for them.
    assert rollup(founded, tree, "rg", "a") == {"rg": (Actual(Decimal(4)), False)}
    assert rollup(founded, tree, "rg", "a", regroup_today=True) == {"rg": (Actual(Decimal(4)), False)}


def test_regrouped_under_todays_tree_units_follow_their_moves_and_successors(founded, tree):
    enter(founded, tree["a"], D(2024, 6, 30), 3)
    enter(founded, tree["b"], D(2024, 6, 30), 4)
    enter(founded, tree["c"], D(2024, 6, 30), 5)
    # After the year: Phú Quốc's union moves to Rạch Giá's district, and a merges into b.
    units.move_units(
        units=[tree["c"]],
        new_parent=tree["rg"],
        effective_on=D(2025, 3, 1),
        decision=decision(D(2025, 2, 20)),
    )
    units.merge_units(
        sources=[tree["a"]], into=tree["b"], effective_on=D(2025, 4, 1), decision=decision(D(2025, 3, 20))
    )
    as_it_stood = rollup(founded, tree, "kg", "rg", "pq", "b")
    assert as_it_stood == {
        "kg": (Actual(Decimal(12)), False),
        "rg": (Actual(Decimal(7)), False),
        "pq": (Actual(Decimal(5)), False),
        "b": (Actual(Decimal(4)), True),
    }
    regrouped = rollup(founded, tree, "kg", "rg", "pq", "b", regroup_today=True)
    assert regrouped == {
        "kg": (Actual(Decimal(12)), False),
        "rg": (Actual(Decimal(12)), False),
        "b": (Actual(Decimal(7)), True),  # its own figure, plus its predecessor's
    }


def test_a_figure_entered_through_an_adopted_share_counts_above_too(informed, tree):
    current = allocation.allocate(user=None, target=informed, method=AllocationMethod.SAME_PERCENT)
    share = current.shares.get(unit=tree["rg"])
    own = allocation.adopt_share(user=None, share=share).target
    enter(own, tree["a"], D(2024, 6, 30), 45, 50)
    assert ReportedValue.objects.get().target == informed
    asks = [progress.Ask(target, [tree["rg"]]) for target in (informed, own)]
    for [row] in progress.progress_for(asks, at=YEAR_END):
        assert row.actual == Actual(Decimal(45), Decimal(50)), row.target
    with pytest.raises(ValidationError) as error:  # Rạch Giá's own target reaches its own units only
        enter(own, tree["c"], D(2024, 6, 30), 1, 2)
    assert "unit" in error.value.message_dict


@pytest.mark.parametrize("regroup_today", [False, True])
def test_without_a_figure_in_the_window_no_tree_is_read(founded, tree, regroup_today):
    enter(founded, tree["a"], D(2024, 3, 31), 2)
    with CaptureQueriesContext(connection) as captured:
        assert rollup(founded, tree, "kg", "rg", "a", start=D(2024, 6, 1), regroup_today=regroup_today) == {}
    tree_tables = (Unit._meta.db_table, UnitLink._meta.db_table)
    assert not [query["sql"] for query in captured if any(table in query["sql"] for table in tree_tables)]


def test_a_unit_merged_into_a_unit_merged_later_is_carried_up_both_in_todays_tree(founded, tree):
    enter(founded, tree["a"], D(2024, 6, 30), 3)
    enter(founded, tree["b"], D(2024, 6, 30), 4)
    enter(founded, tree["c"], D(2024, 6, 30), 5)
    units.merge_units(
        sources=[tree["a"]], into=tree["b"], effective_on=D(2025, 2, 1), decision=decision(D(2025, 1, 20))
    )
    units.merge_units(
        sources=[tree["b"]], into=tree["c"], effective_on=D(2025, 3, 1), decision=decision(D(2025, 2, 20))
    )
    assert rollup(founded, tree, "kg", "rg", "pq", "c") == {
        "kg": (Actual(Decimal(12)), False),
        "rg": (Actual(Decimal(7)), False),
        "pq": (Actual(Decimal(5)), False),
        "c": (Actual(Decimal(5)), True),
    }
    # Today a is filed under b, and b under c: an ended unit on the path between c and a's figure.
    assert rollup(founded, tree, "kg", "rg", "pq", "b", "c", regroup_today=True) == {
        "kg": (Actual(Decimal(12)), False),
        "pq": (Actual(Decimal(12)), False),
        "b": (Actual(Decimal(7)), True),
        "c": (Actual(Decimal(12)), True),
    }


@pytest.mark.parametrize("a_on", [D(2024, 6, 30), D(2024, 11, 30)], ids=["same-day", "later"])
def test_a_figure_covered_by_a_merged_units_figure_is_not_counted_twice(founded, tree, a_on):
    enter(founded, tree["rg"], D(2024, 6, 30), 7)  # the district's figure holds its CĐCS a and b
    enter(founded, tree["a"], a_on, 3)  # even a later figure of a is already in the district's
    enter(founded, tree["c"], D(2024, 6, 30), 5)
    units.merge_units(
        sources=[tree["rg"]], into=tree["pq"], effective_on=D(2025, 2, 1), decision=decision(D(2025, 1, 20))
    )
    assert rollup(founded, tree, "kg", "rg", "pq", "a") == {
        "kg": (Actual(Decimal(12)), False),
        "rg": (Actual(Decimal(7)), True),
        "pq": (Actual(Decimal(5)), False),
        "a": (Actual(Decimal(3)), True),
    }
    # Today a sits under Phú Quốc beside the ended district it came with: counted once, in the district's.
    assert rollup(founded, tree, "kg", "pq", "a", regroup_today=True) == {
        "kg": (Actual(Decimal(12)), False),
        "pq": (Actual(Decimal(12)), False),
        "a": (Actual(Decimal(3)), True),
    }


@pytest.mark.parametrize("regroup_today", [False, True])
def test_a_unit_that_came_under_a_district_after_its_figure_is_added(founded, tree, regroup_today):
    enter(founded, tree["rg"], D(2024, 6, 30), 7)
    enter(founded, tree["a"], D(2024, 6, 30), 3)
    units.move_units(
        units=[tree["c"]],
        new_parent=tree["rg"],
        effective_on=D(2024, 9, 1),
        decision=decision(D(2024, 8, 20)),
    )
    enter(founded, tree["c"], D(2024, 10, 1), 5)
    assert rollup(founded, tree, "kg", "rg", regroup_today=regroup_today) == {
        "kg": (Actual(Decimal(12)), False),
        "rg": (Actual(Decimal(12)), True),  # its own figure, and c's who was not under it on 30/06
    }


@pytest.mark.parametrize("regroup_today", [False, True])
def test_a_unit_that_left_a_district_after_its_figure_counts_once_above_both(founded, tree, regroup_today):
    enter(founded, tree["rg"], D(2024, 6, 30), 7)  # holds a
    units.move_units(
        units=[tree["a"]],
        new_parent=tree["pq"],
        effective_on=D(2024, 9, 1),
        decision=decision(D(2024, 8, 20)),
    )
    enter(founded, tree["a"], D(2024, 10, 1), 3)
    enter(founded, tree["c"], D(2024, 10, 1), 5)
    assert rollup(founded, tree, "kg", "rg", "pq", regroup_today=regroup_today) == {
        "kg": (Actual(Decimal(12)), False),  # a is in Rạch Giá's figure already
        "rg": (Actual(Decimal(7)), True),
        "pq": (Actual(Decimal(8)), False),
    }


@pytest.mark.parametrize("regroup_today", [False, True])
def test_month_ends_read_together_roll_up_as_each_read_alone(founded, tree, regroup_today):
    """A trend reads the figures and the tree once for all its month ends: each end still rolls up only
    the figures by then, along its own day's tree (moves, a merge and covering figures along the year)."""
    enter(founded, tree["a"], D(2024, 3, 10), 3)
    enter(founded, tree["rg"], D(2024, 6, 30), 7)  # holds a and b
    reorganised = decision(D(2024, 8, 20))
    units.move_units(
        units=[tree["c"]], new_parent=tree["rg"], effective_on=D(2024, 9, 1), decision=reorganised
    )
    enter(founded, tree["c"], D(2024, 10, 1), 5)
    units.merge_units(sources=[tree["a"]], into=tree["b"], effective_on=D(2024, 11, 1), decision=reorganised)
    enter(founded, tree["b"], D(2024, 11, 15), 4)
    ends = [D(2024, month, 1) - datetime.timedelta(days=1) for month in range(2, 13)] + [YEAR_END]
    ids = [tree[code].pk for code in ("kg", "rg", "pq", "a", "b", "c")]
    [together] = rolled_up_windows(
        [FigureWindow(measure_id=founded.pk, start=YEAR_START, ends=tuple(ends))],
        unit_ids=ids,
        regroup_today=regroup_today,
    )
    for end in ends:
        alone = rolled_up(
            target=founded, start=YEAR_START, end=end, unit_ids=ids, regroup_today=regroup_today
        )
        assert together[end] == alone, end
    assert together[D(2024, 1, 31)] == {}
    # rg's 7 covers a and b (under it on 30/06), c came under it later: 7 + 5.
    assert together[YEAR_END][tree["kg"].pk].actual == Actual(Decimal(12))


# ----------------------------------------------------------------------------------------- entering


@pytest.mark.parametrize(
    ("target_name", "unit", "on", "numerator", "denominator", "field"),
    [
        ("informed", "a", D(2024, 6, 30), 1, 0, "denominator"),
        ("informed", "a", D(2024, 6, 30), 421, 420, "numerator"),
        ("informed", "a", D(2024, 6, 30), -1, 420, "numerator"),
        ("informed", "a", D(2024, 6, 30), 1, None, "denominator"),
        ("informed", "a", D(2024, 6, 30), "1.5", 420, "numerator"),
        ("founded", "a", D(2024, 6, 30), 3, 4, "denominator"),
        ("founded", "a", D(2024, 6, 30), -3, None, "numerator"),
        ("founded", "a", D(2023, 12, 31), 3, None, "stands_on"),
        ("founded", "a", D(2025, 1, 1), 3, None, "stands_on"),
        ("founded", "a", D(2018, 12, 31), 3, None, "stands_on"),
        ("founded", "c", D(2024, 6, 30), 3, None, "unit"),  # outside the user's scope
        ("founded", "d", D(2024, 6, 30), 3, None, "unit"),  # outside the programme's unit
    ],
)
def test_bad_figures_are_refused_naming_the_field(
    request, tree, user_at, target_name, unit, on, numerator, denominator, field
):
    target = request.getfixturevalue(target_name)
    officer = user_at(tree["rg"])
    with pytest.raises(ValidationError) as error:
        enter(target, tree[unit], on, numerator, denominator, user=officer)
    assert field in error.value.message_dict, error.value.message_dict
    assert not ReportedValue.objects.exists()


def test_a_figure_in_the_future_and_a_target_on_an_indicator_are_refused(founded, programme, tree):
    with pytest.raises(ValidationError) as error:
        enter(founded, tree["a"], datetime.date.today() + datetime.timedelta(days=400), 3)
    assert "stands_on" in error.value.message_dict
    on_records = Target.objects.create(
        programme=programme,
        position=3,
        text="x",
        value=1,
        kind=TargetKind.COUNT,
        indicator="members_admitted",
    )
    with pytest.raises(ValidationError) as error:
        enter(on_records, tree["a"], D(2024, 6, 30), 3)
    assert "target" in error.value.message_dict


def test_entering_again_for_the_same_date_replaces_the_figure_and_is_logged(founded, tree, user_at):
    chair = user_at(tree["a"], Role.CHAIR)
    with change_context(user=chair):
        first = enter(founded, tree["a"], D(2024, 6, 30), 3, user=chair)
        again = enter(founded, tree["a"], D(2024, 6, 30), 4, user=chair)
    assert first.pk == again.pk and again.numerator == 4 and again.entered_by == chair
    changes = ObjectChange.objects.for_object(again).order_by("id")
    assert [(c.action, c.user, c.unit) for c in changes] == [
        (ObjectChange.Action.CREATE, chair, tree["a"]),
        (ObjectChange.Action.UPDATE, chair, tree["a"]),
    ]
    assert list(figures_for(chair, founded)) == [again]
    assert not figures_for(user_at(tree["pq"]), founded).exists()
