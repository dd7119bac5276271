"""Allocation of a target among the units below, its revisions, and adoption of a share below."""

import dataclasses
import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from congdoan.accounts.models import Role
from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.members import services as members
from congdoan.members.models import Gender, Member
from congdoan.plans import allocation
from congdoan.plans.models import (
    Allocation,
    AllocationMethod,
    AllocationShare,
    DocumentKind,
    Programme,
    Target,
    TargetKind,
)
from congdoan.plans.periods import PeriodKind
from congdoan.plans.services import TargetSpec, update_target
from congdoan.units import services as units
from congdoan.units.models import Employer, Unit
from tests.factories import decision, found, unit_type, year_programme

D = datetime.date
ADMITTED_ON = D(2023, 6, 1)


# ----------------------------------------------------------------------------------------- rounding


@given(
    total=st.integers(min_value=0, max_value=10**7),
    bases=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(any),
)
def test_largest_remainder_parts_sum_exactly_and_stay_within_one_of_the_exact_share(total, bases):
    parts = allocation.largest_remainder(total, [Decimal(b) for b in bases])
    assert sum(parts) == total
    whole = sum(bases)
    for part, base in zip(parts, bases, strict=True):
        exact = Fraction(total * base, whole)
        assert part >= 0 and abs(part - exact) < 1
        if base == 0:
            assert part == 0


def test_largest_remainder_gives_the_leftovers_to_the_largest_fractions_then_in_order():
    assert allocation.largest_remainder(10, [Decimal(1)] * 3) == [4, 3, 3]
    assert allocation.largest_remainder(100, [Decimal(1), Decimal(2), Decimal(3)]) == [17, 33, 50]
    assert allocation.largest_remainder(7, [Decimal(5), Decimal(0), Decimal(5)]) == [4, 0, 3]


# ----------------------------------------------------------------------------------------- the world


@pytest.fixture
def tree(small_tree):
    """The small tree (KG-PQ-01 under Phú Quốc, AG-LX-01 in An Giang), with one more district of Kiên Giang
    and one that ended."""
    ht = found("Liên đoàn Lao động huyện Hà Tiên", "upper", small_tree["kg"], code="KG-HT")
    gone = found("Liên đoàn Lao động huyện Kiên Hải", "upper", small_tree["kg"], code="KG-KH")
    units.dissolve_unit(unit=gone, effective_on=D(2023, 1, 1), decision=decision(D(2022, 12, 20)))
    return {**small_tree, "ht": ht, "gone": gone}


@pytest.fixture
def programme(tree):
    return year_programme(
        tree["kg"], 2024, "KG-CT-2024", number="01/CTr-LĐLĐ", issuer_unit=tree["kg"], period_end=2024
    )


def plan_of(unit, ref: str, year: int) -> Programme:
    """A one-year plan of ``unit``, issued the year before."""
    return year_programme(unit, year, ref, kind=DocumentKind.PLAN, issued_on=D(year - 1, 12, 1))


def add(programme, position: int, value: int, kind: str = TargetKind.COUNT, **extra) -> Target:
    return Target.objects.create(
        programme=programme,
        position=position,
        ref=f"I.{position}",
        text="Kết nạp đoàn viên mới"
        if kind == TargetKind.COUNT
        else "Người lao động được phổ biến nghị quyết",
        value=Decimal(value),
        kind=kind,
        **{"manual": True, **extra},
    )


@pytest.fixture
def admitted(programme):
    return add(programme, 1, 100)


@pytest.fixture
def informed(programme):
    return add(programme, 2, 98, TargetKind.PERCENT)


def admit(unit, count: int, on: datetime.date = ADMITTED_ON) -> None:
    for n in range(count):
        members.admit_member(
            member=Member(full_name=f"Lê Văn {n}", gender=Gender.MALE, birth_year=1990, joined_on=on),
            unit=unit,
            on=on,
        )


def values(parts) -> dict[str, Decimal]:
    return {part.unit.code: part.value for part in parts}


# ----------------------------------------------------------------------------------------- splitting


