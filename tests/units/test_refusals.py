"""Bad input to each reorganisation: refused with the field named, in Vietnamese, and nothing written.

Also the regressions the property tests found (each test's docstring says which rule it pins).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from congdoan.units import selectors, services
from congdoan.units.models import Reorganisation, Succession, Unit, UnitLink, UnitName
from tests.factories import decision, found, unit_type

D = datetime.date
MERGER = D(2025, 7, 1)
DAY = datetime.timedelta(days=1)


def rows() -> dict:
    """Every row a reorganisation writes, to show that a refusal wrote none."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Unit, UnitLink, UnitName, Succession, Reorganisation)
    }


def refused(field: str, call, *args, **kwargs) -> str:
    """Run ``call``: it must be refused on ``field``, in Vietnamese, leaving every row as it was."""
    before = rows()
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert field in error.value.message_dict, error.value.message_dict
    assert rows() == before
    message = " ".join(error.value.message_dict[field])
    with translation.override("en"):  # Django's own messages stay lazy until read: read them in English
        with pytest.raises(ValidationError) as english:
            call(*args, **kwargs)
        assert message != " ".join(english.value.message_dict[field]), f"not translated: {message}"
    return message


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


# Each reorganisation as a form would call it: units read afresh, one decision.


def move(units, new_parent, on=MERGER):
    return services.move_units(
        units=[fresh(u) for u in units],
        new_parent=fresh(new_parent),
        effective_on=on,
        decision=decision(MERGER),
    )


def merge(sources, into=None, on=MERGER, **new):
    return services.merge_units(
        sources=[fresh(u) for u in sources],
        into=into and fresh(into),
        effective_on=on,
        decision=decision(MERGER),
        **new,
    )


def split(source, parts, on=MERGER, end_source=True):
    return services.split_unit(
        source=fresh(source), parts=parts, effective_on=on, end_source=end_source, decision=decision(MERGER)
    )


def dissolve(unit, on=MERGER, successor=None, children_to=None):
    return services.dissolve_unit(
        unit=fresh(unit),
        effective_on=on,
        decision=decision(MERGER),
        successor=successor and fresh(successor),
        children_to=children_to and fresh(children_to),
    )


def rename(unit, name, on=MERGER):
    return services.rename_unit(unit=fresh(unit), name=name, effective_on=on, decision=decision(MERGER))


def part(code: str, *children: Unit) -> services.NewUnit:
    return services.NewUnit(
        code=code, name=f"Công đoàn {code}", unit_type=unit_type("upper"), children=list(children)
    )


# ------------------------------------------------------------------------------------------- moves


def test_move_under_own_subtree_is_refused(small_tree):
    refused("parent", move, [small_tree["kg"]], small_tree["rg"])


def test_move_under_a_lower_level_is_refused(small_tree):
    refused("parent", move, [small_tree["rg"]], small_tree["a"])


def test_move_before_founding_is_refused(small_tree):
    assert "01/01/2019" in refused("effective_on", move, [small_tree["a"]], small_tree["pq"], D(2018, 12, 31))


def test_move_before_a_later_change_below_is_refused(small_tree):
    t = small_tree
    move([t["a"]], t["pq"])
    refused("effective_on", move, [t["pq"]], t["ag"], MERGER - DAY)


def test_move_before_a_unit_left_from_below_is_refused(small_tree):
    """Regression: a unit that left the subtree later kept, for the dates between, a path the move rewrote."""
    t = small_tree
    move([t["a"]], t["pq"])
    refused("effective_on", move, [t["rg"]], t["ag"], D(2025, 1, 1))


def test_move_under_a_parent_that_moved_later_is_refused(small_tree):
    """Regression: the new link took the parent's path of today for dates when it stood elsewhere."""
    t = small_tree
    move([t["pq"]], t["ag"])
    refused("effective_on", move, [t["b"]], t["pq"], D(2025, 1, 1))
    refused("effective_on", found, "Công đoàn cơ sở mới", "grassroots", fresh(t["pq"]), on=D(2025, 1, 1))


def test_ended_unit_takes_no_change_dated_before_its_ending(small_tree):
    """Regression: a date before the ending passed the checks, then failed (500) or hung a unit under it."""
    t = small_tree
    dissolve(t["c"])
    before_end = D(2025, 1, 1)
    refused("units", move, [t["c"]], t["rg"], before_end)
    refused("sources", merge, [t["c"]], into=t["a"], on=before_end)
    refused("unit", rename, t["c"], "Tên mới", before_end)
    dissolve(t["pq"], MERGER + DAY)
    refused("parent", move, [t["a"]], t["pq"])
    refused("parent", found, "Công đoàn cơ sở mới", "grassroots", fresh(t["pq"]), on=MERGER)


