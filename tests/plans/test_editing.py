"""Editing programmes and their parts through the services; who sees what, and who may change it."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from congdoan.accounts.models import Role
from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.plans import indicators_registry, progress, selectors, services
from congdoan.plans.indicators_registry import IndicatorInfo
from congdoan.plans.models import (
    Basis,
    Programme,
    Recipient,
    Responsibility,
    SubmissionDeadline,
    Target,
    Task,
    TaskStatus,
)
from congdoan.plans.periods import PeriodKind
from congdoan.units import services as unit_services
from tests.mixins import make_user

D = datetime.date


def spec_for(unit, ref: str = "", **extra) -> services.ProgrammeSpec:
    values = dict(
        ref=ref,
        kind="plan",
        issuer_name=unit.name,
        issuer_unit=unit,
        unit=unit,
        issued_on=datetime.date(2024, 1, 10),
        period_kind=PeriodKind.YEAR,
        period_start=2024,
        number=f"01/KH-{unit.code}",
        title="Kế hoạch phát triển đoàn viên năm 2024",
    )
    return services.ProgrammeSpec(**{**values, **extra})


@pytest.fixture
def people(small_tree):
    return {
        "province": make_user("kg-officer", small_tree["kg"], Role.OFFICER),
        "district": make_user("rg-officer", small_tree["rg"], Role.OFFICER),
        "chair": make_user("rg01-chair", small_tree["a"], Role.CHAIR),
        "sibling_chair": make_user("rg02-chair", small_tree["b"], Role.CHAIR),
        "other_district": make_user("pq-officer", small_tree["pq"], Role.OFFICER),
        "viewer": make_user("rg-viewer", small_tree["rg"], Role.VIEWER),
    }


@pytest.fixture
def plans(small_tree, people):
    """A plan of each level of one branch, and one of a sibling grassroots union."""
    made = {}
    for key, unit, user in (
        ("province", small_tree["kg"], people["province"]),
        ("district", small_tree["rg"], people["district"]),
        ("own", small_tree["a"], people["chair"]),
        ("sibling", small_tree["b"], people["sibling_chair"]),
    ):
        made[key] = services.create_programme(user=user, spec=spec_for(unit, f"{unit.code}-KH-2024"))
    return made


def task_of(unit, programme: Programme, title: str = "Đối thoại") -> Task:
    """A task of ``programme`` that ``unit`` is responsible for."""
    task = services.add_part(user=None, programme=programme, model=Task, values={"title": title})
    values = {"who": unit.name, "unit": unit, "task": task}
    services.add_part(user=None, programme=programme, model=Responsibility, values=values)
    return task


def target(**extra) -> services.TargetSpec:
    values = dict(text="Kết nạp 120 đoàn viên mới", value=Decimal(120), kind="count", manual=True)
    return services.TargetSpec(**{**values, **extra})


# ------------------------------------------------------------------------------------------ seeing


def test_a_unit_sees_its_subtree_and_the_programmes_above_it_never_a_siblings(plans, people):
    def refs(user):
        return set(selectors.programmes_for(user).values_list("ref", flat=True))

    assert refs(people["chair"]) == {"KG-KH-2024", "KG-RG-KH-2024", "KG-RG-01-KH-2024"}
    assert refs(people["district"]) == {"KG-KH-2024", "KG-RG-KH-2024", "KG-RG-01-KH-2024", "KG-RG-02-KH-2024"}
    assert refs(people["other_district"]) == {"KG-KH-2024"}
    assert refs(people["province"]) == set(plans[key].ref for key in plans)
    with pytest.raises(Http404):
        selectors.programme_for(people["chair"], "KG-RG-02-KH-2024")


def test_a_unit_moved_away_still_sees_what_its_former_district_issued_while_it_was_there(
    plans, people, small_tree
):
    """A grassroots union moved from one district to another (or whose province merged away) reads the old
    district's programmes it carried out; not those issued after it left, nor those over before it came."""
    district = people["district"]
    later = services.create_programme(
        user=district, spec=spec_for(small_tree["rg"], "KG-RG-KH-2025", issued_on=datetime.date(2025, 1, 5))
    )
    before = services.create_programme(
        user=district,
        spec=spec_for(
            small_tree["rg"], "KG-RG-KH-2018", issued_on=datetime.date(2018, 1, 5), period_start=2018
        ),
    )
    decision = unit_services.record_decision(
        number="05/QĐ-LĐLĐ", signed_on=D(2024, 5, 20), signer="Lê Văn Bình"
    )
    unit_services.move_units(
        units=[small_tree["a"]], new_parent=small_tree["pq"], effective_on=D(2024, 6, 1), decision=decision
    )
    people["chair"].unit.refresh_from_db()

    seen = set(selectors.programmes_for(people["chair"]).values_list("ref", flat=True))

    assert seen == {"KG-KH-2024", "KG-RG-KH-2024", "KG-RG-01-KH-2024"}
    assert later.ref not in seen and before.ref not in seen
    assert not services.may_edit(people["chair"], plans["district"].unit)
    # and reads its own progress in it, though it left the district halfway through the year
    assert progress.unit_for(people["chair"], plans["district"], None, D(2026, 1, 1)) == small_tree["a"]
    with pytest.raises(Http404):
        progress.unit_for(people["chair"], later, None, D(2026, 1, 1))


