"""What the tree costs in queries: reorganisations a fixed number however many units move with them (no
N+1), and the selectors no needless join."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdoan.units import selectors, services
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


def test_counting_children_reads_the_links_alone(small_tree):
    """Regression: the links' default order (by unit) joined the units into the count (a full scan on PG)."""
    t = small_tree
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.count_children_on(unit_ids=[t["kg"].pk, t["rg"].pk, t["a"].pk], on=D(2025, 1, 1))
    assert counts == {t["kg"].pk: 2, t["rg"].pk: 2}
    assert "JOIN" not in captured.captured_queries[0]["sql"]


def test_names_on_several_days_are_read_in_one_query_each_day_as_names_on_reads_it(small_tree):
    t = small_tree
    renamed_on = D(2025, 7, 1)
    services.rename_unit(
        unit=t["rg"], name="Công đoàn phường Rạch Giá", effective_on=renamed_on, decision=decision(renamed_on)
    )
    days = [D(2018, 1, 1), D(2024, 1, 1), renamed_on, D(2026, 1, 1)]
    ids = [t["rg"].pk, t["pq"].pk]
    with CaptureQueriesContext(connection) as captured:
        by_day = selectors.names_on_days(unit_ids=ids, days=days)
    assert len(captured.captured_queries) == 1
    assert by_day == {day: selectors.names_on(unit_ids=ids, on=day) for day in days}
    assert by_day[days[0]] == {}  # before the units were founded
    assert [by_day[day][t["rg"].pk].name for day in days[1:]] == [
        "Liên đoàn Lao động thành phố Rạch Giá",
        "Công đoàn phường Rạch Giá",
        "Công đoàn phường Rạch Giá",
    ]
