import pytest
from django.test import Client
from django.urls import reverse

from congdoan.accounts.models import FailedLogin

PASSWORD = "mat-khau-that-dai-2025"


@pytest.fixture
def officer(world):
    user = world.users["officer"]
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(username, password, address="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=address)
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_is_vietnamese_and_open(small_tree):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'<html lang="vi">' in response.content


def test_login_lands_on_the_tree(officer):
    response = attempt(officer.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("units:tree")


def test_wrong_password_is_refused_in_vietnamese_and_counted(officer):
    response = attempt(officer.username, "sai-mat-khau")
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()
    assert FailedLogin.objects.filter(username=officer.username).count() == 1


def test_too_many_failures_lock_the_user_name_even_with_the_right_password(officer, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for number in range(3):
        attempt(officer.username, "sai", address=f"10.0.0.{number + 1}")  # from different addresses
    response = attempt(officer.username, PASSWORD, address="10.9.9.9")
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["__all__"]
    assert errors[0].code == "locked"
    assert "/" in errors[0].params["time"]  # "HH:MM dd/mm/yyyy": when to try again
    assert "_auth_user_id" not in response.wsgi_request.session


def test_too_many_failures_lock_the_address_for_every_user_name(officer, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for name in ("a", "b", "c"):
        attempt(name, "sai", address="10.0.0.7")
    assert attempt(officer.username, PASSWORD, address="10.0.0.7").status_code == 200
    assert attempt(officer.username, PASSWORD, address="10.0.0.8").status_code == 302


def test_lock_lifts_after_the_window(officer, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    attempt(officer.username, "sai")
    attempt(officer.username, "sai")
    assert attempt(officer.username, PASSWORD).status_code == 200
    FailedLogin.objects.update(at=FailedLogin.objects.first().at.replace(year=2000))
    assert attempt(officer.username, PASSWORD).status_code == 302


def test_success_forgets_the_user_names_failures(officer):
    attempt(officer.username, "sai")
    assert attempt(officer.username, PASSWORD).status_code == 302
    assert not FailedLogin.objects.filter(username=officer.username).exists()


def test_logout_needs_post_and_ends_the_session(client_as):
    client = client_as("officer")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("units:tree")).status_code == 302