def test_seeing_above_needs_a_role_that_sees(plans, small_tree):
    nobody = make_user("inactive", small_tree["a"], Role.CHAIR, is_active=False)
    assert not selectors.programmes_for(nobody).exists()


def test_what_is_seen_above_is_read_only_with_the_reason(plans, people):
    province_plan = plans["province"]
    for user in (people["district"], people["chair"]):
        assert not services.may_edit(user, province_plan.unit)
        with pytest.raises(PermissionDenied) as refused:
            services.add_part(
                user=user, programme=province_plan, model=Target, values=dataclasses.asdict(target())
            )
        assert "Liên đoàn Lao động tỉnh Kiên Giang" in str(refused.value)
        with pytest.raises(PermissionDenied):
            services.update_programme(
                user=user,
                programme=province_plan,
                spec=dataclasses.replace(services.ProgrammeSpec.of(province_plan), title="x"),
            )
        with pytest.raises(PermissionDenied):
            services.delete_programme(user=user, programme=province_plan)
    assert Programme.objects.get(pk=province_plan.pk).title == "Kế hoạch phát triển đoàn viên năm 2024"
    assert not province_plan.targets.exists()


# --------------------------------------------------------------------------------------- programmes


def test_a_district_adopts_the_provinces_plan_into_its_own(plans, people, small_tree):
    with change_context(user=people["district"]):
        adopted = services.create_programme(
            user=people["district"],
            spec=spec_for(
                small_tree["rg"], "KG-RG-KH-2024-B", parent=plans["province"], themes=[" Năm   thi đua "]
            ),
        )
    assert (adopted.parent, adopted.themes, adopted.unit) == (
        plans["province"],
        ["Năm thi đua"],
        small_tree["rg"],
    )
    change = ObjectChange.objects.for_object(adopted).get()
    assert (change.action, change.user, change.unit) == ("create", people["district"], small_tree["rg"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(period_kind=PeriodKind.TERM, period_start=2023, period_end=2023), "period_end"),
        (dict(period_kind=PeriodKind.YEAR, period_start=None), "period_start"),
        (dict(ref="có dấu cách"), "ref"),
        (dict(issuer_name=""), "issuer_name"),
        (dict(issuer_unit="sibling"), "issuer_unit"),
        (dict(parent="sibling"), "parent"),
    ],
)
def test_a_programme_that_does_not_hold_is_refused_naming_the_field(plans, people, small_tree, change, field):
    if change.get("issuer_unit") == "sibling":
        change["issuer_unit"] = small_tree["b"]
    if change.get("parent") == "sibling":
        change["parent"] = plans["sibling"]
    before = Programme.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.create_programme(
            user=people["chair"], spec=spec_for(small_tree["a"], **{"ref": "KG-RG-01-KH-2025", **change})
        )
    assert field in refused.value.message_dict, refused.value.message_dict
    assert Programme.objects.count() == before


def test_a_programme_is_filed_in_the_users_subtree_only(plans, people, small_tree):
    with pytest.raises(PermissionDenied):
        services.create_programme(user=people["chair"], spec=spec_for(small_tree["rg"], "KG-RG-KH-2025"))
    with pytest.raises(PermissionDenied):  # nor moved up out of it
        services.update_programme(
            user=people["chair"],
            programme=plans["own"],
            spec=dataclasses.replace(services.ProgrammeSpec.of(plans["own"]), unit=small_tree["rg"]),
        )
    with pytest.raises(PermissionDenied):
        services.create_programme(user=people["viewer"], spec=spec_for(small_tree["rg"], "KG-RG-KH-2025"))


