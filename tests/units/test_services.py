import datetime

import pytest
from django.core.exceptions import ValidationError

from congdoan.units import selectors, services
from congdoan.units.models import Unit, UnitLink
from tests.factories import decision, found

D = datetime.date
MERGER = D(2025, 7, 1)


def parent_code_on(unit, on):
    link = UnitLink.objects.filter(selectors.valid_on(on), unit=unit).select_related("parent").first()
    return None if link is None else (link.parent.code if link.parent else "-")


def test_move_keeps_history_and_carries_subtree(small_tree):
    t = small_tree
    services.move_units(units=[t["rg"]], new_parent=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    assert parent_code_on(t["rg"], D(2025, 6, 30)) == "KG"
    assert parent_code_on(t["rg"], MERGER) == "AG"
    a = Unit.objects.get(code="KG-RG-01")
    ag = Unit.objects.get(code="AG")
    assert a.path.startswith(ag.path)
    # The grandchild's own link is split so that the tree on each date is one path-prefix query.
    old = UnitLink.objects.get(unit=a, valid_to=MERGER)
    new = UnitLink.objects.get(unit=a, valid_from=MERGER)
    assert old.path.startswith(Unit.objects.get(code="KG").path)
    assert new.path == a.path and new.parent_id == t["rg"].pk


def test_merge_province_ends_sources_and_files_them_under_successor(small_tree):
    t = small_tree
    services.merge_units(sources=[t["kg"]], into=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    kg = Unit.objects.get(code="KG")
    assert kg.dissolved_on == MERGER
    assert kg.path.startswith(Unit.objects.get(code="AG").path)
    assert selectors.successor_today(kg).code == "AG"
    assert parent_code_on(t["rg"], MERGER) == "AG"
    assert parent_code_on(kg, MERGER) is None
    assert parent_code_on(kg, D(2025, 6, 30)) == "TLD"


def test_cycle_is_refused(small_tree):
    t = small_tree
    with pytest.raises(ValidationError) as error:
        services.move_units(
            units=[t["kg"]], new_parent=t["rg"], effective_on=MERGER, decision=decision(MERGER)
        )
    assert "parent" in error.value.message_dict


def test_dissolve_with_active_children_is_refused_and_changes_nothing(small_tree):
    t = small_tree
    before = UnitLink.objects.count()
    with pytest.raises(ValidationError) as error:
        services.dissolve_unit(unit=t["rg"], effective_on=MERGER, decision=decision(MERGER))
    assert "children_to" in error.value.message_dict
    assert UnitLink.objects.count() == before
    assert Unit.objects.get(code="KG-RG").dissolved_on is None


def test_code_reuse_and_date_before_founding_refused(small_tree):
    t = small_tree
    with pytest.raises(ValidationError):
        found("Trùng mã", "grassroots", t["rg"], code="KG-RG-01")
    with pytest.raises(ValidationError):
        services.move_units(
            units=[t["a"]], new_parent=t["pq"], effective_on=D(2018, 1, 1), decision=decision(MERGER)
        )


def test_rename_keeps_old_name_for_old_dates(small_tree):
    t = small_tree
    services.rename_unit(
        unit=t["rg"], name="Công đoàn phường Rạch Giá", effective_on=MERGER, decision=decision(MERGER)
    )
    names = selectors.names_on(unit_ids=[t["rg"].pk], on=D(2024, 1, 1))
    assert names[t["rg"].pk].name == "Liên đoàn Lao động thành phố Rạch Giá"
    assert Unit.objects.get(pk=t["rg"].pk).name == "Công đoàn phường Rạch Giá"


def test_split_shares_children(small_tree):
    t = small_tree
    reorg = services.split_unit(
        source=t["rg"],
        effective_on=MERGER,
        decision=decision(MERGER),
        parts=[
            services.NewUnit(
                code="P1", name="Công đoàn phường Vĩnh Thanh", unit_type=t["rg"].unit_type, children=[t["a"]]
            ),
            services.NewUnit(
                code="P2", name="Công đoàn phường Rạch Giá", unit_type=t["rg"].unit_type, children=[t["b"]]
            ),
        ],
    )
    assert reorg.kind == "split"
    assert parent_code_on(t["a"], MERGER) == "P1"
    assert parent_code_on(t["b"], MERGER) == "P2"
    assert Unit.objects.get(code="KG-RG").dissolved_on == MERGER