def test_by_hand_the_units_under_it_when_the_period_began_take_part_and_must_sum_exactly(admitted, tree):
    parts = allocation.split(
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={"KG-RG": Decimal(50), "KG-PQ": Decimal(30), "KG-HT": Decimal(20)},
    )
    assert values(parts) == {"KG-HT": 20, "KG-PQ": 30, "KG-RG": 50}  # KG-KH, ended in 2023, takes no part
    with pytest.raises(ValidationError) as error:
        allocation.split(target=admitted, method=AllocationMethod.MANUAL, values={"KG-RG": Decimal(99)})
    assert "99" in error.value.messages[0] and "100" in error.value.messages[0]


@pytest.mark.parametrize(
    ("given_values", "field"),
    [
        ({"KG-RG": Decimal(-10), "KG-PQ": Decimal(110)}, "KG-RG"),
        ({"KG-RG": Decimal("50.5"), "KG-PQ": Decimal("49.5")}, "KG-RG"),
        ({"KG-KH": Decimal(10), "KG-RG": Decimal(90)}, "KG-KH"),  # ended
        ({"KG-RG-01": Decimal(10), "KG-RG": Decimal(90)}, "KG-RG-01"),  # not directly under
        ({"AG": Decimal(10), "KG-RG": Decimal(90)}, "AG"),  # elsewhere
    ],
)
def test_a_split_by_hand_naming_a_wrong_unit_or_share_is_refused_naming_it(admitted, given_values, field):
    with pytest.raises(ValidationError) as error:
        allocation.allocate(user=None, target=admitted, method=AllocationMethod.MANUAL, values=given_values)
    assert field in error.value.message_dict
    assert not Allocation.objects.exists() and not AllocationShare.objects.exists()


def test_in_proportion_to_members_on_a_date_counts_each_childs_subtree(admitted, tree):
    admit(tree["a"], 4)  # under KG-RG
    admit(tree["c"], 2)  # under KG-PQ
    admit(tree["d"], 5)  # another province: not counted
    parts = allocation.split(target=admitted, method=AllocationMethod.MEMBERS, base_on=D(2024, 1, 1))
    assert {p.unit.code: (p.base, p.value) for p in parts} == {
        "KG-HT": (0, 0),
        "KG-PQ": (2, 33),
        "KG-RG": (4, 67),
    }
    with pytest.raises(ValidationError) as error:  # nobody was a member yet
        allocation.split(target=admitted, method=AllocationMethod.MEMBERS, base_on=D(2023, 1, 1))
    assert "method" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        allocation.split(target=admitted, method=AllocationMethod.MEMBERS)
    assert "base_on" in error.value.message_dict


def test_in_proportion_to_workforce_rounds_by_largest_remainder(admitted, tree):
    for unit, workforce in ((tree["a"], 100), (tree["c"], 100), (tree["ht"], 100)):
        Employer.objects.create(unit=unit, name=f"Công ty {unit.code}", workforce=workforce)
    parts = allocation.split(target=admitted, method=AllocationMethod.WORKFORCE)
    assert values(parts) == {"KG-HT": 34, "KG-PQ": 33, "KG-RG": 33}
    assert sum(values(parts).values()) == admitted.value


def test_in_proportion_to_last_years_result_of_the_indicator_under_each_child(programme, tree):
    on_records = add(programme, 3, 100, manual=False, indicator="members_admitted")
    admit(tree["a"], 3, on=D(2023, 3, 1))  # KG-RG, in 2023
    admit(tree["c"], 1, on=D(2023, 9, 1))  # KG-PQ, in 2023
    admit(tree["c"], 5, on=D(2024, 2, 1))  # this year's: not last year's result
    assert allocation.base_year(on_records) == 2023
    parts = allocation.split(target=on_records, method=AllocationMethod.LAST_YEAR)
    assert {p.unit.code: (p.base, p.value) for p in parts} == {
        "KG-HT": (0, 0),
        "KG-PQ": (1, 25),
        "KG-RG": (3, 75),
    }
    made = allocation.allocate(user=None, target=on_records, method=AllocationMethod.LAST_YEAR)
    assert made.base_on == D(2023, 12, 31)