def test_services_read_the_units_they_are_given_afresh(small_tree):
    """Regression: a parent loaded before another change (a form, a concurrent request) gave old paths."""
    t = small_tree
    stale_pq = fresh(t["pq"])
    move([t["pq"]], t["ag"])
    services.move_units(units=[t["b"]], new_parent=stale_pq, effective_on=MERGER, decision=decision(MERGER))
    pq, b = fresh(t["pq"]), fresh(t["b"])
    assert b.path.startswith(pq.path)
    assert UnitLink.objects.get(unit=b, valid_to__isnull=True).path == b.path
    assert found("Công đoàn cơ sở mới", "grassroots", stale_pq, on=MERGER).path.startswith(pq.path)


# --------------------------------------------------------------------------------------- merges


def test_merge_of_different_levels_is_refused(small_tree):
    refused("sources", merge, [small_tree["rg"]], into=small_tree["a"])


def test_merge_into_itself_is_refused(small_tree):
    refused("into", merge, [small_tree["kg"], small_tree["ag"]], into=small_tree["kg"])


def test_merge_into_new_unit_with_a_used_code_is_refused(small_tree):
    t = small_tree
    spec = services.NewUnit(
        code="kg-rg-01", name="Công đoàn cơ sở sáp nhập", unit_type=unit_type("grassroots")
    )
    refused("code", merge, [t["a"], t["b"]], new_unit=spec, new_parent=t["rg"])


def test_merge_before_founding_is_refused(small_tree):
    refused("effective_on", merge, [small_tree["a"]], into=small_tree["b"], on=D(2018, 6, 1))


# --------------------------------------------------------------------------------------- splits


def test_split_with_a_child_assigned_twice_is_refused(small_tree):
    t = small_tree
    refused("parts", split, t["rg"], [part("P1", t["a"]), part("P2", t["a"], t["b"])])


def test_split_leaving_a_child_behind_an_ended_source_is_refused(small_tree):
    refused("parts", split, small_tree["rg"], [part("P1", small_tree["a"])])


def test_split_sharing_out_a_unit_not_under_the_source_is_refused(small_tree):
    t = small_tree
    refused("parts", split, t["rg"], [part("P1", t["a"], t["b"], t["c"])])


def test_split_reusing_a_code_is_refused(small_tree):
    refused("code", split, small_tree["rg"], [part("KG-PQ", small_tree["a"])], end_source=False)


def test_split_without_ending_the_source_keeps_it_with_the_rest(small_tree):
    t = small_tree
    split(t["rg"], [part("P1", t["a"])], end_source=False)
    rg = fresh(t["rg"])
    assert rg.dissolved_on is None
    children = UnitLink.objects.filter(selectors.valid_on(MERGER), parent=rg).values_list(
        "unit__code", flat=True
    )
    assert list(children) == ["KG-RG-02"]


# ----------------------------------------------------------------------------------- endings


def test_dissolve_with_active_children_is_refused(small_tree):
    refused("children_to", dissolve, small_tree["rg"])


def test_dissolve_with_successor_below_it_is_refused(small_tree):
    refused("successor", dissolve, small_tree["rg"], successor=small_tree["a"])


def test_dissolve_the_day_of_its_last_change_is_refused(small_tree):
    move([small_tree["c"]], small_tree["rg"])
    refused("effective_on", dissolve, small_tree["c"])


def test_ending_before_a_unit_below_ended_is_refused(small_tree):
    """Regression: a parent could end while a child it no longer had on record still stood under it."""
    t = small_tree
    dissolve(t["c"])
    refused("effective_on", dissolve, t["pq"], D(2025, 1, 1))
    dissolve(t["pq"])


def test_dissolve_moves_children_then_ends(small_tree):
    t = small_tree
    dissolve(t["rg"], children_to=t["pq"], successor=t["pq"])
    rg, pq = fresh(t["rg"]), fresh(t["pq"])
    assert rg.dissolved_on == MERGER and rg.parent_id == pq.pk and rg.path.startswith(pq.path)
    assert selectors.count_children_on(unit_ids=[pq.pk], on=MERGER) == {pq.pk: 3}


# ------------------------------------------------------------------------------- names and codes


def test_found_with_a_used_code_is_refused_whatever_the_case(small_tree):
    refused("code", found, "Trùng mã", "grassroots", small_tree["rg"], code="kg-rg-01")


def test_found_with_a_blank_name_is_refused(small_tree):
    """Regression: a name of spaces passed validation and was stored empty."""
    refused("name", found, "   ", "grassroots", small_tree["rg"])


def test_rename_stores_the_name_trimmed_in_both_places(small_tree):
    """Regression: the dated name kept the spaces the unit's own name lost."""
    t = small_tree
    rename(t["rg"], "  Công đoàn   phường Rạch Giá ")
    current = UnitName.objects.get(unit=t["rg"], valid_to__isnull=True)
    assert current.name == fresh(t["rg"]).name == "Công đoàn phường Rạch Giá"
    refused("name", rename, t["rg"], "Công đoàn phường Rạch Giá  ", MERGER + DAY)
    refused("name", rename, t["rg"], "   ", MERGER + DAY)


def test_rename_before_the_last_rename_is_refused(small_tree):
    rename(small_tree["rg"], "Công đoàn phường Rạch Giá")
    refused("effective_on", rename, small_tree["rg"], "Tên khác", D(2024, 1, 1))
