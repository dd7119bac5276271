"""A split remembers the day whose units it is among (``Allocation.units_on``): the sum check, adoption and
the revision history read that day, not the one the target's period would give now."""

# ruff: noqa: F811 (the fixtures of test_allocation are imported, and tests name them as arguments)

import datetime
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from congdoan.plans import allocation
from congdoan.plans.models import AllocationMethod, Programme, Target
from congdoan.plans.periods import PeriodKind
from congdoan.units import services as units
from tests.factories import decision, found
from tests.plans.test_allocation import (  # noqa: F401 (fixtures)
    add,
    admitted,
    programme,
    tree,
)

D = datetime.date
BY_HAND = {"KG-RG": Decimal(50), "KG-PQ": Decimal(30), "KG-HT": Decimal(20)}
FILL = importlib.import_module("congdoan.plans.migrations.0006_allocation_units_on")


def split_by_hand(target, user=None):
    return allocation.allocate(user=user, target=target, method=AllocationMethod.MANUAL, values=BY_HAND)


def test_a_revision_keeps_its_day_when_the_targets_period_changes(admitted, tree, user_at):
    made = split_by_hand(admitted)
    assert made.units_on == D(2024, 1, 1)
    # A district founded in mid-2024, then the programme's year corrected to 2025: a new split would be
    # among 2025's units, the old one still means 2024's.
    found("Liên đoàn Lao động thành phố Hà Tiên mới", "upper", tree["kg"], on=D(2024, 6, 1), code="KG-TP")
    Programme.objects.filter(pk=admitted.programme_id).update(period_start=2025, period_end=2025)
    target = Target.objects.select_related("programme__unit").get(pk=admitted.pk)
    assert allocation.reference_day(target) == D(2025, 1, 1)
    made.refresh_from_db()
    assert made.units_on == D(2024, 1, 1)
    check = allocation.sum_check(target, made)
    assert (check.balanced, check.missing, check.outside) == (True, (), ())
    adopted = allocation.adopt_share(user=user_at(tree["rg"]), share=made.shares.get(unit=tree["rg"]))
    assert adopted.target.value == 50

    client = APIClient()
    client.force_login(user_at(tree["kg"]))
    page = client.get(f"/programmes/targets/{admitted.pk}/allocation/").content.decode()
    assert "01/01/2024" in page and "KG-TP" in page  # the revision's day; the new split's units of 2025
    assert "đã được điều chỉnh sau lần phân bổ này" not in page
    listed = client.get("/api/allocations/", {"target": admitted.pk}).json()["results"]
    assert [row["units_on"] for row in listed] == ["2024-01-01"]


def test_a_decision_recorded_later_for_the_splits_day_shows_in_the_check_and_stops_adoption(
    admitted, tree, user_at
):
    made = split_by_hand(admitted)
    # Recorded after the split, both effective before 01/01/2024: Phú Quốc went to An Giang, a new
    # district came under Kiên Giang.
    units.move_units(
        units=[tree["pq"]],
        new_parent=tree["ag"],
        effective_on=D(2023, 12, 1),
        decision=decision(D(2023, 11, 20)),
    )
    newcomer = found(
        "Liên đoàn Lao động huyện Giồng Riềng", "upper", tree["kg"], on=D(2023, 12, 1), code="KG-GR"
    )
    check = allocation.sum_check(admitted, made)
    assert check.balanced and check.missing == (newcomer,) and check.outside == (tree["pq"],)
    with pytest.raises(ValidationError) as error:
        allocation.adopt_share(user=user_at(tree["pq"]), share=made.shares.get(unit=tree["pq"]))
    assert "01/01/2024" in error.value.messages[0]

    client = APIClient()
    client.force_login(user_at(tree["kg"]))
    page = client.get(f"/programmes/targets/{admitted.pk}/allocation/").content.decode()
    assert "đã được điều chỉnh sau lần phân bổ này" in page and "Giồng Riềng" in page


def test_a_split_by_members_within_the_period_keeps_the_day_they_were_counted_on(admitted, tree):
    from tests.plans.test_allocation import admit

    admit(tree["a"], 3)
    made = allocation.allocate(
        user=None, target=admitted, method=AllocationMethod.MEMBERS, base_on=D(2024, 3, 1)
    )
    assert (made.base_on, made.units_on) == (D(2024, 3, 1), D(2024, 3, 1))


@pytest.mark.parametrize(
    ("programme_period", "target_period", "method", "base_on", "made_on"),
    [
        ((PeriodKind.YEAR, 2024, None), None, AllocationMethod.MANUAL, None, D(2024, 2, 1)),
        ((PeriodKind.YEAR, 2024, None), None, AllocationMethod.MEMBERS, D(2024, 3, 1), D(2024, 4, 1)),
        ((PeriodKind.YEAR, 2024, None), None, AllocationMethod.MEMBERS, D(2024, 3, 1), D(2024, 2, 1)),
        ((PeriodKind.YEAR, 2024, None), None, AllocationMethod.WORKFORCE, D(2024, 3, 1), D(2024, 4, 1)),
        ((PeriodKind.YEAR, 2024, None), None, AllocationMethod.MANUAL, None, D(2023, 11, 5)),
        ((PeriodKind.TERM, 2023, 2028), None, AllocationMethod.MEMBERS, D(2022, 5, 1), D(2025, 1, 9)),
        (
            (PeriodKind.TERM, 2023, 2028),
            (PeriodKind.YEAR, 2026, None),
            AllocationMethod.MANUAL,
            None,
            D(2027, 3, 3),
        ),
        (
            (PeriodKind.TERM, 2023, 2028),
            (PeriodKind.EVERY_YEAR, None, None),
            AllocationMethod.MANUAL,
            None,
            D(2025, 8, 8),
        ),
        (
            (PeriodKind.STANDING, 2020, None),
            (PeriodKind.EVERY_YEAR, 2022, None),
            AllocationMethod.MANUAL,
            None,
            D(2021, 8, 8),
        ),
        ((PeriodKind.STANDING, None, None), None, AllocationMethod.MEMBERS, D(1999, 1, 1), D(2021, 8, 8)),
        ((PeriodKind.EVERY_YEAR, 2021, 2025), None, AllocationMethod.MANUAL, None, D(2024, 5, 5)),
    ],
)
def test_existing_revisions_get_the_day_the_rule_gave_when_they_were_made(
    monkeypatch, programme_period, target_period, method, base_on, made_on
):
    kind, start, end = programme_period
    target = Target(
        programme=Programme(period_kind=kind, period_start=start, period_end=end),
        **dict(
            zip(("period_kind", "period_start", "period_end"), target_period or ("", None, None), strict=True)
        ),
    )
    made_at = timezone.make_aware(datetime.datetime.combine(made_on, datetime.time(9)))
    row = type("Row", (), {"target": target, "method": method, "base_on": base_on, "created_at": made_at})
    monkeypatch.setattr(timezone, "localdate", lambda *args: made_on)
    assert FILL._units_on(row) == allocation._units_day(target, method, base_on)