def test_a_target_entered_by_hand_has_no_last_years_result_to_split_by(admitted):
    with pytest.raises(ValidationError) as error:
        allocation.split(target=admitted, method=AllocationMethod.LAST_YEAR)
    assert "method" in error.value.message_dict


def test_a_percent_target_passes_down_as_the_same_percent_and_is_not_split(informed):
    parts = allocation.split(target=informed, method=AllocationMethod.SAME_PERCENT)
    assert set(values(parts).values()) == {Decimal(98)} and len(parts) == 3
    for method in (AllocationMethod.MANUAL, AllocationMethod.WORKFORCE):
        with pytest.raises(ValidationError) as error:
            allocation.split(target=informed, method=method, values={"KG-RG": Decimal(98)})
        assert "method" in error.value.message_dict


def test_a_count_target_is_not_passed_down_as_a_percent(admitted):
    with pytest.raises(ValidationError) as error:
        allocation.split(target=admitted, method=AllocationMethod.SAME_PERCENT)
    assert "method" in error.value.message_dict


def test_a_unit_without_units_under_it_has_nothing_to_split(tree):
    lonely = plan_of(tree["ht"], "KG-HT-CT-2024", 2024)
    with pytest.raises(ValidationError, match="Hà Tiên"):
        allocation.split(target=add(lonely, 1, 10), method=AllocationMethod.MANUAL, values={})


# -------------------------------------------------------------------------------- the tree of its time


def merge_rg_and_pq(tree, on: datetime.date) -> None:
    """Rạch Giá and Phú Quốc merge into a new union KG-RGPQ from ``on``."""
    merged = units.NewUnit(code="KG-RGPQ", name="Công đoàn Rạch Giá – Phú Quốc", unit_type=unit_type("upper"))
    units.merge_units(
        sources=[tree["rg"], tree["pq"]],
        new_unit=merged,
        new_parent=tree["kg"],
        effective_on=on,
        decision=decision(on - datetime.timedelta(days=10)),
    )


def reorganise_2025(tree) -> dict:
    """On 01/07/2025 Rạch Giá and Phú Quốc merge into a new union, then Kiên Giang merges into An Giang."""
    merge_rg_and_pq(tree, D(2025, 7, 1))
    units.merge_units(
        sources=[tree["kg"]], into=tree["ag"], effective_on=D(2025, 7, 1), decision=decision(D(2025, 6, 20))
    )
    return {code: Unit.objects.get(code=code) for code in ("KG", "KG-RG", "KG-PQ", "KG-HT", "KG-RGPQ")}


@pytest.mark.parametrize(
    ("period", "base_on", "day"),
    [
        ((PeriodKind.YEAR, 2024, None), None, D(2024, 1, 1)),  # a past period: its start
        ((PeriodKind.YEAR, 2024, None), D(2024, 3, 1), D(2024, 3, 1)),  # members counted within it
        ((PeriodKind.YEAR, 2024, None), D(2023, 12, 31), D(2024, 1, 1)),  # ... or outside it
        ((PeriodKind.TERM, 2023, 2028), None, D(2023, 1, 1)),
        ((PeriodKind.YEAR, 2030, None), None, "today"),  # still to come
        ((PeriodKind.EVERY_YEAR, None, None), None, "this year"),
    ],
)
def test_the_reference_day_is_the_periods_start_or_the_day_members_are_counted(
    programme, period, base_on, day
):
    kind, start, end = period
    Programme.objects.filter(pk=programme.pk).update(period_kind=kind, period_start=start, period_end=end)
    target = add(Programme.objects.get(pk=programme.pk), 1, 100)
    today = timezone.localdate()
    expected = {"today": today, "this year": D(today.year, 1, 1)}.get(day, day)
    assert allocation.reference_day(target, base_on) == expected