def test_the_reference_stays_and_a_form_filled_programme_is_checked_as_stored(plans, people, small_tree):
    programme = plans["own"]
    with pytest.raises(ValidationError) as refused:
        services.update_programme(
            user=people["chair"],
            programme=programme,
            spec=dataclasses.replace(services.ProgrammeSpec.of(programme), ref="NEW"),
        )
    assert "ref" in refused.value.message_dict
    above = Programme.objects.get(pk=plans["district"].pk)
    above.unit = small_tree["a"]  # as a form would fill it, trying to pull the district's plan down
    with pytest.raises(PermissionDenied):
        services.update_programme(
            user=people["chair"], programme=above, spec=services.ProgrammeSpec.of(above)
        )
    assert Programme.objects.get(pk=above.pk).unit == small_tree["rg"]


def test_deleting_a_programme_takes_its_parts_along_unless_others_carry_it_out(plans, people, small_tree):
    district_plan = plans["district"]
    services.add_part(
        user=people["district"], programme=district_plan, model=Target, values=dataclasses.asdict(target())
    )
    task = services.add_part(
        user=people["district"], programme=district_plan, model=Task, values={"title": "Tuyên truyền"}
    )
    services.add_part(
        user=people["district"],
        programme=district_plan,
        model=Responsibility,
        values={"who": "Ban Tổ chức", "task": task},
    )
    adopted = services.create_programme(
        user=people["chair"], spec=spec_for(small_tree["a"], "KG-RG-01-KH-B", parent=district_plan)
    )
    with pytest.raises(ValidationError) as refused:
        services.delete_programme(user=people["district"], programme=district_plan)
    assert "KG-RG-01-KH-B" in refused.value.messages[0]
    services.delete_programme(user=people["chair"], programme=adopted)
    with change_context(user=people["district"]):
        services.delete_programme(user=people["district"], programme=district_plan)
    assert not Programme.objects.filter(pk=district_plan.pk).exists()
    deleted = ObjectChange.objects.filter(action="delete", user=people["district"])
    assert {c.content_type.model for c in deleted} == {"programme", "target", "task", "responsibility"}


# -------------------------------------------------------------------------------------------- parts


def test_every_kind_of_part_is_added_changed_and_deleted_with_its_rules(plans, people, small_tree):
    user, programme = people["district"], plans["district"]
    task = services.add_part(
        user=user, programme=programme, model=Task, values={"title": "Phát triển đoàn viên"}
    )
    parts = {
        Target: dataclasses.asdict(target()),
        Task: {"title": "Thành lập CĐCS", "deadline": datetime.date(2024, 6, 30)},
        Responsibility: {"who": "CĐCS Trường THPT Nguyễn Trung Trực", "unit": small_tree["a"], "task": task},
        SubmissionDeadline: {
            "what": "Báo cáo sơ kết",
            "submitters": "Các CĐCS",
            "receiver": "LĐLĐ thành phố",
            "due_before": datetime.date(2024, 6, 15),
        },
        Recipient: {"text": "Các CĐCS trực thuộc", "unit": small_tree["b"]},
        Basis: {"text": "Kế hoạch của LĐLĐ tỉnh", "document": plans["province"]},  # seen from below
    }
    for model, values in parts.items():
        part = services.add_part(user=user, programme=programme, model=model, values=values)
        assert part.position == (2 if model is Task else 1)
        services.update_part(user=user, part=part, values=values)
        with pytest.raises(TypeError):  # a part stays in its programme, and moves by move_part
            services.update_part(user=user, part=part, values={"programme": plans["own"], "position": 9})
        services.delete_part(user=user, part=part)
        assert not model.objects.filter(pk=part.pk).exists()


