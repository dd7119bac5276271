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


def merged_kien_giang_into_an_giang(t) -> datetime.date:
    """KG ends on 01/07/2025, its districts moving under AG: the trees before and after differ."""
    on = D(2025, 7, 1)
    services.merge_units(sources=[t["kg"]], into=t["ag"], effective_on=on, decision=decision(on))
    return on


def test_trees_on_several_days_are_read_in_one_query_each_day_as_tree_on_reads_it(small_tree):
    t = small_tree
    merged_on = merged_kien_giang_into_an_giang(t)
    days = [D(2018, 1, 1), D(2025, 1, 1), merged_on, D(2026, 1, 1)]
    with CaptureQueriesContext(connection) as captured:
        by_day = selectors.links_by_day(selectors.trees_on(days), days)
    assert len(captured.captured_queries) == 1
    assert {day: sorted(link.pk for link in links) for day, links in by_day.items()} == {
        day: sorted(selectors.tree_on(day).values_list("pk", flat=True)) for day in days
    }
    assert by_day[days[0]] == []  # before the units were founded
    assert t["kg"].pk in {link.unit_id for link in by_day[days[1]]}
    assert t["kg"].pk not in {link.unit_id for link in by_day[merged_on]}
    assert selectors.links_by_day(selectors.trees_on([]), []) == {}


def test_the_tree_under_several_units_is_their_subtrees_in_the_queries_of_one(small_tree):
    t = small_tree
    merged_on = merged_kien_giang_into_an_giang(t)
    for on in (D(2025, 1, 1), merged_on):
        # rg lies under kg until the merger (it adds nothing then); kg no longer stands after it.
        roots = [t["kg"].pk, t["rg"].pk, t["lx"].pk]
        with CaptureQueriesContext(connection) as captured:
            links = sorted(selectors.tree_on(on, under=roots).values_list("pk", flat=True))
        each = set()
        for root in roots:
            each |= set(selectors.tree_on(on, under=Unit.objects.get(pk=root)).values_list("pk", flat=True))
        assert links == sorted(each)
        assert len(captured.captured_queries) == 2  # the roots' places that day, then their subtrees
        assert "JOIN" not in captured.captured_queries[0]["sql"]  # the roots' places: the links alone
    assert not selectors.tree_on(merged_on, under=[t["kg"].pk]).exists()


def test_counting_the_units_below_several_units_takes_two_queries(small_tree):
    t = small_tree
    merged_on = merged_kien_giang_into_an_giang(t)
    roots = [t["ag"], t["rg"], t["kg"], t["a"]]
    with CaptureQueriesContext(connection) as captured:
        below = selectors.count_below_on(unit_ids=[unit.pk for unit in roots], on=merged_on)
    assert len(captured.captured_queries) == 2
    assert below == {t["ag"].pk: 7, t["rg"].pk: 2, t["a"].pk: 0}  # kg ended with the merger
    assert below == {
        unit.pk: selectors.tree_on(merged_on, under=unit).count() - 1 for unit in roots if unit != t["kg"]
    }
    assert selectors.count_below_on(unit_ids=[t["kg"].pk], on=merged_on) == {}
