"""Reorganisations cost a fixed number of queries, however many units move with them (no N+1)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdoan.units import services
from congdoan.units.models import Unit
from tests.factories import decision, found

D = datetime.date


def queries_to_move(unit: Unit, new_parent: Unit, on: datetime.date) -> int:
    signed = decision(on)
    with CaptureQueriesContext(connection) as captured:
        services.move_units(units=[unit], new_parent=new_parent, effective_on=on, decision=signed)
    return len(captured.captured_queries)


def test_moving_a_bigger_subtree_takes_no_more_queries(db):
    national = found("Tổng Liên đoàn", "national", code="TLD")
    home, away = found("LĐLĐ tỉnh A", "province", national), found("LĐLĐ tỉnh B", "province", national)
    small, big = found("Công đoàn nhỏ", "upper", home), found("Công đoàn lớn", "upper", home)
    for index in range(2):
        found(f"CĐCS nhỏ {index}", "grassroots", small)
    for index in range(20):
        found(f"CĐCS số {index}", "subunit", found(f"CĐCS lớn {index}", "grassroots", big))
    on = D(2025, 7, 1)
    small_move = queries_to_move(small, away, on)  # the first also fills caches (content types)
    assert queries_to_move(Unit.objects.get(pk=big.pk), away, on) <= small_move
