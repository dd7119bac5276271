"""What rolling up figures entered by hand reads: nothing of the tree without a figure in the window, and
the same answers when the units above the figures were merged (the paths read instead of whole subtrees)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdoan.indicators.values import Actual
from congdoan.plans.models import DocumentKind, Programme, Target, TargetKind
from congdoan.plans.periods import PeriodKind
from congdoan.plans.reported import enter_figure, rolled_up
from congdoan.units import services as units
from congdoan.units.models import Unit, UnitLink
from tests.factories import decision

D = datetime.date
YEAR_START, YEAR_END = D(2024, 1, 1), D(2024, 12, 31)


@pytest.fixture
def founded(small_tree):
    programme = Programme.objects.create(
        ref="KG-CT-2024",
        kind=DocumentKind.WORK_PROGRAMME,
        issuer_name="Liên đoàn Lao động tỉnh Kiên Giang",
        unit=small_tree["kg"],
        issued_on=D(2024, 1, 5),
        period_kind=PeriodKind.YEAR,
        period_start=2024,
    )
    return Target.objects.create(
        programme=programme,
        position=1,
        text="Thành lập 20 công đoàn cơ sở",
        value=Decimal(20),
        kind=TargetKind.COUNT,
        manual=True,
    )


def enter(target, unit, on, figure):
    enter_figure(user=None, target=target, unit=unit, stands_on=on, numerator=Decimal(figure))


def rollup(target, tree, *codes, start=YEAR_START, regroup_today=False):
    ids = {tree[code].pk: code for code in codes}
    found = rolled_up(
        target=target, start=start, end=YEAR_END, unit_ids=list(ids), regroup_today=regroup_today
    )
    return {ids[unit_id]: (figure.actual, figure.entered) for unit_id, figure in found.items()}


@pytest.mark.parametrize("regroup_today", [False, True])
def test_without_a_figure_in_the_window_no_tree_is_read(founded, small_tree, regroup_today):
    enter(founded, small_tree["a"], D(2024, 3, 31), 2)
    with CaptureQueriesContext(connection) as captured:
        assert (
            rollup(founded, small_tree, "kg", "rg", "a", start=D(2024, 6, 1), regroup_today=regroup_today)
            == {}
        )
    tree_tables = (Unit._meta.db_table, UnitLink._meta.db_table)
    assert not [query["sql"] for query in captured if any(table in query["sql"] for table in tree_tables)]


def test_a_unit_merged_into_a_unit_merged_later_is_carried_up_both_in_todays_tree(founded, small_tree):
    tree = small_tree
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
