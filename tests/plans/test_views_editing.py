"""The programme pages for editing: forms, inline part forms (htmx), read only from below, refusals."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.test import Client

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.plans import services
from congdoan.plans.models import Programme, Target, Task, TaskStatus
from tests.mixins import make_user
from tests.plans.test_editing import spec_for, target, task_of

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setting(small_tree):
    people = {
        "province": make_user("kg-officer", small_tree["kg"], Role.OFFICER),
        "district": make_user("rg-officer", small_tree["rg"], Role.OFFICER),
        "chair": make_user("rg01-chair", small_tree["a"], Role.CHAIR),
        "viewer": make_user("rg-viewer", small_tree["rg"], Role.VIEWER),
    }
    province_plan = services.create_programme(user=None, spec=spec_for(small_tree["kg"], "KG-KH-2024"))
    district_plan = services.create_programme(user=None, spec=spec_for(small_tree["rg"], "KG-RG-KH-2024"))
    services.add_part(user=None, programme=province_plan, model=Target, values=dataclasses.asdict(target()))
    return {"people": people, "province": province_plan, "district": district_plan, "tree": small_tree}


PROGRAMME_FORM = {
    "ref": "KG-RG-CT-2024",
    "kind": "work_programme",
    "number": "05/CTr-LĐLĐ",
    "title": "Chương trình công tác năm 2024",
    "issuer_name": "Liên đoàn Lao động thành phố Rạch Giá",
    "issuer_unit": "KG-RG",
    "unit": "KG-RG",
    "place": "Rạch Giá",
    "issued_on": "2024-01-15",
    "signer_title": "TM. Ban Thường vụ, Chủ tịch",
    "signer_name": "Trần Văn Bình",
    "parent": "KG-KH-2024",
    "period_kind": "year",
    "period_start": "2024",
    "period_end": "",
    "period_note": "",
    "themes": "Năm tăng cường đối thoại\n\nNăm chuyển đổi số",
    "qualitative_goals": "Giữ vững ổn định",
    "attachment_note": "",
    "note": "",
}


def test_a_district_officer_enters_a_programme_carrying_out_the_provinces(setting):
    client = client_of(setting["people"]["district"])
    page = client.get("/programmes/new/").content.decode()
    assert 'name="themes"' in page and "KG-KH-2024" in page  # the province's plan may be carried out
    response = client.post("/programmes/new/", PROGRAMME_FORM)
    assert response.status_code == 302 and response["Location"] == "/programmes/KG-RG-CT-2024/"
    programme = Programme.objects.get(ref="KG-RG-CT-2024")
    assert programme.themes == ["Năm tăng cường đối thoại", "Năm chuyển đổi số"]
    assert (programme.parent, programme.unit.code, programme.period_end) == (
        setting["province"],
        "KG-RG",
        2024,
    )
    assert ObjectChange.objects.for_object(programme).get().request_id is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_kind": "term", "period_end": "2023"}, "period_end"),
        ({"unit": "KG"}, "unit"),  # above the user's unit: not among the choices
        ({"issued_on": "31/02/2024"}, "issued_on"),
        ({"ref": "KG-KH-2024"}, "ref"),  # taken
    ],
)
def test_a_programme_form_with_bad_input_names_the_field_and_saves_nothing(setting, change, field):
    before = Programme.objects.count()
    response = client_of(setting["people"]["district"]).post("/programmes/new/", {**PROGRAMME_FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert Programme.objects.count() == before


def test_the_provinces_programme_is_read_only_from_below_and_writes_are_refused_with_the_reason(setting):
    for role in ("district", "chair"):
        client = client_of(setting["people"][role])
        page = client.get("/programmes/KG-KH-2024/").content.decode()
        assert "Kết nạp 120 đoàn viên mới" in page and "Chỉ xem" in page
        assert "/programmes/KG-KH-2024/edit/" not in page and "/targets/new/" not in page
        target_pk = setting["province"].targets.get().pk
        for url in (
            "/programmes/KG-KH-2024/edit/",
            "/programmes/KG-KH-2024/delete/",
            "/programmes/KG-KH-2024/targets/new/",
            f"/programmes/KG-KH-2024/targets/{target_pk}/",
            f"/programmes/KG-KH-2024/targets/{target_pk}/delete/",
            f"/programmes/KG-KH-2024/targets/{target_pk}/move/",
        ):
            refused = client.post(url, {"title": "x", "text": "x", "value": "1", "kind": "count"})
            assert refused.status_code == 403, url
            assert "Liên đoàn Lao động tỉnh Kiên Giang" in refused.content.decode(), url
    assert Programme.objects.get(ref="KG-KH-2024").targets.get().text == "Kết nạp 120 đoàn viên mới"


def test_a_programme_out_of_sight_is_not_found(setting, small_tree):
    sibling_chair = make_user("rg02-chair", small_tree["b"], Role.CHAIR)
    services.create_programme(user=None, spec=spec_for(small_tree["a"], "KG-RG-01-KH-2024"))
    client = client_of(sibling_chair)
    assert client.get("/programmes/KG-RG-01-KH-2024/").status_code == 404
    assert client.post("/programmes/KG-RG-01-KH-2024/edit/").status_code == 404
    assert client.get("/programmes/KG-KH-2024/").status_code == 200  # the province's: above it


def test_a_viewer_reads_and_is_refused_the_forms(setting):
    client = client_of(setting["people"]["viewer"])
    assert client.get("/programmes/KG-RG-KH-2024/").status_code == 200
    assert client.get("/programmes/new/").status_code == 403
    assert client.get("/programmes/KG-RG-KH-2024/edit/").status_code == 403


def test_a_target_is_added_inline_its_errors_shown_in_place_then_saved(setting):
    client = client_of(setting["people"]["district"])
    url = "/programmes/KG-RG-KH-2024/targets/new/"
    detail = client.get("/programmes/KG-RG-KH-2024/").content.decode()
    assert f'hx-get="{url}"' in detail
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment and 'hx-post="/programmes/KG-RG-KH-2024/targets/new/"' in fragment
    form = {
        "text": "Tỷ lệ CĐCS có thỏa ước",
        "value": "101",
        "kind": "percent",
        "comparator": ">=",
        "indicator": "",
    }
    errors = client.post(url, form, **HTMX)
    assert errors.status_code == 200 and "value" in errors.context["form"].errors
    errors = client.post(url, {**form, "value": "80", "period_kind": "year", "period_start": "2023"}, **HTMX)
    assert "period_kind" in errors.context["form"].errors
    count = client.post(url, {**form, "kind": "count", "value": "12.5"}, **HTMX)
    assert "value" in count.context["form"].errors
    assert not Target.objects.filter(programme=setting["district"]).exists()
    saved = client.post(url, {**form, "value": "80"}, **HTMX)
    assert saved.status_code == 204 and saved["HX-Redirect"] == "/programmes/KG-RG-KH-2024/#targets-h"
    assert Target.objects.get(programme=setting["district"]).manual is True
    plain = client.post(url, {**form, "value": "90"})  # without htmx: a page and a redirect
    assert plain.status_code == 302


def test_parts_are_edited_moved_and_deleted_from_the_page(setting):
    user, programme = setting["people"]["district"], setting["district"]
    client = client_of(user)
    first, second = (
        services.add_part(user=user, programme=programme, model=Task, values={"title": title})
        for title in ("Tuyên truyền", "Phát triển đoàn viên")
    )
    edit = f"/programmes/KG-RG-KH-2024/tasks/{first.pk}/"
    form = {
        "kind": "task",
        "title": "Tuyên truyền pháp luật",
        "status": "in_progress",
        "deadline": "2024-06-30",
    }
    assert client.post(edit, form).status_code == 302
    first.refresh_from_db()
    assert (first.title, first.deadline) == ("Tuyên truyền pháp luật", datetime.date(2024, 6, 30))
    assert client.get(f"/programmes/KG-RG-KH-2024/tasks/{second.pk}/move/").status_code == 405
    client.post(f"/programmes/KG-RG-KH-2024/tasks/{second.pk}/move/", {"direction": "up"})
    assert list(programme.tasks.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    confirm = client.get(f"/programmes/KG-RG-KH-2024/tasks/{first.pk}/delete/")
    assert "Tuyên truyền pháp luật" in confirm.content.decode()
    client.post(f"/programmes/KG-RG-KH-2024/tasks/{first.pk}/delete/")
    assert list(programme.tasks.values_list("pk", flat=True)) == [second.pk]
    # A part named under another programme's reference is not found.
    services.create_programme(user=None, spec=spec_for(setting["tree"]["rg"], "KG-RG-KH-2024-B"))
    assert client.get(f"/programmes/KG-RG-KH-2024-B/tasks/{second.pk}/").status_code == 404


def test_a_chair_updates_the_progress_of_the_district_task_it_is_responsible_for(setting):
    district, chair = setting["people"]["district"], setting["people"]["chair"]
    programme = setting["district"]
    task = task_of(setting["tree"]["a"], programme)
    other = services.add_part(user=district, programme=programme, model=Task, values={"title": "Hội nghị"})
    client = client_of(chair)
    page = client.get("/programmes/KG-RG-KH-2024/").content.decode()
    assert f"/programmes/KG-RG-KH-2024/tasks/{task.pk}/progress/" in page
    assert f"/programmes/KG-RG-KH-2024/tasks/{other.pk}/progress/" not in page
    assert f"/programmes/KG-RG-KH-2024/tasks/{task.pk}/delete/" not in page
    saved = client.post(
        f"/programmes/KG-RG-KH-2024/tasks/{task.pk}/progress/",
        {"status": "done", "evidence": "Biên bản"},
        **HTMX,
    )
    assert saved.status_code == 204
    task.refresh_from_db()
    assert (task.status, task.evidence, task.title) == (TaskStatus.DONE, "Biên bản", "Đối thoại")
    refused = client.post(f"/programmes/KG-RG-KH-2024/tasks/{other.pk}/progress/", {"status": "done"})
    assert refused.status_code == 403
    assert client.post(f"/programmes/KG-RG-KH-2024/tasks/{task.pk}/", {"title": "x"}).status_code == 403


def test_a_programme_is_deleted_after_confirmation(setting):
    client = client_of(setting["people"]["province"])
    services.add_part(
        user=None, programme=setting["district"], model=Target, values=dataclasses.asdict(target())
    )
    assert "Xóa" in client.get("/programmes/KG-RG-KH-2024/delete/").content.decode()
    assert client.post("/programmes/KG-RG-KH-2024/delete/").status_code == 302
    assert not Programme.objects.filter(ref="KG-RG-KH-2024").exists()
    adopted = services.create_programme(
        user=None, spec=spec_for(setting["tree"]["rg"], "KG-RG-KH-2024-C", parent=setting["province"])
    )
    refused = client.post("/programmes/KG-KH-2024/delete/")
    assert refused.status_code == 200 and adopted.ref in refused.content.decode()
    assert Programme.objects.filter(ref="KG-KH-2024").exists()


def test_the_list_offers_to_enter_a_programme_to_those_who_may(setting):
    assert "/programmes/new/" in client_of(setting["people"]["chair"]).get("/programmes/").content.decode()
    assert (
        "/programmes/new/" not in client_of(setting["people"]["viewer"]).get("/programmes/").content.decode()
    )


def test_the_target_form_offers_the_catalogues_indicators(setting, monkeypatch):
    from congdoan.plans import indicators_registry
    from congdoan.plans.indicators_registry import IndicatorInfo

    monkeypatch.setitem(
        indicators_registry._catalogue,
        "members_admitted",
        IndicatorInfo("members_admitted", "count", "Đoàn viên kết nạp mới"),
    )
    client = client_of(setting["people"]["district"])
    page = client.get("/programmes/KG-RG-KH-2024/targets/new/").content.decode()
    assert "Đoàn viên kết nạp mới" in page and "Nhập tay" in page
    form = {
        "text": "Tỷ lệ",
        "value": "80",
        "kind": "percent",
        "comparator": ">=",
        "indicator": "members_admitted",
    }
    refused = client.post("/programmes/KG-RG-KH-2024/targets/new/", form)
    assert "indicator" in refused.context["form"].errors
    client.post("/programmes/KG-RG-KH-2024/targets/new/", {**form, "kind": "count", "value": "80"})
    saved = Target.objects.get(programme=setting["district"])
    assert (saved.indicator, saved.manual, saved.value) == ("members_admitted", False, Decimal(80))
