"""The demo's provinces at work on their seed programmes: every target shows progress, or visibly none."""

import datetime
from decimal import Decimal

import pytest

from congdoan.demo.builder import FOUNDING_WAVES, MERGE_CAMPAIGNS
from congdoan.demo.members import ADMISSION_TARGETS, TARGET_REACHED
from congdoan.demo.places import PROVINCES_BY_KEY
from congdoan.demo.plans import ALLOCATED, REPORTINGS
from congdoan.plans.allocation import current_allocation
from congdoan.plans.models import Programme, ReportedValue, Target
from congdoan.plans.progress import programme_progress
from tests.demo.sizes import SMALL

D = datetime.date
READ_ON = {
    "DB-579-CV-2019": D(2020, 12, 31),
    "KG-NQ-2020": D(2020, 12, 31),
    "LC-324-KH-2022": D(2024, 12, 31),
}


def reported_by_units(target: Target) -> bool:
    return any(r.programme == target.programme.ref and target.text.startswith(r.text) for r in REPORTINGS)


@pytest.mark.parametrize("ref", READ_ON)
def test_every_seed_target_shows_progress_or_visibly_none(demo, db, ref):
    programme = Programme.objects.select_related("unit").get(ref=ref)
    rows = programme_progress(programme=programme, unit=programme.unit, at=READ_ON[ref])
    assert len(rows) == programme.targets.count() > 0
    for row in rows:
        target = row.target
        if not target.manual:  # computed from the records: something happened
            assert row.actual is not None and row.actual.numerator > 0, target.text
        elif reported_by_units(target):  # entered below, summed here
            assert row.has_figures and row.value > 0, target.text
        else:  # "chưa có số liệu", never a silent zero
            assert not row.has_figures, target.text


def test_the_campaigns_follow_the_seed_targets(demo, db):
    def seed_value(ref, indicator):
        return Target.objects.get(programme__ref=ref, indicator=indicator).value

    assert FOUNDING_WAVES["DB"].target == seed_value("DB-579-CV-2019", "grassroots_founded")
    assert FOUNDING_WAVES["KG"].target == seed_value("KG-NQ-2020", "enterprise_grassroots_founded_25")
    assert ADMISSION_TARGETS[("DB", 2020)] == seed_value("DB-579-CV-2019", "members_admitted")
    assert ADMISSION_TARGETS[("KG", 2020)] == seed_value("KG-NQ-2020", "members_admitted")
    assert (
        "LC" in MERGE_CAMPAIGNS
        and Target.objects.filter(
            programme__ref="LC-324-KH-2022", indicator="small_grassroots_merged_pct"
        ).exists()
    )


@pytest.mark.parametrize(("key", "ref"), [("DB", "DB-579-CV-2019"), ("KG", "KG-NQ-2020")])
def test_founding_waves_reach_a_share_of_the_target_scaled_to_the_province(demo, db, key, ref):
    wave = FOUNDING_WAVES[key]
    programme = Programme.objects.select_related("unit").get(ref=ref)
    row = next(
        row
        for row in programme_progress(programme=programme, unit=programme.unit, at=D(wave.year, 12, 31))
        if row.target.value == wave.target and not row.target.manual
    )
    wanted = wave.target * SMALL[key] / PROVINCES_BY_KEY[key].members
    low, _high = TARGET_REACHED
    assert round(low * wanted) - 1 <= row.actual.numerator, (row.actual.numerator, wanted)


def test_entered_figures_add_up_at_the_province(demo, db):
    target = Target.objects.select_related("programme__unit").get(
        programme__ref="KG-NQ-2020", text__startswith="tổ chức hội nghị cán bộ, công chức"
    )
    entered = ReportedValue.objects.filter(target=target)
    assert entered.count() >= 2
    assert {figure.unit.unit_type.code for figure in entered} == {"ldld-huyen"}
    programme = target.programme
    row = next(
        row
        for row in programme_progress(programme=programme, unit=programme.unit, at=D(2020, 12, 31))
        if row.target == target
    )
    assert row.value == sum(figure.numerator for figure in entered)
    # Lai Châu's percent targets are entered as "of", every year, by grassroots unions.
    for year in (2022, 2023, 2024):
        yearly = ReportedValue.objects.filter(target__programme__ref="LC-324-KH-2022", stands_on__year=year)
        assert yearly.exists() and all(f.denominator >= f.numerator for f in yearly)


def test_the_admissions_target_is_shared_out_and_one_share_adopted(demo, db):
    ref, indicator, base_on = ALLOCATED
    target = Target.objects.get(programme__ref=ref, indicator=indicator)
    split = current_allocation(target)
    assert split.base_on == base_on
    shares = list(split.shares.all())
    assert sum(share.value for share in shares) == target.value
    adopted = Target.objects.get(allocated_from=target)
    assert adopted.programme.parent == target.programme
    assert adopted.value == next(s.value for s in shares if s.unit_id == adopted.programme.unit_id)
    assert adopted.value > Decimal(0)
