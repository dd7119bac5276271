"""A NUL in a cookie, a header or a multipart PUT/PATCH form is a 400 in Vietnamese naming where it was,
before anything reaches the database (the session cookie is looked up, a forwarded address stored with a
failed login; PostgreSQL refuses a NUL in any string). A multipart PATCH without one goes on to its view,
which reads its form as before."""

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from congdoan.core import null_characters
from congdoan.units.models import Unit
from tests.mixins import build_world, client_for

NUL = "\x00"
pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


@pytest.fixture
def world(small_tree):
    return build_world(small_tree)


def in_vietnamese(message, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(message(*args))


def test_a_nul_in_the_session_cookie_is_refused_without_looking_the_session_up(
    world, django_assert_num_queries
):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = f"abcdefgh{NUL}ijkl"
    with django_assert_num_queries(0):
        response = client.get(reverse("units:tree"))
    assert response.status_code == 400
    assert escape(in_vietnamese(null_characters.cookie_message, settings.SESSION_COOKIE_NAME)) in (
        response.content.decode()
    )
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""  # the broken cookie is deleted


def test_a_nul_in_another_cookie_keeps_the_users_session(world):
    client = Client()
    client.force_login(world.users["officer"])
    client.cookies["theme"] = f"dark{NUL}"
    response = client.get(reverse("units:tree"))
    assert response.status_code == 400
    assert escape(in_vietnamese(null_characters.cookie_message, "theme")) in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # still logged in
    del client.cookies["theme"]
    assert client.get(reverse("units:tree")).status_code == 200


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("x-forwarded-for", "X-Forwarded-For"),
        ("user-agent", "User-Agent"),
        ("accept-language", "Accept-Language"),
    ],
)
def test_a_nul_in_a_header_is_refused_on_pages_and_in_the_api(world, header, shown):
    message = in_vietnamese(null_characters.header_message, shown)
    page = Client().post(
        LOGIN, {"username": "kg-officer", "password": "sai"}, headers={header: f"10.0.0.1{NUL}"}
    )
    assert page.status_code == 400 and escape(message) in page.content.decode()
    api = client_for(world.users["officer"]).get("/api/units/", headers={header: f"vi{NUL}"})
    assert api.status_code == 400 and api.json() == {"detail": [message]}


def test_a_multipart_patch_with_a_nul_is_refused_naming_the_field(world):
    client = client_for(world.users["officer"])
    url = "/api/units/KG-RG-01/"
    response = client.patch(url, {"phone": f"0297{NUL}", "address": "Rạch Giá"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"phone": [in_vietnamese(null_characters.field_message, "phone")]}
    assert Unit.objects.get(code="KG-RG-01").phone == ""


def test_a_multipart_patch_without_a_nul_reaches_its_view(world):
    response = client_for(world.users["officer"]).patch(
        "/api/units/KG-RG-01/", {"phone": "0297 3862 222"}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert Unit.objects.get(code="KG-RG-01").phone == "0297 3862 222"


# ------------------------------------------------------------------------ a body over Django's limits


def test_a_json_body_over_the_size_limit_gets_the_apis_error_format(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = client_for(world.users["officer"])
    body = {"unit": "KG-RG-01", "note": "x" * (1024 * 1024)}
    response = client.post("/api/card-requests/", body, format="json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": in_vietnamese(null_characters.too_large_message, RequestDataTooBig())
    }
    assert "1 MB" in response.json()["detail"]


def test_a_form_with_too_many_fields_gets_a_page_saying_so(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = client_for(world.users["officer"])
    response = client.post(reverse("units:tree"), {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400
    message = in_vietnamese(null_characters.too_large_message, TooManyFieldsSent())
    assert escape(message) in response.content.decode() and "10" in message


def test_the_limits_are_written_as_vietnamese_numbers(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440  # Django's default, 2.5 MB
    with translation.override("vi"):
        assert "1.000" in null_characters.too_large_message(TooManyFieldsSent())
        assert "2,5 MB" in null_characters.too_large_message(RequestDataTooBig())
