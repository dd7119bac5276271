"""A measure's GROUP BY compiled once per shape, its period's days bound at each run.

Building a measure's query through the ORM (sources, filters, subqueries) and compiling it took 2 to 4
times as long as running it for a small window, and the same shape is asked again and again: every
window of an indicator, the month ends of a trend. So each shape (a measure, its parameters' values,
whether the period has a start) is compiled with two pairs of probe days, which tells which bound
parameters are the period's start and end; later runs put their own days in those places.

A shape whose statement changes with the days in any other way (a different text, another parameter
that moves) is never stored: it is built through the ORM at every run, as before.
"""

import datetime
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

START, END = "start", "end"
# Days no record holds, far apart, so that a bound parameter equal to one of them is that day.
PROBES = (
    (datetime.date(1901, 2, 3), datetime.date(1902, 3, 4)),
    (datetime.date(1903, 5, 6), datetime.date(1904, 7, 8)),
)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple
    days: tuple[tuple[int, str], ...]  # (position of a bound parameter, START or END)

    def rows(self, start: datetime.date | None, end: datetime.date) -> list[tuple]:
        adapt = connection.ops.adapt_datefield_value
        params = list(self.params)
        for position, day in self.days:
            params[position] = adapt(start if day == START else end)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()


_compiled: dict[Hashable, Statement | None] = {}


def grouped_rows(
    build: Callable[[datetime.date | None, datetime.date], QuerySet],
    *,
    shape: Hashable,
    start: datetime.date | None,
    end: datetime.date,
) -> list[tuple]:
    """The rows of ``build(start, end)`` (a ``values(...).annotate(...)`` query), through the statement
    of its ``shape`` compiled once; built through the ORM if the shape cannot be."""
    key = (connection.alias, connection.vendor, shape, start is None)
    if key not in _compiled:
        _compiled[key] = _compile(build, open_start=start is None)
    statement = _compiled[key]
    if statement is None:
        return [tuple(row.values()) for row in build(start, end)]
    return statement.rows(start, end)


def _compile(build, *, open_start: bool) -> Statement | None:
    adapt = connection.ops.adapt_datefield_value
    (sql, params), (other_sql, other_params) = (
        build(None if open_start else start, end).query.sql_with_params() for start, end in PROBES
    )
    if sql != other_sql or len(params) != len(other_params):
        return None
    days = []
    (first_start, first_end), (second_start, second_end) = PROBES
    for position, pair in enumerate(zip(params, other_params, strict=True)):
        if pair[0] == pair[1]:
            continue
        if not open_start and pair == (adapt(first_start), adapt(second_start)):
            days.append((position, START))
        elif pair == (adapt(first_end), adapt(second_end)):
            days.append((position, END))
        else:
            return None  # a parameter that moves with the days some other way
    return Statement(sql, tuple(params), tuple(days))
