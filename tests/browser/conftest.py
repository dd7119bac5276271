"""Browser tests: Debian's chromium (see tests/conftest.py) against the live server, as a Vietnamese user."""

import pytest

from tests.mixins import build_world

PASSWORD = "Cong-doan-Kien-Giang-2025"


@pytest.fixture
def browser_context_args(browser_context_args):
    # A Vietnamese browser: the pages come in Vietnamese and the date pickers show dd/mm/yyyy.
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def officer(small_tree, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # the live server speaks plain http
    user = build_world(small_tree).users["officer"]
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def logged_in(page, live_server, officer):
    """A page logged in as the Kiên Giang officer through the login form."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/units/")
    return page
