"""Tokens, the current user, and what administrators may do to accounts."""

import pytest
from django.test import override_settings
from django.urls import reverse

from congdoan.accounts.models import FailedLogin, Role, User
from tests.mixins import client_for, make_user

TOKEN = reverse("accounts-api:token")
ME = reverse("accounts-api:me")
USERS = reverse("accounts-api:user-list")
PASSWORD = "Hội-nghị-người-lao-động-2025"


@pytest.fixture
def officer(world):
    user = world.users["officer"]
    user.set_password(PASSWORD)
    user.save()
    return user


def test_token_opens_the_api(officer):
    response = client_for(None).post(TOKEN, {"username": "kg-officer", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get(ME).json()
    assert (me["username"], me["unit"], me["role"]) == ("kg-officer", "KG", "officer")
    assert me["actions"] == ["view", "change", "reorganise", "view_personal_data"]


def test_wrong_password_is_refused_and_counted(officer):
    response = client_for(None).post(TOKEN, {"username": "kg-officer", "password": "sai"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert FailedLogin.objects.filter(username="kg-officer").count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_too_many_failures_lock_the_token_like_the_login_page(officer):
    client = client_for(None)
    for _ in range(3):
        assert (
            client.post(TOKEN, {"username": "kg-officer", "password": "sai"}, format="json").status_code
            == 400
        )
    locked = client.post(TOKEN, {"username": "kg-officer", "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert "Retry-After" in locked


def test_a_token_request_without_fields_names_them(db):
    response = client_for(None).post(TOKEN, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_me_needs_a_login(db):
    assert client_for(None).get(ME).status_code in (401, 403)


def test_an_admin_does_not_see_or_change_a_superuser_of_their_unit(world):
    root = make_user("kg-root", world.units["kg"], Role.ADMIN, is_superuser=True)
    admin = client_for(world.users["admin"])
    assert root.pk not in {row["id"] for row in admin.get(USERS).json()["results"]}
    detail = reverse("accounts-api:user-detail", kwargs={"pk": root.pk})
    assert admin.patch(detail, {"password": "Mot-mat-khau-moi-2025"}, format="json").status_code == 404
    assert not User.objects.get(pk=root.pk).has_usable_password()


def test_a_weak_password_is_refused_on_the_password_field(world):
    body = {"username": "thu-ky", "unit": "KG-RG-01", "role": Role.VIEWER, "password": "thu-ky"}
    response = client_for(world.users["admin"]).post(USERS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert not User.objects.filter(username="thu-ky").exists()


def test_a_new_account_needs_a_password(world):
    body = {"username": "thu-ky", "unit": "KG-RG-01", "role": Role.VIEWER}
    response = client_for(world.users["admin"]).post(USERS, body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["password"]


def test_the_password_is_set_and_never_shown(world):
    body = {"username": "thu-ky", "unit": "KG-RG-01", "role": Role.VIEWER, "password": PASSWORD}
    response = client_for(world.users["admin"]).post(USERS, body, format="json")
    assert response.status_code == 201
    assert "password" not in response.json()
    assert User.objects.get(username="thu-ky").check_password(PASSWORD)


def test_an_admin_cannot_make_a_superuser(world):
    body = {
        "username": "thu-ky",
        "unit": "KG-RG-01",
        "role": Role.ADMIN,
        "password": PASSWORD,
        "is_superuser": True,
    }
    assert client_for(world.users["admin"]).post(USERS, body, format="json").status_code == 201
    assert not User.objects.get(username="thu-ky").is_superuser
