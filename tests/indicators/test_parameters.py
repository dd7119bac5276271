"""Indicators that take parameters: the threshold of a small union, set by a programme's merge rule."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from congdoan.accounts.models import Role, User
from congdoan.indicators import catalogue, engine
from congdoan.indicators.engine import actuals
from congdoan.indicators.models import IndicatorWindow
from congdoan.indicators.values import Actual
from congdoan.plans import progress
from congdoan.plans.models import DocumentKind, Target, TargetKind
from congdoan.units import services as units
from tests.factories import decision, year_programme
from tests.indicators.builders import join

D = datetime.date
YEAR_2024 = dict(start=D(2024, 1, 1), end=D(2024, 12, 31))
SMALL = "small_grassroots_merged_pct"


@pytest.fixture
def merged_in_2024(small_tree):
    """b, of 12 members, merged into c during 2024: small below 15 members, not below 10."""
    t = small_tree
    for _ in range(12):
        join(t["b"], D(2023, 1, 1))
    units.merge_units(
        sources=[t["b"]], into=t["c"], effective_on=D(2024, 5, 1), decision=decision(D(2024, 5, 1))
    )
    return t


def merged_share(tree, below: int | None) -> Actual:
    given = None if below is None else {"small_below_members": below}
    return actuals(indicator=SMALL, unit_ids=[tree["kg"].pk], values=given, **YEAR_2024)[tree["kg"].pk]


def test_each_threshold_has_its_window_and_both_stay_fresh(merged_in_2024):
    t = merged_in_2024
    assert merged_share(t, None) == Actual(Decimal(0), Decimal(2))  # a and c under 10; b has 12
    assert merged_share(t, 10) == Actual(Decimal(0), Decimal(2))  # the default, the same window
    assert merged_share(t, 15) == Actual(Decimal(1), Decimal(3))  # b too, merged
    stored = {w.parameters: w for w in IndicatorWindow.objects.filter(indicator=SMALL)}
    assert sorted(stored) == ["small_below_members=10", "small_below_members=15"]
    for _ in range(3):
        join(t["b"], D(2023, 6, 1))  # dated back: b had 15 on 01/01/2024, small under neither
    join(t["a"], D(2023, 6, 1))
    assert merged_share(t, 15) == Actual(Decimal(0), Decimal(2))
    assert merged_share(t, 10) == Actual(Decimal(0), Decimal(2))
    for window in IndicatorWindow.objects.filter(indicator=SMALL):
        assert window.computed_at == stored[window.parameters].computed_at  # refreshed, not recomputed
        incremental = nonzero_rows(window)
        engine.compute_window(window)
        assert nonzero_rows(window) == incremental


def nonzero_rows(window: IndicatorWindow) -> set[tuple]:
    """A window's rows, less those a refresh brought down to zero (a recompute does not store them)."""
    rows = window.values.values_list(
        "unit_id", "own_numerator", "own_denominator", "numerator", "denominator"
    )
    return {row for row in rows if any(row[1:])}


def test_the_name_and_definition_show_the_value_used():
    indicator = catalogue.get(SMALL)
    assert [p.name for p in indicator.parameters] == ["small_below_members"]
    # In whichever language the texts are read: the number is the threshold's.
    assert "10" in str(indicator.name) and "10" in str(indicator.definition)
    given = {"small_below_members": 15, "merged_min_members": 3}  # a merge rule holds more
    for text in (indicator.name_for(given), indicator.definition_for(given)):
        assert "15" in str(text) and "10" not in str(text)
    assert indicator.values({"merged_min_members": 3}) == {"small_below_members": 10}
    assert catalogue.get("members").values({"small_below_members": 15}) == {}  # takes none


def test_a_programme_with_its_own_threshold_gets_the_indicator_it_asks_for(merged_in_2024):
    t = merged_in_2024
    programme = year_programme(
        t["kg"],
        2024,
        "KG-KH-2024",
        kind=DocumentKind.PLAN,
        issuer_unit=t["kg"],
        issued_on=D(2023, 12, 1),
        period_end=2024,
        merge_rule={"small_below_members": 15, "merged_min_members": 30},
    )
    target = Target.objects.create(
        programme=programme,
        position=1,
        ref="II.3",
        text="Sáp nhập công đoàn cơ sở dưới 15 đoàn viên",
        value=Decimal(80),
        kind=TargetKind.PERCENT,
        indicator=SMALL,
    )
    values = progress.indicator_values(target)
    got = actuals(indicator=SMALL, unit_ids=[t["kg"].pk], values=values, **YEAR_2024)
    assert got[t["kg"].pk] == Actual(Decimal(1), Decimal(3))
    # A district's programme carrying it out, with no rule of its own, counts what the province counts.
    district = year_programme(
        t["rg"], 2024, "KG-RG-KH-2024", kind=DocumentKind.PLAN, period_end=2024, parent=programme
    )
    share = Target.objects.create(
        programme=district,
        position=1,
        text=target.text,
        value=Decimal(80),
        kind=TargetKind.PERCENT,
        indicator=SMALL,
    )
    assert progress.indicator_values(share)["small_below_members"] == 15
    officer = User.objects.create_user(username="officer-kg", unit=t["kg"], role=Role.OFFICER)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/programmes/{programme.ref}/targets/{target.pk}/progress/", {"at": "2024-12-31"})
    assert page.status_code == 200
    assert page.context["drill"].own.actual == Actual(Decimal(1), Decimal(3))
    definition = str(page.context["definition"])
    assert "15" in definition and "10" not in definition
    assert definition in page.content.decode()
    # The page's head names the indicator with the same threshold, not its code nor the default.
    assert "15" in share.indicator_name and "10" not in share.indicator_name
    assert f'<span title="{SMALL}">{target.indicator_name}</span>' in page.content.decode()