def test_a_past_target_is_split_among_the_units_of_its_time_though_they_ended_since(admitted, tree):
    admit(tree["a"], 4)  # under Rạch Giá, 2023
    admit(tree["c"], 2)  # under Phú Quốc
    admit(tree["d"], 5)  # An Giang's: not Kiên Giang's in 2024, though under An Giang today
    now = reorganise_2025(tree)
    assert now["KG"].dissolved_on == now["KG-RG"].dissolved_on == D(2025, 7, 1)
    parts = allocation.split(target=admitted, method=AllocationMethod.MEMBERS, base_on=D(2024, 1, 1))
    assert {p.unit.code: (p.base, p.value) for p in parts} == {
        "KG-HT": (0, 0),
        "KG-PQ": (2, 33),
        "KG-RG": (4, 67),
    }
    by_hand = {"KG-RG": Decimal(50), "KG-PQ": Decimal(30), "KG-HT": Decimal(20)}
    made = allocation.allocate(user=None, target=admitted, method=AllocationMethod.MANUAL, values=by_hand)
    assert {s.unit.code: s.value for s in made.shares.all()} == by_hand
    assert allocation.shares_of(admitted)[now["KG-RG"].pk] == 50  # an ended unit holds its share
    with pytest.raises(ValidationError) as error:  # today's union was not there in 2024
        allocation.split(target=admitted, method=AllocationMethod.MANUAL, values={"KG-RGPQ": Decimal(100)})
    assert "KG-RGPQ" in error.value.message_dict and "01/01/2024" in error.value.message_dict["KG-RGPQ"][0]
    # a target of a year still to come goes to the units under An Giang today, Kiên Giang's among them
    coming = plan_of(tree["ag"], "AG-CT-2030", 2030)
    later = allocation.split(
        target=add(coming, 1, 10),
        method=AllocationMethod.MANUAL,
        values={"KG-RGPQ": Decimal(6), "KG-HT": Decimal(4)},
    )
    assert values(later) == {"AG-LX": 0, "KG-HT": 4, "KG-RGPQ": 6}


def test_members_counted_before_the_period_go_to_the_units_that_took_them_over_at_its_start(admitted, tree):
    admit(tree["a"], 4)  # Rạch Giá's
    admit(tree["c"], 2)  # Phú Quốc's
    admit(tree["b"], 1)  # Rạch Giá's too, moved to Hà Tiên when the year 2024 began
    units.move_units(
        units=[tree["b"]],
        new_parent=tree["ht"],
        effective_on=D(2024, 1, 1),
        decision=decision(D(2023, 12, 20)),
    )
    merge_rg_and_pq(tree, D(2024, 1, 1))
    parts = allocation.split(target=admitted, method=AllocationMethod.MEMBERS, base_on=D(2023, 12, 31))
    assert {p.unit.code: (p.base, p.value) for p in parts} == {"KG-HT": (1, 14), "KG-RGPQ": (6, 86)}


# ----------------------------------------------------------------------------------------- revisions


def test_each_split_is_a_new_revision_the_latest_in_force_and_all_logged(admitted, tree, user_at):
    officer = user_at(tree["kg"])
    with change_context(user=officer):
        first = allocation.allocate(
            user=officer,
            target=admitted,
            method=AllocationMethod.MANUAL,
            values={"KG-RG": Decimal(60), "KG-PQ": Decimal(40)},
            note="Theo đăng ký đầu năm",
        )
        second = allocation.allocate(
            user=officer,
            target=admitted,
            method=AllocationMethod.MANUAL,
            values={"KG-RG": Decimal(50), "KG-PQ": Decimal(30), "KG-HT": Decimal(20)},
        )
    assert (first.revision, second.revision, second.created_by, second.total) == (1, 2, officer, 100)
    assert allocation.shares_of(admitted) == {tree["rg"].pk: 50, tree["pq"].pk: 30, tree["ht"].pk: 20}
    history = allocation.revisions(admitted)
    assert [r.revision for r in history] == [2, 1]
    assert {s.unit.code: s.value for s in history[1].shares.all()} == {"KG-HT": 0, "KG-PQ": 40, "KG-RG": 60}
    assert history[1].note == "Theo đăng ký đầu năm"
    logged = ObjectChange.objects.filter(user=officer, action=ObjectChange.Action.CREATE)
    assert {c.object_id for c in logged.filter(object_repr__endswith=")")} == {first.pk, second.pk}
    assert logged.filter(object_repr__contains="Phú Quốc").count() == 2  # a share of each revision
    assert allocation.sum_check(admitted, history[0]).balanced
    Target.objects.filter(pk=admitted.pk).update(value=120)  # the target changed since: the check shows it
    admitted.refresh_from_db()
    assert allocation.sum_check(admitted, history[0]).difference == -20


