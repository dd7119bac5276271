"""Every page renders for a user in scope; outside it a 404, and a 403 where the role may not act."""

import pytest
from django.test import Client
from django.urls import reverse

from congdoan.units.models import Employer

READ_PAGES = [
    ("units:tree", {}),
    ("units:list", {}),
    ("units:employers", {}),
    ("units:decisions", {}),
    ("units:detail", {"code": "KG-RG"}),
    ("units:detail", {"code": "KG-RG-01"}),
    ("units:tree_children", {"code": "KG-RG"}),
    ("audit:list", {}),
    ("audit:unit", {"code": "KG-RG"}),
]
REORGANISE_PAGES = [
    ("units:move", {}),
    ("units:merge", {}),
    ("units:rename", {"code": "KG-RG"}),
    ("units:split", {"code": "KG-RG"}),
    ("units:dissolve", {"code": "KG-RG"}),
]
CHANGE_PAGES = [
    ("units:edit", {"code": "KG-RG"}),
    ("units:employer_create", {"code": "KG-RG-01"}),
    ("units:decision_create", {}),
]
USER_PAGES = [("accounts:users", {}), ("accounts:user_create", {})]


def url(name, kwargs):
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES + REORGANISE_PAGES + CHANGE_PAGES)
def test_officer_sees_every_page_in_vietnamese_layout(client_as, name, kwargs):
    response = client_as("officer").get(url(name, kwargs))
    assert response.status_code == 200
    if name != "units:tree_children":  # a fragment for htmx
        assert b'<html lang="vi">' in response.content
        assert b'name="viewport"' in response.content


@pytest.mark.parametrize(("name", "kwargs"), USER_PAGES)
def test_admin_sees_user_pages(client_as, name, kwargs):
    assert client_as("admin").get(url(name, kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES)
def test_viewer_reads(client_as, name, kwargs):
    assert client_as("viewer").get(url(name, kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), REORGANISE_PAGES + CHANGE_PAGES + USER_PAGES)
def test_viewer_is_refused_every_change(client_as, name, kwargs):
    client = client_as("viewer")
    assert client.get(url(name, kwargs)).status_code == 403
    assert client.post(url(name, kwargs), {}).status_code in (403, 405)  # 405: a list takes no POST


@pytest.mark.parametrize(("name", "kwargs"), REORGANISE_PAGES + USER_PAGES)
def test_chair_may_not_reorganise_or_manage_users(client_as, name, kwargs):
    assert client_as("chair").get(url(name, kwargs)).status_code in (403, 404)


def test_chair_keeps_own_grassroots_union(client_as):
    client = client_as("chair")
    assert client.get(url("units:detail", {"code": "KG-RG-01"})).status_code == 200
    assert client.get(url("units:edit", {"code": "KG-RG-01"})).status_code == 200
    assert client.get(url("units:employer_create", {"code": "KG-RG-01"})).status_code == 200
    # The sibling CĐCS and the upper level are outside the chair's subtree.
    assert client.get(url("units:detail", {"code": "KG-RG-02"})).status_code == 404
    assert client.get(url("units:detail", {"code": "KG-RG"})).status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("units:detail", {"code": "KG"}),
        ("units:detail", {"code": "KG-RG-01"}),
        ("units:tree_children", {"code": "KG-RG"}),
        ("units:edit", {"code": "KG-RG"}),
        ("units:rename", {"code": "KG-RG"}),
        ("units:split", {"code": "KG-RG"}),
        ("units:dissolve", {"code": "KG-RG"}),
        ("units:employer_create", {"code": "KG-RG-01"}),
        ("audit:unit", {"code": "KG"}),
    ],
)
def test_outsider_gets_404_for_other_provinces(client_as, name, kwargs):
    assert client_as("outsider").get(url(name, kwargs)).status_code == 404


def test_outsider_cannot_touch_employer_of_another_province(client_as, world):
    employer = Employer.objects.create(
        unit=world.units["a"], name="Trường THPT Nguyễn Trung Trực", workforce=80
    )
    client = client_as("outsider")
    assert client.get(reverse("units:employer_edit", args=[employer.pk])).status_code == 404
    assert client.post(reverse("units:employer_delete", args=[employer.pk])).status_code == 404
    assert Employer.objects.filter(pk=employer.pk).exists()


def test_anonymous_is_sent_to_login(small_tree):
    response = Client().get(reverse("units:detail", args=["KG"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_header_shows_unit_role_logout_and_language_switch(client_as):
    page = client_as("officer").get(reverse("units:tree")).content.decode()
    assert "Liên đoàn Lao động tỉnh Kiên Giang" in page
    assert reverse("accounts:logout") in page
    assert reverse("set_language") in page
    assert 'value="en"' in page


def test_demo_banner_only_in_demo_mode(client_as, settings):
    client = client_as("officer")
    assert b"demo-banner" not in client.get(reverse("units:tree")).content
    settings.CONGDOAN_DEMO = True
    assert b"demo-banner" in client.get(reverse("units:tree")).content


def test_language_switch_to_english(client_as):
    client = client_as("officer")
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("units:tree")}, follow=True
    )
    assert b'<html lang="en">' in response.content


def test_numbers_and_dates_in_vietnamese_format(client_as, world):
    Employer.objects.create(
        unit=world.units["a"], name="Công ty Kiên Cường", workforce=1234, female_workforce=567
    )
    page = client_as("officer").get(reverse("units:detail", args=["KG-RG-01"])).content.decode()
    assert "1.234" in page
    assert "01/01/2019" in page
