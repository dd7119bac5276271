"""Bad input to each reorganisation: refused with the field named, and nothing written.

Also the regressions the property tests found (each test says which rule it pins).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from congdoan.units import selectors, services
from congdoan.units.models import Reorganisation, Succession, Unit, UnitLink, UnitName
from tests.factories import decision, found, unit_type

D = datetime.date
MERGER = D(2025, 7, 1)


def rows() -> dict:
    """Every row a reorganisation writes, to show that a refusal wrote none."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Unit, UnitLink, UnitName, Succession, Reorganisation)
    }


def refused(field: str, call, *args, **kwargs) -> str:
    """Run ``call``, expect a refusal naming ``field`` that leaves every row as it was; return the message."""
    before = rows()
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert field in error.value.message_dict, error.value.message_dict
    assert rows() == before
    return " ".join(error.value.message_dict[field])


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


# ------------------------------------------------------------------------------------------- moves


def test_move_under_own_subtree_is_refused(small_tree):
    t = small_tree
    refused(
        "parent",
        services.move_units,
        units=[t["kg"]],
        new_parent=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_move_before_founding_is_refused(small_tree):
    t = small_tree
    message = refused(
        "effective_on",
        services.move_units,
        units=[t["a"]],
        new_parent=t["pq"],
        effective_on=D(2018, 12, 31),
        decision=decision(MERGER),
    )
    assert "01/01/2019" in message or "2019" in message


def test_move_under_a_lower_level_is_refused(small_tree):
    t = small_tree
    refused(
        "parent",
        services.move_units,
        units=[t["rg"]],
        new_parent=t["a"],
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_move_before_a_later_change_below_is_refused(small_tree):
    t = small_tree
    services.move_units(units=[t["a"]], new_parent=t["pq"], effective_on=MERGER, decision=decision(MERGER))
    refused(
        "effective_on",
        services.move_units,
        units=[fresh(t["pq"])],
        new_parent=t["ag"],
        effective_on=MERGER - datetime.timedelta(days=1),
        decision=decision(MERGER),
    )


def test_move_under_a_parent_that_moved_later_is_refused(small_tree):
    """Regression: the new link took the parent's path of today for dates when it stood elsewhere."""
    t = small_tree
    services.move_units(units=[t["pq"]], new_parent=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    refused(
        "effective_on",
        services.move_units,
        units=[t["b"]],
        new_parent=fresh(t["pq"]),
        effective_on=D(2025, 1, 1),
        decision=decision(MERGER),
    )
    refused("effective_on", found, "Công đoàn cơ sở mới", "grassroots", fresh(t["pq"]), on=D(2025, 1, 1))


def test_ended_unit_takes_no_change_dated_before_its_ending(small_tree):
    """Regression: a date before the ending passed the checks, then failed (500) or hung a unit under it."""
    t = small_tree
    services.dissolve_unit(unit=t["c"], effective_on=MERGER, decision=decision(MERGER))
    before_end = D(2025, 1, 1)
    refused(
        "units",
        services.move_units,
        units=[fresh(t["c"])],
        new_parent=t["rg"],
        effective_on=before_end,
        decision=decision(MERGER),
    )
    refused(
        "sources",
        services.merge_units,
        sources=[fresh(t["c"])],
        into=t["a"],
        effective_on=before_end,
        decision=decision(MERGER),
    )
    refused(
        "unit",
        services.rename_unit,
        unit=fresh(t["c"]),
        name="Tên mới",
        effective_on=before_end,
        decision=decision(MERGER),
    )
    services.dissolve_unit(
        unit=t["pq"], effective_on=MERGER + datetime.timedelta(days=1), decision=decision(MERGER)
    )
    refused(
        "parent",
        services.move_units,
        units=[t["a"]],
        new_parent=fresh(t["pq"]),
        effective_on=MERGER,
        decision=decision(MERGER),
    )
    refused("parent", found, "Công đoàn cơ sở mới", "grassroots", fresh(t["pq"]), on=MERGER)


def test_services_read_the_units_they_are_given_afresh(small_tree):
    """Regression: a parent loaded before another change (a form, a concurrent request) gave old paths."""
    t = small_tree
    stale_pq = Unit.objects.get(pk=t["pq"].pk)
    services.move_units(units=[t["pq"]], new_parent=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    services.move_units(units=[t["b"]], new_parent=stale_pq, effective_on=MERGER, decision=decision(MERGER))
    pq, b = fresh(t["pq"]), fresh(t["b"])
    assert b.path.startswith(pq.path)
    assert UnitLink.objects.get(unit=b, valid_to__isnull=True).path == b.path
    child = found("Công đoàn cơ sở mới", "grassroots", stale_pq, on=MERGER)
    assert child.path.startswith(pq.path)


# --------------------------------------------------------------------------------------- merges


def test_merge_of_different_levels_is_refused(small_tree):
    t = small_tree
    refused(
        "sources",
        services.merge_units,
        sources=[t["rg"]],
        into=t["a"],
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_merge_into_itself_or_into_a_unit_below_is_refused(small_tree):
    t = small_tree
    refused(
        "into",
        services.merge_units,
        sources=[t["kg"], t["ag"]],
        into=t["kg"],
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_merge_into_new_unit_with_a_used_code_is_refused(small_tree):
    t = small_tree
    spec = services.NewUnit(
        code="kg-rg-01", name="Công đoàn cơ sở sáp nhập", unit_type=unit_type("grassroots")
    )
    refused(
        "code",
        services.merge_units,
        sources=[t["a"], t["b"]],
        new_unit=spec,
        new_parent=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_merge_before_founding_is_refused(small_tree):
    t = small_tree
    refused(
        "effective_on",
        services.merge_units,
        sources=[t["a"]],
        into=t["b"],
        effective_on=D(2018, 6, 1),
        decision=decision(MERGER),
    )


# --------------------------------------------------------------------------------------- splits


def split_spec(code: str, *children: Unit) -> services.NewUnit:
    return services.NewUnit(
        code=code, name=f"Công đoàn {code}", unit_type=unit_type("upper"), children=list(children)
    )


def test_split_with_a_child_assigned_twice_is_refused(small_tree):
    t = small_tree
    refused(
        "parts",
        services.split_unit,
        source=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
        parts=[split_spec("P1", t["a"]), split_spec("P2", t["a"], t["b"])],
    )


def test_split_leaving_a_child_behind_an_ended_source_is_refused(small_tree):
    t = small_tree
    refused(
        "parts",
        services.split_unit,
        source=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
        parts=[split_spec("P1", t["a"])],
    )


def test_split_sharing_out_a_unit_not_under_the_source_is_refused(small_tree):
    t = small_tree
    refused(
        "parts",
        services.split_unit,
        source=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
        parts=[split_spec("P1", t["a"], t["b"], t["c"])],
    )


def test_split_reusing_a_code_is_refused(small_tree):
    t = small_tree
    refused(
        "code",
        services.split_unit,
        source=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
        end_source=False,
        parts=[split_spec("KG-PQ", t["a"])],
    )


def test_split_without_ending_the_source_keeps_it(small_tree):
    t = small_tree
    services.split_unit(
        source=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
        end_source=False,
        parts=[split_spec("P1", t["a"])],
    )
    rg = fresh(t["rg"])
    assert rg.dissolved_on is None
    assert list(
        UnitLink.objects.filter(selectors.valid_on(MERGER), parent=rg).values_list("unit__code", flat=True)
    ) == ["KG-RG-02"]


# ----------------------------------------------------------------------------------- endings


def test_dissolve_with_active_children_is_refused(small_tree):
    t = small_tree
    refused(
        "children_to", services.dissolve_unit, unit=t["rg"], effective_on=MERGER, decision=decision(MERGER)
    )


def test_dissolve_with_successor_below_it_is_refused(small_tree):
    t = small_tree
    refused(
        "successor",
        services.dissolve_unit,
        unit=t["rg"],
        successor=t["a"],
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_dissolve_the_day_of_its_last_change_is_refused(small_tree):
    t = small_tree
    services.move_units(units=[t["c"]], new_parent=t["rg"], effective_on=MERGER, decision=decision(MERGER))
    refused(
        "effective_on",
        services.dissolve_unit,
        unit=fresh(t["c"]),
        effective_on=MERGER,
        decision=decision(MERGER),
    )


def test_dissolve_moves_children_then_ends(small_tree):
    t = small_tree
    services.dissolve_unit(
        unit=t["rg"], children_to=t["pq"], successor=t["pq"], effective_on=MERGER, decision=decision(MERGER)
    )
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
    services.rename_unit(
        unit=t["rg"], name="  Công đoàn   phường Rạch Giá ", effective_on=MERGER, decision=decision(MERGER)
    )
    current = UnitName.objects.get(unit=t["rg"], valid_to__isnull=True)
    assert current.name == fresh(t["rg"]).name == "Công đoàn phường Rạch Giá"
    refused(
        "name",
        services.rename_unit,
        unit=fresh(t["rg"]),
        name="Công đoàn phường Rạch Giá  ",
        effective_on=MERGER + datetime.timedelta(days=1),
        decision=decision(MERGER),
    )
    refused(
        "name",
        services.rename_unit,
        unit=fresh(t["rg"]),
        name="   ",
        effective_on=MERGER + datetime.timedelta(days=1),
        decision=decision(MERGER),
    )


def test_rename_before_the_last_rename_is_refused(small_tree):
    t = small_tree
    services.rename_unit(
        unit=t["rg"], name="Công đoàn phường Rạch Giá", effective_on=MERGER, decision=decision(MERGER)
    )
    refused(
        "effective_on",
        services.rename_unit,
        unit=fresh(t["rg"]),
        name="Tên khác",
        effective_on=D(2024, 1, 1),
        decision=decision(MERGER),
    )


def test_move_before_a_unit_left_from_below_is_refused(small_tree):
    """Regression: a unit that left the subtree later kept, for the dates between, a path the move rewrote."""
    t = small_tree
    services.move_units(units=[t["a"]], new_parent=t["pq"], effective_on=MERGER, decision=decision(MERGER))
    refused(
        "effective_on",
        services.move_units,
        units=[fresh(t["rg"])],
        new_parent=t["ag"],
        effective_on=D(2025, 1, 1),
        decision=decision(MERGER),
    )


def test_ending_before_a_unit_below_ended_is_refused(small_tree):
    """Regression: a parent could end while a child it no longer had on record still stood under it."""
    t = small_tree
    services.dissolve_unit(unit=t["c"], effective_on=MERGER, decision=decision(MERGER))
    refused(
        "effective_on",
        services.dissolve_unit,
        unit=fresh(t["pq"]),
        effective_on=D(2025, 1, 1),
        decision=decision(MERGER),
    )
    services.dissolve_unit(unit=fresh(t["pq"]), effective_on=MERGER, decision=decision(MERGER))