@pytest.mark.parametrize(
    ("values", "model", "field"),
    [
        ({"value": Decimal(101), "kind": "percent"}, Target, "value"),
        ({"value": Decimal("12.5")}, Target, "value"),
        ({"period_kind": PeriodKind.YEAR, "period_start": 2025}, Target, "period_kind"),
        ({"manual": False, "indicator": "members_pct"}, Target, "indicator"),
        ({"unit": "other branch"}, Responsibility, "unit"),
        ({"task": "other programme"}, Responsibility, "task"),
        ({"document": "other branch's plan"}, Basis, "document"),
    ],
)
def test_a_part_that_does_not_hold_is_refused_naming_the_field(
    plans, people, small_tree, monkeypatch, values, model, field
):
    monkeypatch.setitem(
        indicators_registry._catalogue,
        "members_pct",
        IndicatorInfo("members_pct", "percent", "Tỷ lệ đoàn viên"),
    )
    user, programme = people["district"], plans["district"]
    base = {
        Target: dataclasses.asdict(target()),
        Responsibility: {"who": "Ban Tổ chức"},
        Basis: {"text": "Nghị quyết"},
    }[model]
    replacements = {
        "other branch": make_user("ag", small_tree["ag"], Role.VIEWER).unit,
        "other programme": Task.objects.create(programme=plans["own"], position=1, title="Của CĐCS"),
        "other branch's plan": services.create_programme(
            user=None, spec=spec_for(small_tree["c"], "KG-PQ-01-KH-2024")
        ),
    }
    values = {
        name: replacements.get(value, value) if isinstance(value, str) else value
        for name, value in values.items()
    }
    with pytest.raises(ValidationError) as refused:
        services.add_part(user=user, programme=programme, model=model, values={**base, **values})
    assert field in refused.value.message_dict, refused.value.message_dict
    assert not model.objects.filter(programme=programme).exists()


def test_parts_are_reordered_and_each_move_is_logged(plans, people):
    user, programme = people["district"], plans["district"]
    made = [
        services.add_part(
            user=user, programme=programme, model=Target, values=dataclasses.asdict(target(text=text))
        )
        for text in ("một", "hai", "ba", "bốn")
    ]
    services.delete_part(user=user, part=made[1])  # a gap: 1, 3, 4
    with change_context(user=user):
        services.move_part(user=user, part=made[3], position=1)
    assert list(programme.targets.order_by("position").values_list("text", "position")) == [
        ("bốn", 1),
        ("một", 3),
        ("ba", 4),
    ]
    moves = ObjectChange.objects.filter(action="update", user=user, content_type__model="target")
    assert {(c.before["position"], c.after["position"]) for c in moves} == {(4, 1), (1, 3), (3, 4)}
    assert services.place_of(Target.objects.get(text="ba")) == 3
    services.move_part(user=user, part=made[3], position=99)  # past the end: last
    assert list(programme.targets.order_by("position").values_list("text", flat=True)) == ["một", "ba", "bốn"]


def test_responsibilities_move_among_those_of_their_task(plans, people):
    user, programme = people["district"], plans["district"]
    task = services.add_part(
        user=user, programme=programme, model=Task, values={"title": "Phát triển đoàn viên"}
    )

    def add(who, task=None):
        return services.add_part(
            user=user, programme=programme, model=Responsibility, values={"who": who, "task": task}
        )

    general, first, second = add("Ban Tổ chức"), add("CĐCS A", task), add("CĐCS B", task)
    services.move_part(user=user, part=second, position=1)
    assert list(task.responsibilities.order_by("position").values_list("who", flat=True)) == [
        "CĐCS B",
        "CĐCS A",
    ]
    general.refresh_from_db()
    assert general.position == 1 and services.place_of(Responsibility.objects.get(pk=first.pk)) == 2


# -------------------------------------------------------------------------------------------- tasks


def test_a_chair_records_progress_on_the_district_task_it_is_responsible_for(plans, people, small_tree):
    task = task_of(small_tree["a"], plans["district"])
    with change_context(user=people["chair"]):
        services.record_task_progress(
            user=people["chair"], task=task, status=TaskStatus.DONE, evidence=" Biên bản 12/5 "
        )
    task.refresh_from_db()
    assert (task.status, task.evidence) == (TaskStatus.DONE, "Biên bản 12/5")
    assert ObjectChange.objects.for_object(task).latest("id").user == people["chair"]
    for outsider in (people["sibling_chair"], people["viewer"]):
        with pytest.raises(PermissionDenied):
            services.record_task_progress(user=outsider, task=task, status=TaskStatus.DROPPED, evidence="")
    with pytest.raises(PermissionDenied):  # progress only: the task itself stays the district's
        services.update_part(user=people["chair"], part=task, values={"title": "Khác"})
    with pytest.raises(ValidationError) as refused:
        services.record_task_progress(user=people["district"], task=task, status="finished", evidence="")
    assert "status" in refused.value.message_dict
