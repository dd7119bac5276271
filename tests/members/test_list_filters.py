"""The member list's filters with odd input: an error on the form, never a 500."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.mark.parametrize("path", ["/members/", "/members/duplicates/", "/members/count/"])
def test_a_nul_in_the_unit_filter_is_an_unknown_unit(registry, path):
    # PostgreSQL refuses NUL in text: the unit picker must not ask the database for such a code.
    client = Client()
    client.force_login(registry.world.users["officer"])
    response = client.get(path, {"unit": "KG\x00"})
    assert response.status_code == 200
    if "filterset" in (response.context or {}):
        assert "unit" in response.context["filterset"].errors
