"""What every API answer keeps to: Vietnamese by default, plain UTF-8, dd/mm/yyyy accepted, errors named."""

import gettext
from pathlib import Path

import rest_framework
from django.urls import reverse

from congdoan.audit.models import ObjectChange
from congdoan.core.api_messages import DRF_MESSAGES
from congdoan.units.models import Employer, UnitType
from tests.factories import unit_type
from tests.mixins import client_for

EMPLOYERS = reverse("units-api:employer-list")


def test_messages_are_vietnamese_without_accept_language(world):
    response = client_for(world.users["officer"]).post(EMPLOYERS, {}, format="json")
    assert response.status_code == 400
    assert response.json()["name"] == ["Trường này là bắt buộc."]
    assert response.json()["unit"] == ["Trường này là bắt buộc."]


def test_accept_language_english_is_honoured(world):
    response = client_for(world.users["officer"]).post(
        EMPLOYERS, {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["name"] == ["This field is required."]


def test_non_ascii_comes_out_unescaped(world):
    response = client_for(world.users["officer"]).get(reverse("units-api:unit-detail", kwargs={"code": "KG"}))
    assert "Liên đoàn Lao động tỉnh Kiên Giang".encode() in response.content
    assert response["Content-Type"] == "application/json"


def test_dates_in_both_formats_and_a_bad_one_named(world):
    client = client_for(world.users["officer"])
    body = {"unit": "KG-RG-01", "name": "Công ty CP Cấp thoát nước", "workforce": 10}
    assert client.post(EMPLOYERS, {**body, "workforce_on": "31/12/2024"}, format="json").status_code == 201
    assert client.post(EMPLOYERS, {**body, "workforce_on": "2024-12-31"}, format="json").status_code == 201
    response = client.post(EMPLOYERS, {**body, "workforce_on": "31/02/2024"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["workforce_on"]
    assert response.json()["workforce_on"][0].startswith("Ngày sai định dạng")
    assert Employer.objects.filter(workforce_on__year=2024).count() == 2


def test_a_bad_date_in_a_filter_is_named(world):
    response = client_for(world.users["officer"]).get(reverse("units-api:unit-list"), {"at": "hôm qua"})
    assert response.status_code == 400
    assert list(response.json()) == ["at"]


def test_model_rules_hold_in_the_api(world):
    """The model's own check (no more women than workers) answers 400 on the field, not a 500."""
    response = client_for(world.users["officer"]).post(
        EMPLOYERS,
        {"unit": "KG-RG-01", "name": "Công ty May Kiên Giang", "workforce": 10, "female_workforce": 11},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["female_workforce"]


def test_deleting_what_is_in_use_answers_409(world):
    in_use = unit_type("grassroots")
    response = client_for(world.users["superuser"]).delete(
        reverse("units-api:unit-type-detail", kwargs={"code": in_use.code})
    )
    assert response.status_code == 409
    assert "Công đoàn cơ sở" in response.json()["detail"]
    assert UnitType.objects.filter(pk=in_use.pk).exists()


def test_writes_carry_the_request_id_of_their_answer(world):
    response = client_for(world.users["officer"]).post(
        EMPLOYERS, {"unit": "KG-RG-01", "name": "Công ty Điện lực Kiên Giang"}, format="json"
    )
    change = ObjectChange.objects.for_object(Employer.objects.get(pk=response.json()["id"])).get()
    assert str(change.request_id) == response["X-Request-ID"]
    assert change.user == world.users["officer"]


def test_drf_messages_named_for_our_catalogue_are_drf_own():
    """A message renamed by a DRF upgrade would silently stay English: each must be one DRF still uses."""
    catalogue = Path(rest_framework.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    with catalogue.open("rb") as file:
        known = {key for key in gettext.GNUTranslations(file)._catalog if isinstance(key, str)}
    assert [message for message in DRF_MESSAGES if message not in known] == []


def test_drf_own_messages_come_out_vietnamese(world):
    """Messages DRF's catalogue leaves English (a bad number, a missing login) come from ours."""
    response = client_for(world.users["officer"]).post(
        EMPLOYERS, {"unit": "KG-RG-01", "name": "Công ty May", "workforce": "một trăm"}, format="json"
    )
    assert response.json()["workforce"] != ["A valid integer is required."]
    assert "nguyên" in response.json()["workforce"][0]
    anonymous = client_for(None).get(EMPLOYERS).json()["detail"]
    assert anonymous != "Authentication credentials were not provided."
