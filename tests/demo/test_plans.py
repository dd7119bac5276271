"""The demo's provinces at work on their seed programmes: every target shows progress, or visibly none."""

import datetime

import pytest

from congdoan.demo.builder import FOUNDING_WAVES, MERGE_CAMPAIGNS, REORGANISED_ON
from congdoan.demo.members import ADMISSION_TARGETS, TARGET_REACHED
from congdoan.demo.places import PROVINCES_BY_KEY
from congdoan.demo.plans import COUNTED_ON, REPORTINGS, SHARED_BY, SHARED_OUT
from congdoan.plans.allocation import current_allocation
from congdoan.plans.models import Programme, ReportedValue, Target
from congdoan.plans.progress import TargetSource, programme_progress
from congdoan.units.models import UnitLink
from congdoan.units.selectors import valid_on
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


@pytest.mark.parametrize("ref", SHARED_OUT)
def test_the_admissions_targets_of_2020_are_shared_among_the_units_of_2020(demo, db, ref):
    target = Target.objects.select_related("programme__unit").get(programme__ref=ref, indicator=SHARED_BY)
    split = current_allocation(target)
    assert split.base_on == COUNTED_ON
    shares = list(split.shares.select_related("unit__unit_type"))
    assert sum(share.value for share in shares) == target.value
    then = UnitLink.objects.filter(valid_on(COUNTED_ON), parent=target.programme.unit)
    assert {share.unit_id for share in shares} == set(then.values_list("unit_id", flat=True))
    districts = [share for share in shares if share.unit.unit_type.code == "ldld-huyen"]
    assert len(districts) >= 2 and sum(share.value for share in districts) > 0
    assert all(share.unit.dissolved_on == REORGANISED_ON for share in districts)
    adopted = Target.objects.filter(allocated_from=target).select_related("programme__unit")
    assert all(own.programme.unit.is_active for own in adopted)  # an ended unit adopts nothing
    # the shares of the ended district unions still show on the progress pages
    district = max(districts, key=lambda share: share.value)
    rows = programme_progress(programme=target.programme, unit=district.unit, at=D(2020, 12, 31))
    row = next(row for row in rows if row.target == target)
    assert (row.target_value, row.target_source) == (district.value, TargetSource.ALLOCATED)


def test_a_share_is_adopted_by_a_union_still_at_work(demo, db):
    adopted = Target.objects.select_related("programme__unit", "allocated_from").get(
        allocated_from__indicator=SHARED_BY, allocated_from__programme__ref=SHARED_OUT[0]
    )
    upper = adopted.allocated_from
    share = current_allocation(upper).shares.get(unit=adopted.programme.unit)
    assert adopted.programme.parent == upper.programme and adopted.value == share.value > 0
    assert adopted.programme.unit.is_active
