"""The catalogue page and API: what each indicator counts, the same for every logged-in user."""

from django.urls import reverse

from congdoan.indicators import catalogue
from tests.mixins import build_world, client_for


def test_the_catalogue_page_shows_every_indicator_with_its_definition(small_tree):
    client = client_for(build_world(small_tree).users["chair"])
    page = client.get(reverse("indicators:list")).content.decode()
    for indicator in catalogue.all_indicators():
        assert f'id="{indicator.code}"' in page
        assert str(indicator.definition).replace("'", "&#x27;") in page
    assert client_for(None).get(reverse("indicators:list")).status_code == 302  # to the login page


def test_the_api_lists_and_shows_indicators(small_tree):
    client = client_for(build_world(small_tree).users["viewer"])
    listed = client.get("/api/indicators/").json()
    assert [row["code"] for row in listed] == [i.code for i in catalogue.all_indicators()]
    shown = client.get("/api/indicators/small_grassroots_merged_pct/").json()
    assert (shown["kind"], shown["semantics"]) == ("percent", "flow")
    assert shown["parameters"] == {"small_below_members": 10}
    assert "10" in shown["definition"]  # the threshold used, in whichever language the API speaks
    assert client.get("/api/indicators/members/").json()["parameters"] == {}
    assert client.get("/api/indicators/nobody_knows/").status_code == 404
    assert client_for(None).get("/api/indicators/").status_code in (401, 403)