def test_a_split_names_its_units_as_they_were_called_on_its_day(admitted, tree):
    """Renamed after the split (a merger renames districts): the split and its form keep the day's names."""
    allocation.allocate(
        user=None,
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={"KG-RG": Decimal(60), "KG-PQ": Decimal(40)},
    )
    units.rename_unit(
        unit=tree["rg"],
        name="Công đoàn phường Rạch Giá",
        effective_on=D(2025, 7, 1),
        decision=decision(D(2025, 6, 20)),
    )
    [split] = allocation.revisions(admitted)
    assert {s.unit.code: s.unit.name_then for s in split.shares.all()}["KG-RG"] == (
        "Liên đoàn Lao động thành phố Rạch Giá"
    )
    children = allocation.sharing_units(tree["kg"], split.units_on)
    assert {unit.code: unit.name_then for unit in children}[
        "KG-RG"
    ] == "Liên đoàn Lao động thành phố Rạch Giá"
    assert {unit.code: unit.name_then for unit in allocation.sharing_units(tree["kg"], D(2025, 8, 1))}[
        "KG-RG"
    ] == "Công đoàn phường Rạch Giá"


def split_by_hand(target: Target, days: list[datetime.date]) -> None:
    """One revision of ``target`` a day of ``days``, each among the units of its own day."""
    for day in days:
        made = allocation.allocate(
            user=None,
            target=target,
            method=AllocationMethod.MANUAL,
            values={"KG-RG": Decimal(60), "KG-PQ": Decimal(40)},
        )
        Allocation.objects.filter(pk=made.pk).update(units_on=day)


def test_revisions_are_read_in_the_same_queries_however_many_there_are(programme, tree):
    """Each revision names its units as they were called on its day, all of them in one query."""
    days = [D(2024, month, 1) for month in (1, 2, 3, 4, 5)]
    once, five = add(programme, 3, 100), add(programme, 4, 100)
    split_by_hand(once, days[:1])
    split_by_hand(five, days)
    units.rename_unit(
        unit=tree["rg"], name="Liên đoàn Lao động Rạch Giá", effective_on=days[2], decision=decision(days[1])
    )
    with CaptureQueriesContext(connection) as one:
        allocation.revisions(once)
    with CaptureQueriesContext(connection) as many:
        history = allocation.revisions(five)
    assert len(many) == len(one)
    named = [{s.unit.code: s.unit.name_then for s in split.shares.all()}["KG-RG"] for split in history]
    assert named == ["Liên đoàn Lao động Rạch Giá"] * 3 + ["Liên đoàn Lao động thành phố Rạch Giá"] * 2


def test_a_target_never_split_has_no_shares(admitted):
    assert allocation.shares_of(admitted) == {} and allocation.current_allocation(admitted) is None


