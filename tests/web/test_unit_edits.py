import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from congdoan.audit.models import ObjectChange
from congdoan.units.models import Decision, Employer, EmployerWorkforce, Unit


@pytest.fixture
def officer(client_as):
    return client_as("officer")


def test_edit_plain_fields_is_change_logged(officer):
    unit = Unit.objects.get(code="KG-RG")
    data = {
        "unit_type": unit.unit_type_id,
        "address": "12 Trần Phú, Rạch Giá",
        "phone": "0297 3862 111",
        "email": "",
        "sector": "",
        "area": "",
        "note": "",
    }
    assert officer.post(reverse("units:edit", args=["KG-RG"]), data).status_code == 302
    unit.refresh_from_db()
    assert unit.address == "12 Trần Phú, Rạch Giá"
    change = ObjectChange.objects.for_object(unit).first()
    assert change.user_name == "kg-officer"
    assert change.after["address"] == "12 Trần Phú, Rạch Giá"


def test_edit_refuses_a_type_of_another_level(officer):
    grassroots_type = Unit.objects.get(code="KG-RG-01").unit_type_id
    response = officer.post(reverse("units:edit", args=["KG-RG"]), {"unit_type": grassroots_type})
    assert "unit_type" in response.context["form"].errors
    assert Unit.objects.get(code="KG-RG").unit_type_id != grassroots_type


def test_employer_add_edit_delete(officer):
    data = {
        "name": "Công ty TNHH Thủy sản Kiên Cường",
        "tax_code": "1700123456",
        "workforce": "1250",
        "female_workforce": "800",
        "workforce_on": "2025-01-01",
        "sector": "private",
    }
    assert officer.post(reverse("units:employer_create", args=["KG-RG-02"]), data).status_code == 302
    employer = Employer.objects.get(unit__code="KG-RG-02")
    assert employer.workforce_on == datetime.date(2025, 1, 1)
    page = officer.get(reverse("units:detail", args=["KG-RG-02"])).content.decode()
    assert "1.250" in page and "Công ty TNHH Thủy sản Kiên Cường" in page

    assert (
        officer.post(
            reverse("units:employer_edit", args=[employer.pk]), {**data, "workforce": "1300"}
        ).status_code
        == 302
    )
    employer.refresh_from_db()
    assert employer.workforce == 1300

    assert officer.post(reverse("units:employer_delete", args=[employer.pk])).status_code == 302
    assert not Employer.objects.exists()
    assert ObjectChange.objects.filter(
        action="delete", object_repr="Công ty TNHH Thủy sản Kiên Cường"
    ).exists()


def test_employer_refusals_name_the_field(officer):
    data = {"name": "Công ty A", "workforce": "10", "female_workforce": "20"}
    response = officer.post(reverse("units:employer_create", args=["KG-RG-02"]), data)
    assert "female_workforce" in response.context["form"].errors
    response = officer.post(reverse("units:employer_create", args=["KG-RG-02"]), {**data, "name": ""})
    assert response.context["form"].errors["name"] == ["Trường này là bắt buộc."]
    assert not Employer.objects.exists()


def test_a_workforce_figure_refused_without_javascript_comes_back_on_a_page_of_its_own(officer):
    """The employer's page records a figure inline through htmx; a plain post that is refused shows the
    figures and the form on their own page, each refusal in Vietnamese under its field, nothing written."""
    employer = Employer.objects.create(unit=Unit.objects.get(code="KG-RG-02"), name="Công ty A", workforce=10)
    record_url = reverse("units:employer_workforce", args=[employer.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refusals = [
        (
            {"on": f"{tomorrow:%d/%m/%Y}", "workforce": "10", "female_workforce": "0"},
            "on",
            "không cho ngày sau đó",
        ),
        (
            {"on": "31/12/2020", "workforce": "10", "female_workforce": "11"},
            "female_workforce",
            "Số lao động nữ không được vượt quá tổng số lao động.",
        ),
    ]
    for data, field, message in refusals:
        response = officer.post(record_url, data)
        assert response.status_code == 200
        assert response.templates[0].name == "units/employer_workforce.html"
        [error] = response.context["workforce_form"].errors[field]
        page = response.content.decode()
        assert message in error and error in page and f'id="id_figure_{field}_error"' in page
        assert f'href="{reverse("units:employer_edit", args=[employer.pk])}"' in page  # back to the employer
    assert not EmployerWorkforce.objects.exists()
    employer.refresh_from_db()
    assert (employer.workforce, employer.workforce_on) == (10, None)


def test_employers_belong_to_grassroots_unions_only(officer):
    assert officer.get(reverse("units:employer_create", args=["KG-RG"])).status_code == 404


def test_employer_list_is_scoped_and_filtered(officer, world):
    Employer.objects.create(unit=world.units["a"], name="Trường THPT Nguyễn Trung Trực", workforce=90)
    Employer.objects.create(unit=world.units["d"], name="Công ty CP Bê tông Long Xuyên", workforce=400)
    page = officer.get(reverse("units:employers")).content.decode()
    assert "Nguyễn Trung Trực" in page and "Bê tông" not in page
    response = officer.get(reverse("units:employers"), {"workforce_min": "100"})
    assert list(response.context["page"]) == []


def test_unit_list_sorts_and_filters(officer):
    response = officer.get(reverse("units:list"), {"sort": "-code"})
    codes = [unit.code for unit in response.context["page"]]
    assert codes == sorted(codes, reverse=True) and "AG" not in codes
    response = officer.get(reverse("units:list"), {"level": "grassroots", "q": "sao bien"})
    assert [unit.code for unit in response.context["page"]] == ["KG-PQ-01"]
    # An unknown sort key falls back to the name.
    assert officer.get(reverse("units:list"), {"sort": "password"}).status_code == 200


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def decision_data(number: str, filename: str = "qd.pdf", content: bytes = b"%PDF-1.4") -> dict:
    return {
        "number": number,
        "signed_on": "2025-03-01",
        "signer": "Lê Văn Cường",
        "summary": "Thành lập công đoàn cơ sở",
        "file": SimpleUploadedFile(filename, content),
    }


def test_decision_create_with_file_and_list(officer, media):
    assert officer.post(reverse("units:decision_create"), decision_data("101/QĐ-LĐLĐ")).status_code == 302
    decision = Decision.objects.get(number="101/QĐ-LĐLĐ")
    assert decision.issuer.code == "KG"
    page = officer.get(reverse("units:decisions")).content.decode()
    assert "101/QĐ-LĐLĐ" in page and "01/03/2025" in page


def test_decision_refuses_a_file_that_is_not_a_document(officer, media):
    response = officer.post(reverse("units:decision_create"), decision_data("1/QĐ", "x.exe", b"MZ"))
    assert "file" in response.context["form"].errors
    assert not Decision.objects.exists()


def test_decision_file_is_scoped(client_as, media):
    officer = client_as("officer")
    officer.post(reverse("units:decision_create"), decision_data("5/QĐ"))
    decision = Decision.objects.get(number="5/QĐ")
    assert officer.get(reverse("units:decision_file", args=[decision.pk])).status_code == 200
    assert client_as("outsider").get(reverse("units:decision_file", args=[decision.pk])).status_code == 404
