"""Each measure's GROUP BY compiled once per shape and run with the days of each window."""

import datetime

import pytest

from congdoan.indicators import catalogue, statements
from tests.indicators.builders import employ, join

D = datetime.date


@pytest.mark.parametrize("open_start", [False, True])
def test_every_measure_of_the_catalogue_compiles_to_one_statement(db, open_start):
    for indicator in catalogue.all_indicators():
        values = indicator.values({"small_below_members": 3})
        for measure in filter(None, (indicator.numerator, indicator.denominator)):
            statement = statements._compile(
                lambda first, last, measure=measure, values=values: measure.grouped(first, last, values),
                open_start=open_start,
            )
            assert statement is not None, indicator.code
            assert {day for _position, day in statement.days} <= {statements.START, statements.END}


def test_a_statement_gives_what_the_orm_gives_for_any_days(small_tree):
    t = small_tree
    employ(t["a"], 30)
    for day in (D(2023, 3, 1), D(2024, 3, 1), D(2024, 9, 1)):
        join(t["a"], day)
    join(t["c"], D(2024, 6, 1))
    for indicator in catalogue.all_indicators():
        values = indicator.values()
        for measure in filter(None, (indicator.numerator, indicator.denominator)):
            for start, end in [
                (D(2024, 1, 1), D(2024, 6, 30)),
                (None, D(2024, 3, 1)),
                (D(2023, 1, 1), D(2025, 1, 1)),
            ]:
                by_orm = {
                    unit: value
                    for unit, value in measure.grouped(start, end, values).values_list(
                        measure.source.unit_field, "value"
                    )
                    if value
                }
                assert measure.per_unit(start=start, end=end, values=values) == by_orm, indicator.code


def test_a_shape_whose_statement_moves_with_the_days_otherwise_is_built_every_time(db):
    from congdoan.units.models import Unit

    def build(start, end):  # a day a year after the end: a parameter no probe day stands for
        later = end + datetime.timedelta(days=365)
        return Unit.objects.filter(founded_on__lte=later).values("pk").annotate(value=catalogue.Count("pk"))

    assert statements._compile(build, open_start=True) is None
    assert statements.grouped_rows(build, shape="moving", start=None, end=D(2024, 1, 1)) == []
