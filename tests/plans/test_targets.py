"""Targets: what a target may say, and who may change it."""

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from congdoan.accounts.models import Role
from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.plans import indicators_registry
from congdoan.plans.indicators_registry import IndicatorInfo
from congdoan.plans.models import Programme, Target
from congdoan.plans.periods import Period, PeriodKind
from congdoan.plans.services import (
    TargetSpec,
    add_target,
    delete_target,
    import_programme,
    load_seed_programmes,
    update_target,
)
from tests.plans.test_import import dump, seed

ADMITTED = TargetSpec(
    ref="I.5", text="kết nạp được 594 đoàn viên", value=Decimal(594), kind="count", manual=True
)
COVERAGE = TargetSpec(
    ref="I.4", text="70% CĐCS doanh nghiệp có thỏa ước", value=Decimal(70), kind="percent", manual=True
)


@pytest.fixture
def programmes(provinces):
    load_seed_programmes()
    return {p.ref: p for p in Programme.objects.select_related("unit")}


@pytest.fixture
def catalogue(monkeypatch):
    """Two indicators, as the indicator catalogue will register them."""
    for info in (
        IndicatorInfo("members_admitted", "count", "Đoàn viên kết nạp mới"),
        IndicatorInfo("cdcs_with_agreement_pct", "percent", "Tỷ lệ CĐCS có thỏa ước"),
    ):
        monkeypatch.setitem(indicators_registry._catalogue, info.code, info)


def refused(programme, spec, field: str) -> str:
    with pytest.raises(ValidationError) as error:
        add_target(user=None, programme=programme, spec=spec)
    assert field in error.value.message_dict, error.value.message_dict
    return error.value.message_dict[field][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(value=Decimal(101)), "value"),
        (dict(value=Decimal("-0.5")), "value"),
        (dict(kind="count", value=Decimal("594.5")), "value"),
        (dict(kind="count", value=Decimal(-3)), "value"),
        (dict(period_kind=PeriodKind.YEAR, period_start=2021), "period_kind"),
        (dict(period_kind=PeriodKind.TERM, period_start=2019, period_end=2023), "period_kind"),
        (dict(period_kind=PeriodKind.STANDING), "period_kind"),
        (dict(period_kind="", period_start=2020), "period_kind"),
        (dict(manual=False), "indicator"),
        (dict(indicator="members_admitted"), "indicator"),
    ],
)
def test_a_target_that_does_not_hold_is_refused_naming_the_field(programmes, change, field):
    refused(programmes["DB-579-CV-2019"], dataclasses.replace(COVERAGE, **change), field)
    assert programmes["DB-579-CV-2019"].targets.count() == 3


def test_percent_targets_reach_100_and_counts_start_at_0(programmes):
    programme = programmes["DB-579-CV-2019"]
    full = add_target(user=None, programme=programme, spec=dataclasses.replace(COVERAGE, value=Decimal(100)))
    none = add_target(user=None, programme=programme, spec=dataclasses.replace(ADMITTED, value=Decimal(0)))
    assert (full.whole_value, none.whole_value, full.position, none.position) == (100, 0, 4, 5)


def test_a_yearly_target_of_an_every_year_plan_may_name_any_year_from_its_start(programmes):
    plan = programmes["LC-324-KH-2022"]
    spec = dataclasses.replace(COVERAGE, period_kind=PeriodKind.YEAR, period_start=2024)
    assert add_target(user=None, programme=plan, spec=spec).period == Period(PeriodKind.YEAR, 2024, 2024)
    message = refused(plan, dataclasses.replace(spec, period_start=2021), "period_kind")
    assert "2021" in message and "2022" in message


def test_an_indicator_must_exist_and_give_what_the_target_counts(programmes, catalogue):
    programme = programmes["DB-579-CV-2019"]
    on_indicator = dataclasses.replace(ADMITTED, manual=False, indicator="members_admitted")
    assert add_target(user=None, programme=programme, spec=on_indicator).indicator == "members_admitted"
    refused(programme, dataclasses.replace(on_indicator, indicator="nobody_knows"), "indicator")
    message = refused(
        programme, dataclasses.replace(COVERAGE, manual=False, indicator="members_admitted"), "indicator"
    )
    assert "Đoàn viên kết nạp mới" in message
    assert add_target(
        user=None,
        programme=programme,
        spec=dataclasses.replace(COVERAGE, manual=False, indicator="cdcs_with_agreement_pct"),
    ).pk