def test_only_a_user_who_may_change_the_programme_splits_it(admitted, tree, user_at):
    split = dict(target=admitted, method=AllocationMethod.MANUAL, values={"KG-RG": Decimal(100)})
    for user in (user_at(tree["rg"]), user_at(tree["kg"], Role.VIEWER), user_at(tree["ag"], Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            allocation.allocate(user=user, **split)
    assert allocation.allocate(user=user_at(tree["national"]), **split).revision == 1


# ------------------------------------------------------------------------------------------ adoption


@pytest.fixture
def allocated(admitted, tree):
    current = allocation.allocate(
        user=None,
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={"KG-RG": Decimal(50), "KG-PQ": Decimal(30), "KG-HT": Decimal(20)},
    )
    return {share.unit.code: share for share in current.shares.select_related("unit")}


def test_a_unit_adopts_its_share_into_its_own_programme_once(allocated, admitted, tree, user_at):
    officer = user_at(tree["rg"])
    adoption = allocation.adopt_share(user=officer, share=allocated["KG-RG"])
    own = adoption.target
    assert (adoption.created, adoption.changed) == (True, True)
    assert (own.programme.unit, own.programme.parent, own.allocated_from) == (
        tree["rg"],
        admitted.programme,
        admitted,
    )
    assert (own.value, own.kind, own.comparator, own.text, own.manual) == (
        50,
        admitted.kind,
        admitted.comparator,
        admitted.text,
        True,
    )
    assert own.programme.bases.get().document == admitted.programme
    again = allocation.adopt_share(user=officer, share=allocated["KG-RG"])
    assert (again.created, again.changed, again.target.pk) == (False, False, own.pk)
    assert Programme.objects.filter(unit=tree["rg"]).count() == 1
    assert allocation.adopted_target(allocated["KG-RG"]) == own
    # a second target of the same programme lands in the same own programme
    second = add(admitted.programme, 3, 10)
    allocation.allocate(
        user=None, target=second, method=AllocationMethod.MANUAL, values={"KG-RG": Decimal(10)}
    )
    share = AllocationShare.objects.get(allocation__target=second, unit=tree["rg"])
    assert allocation.adopt_share(user=officer, share=share).target.programme == own.programme


def test_adopting_after_a_new_split_updates_the_share_and_an_old_share_is_refused(allocated, admitted, tree):
    own = allocation.adopt_share(user=None, share=allocated["KG-RG"]).target
    allocation.allocate(
        user=None,
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={"KG-RG": Decimal(70), "KG-PQ": Decimal(30)},
    )
    with pytest.raises(ValidationError):
        allocation.adopt_share(user=None, share=allocated["KG-RG"])
    current = AllocationShare.objects.get(allocation=allocation.current_allocation(admitted), unit=tree["rg"])
    updated = allocation.adopt_share(user=None, share=current)
    assert (updated.created, updated.changed, updated.target.pk, updated.target.value) == (
        False,
        True,
        own.pk,
        70,
    )


def test_adoption_is_refused_to_a_user_who_may_not_change_the_unit(allocated, tree, user_at):
    for user in (user_at(tree["pq"]), user_at(tree["a"], Role.CHAIR), user_at(tree["rg"], Role.VIEWER)):
        with pytest.raises(PermissionDenied):
            allocation.adopt_share(user=user, share=allocated["KG-RG"])
    assert not Programme.objects.filter(unit=tree["rg"]).exists()
    assert allocation.adopt_share(user=user_at(tree["kg"]), share=allocated["KG-RG"]).created


def test_the_unit_below_sees_its_own_shares_only(allocated, tree, user_at):
    seen = allocation.current_shares_for(user_at(tree["rg"]))
    assert [s.unit.code for s in seen] == ["KG-RG"]
    assert not allocation.current_shares_for(user_at(tree["ag"], Role.ADMIN)).exists()


def test_the_unit_below_may_not_edit_the_upper_target_it_adopted(allocated, admitted, tree, user_at):
    officer = user_at(tree["rg"])
    own = allocation.adopt_share(user=officer, share=allocated["KG-RG"]).target
    with pytest.raises(PermissionDenied, match="Kiên Giang"):
        update_target(
            user=officer, target=admitted, spec=dataclasses.replace(TargetSpec.of(admitted), value=1)
        )
    raised = update_target(
        user=officer, target=own, spec=dataclasses.replace(TargetSpec.of(own), value=Decimal(55))
    )
    assert raised.value == 55 and raised.allocated_from == admitted


def test_only_a_unit_active_today_adopts_its_share_of_a_past_target(allocated, admitted, tree):
    now = reorganise_2025(tree)
    with pytest.raises(ValidationError) as error:
        allocation.adopt_share(user=None, share=allocated["KG-RG"])
    assert "01/07/2025" in error.value.messages[0] and "Rạch Giá" in error.value.messages[0]
    assert not Programme.objects.filter(unit=now["KG-RG"]).exists()
    adopted = allocation.adopt_share(user=None, share=allocated["KG-HT"])  # moved under An Giang, active
    assert (adopted.created, adopted.target.value, adopted.target.programme.unit) == (True, 20, now["KG-HT"])
