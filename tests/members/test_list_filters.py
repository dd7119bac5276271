"""The member list's filters with odd input: an error on the form, never a 500."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.mark.parametrize("path", ["/members/", "/members/duplicates/", "/members/count/"])
def test_a_nul_in_the_unit_filter_is_refused_on_its_field(registry, path):
    # PostgreSQL refuses NUL in text: the request is refused before the unit picker asks the database.
    client = Client()
    client.force_login(registry.world.users["officer"])
    response = client.get(path, {"unit": "KG\x00"})
    assert response.status_code == 400 and "“unit”" in response.content.decode()


@pytest.mark.parametrize("path", ["/members/", "/members/count/", "/members/export/", "/api/members/"])
def test_a_search_longer_than_any_name_is_refused_on_its_field(registry, path):
    # Each word of a search is a condition: a pasted page of words must not overflow the database's query.
    client = Client()
    client.force_login(registry.world.users["officer"])
    response = client.get(path, {"q": " ".join(["an"] * 1200)})
    if path.startswith("/api/"):
        assert response.status_code == 400 and "q" in response.json()
    elif path == "/members/export/":
        assert response.status_code == 302 and response.url.startswith("/members/?")
    elif path == "/members/count/":
        assert response.status_code == 200
    else:
        assert response.status_code == 200 and "q" in response.context["filterset"].errors


@pytest.mark.parametrize(
    "filters", [{"unit": "AG-LX-01"}, {"unit": "KG-XX"}, {"joined_from": "31/02/2020"}, {"status": "nobody"}]
)
def test_a_refused_filter_is_never_dropped_from_the_file(registry, filters, english):
    """The page shows the refusal under the field; the file and the API's file are refused the same way,
    not written with the whole scope (Lê Văn Cường of An Giang was never in it; everyone else was)."""
    client = Client()
    client.force_login(registry.world.users["officer"])
    page = client.get("/members/export/", {**filters, "format": "csv"})
    assert page.status_code == 302
    shown = client.get(page.url)
    assert set(filters) <= set(shown.context["filterset"].errors)
    with translation.override(settings.LANGUAGE_CODE):  # the pages speak the default language
        expected = translation.gettext("Correct the list's filters, then export it.")
    assert expected in [str(m) for m in shown.context["messages"]]
    api = client.get("/api/members/export/", {**filters, "file_format": "csv"})
    assert api.status_code == 400 and set(filters) <= set(api.json())
