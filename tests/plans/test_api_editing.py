"""The programmes API for writing: the generated CRUD and permission tests for programmes and each kind of
part, then the rules the services keep (bad input 400 naming the field, a programme above 403 with why)."""

import dataclasses
import datetime

import pytest

from congdoan.accounts.models import Role
from congdoan.plans import services
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
from tests.mixins import APIViewTestCases, build_world, client_for, make_user
from tests.plans.test_editing import spec_for, target, task_of

WRITERS = frozenset({"superuser", "admin", "officer", "chair"})


def plan_of(unit) -> Programme:
    """The plan filed under ``unit`` (one per unit)."""
    existing = Programme.objects.filter(ref=f"{unit.code}-KH-2024").first()
    return existing or services.create_programme(user=None, spec=spec_for(unit, f"{unit.code}-KH-2024"))


class TestProgrammeAPI(APIViewTestCases.CRUD):
    model = Programme
    basename = "plans-api:programme"
    lookup = "ref"
    create_roles = update_roles = delete_roles = WRITERS

    def make(self, world, unit):
        return plan_of(unit)

    def create_data(self, world):
        return {
            "ref": "KG-RG-01-CT-2025",
            "kind": "work_programme",
            "number": "01/CTr-CĐCS",
            "issuer": "Công đoàn cơ sở Trường THPT Nguyễn Trung Trực",
            "issuer_unit": world.own_unit.code,
            "unit": world.own_unit.code,
            "issued_on": "15/01/2025",
            "period_kind": "year",
            "period_start": 2025,
            "themes": ["Năm chuyển đổi số"],
        }

    def update_data(self, world):
        return {"title": "Kế hoạch phát triển đoàn viên năm 2024 (sửa đổi)", "place": "Rạch Giá"}


class PartAPITests(APIViewTestCases.CRUD):
    """Each kind of part belongs to the plan of the unit it is made for."""

    create_roles = update_roles = delete_roles = WRITERS
    reference_field = "programme"
    values: dict

    def make(self, world, unit):
        return services.add_part(user=None, programme=plan_of(unit), model=self.model, values=self.values)

    def create_data(self, world):
        return {**self.body, "programme": plan_of(world.own_unit).ref}


class TestTargetAPI(PartAPITests):
    model = Target
    basename = "plans-api:target"
    values = dataclasses.asdict(target())
    body = {"text": "70% CĐCS có thỏa ước", "value": 70, "kind": "percent", "manual": True}

    def update_data(self, world):
        return {"text": "Kết nạp 150 đoàn viên mới", "value": 150.0}


class TestTaskAPI(PartAPITests):
    model = Task
    basename = "plans-api:task"
    values = {"title": "Tuyên truyền pháp luật"}
    body = {"title": "Phát triển đoàn viên", "deadline": "30/06/2024", "kind": "solution"}

    def update_data(self, world):
        return {"title": "Tuyên truyền Bộ luật Lao động", "status": "in_progress"}


class TestResponsibilityAPI(PartAPITests):
    model = Responsibility
    basename = "plans-api:responsibility"
    values = {"who": "Ban Tổ chức"}
    body = {"who": "Ban Tuyên giáo", "what": "Hướng dẫn các CĐCS"}

    def update_data(self, world):
        return {"who": "Ban Nữ công", "what": "Theo dõi"}


class TestDeadlineAPI(PartAPITests):
    model = SubmissionDeadline
    basename = "plans-api:deadline"
    values = {
        "what": "Báo cáo sơ kết",
        "submitters": "Các CĐCS",
        "receiver": "LĐLĐ thành phố",
        "due_before": datetime.date(2024, 6, 15),
    }
    body = {
        "what": "Dự thảo chương trình",
        "submitters": "Các tổ",
        "receiver": "Ban chấp hành",
        "due_before": "2024-02-01",
    }

    def update_data(self, world):
        return {"receiver": "Văn phòng LĐLĐ", "channel": "email"}


class TestRecipientAPI(PartAPITests):
    model = Recipient
    basename = "plans-api:recipient"
    values = {"text": "Các tổ công đoàn"}
    body = {"text": "Như trên", "purpose": "để th/h"}

    def update_data(self, world):
        return {"text": "Lưu VP", "purpose": "để b/c"}


class TestBasisAPI(PartAPITests):
    model = Basis
    basename = "plans-api:basis"
    values = {"text": "Nghị quyết Đại hội"}
    body = {"text": "Kế hoạch của LĐLĐ tỉnh"}

    def update_data(self, world):
        return {"text": "Chương trình công tác của LĐLĐ thành phố"}


# ------------------------------------------------------------------------------------------- rules


@pytest.fixture
def world(small_tree):
    return build_world(small_tree)


@pytest.fixture
def chair(world):
    return world.users["chair"]


@pytest.fixture
def province_plan(world):
    plan = plan_of(world.units["kg"])
    services.add_part(user=None, programme=plan, model=Target, values=dataclasses.asdict(target()))
    return plan