def test_the_database_refuses_what_validation_would(programmes):
    target = programmes["DB-579-CV-2019"].targets.get(position=1)
    for values in ({"value": Decimal(120)}, {"manual": False}, {"value": Decimal(-1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Target.objects.filter(pk=target.pk).update(**values)


def test_the_province_changes_its_own_targets_and_the_change_is_logged(programmes, provinces, user_at):
    officer = user_at(provinces["DB"])
    target = programmes["DB-579-CV-2019"].targets.get(position=2)
    with change_context(user=officer):  # as the web middleware and the commands set it
        update_target(
            user=officer, target=target, spec=dataclasses.replace(TargetSpec.of(target), value=Decimal(620))
        )
    change = ObjectChange.objects.for_object(target).latest("id")
    assert (change.user, change.unit, change.after["value"]) == (officer, provinces["DB"], "620.00")
    delete_target(user=officer, target=target)
    assert programmes["DB-579-CV-2019"].targets.count() == 2


def test_a_target_of_a_programme_issued_above_is_refused_with_the_reason(programmes, provinces, user_at):
    city_officer = user_at(provinces["DB-DBP"])
    target = programmes["DB-579-CV-2019"].targets.get(position=2)
    with pytest.raises(PermissionDenied) as error:
        update_target(user=city_officer, target=target, spec=dataclasses.replace(ADMITTED, value=Decimal(1)))
    assert "Liên đoàn Lao động tỉnh Điện Biên" in str(error.value)
    with pytest.raises(PermissionDenied):
        add_target(user=city_officer, programme=programmes["DB-579-CV-2019"], spec=ADMITTED)
    with pytest.raises(PermissionDenied):
        delete_target(user=city_officer, target=target)
    target.refresh_from_db()
    assert target.whole_value == 594


@pytest.mark.parametrize(
    ("unit", "role", "allowed"),
    [
        ("DB", Role.ADMIN, True),
        ("national", Role.OFFICER, True),  # the confederation is above every province
        ("LC", Role.OFFICER, False),  # another branch of the tree
        ("DB", Role.VIEWER, False),
        (None, Role.ADMIN, False),  # no unit: nothing
    ],
)
def test_who_may_change_a_province_target(programmes, provinces, user_at, unit, role, allowed):
    user = user_at(provinces[unit] if unit else None, role)
    programme = programmes["DB-579-CV-2019"]
    if allowed:
        assert add_target(user=user, programme=programme, spec=ADMITTED).pk
    else:
        with pytest.raises(PermissionDenied):
            add_target(user=user, programme=programme, spec=ADMITTED)


def test_an_administrator_without_limits_may_change_a_programme_filed_under_no_unit(db, user_at):
    programme = import_programme(content=dump(seed("003"))).programme
    assert programme.unit is None
    assert add_target(
        user=user_at(None, Role.ADMIN, is_superuser=True), programme=programme, spec=ADMITTED
    ).pk


# ------------------------------------------------------------------------------------------ periods

years = st.integers(2015, 2030)
periods = st.one_of(
    st.builds(lambda y: Period(PeriodKind.YEAR, y, y), years),
    st.builds(lambda a, n: Period(PeriodKind.TERM, a, a + n), years, st.integers(1, 5)),
    st.builds(lambda a, b: Period(PeriodKind.EVERY_YEAR, a, b), st.none() | years, st.none() | years).filter(
        lambda p: p.start is None or p.end is None or p.start <= p.end
    ),
    st.builds(lambda a: Period(PeriodKind.STANDING, a, None), st.none() | years),
)
WINDOW = range(2000, 2046)  # wider than any year drawn: open bounds reach past it on both sides


def year_set(period: Period, outer: Period) -> set[int]:
    period = period.within(outer)
    return {
        y
        for y in WINDOW
        if (period.first is None or y >= period.first) and (period.last is None or y <= period.last)
    }


@given(outer=periods, inner=periods.filter(lambda p: p.kind != PeriodKind.STANDING))
def test_covers_means_every_year_of_the_inner_period_is_in_the_outer(outer, inner):
    assert not outer.errors() and not inner.errors()
    assert outer.covers(inner) == (year_set(inner, outer) <= year_set(outer, outer))
