"""Reorganisation forms: preview (nothing kept), confirm (the service runs), refusals on the right field."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from congdoan.audit.models import ObjectChange
from congdoan.units import selectors
from congdoan.units.models import Decision, Succession, Unit, UnitLink

EFFECTIVE = "2025-07-01"
DECISION = {
    "number": "15/QĐ-LĐLĐ",
    "signed_on": "2025-06-20",
    "signer": "Trần Thị Bình",
    "effective_on": EFFECTIVE,
}


def snapshot():
    """What a refused or previewed change must leave exactly as it was."""
    return (
        UnitLink.objects.count(),
        Decision.objects.count(),
        ObjectChange.objects.count(),
        list(Unit.objects.order_by("pk").values_list("path", "dissolved_on", "name")),
    )


def parent_code_on(code, on):
    link = UnitLink.objects.filter(selectors.valid_on(on), unit__code=code).select_related("parent").get()
    return link.parent.code


def confirm_from_preview(client, url, preview_response):
    """Send back what the preview page carries in its hidden fields, as the Confirm button does."""
    page = preview_response.content.decode()
    button = page.index('name="confirm"')
    form = page[page.rindex("<form", 0, button) : button]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(html.unescape(name), []).append(html.unescape(value))
    data.pop("csrfmiddlewaretoken", None)
    return client.post(url, {**data, "confirm": "1"})


@pytest.fixture
def officer(client_as):
    return client_as("officer")


def test_move_preview_shows_what_moves_and_changes_nothing(officer):
    before = snapshot()
    response = officer.post(reverse("units:move"), {**DECISION, "units": ["KG-RG"], "new_parent": "KG-PQ"})
    assert response.status_code == 200
    # KG-RG cannot go under an upper-level unit of its own level: refused on the field, in the form.
    assert "new_parent" in response.context["form"].errors
    assert snapshot() == before


def test_merge_preview_lists_units_moving_below_and_the_successor(officer):
    before = snapshot()
    response = officer.post(reverse("units:merge"), {**DECISION, "sources": ["KG-PQ"], "into": "KG-RG"})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(m.unit.code, m.old_parent.code, m.new_parent.code, m.below) for m in preview.moved] == [
        ("KG-PQ-01", "KG-PQ", "KG-RG", 0)
    ]
    assert [(e.unit.code, [s.code for s in e.successors]) for e in preview.ended] == [("KG-PQ", ["KG-RG"])]
    page = response.content.decode()
    assert "Công đoàn cơ sở Khách sạn Sao Biển" in page
    assert 'name="confirm"' in page
    assert snapshot() == before  # the preview ran the merge and rolled it back


def test_preview_counts_the_units_below_a_moved_unit(client_as):
    response = client_as("superuser").post(
        reverse("units:merge"), {**DECISION, "sources": ["KG"], "into": "AG"}
    )
    moved = {m.unit.code: m.below for m in response.context["preview"].moved}
    assert moved == {"KG-RG": 2, "KG-PQ": 1}
    assert response.context["preview"].units_moving == 5


def test_merge_through_the_form_really_merges(officer):
    response = officer.post(
        reverse("units:merge"), {**DECISION, "sources": ["KG-PQ"], "into": "KG-RG", "confirm": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("units:detail", args=["KG-RG"])
    pq = Unit.objects.get(code="KG-PQ")
    assert pq.dissolved_on == datetime.date(2025, 7, 1)
    assert Succession.objects.get(predecessor=pq).successor.code == "KG-RG"
    assert parent_code_on("KG-PQ-01", datetime.date(2025, 7, 1)) == "KG-RG"
    assert parent_code_on("KG-PQ-01", datetime.date(2025, 6, 30)) == "KG-PQ"
    decision = Decision.objects.get(number="15/QĐ-LĐLĐ")
    assert (decision.signer, decision.signed_on, decision.issuer.code) == (
        "Trần Thị Bình",
        datetime.date(2025, 6, 20),
        "KG",
    )
    assert ObjectChange.objects.filter(unit=pq, user_name="kg-officer").exists()
    # The unit page now tells the story.
    page = officer.get(reverse("units:detail", args=["KG-PQ"])).content.decode()
    assert "15/QĐ-LĐLĐ" in page
    assert "01/07/2025" in page


def test_merge_into_a_new_unit_confirmed_from_the_preview_page(officer):
    data = {
        **DECISION,
        "sources": ["KG-RG", "KG-PQ"],
        "new_code": "KG-DK",
        "new_name": "Công đoàn đặc khu Kiên Hải",
        "new_unit_type": Unit.objects.get(code="KG-RG").unit_type_id,
        "new_parent": "KG",
    }
    preview = officer.post(reverse("units:merge"), data)
    assert [(unit.code, parent.code) for unit, parent in preview.context["preview"].created] == [
        ("KG-DK", "KG")
    ]
    assert not Unit.objects.filter(code="KG-DK").exists()
    assert confirm_from_preview(officer, reverse("units:merge"), preview).status_code == 302
    new = Unit.objects.get(code="KG-DK")
    assert new.founded_on == datetime.date(2025, 7, 1)
    assert parent_code_on("KG-RG-01", datetime.date(2025, 7, 1)) == "KG-DK"
    assert set(Unit.objects.filter(dissolved_on__isnull=False).values_list("code", flat=True)) == {
        "KG-RG",
        "KG-PQ",
    }


def test_merge_needs_a_target(officer):
    before = snapshot()
    response = officer.post(reverse("units:merge"), {**DECISION, "sources": ["KG-PQ"]})
    assert "into" in response.context["form"].errors
    assert snapshot() == before


def test_missing_decision_number_is_named_in_vietnamese_and_nothing_changes(officer):
    before = snapshot()
    data = {**DECISION, "number": "", "sources": ["KG-PQ"], "into": "KG-RG", "confirm": "1"}
    response = officer.post(reverse("units:merge"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == ["Trường này là bắt buộc."]
    page = response.content.decode()
    assert 'id="id_number_error"' in page and "Trường này là bắt buộc." in page
    assert snapshot() == before


def test_unit_outside_scope_is_not_a_valid_choice(officer):
    before = snapshot()
    response = officer.post(
        reverse("units:move"), {**DECISION, "units": ["KG-RG-01"], "new_parent": "AG-LX", "confirm": "1"}
    )
    assert "Hãy chọn một lựa chọn hợp lệ" in response.context["form"].errors["new_parent"][0]
    assert snapshot() == before


def test_service_refusal_lands_on_its_field_and_keeps_nothing(officer):
    before = snapshot()
    data = {
        **DECISION,
        "effective_on": "2018-01-01",
        "units": ["KG-RG-01"],
        "new_parent": "KG-PQ",
        "confirm": "1",
    }
    response = officer.post(reverse("units:move"), data)
    assert response.status_code == 200
    assert "effective_on" in response.context["form"].errors
    assert snapshot() == before  # not even the decision was kept


def test_move_confirmed_with_file(officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = {
        **DECISION,
        "units": ["KG-RG-01"],
        "new_parent": "KG-PQ",
        "confirm": "1",
        "file": SimpleUploadedFile("qd-15.pdf", b"%PDF-1.4 quyet dinh", content_type="application/pdf"),
    }
    assert officer.post(reverse("units:move"), data).status_code == 302
    assert parent_code_on("KG-RG-01", datetime.date(2025, 7, 1)) == "KG-PQ"
    decision = Decision.objects.get(number="15/QĐ-LĐLĐ")
    response = officer.get(reverse("units:decision_file", args=[decision.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_rename_keeps_the_old_name_for_old_dates(officer):
    data = {
        **DECISION,
        "name": "Công đoàn phường Rạch Giá",
        "short_name": "CĐ phường Rạch Giá",
        "confirm": "1",
    }
    assert officer.post(reverse("units:rename", args=["KG-RG"]), data).status_code == 302
    old_tree = officer.get(reverse("units:tree"), {"at": "2025-06-30"}).content.decode()
    assert "Liên đoàn Lao động thành phố Rạch Giá" in old_tree
    today = officer.get(reverse("units:tree")).content.decode()
    assert "Công đoàn phường Rạch Giá" in today


def test_rename_preview_shows_old_and_new_name(officer):
    response = officer.post(
        reverse("units:rename", args=["KG-RG"]), {**DECISION, "name": "Công đoàn phường Rạch Giá"}
    )
    renamed = response.context["preview"].renamed
    assert [(r.old, r.new) for r in renamed] == [
        ("Liên đoàn Lao động thành phố Rạch Giá", "Công đoàn phường Rạch Giá")
    ]


def test_dissolve_moves_children_then_ends(officer):
    data = {**DECISION, "children_to": "KG-PQ", "successor": "KG-PQ", "confirm": "1"}
    assert officer.post(reverse("units:dissolve", args=["KG-RG"]), data).status_code == 302
    assert Unit.objects.get(code="KG-RG").dissolved_on == datetime.date(2025, 7, 1)
    assert parent_code_on("KG-RG-02", datetime.date(2025, 7, 1)) == "KG-PQ"


def test_dissolve_with_children_left_is_refused_on_the_field(officer):
    before = snapshot()
    response = officer.post(reverse("units:dissolve", args=["KG-RG"]), {**DECISION, "confirm": "1"})
    assert "children_to" in response.context["form"].errors
    assert snapshot() == before


def split_data(*parts: tuple[str, str], **extra) -> dict:
    """The split form's data: the new units as (code, name), of the split unit's type, and extra fields."""
    unit_type = Unit.objects.get(code="KG-RG").unit_type_id
    data = {**DECISION, "part-TOTAL_FORMS": str(len(parts)), "part-INITIAL_FORMS": "0", **extra}
    for number, (code, name) in enumerate(parts):
        data.update(
            {f"part-{number}-code": code, f"part-{number}-name": name, f"part-{number}-unit_type": unit_type}
        )
    return data


def test_split_shares_children_between_new_units(officer):
    data = split_data(
        ("KG-RG-A", "Công đoàn phường Vĩnh Thanh"),
        ("KG-RG-B", "Công đoàn phường Rạch Giá"),
        end_source="on",
        **{"child_KG-RG-01": "1", "child_KG-RG-02": "2"},
    )
    response = officer.post(reverse("units:split", args=["KG-RG"]), data)
    assert {code.code for code, _parent in response.context["preview"].created} == {"KG-RG-A", "KG-RG-B"}
    assert confirm_from_preview(officer, reverse("units:split", args=["KG-RG"]), response).status_code == 302
    assert parent_code_on("KG-RG-01", datetime.date(2025, 7, 1)) == "KG-RG-A"
    assert parent_code_on("KG-RG-02", datetime.date(2025, 7, 1)) == "KG-RG-B"


def test_split_refuses_a_used_code_on_the_part(officer):
    response = officer.post(reverse("units:split", args=["KG-RG"]), split_data(("KG-PQ", "Trùng mã")))
    assert "code" in response.context["form"].parts.forms[0].errors


def test_split_refuses_a_child_sent_to_an_undescribed_part(officer):
    before = snapshot()
    data = split_data(("KG-RG-A", "Công đoàn phường Vĩnh Thanh"), end_source="", **{"child_KG-RG-01": "2"})
    response = officer.post(reverse("units:split", args=["KG-RG"]), data)
    assert "child_KG-RG-01" in response.context["form"].errors
    assert snapshot() == before


def test_picker_suggests_units_in_scope_without_diacritics(officer):
    response = officer.get(reverse("units:pick"), {"q": "phu quoc", "action": "reorganise", "active": "1"})
    assert b'data-code="KG-PQ"' in response.content
    response = officer.get(reverse("units:pick"), {"q": "long xuyen", "action": "reorganise"})
    assert b"data-code" not in response.content  # An Giang is not theirs


def test_edit_step_keeps_the_entries(officer):
    data = {**DECISION, "units": ["KG-RG-01"], "new_parent": "KG-PQ", "edit": "1"}
    page = officer.post(reverse("units:move"), data).content.decode()
    assert 'value="KG-RG-01"' in page and 'value="15/QĐ-LĐLĐ"' in page
    assert 'name="preview"' in page