def test_a_chair_reads_the_provinces_plan_and_its_writes_are_refused_with_the_reason(
    world, chair, province_plan
):
    client = client_for(chair)
    assert client.get(f"/api/programmes/{province_plan.ref}/").json()["targets"][0]["value"] == 120
    assert province_plan.ref in {p["ref"] for p in client.get("/api/programmes/").json()["results"]}
    part = province_plan.targets.get()
    assert (
        client.get(f"/api/programme-targets/?programme={province_plan.ref}").json()["results"][0]["id"]
        == part.pk
    )
    for method, url, body in (
        ("patch", f"/api/programmes/{province_plan.ref}/", {"title": "x"}),
        ("delete", f"/api/programmes/{province_plan.ref}/", None),
        ("post", "/api/programme-targets/", {**dataclasses.asdict(target()), "programme": province_plan.ref}),
        ("patch", f"/api/programme-targets/{part.pk}/", {"value": 1}),
        ("post", f"/api/programme-targets/{part.pk}/move/", {"position": 1}),
        ("delete", f"/api/programme-targets/{part.pk}/", None),
    ):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (url, response.content)
        assert "Liên đoàn Lao động tỉnh Kiên Giang" in response.json()["detail"]
    assert province_plan.targets.get().value == 120


def test_a_sibling_s_plan_stays_out_of_sight(world, chair):
    sibling = plan_of(world.units["b"])
    assert client_for(chair).get(f"/api/programmes/{sibling.ref}/").status_code == 404
    assert sibling.ref not in {p["ref"] for p in client_for(chair).get("/api/programmes/").json()["results"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "percent", "value": 101}, "value"),
        ({"value": 12.5}, "value"),
        ({"period_kind": "year", "period_start": 2023}, "period_kind"),
        ({"manual": False}, "indicator"),
        ({"manual": False, "indicator": "no_such_indicator"}, "indicator"),
        ({"programme": "KG-RG-02-KH-2024"}, "programme"),  # the sibling's: out of sight
    ],
)
def test_a_bad_target_is_refused_naming_the_field(world, chair, change, field):
    plan_of(world.units["b"])
    body = {**dataclasses.asdict(target()), "programme": plan_of(world.own_unit).ref, **change}
    response = client_for(chair).post("/api/programme-targets/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Target.objects.exists()


def test_a_programme_names_only_units_and_programmes_in_sight(world, chair):
    base = TestProgrammeAPI().create_data(world)
    client = client_for(chair)
    for field, value in (
        ("issuer_unit", "AG-LX-01"),
        ("parent", plan_of(world.units["b"]).ref),
        ("unit", "KG-RG"),
    ):
        response = client.post("/api/programmes/", {**base, field: value}, format="json")
        assert response.status_code == 400 and field in response.json(), (field, response.content)
    province = plan_of(world.units["kg"])
    created = client.post("/api/programmes/", {**base, "parent": province.ref}, format="json")
    assert created.status_code == 201 and created.json()["parent"] == province.ref
    changed = client.patch(
        f"/api/programmes/{base['ref']}/", {"ref": "OTHER", "period_kind": "term"}, format="json"
    )
    assert changed.status_code == 400 and "period_end" in changed.json()
    assert Programme.objects.get(ref=base["ref"]).period_kind == "year"


def test_parts_move_through_the_api(world, chair):
    plan = plan_of(world.own_unit)
    made = [
        services.add_part(user=None, programme=plan, model=Task, values={"title": title})
        for title in ("A", "B", "C")
    ]
    client = client_for(chair)
    moved = client.post(f"/api/programme-tasks/{made[2].pk}/move/", {"position": 1}, format="json")
    assert moved.status_code == 200 and moved.json()["position"] == 1
    assert list(plan.tasks.order_by("position").values_list("title", flat=True)) == ["C", "A", "B"]
    assert (
        client.post(f"/api/programme-tasks/{made[0].pk}/move/", {"position": 0}, format="json").status_code
        == 400
    )


def test_a_chair_records_progress_on_the_district_task_it_is_responsible_for(world, chair):
    task = task_of(world.own_unit, plan_of(world.units["rg"]))
    client = client_for(chair)
    answer = client.post(
        f"/api/programme-tasks/{task.pk}/progress/", {"status": "done", "evidence": "Biên bản"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "done"
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert client.patch(f"/api/programme-tasks/{task.pk}/", {"title": "x"}, format="json").status_code == 403
    stranger = make_user("rg02-chair", world.units["b"], Role.CHAIR)
    refused = client_for(stranger).post(
        f"/api/programme-tasks/{task.pk}/progress/", {"status": "done"}, format="json"
    )
    assert refused.status_code == 403
    bad = client.post(f"/api/programme-tasks/{task.pk}/progress/", {"status": "finished"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()


def test_a_programme_others_carry_out_is_not_deleted(world, chair):
    district_plan = plan_of(world.units["rg"])
    services.create_programme(user=None, spec=spec_for(world.own_unit, "KG-RG-01-KH-B", parent=district_plan))
    response = client_for(world.users["officer"]).delete(f"/api/programmes/{district_plan.ref}/")
    assert response.status_code == 400 and "KG-RG-01-KH-B" in str(response.json())
    assert Programme.objects.filter(pk=district_plan.pk).exists()
