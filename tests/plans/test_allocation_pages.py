"""The split, shares and figures pages and their API: scoped, refusing with the reason, logged."""

# ruff: noqa: F811 (the fixtures of test_allocation are imported, and tests name them as arguments)

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from congdoan.accounts.models import Role
from congdoan.plans import allocation
from congdoan.plans.models import Allocation, AllocationMethod, Programme, ReportedValue
from tests.plans.test_allocation import (  # noqa: F401 (fixtures)
    add,
    admitted,
    informed,
    programme,
    reorganise_2025,
    tree,
)

D = datetime.date


def logged_in(user, client_class=Client):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def officers(tree, user_at):
    return {code: user_at(tree[code]) for code in ("kg", "rg", "ag")}


def test_the_province_splits_its_target_on_its_page_and_sees_the_sum_check(admitted, officers):
    client = logged_in(officers["kg"])
    url = f"/programmes/targets/{admitted.pk}/allocation/"
    page = client.get(url).content.decode()
    assert "Hà Tiên" in page and "Kiên Hải" not in page  # the ended district takes no part
    refused = client.post(url, {"method": "manual", "KG-RG": "60", "KG-PQ": "30"})
    assert refused.status_code == 200 and "90" in refused.content.decode()
    assert not Allocation.objects.exists()
    done = client.post(
        url, {"method": "manual", "KG-RG": "60", "KG-PQ": "30", "KG-HT": "10", "note": "Đợt 1"}
    )
    assert done.status_code == 302
    client.post(url, {"method": "manual", "KG-RG": "50", "KG-PQ": "30", "KG-HT": "20"})
    page = client.get(url).content.decode()
    assert "Đợt 1" in page  # the earlier split stays readable
    assert list(Allocation.objects.values_list("revision", flat=True).order_by("revision")) == [1, 2]
    assert (
        f'href="/programmes/targets/{admitted.pk}/allocation/"'
        in client.get("/programmes/KG-CT-2024/").content.decode()
    )


def test_a_percent_passes_down_and_members_split_from_the_page(informed, admitted, officers, tree):
    client = logged_in(officers["kg"])
    page = client.get(f"/programmes/targets/{informed.pk}/allocation/").content.decode()
    assert 'value="same_percent"' in page and 'value="manual"' not in page
    assert (
        client.post(f"/programmes/targets/{informed.pk}/allocation/", {"method": "same_percent"}).status_code
        == 302
    )
    assert set(allocation.shares_of(informed).values()) == {98}
    url = f"/programmes/targets/{admitted.pk}/allocation/"
    nobody = client.post(url, {"method": "members", "base_on": "2024-01-01"})
    assert nobody.status_code == 200 and "01/01/2024" in nobody.content.decode()  # no members on that day
    assert not allocation.shares_of(admitted)


def test_a_lower_level_cannot_open_or_split_a_target_of_the_level_above(admitted, officers, user_at, tree):
    url = f"/programmes/targets/{admitted.pk}/allocation/"
    assert logged_in(officers["rg"]).get(url).status_code == 404
    assert logged_in(officers["rg"]).post(url, {"method": "manual", "KG-RG": "100"}).status_code == 404
    viewer = logged_in(user_at(tree["kg"], Role.VIEWER))
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"method": "manual", "KG-RG": "100"}).status_code == 403
    assert not Allocation.objects.exists()


def test_the_district_sees_its_share_and_adopts_it_once(admitted, officers, tree):
    allocation.allocate(
        user=None,
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={"KG-RG": Decimal(70), "KG-PQ": Decimal(30)},
    )
    client = logged_in(officers["rg"])
    page = client.get("/programmes/shares/").content.decode()
    assert "Kết nạp đoàn viên mới" in page and "Phú Quốc" not in page
    share = allocation.current_shares_for(officers["rg"]).get()
    answer = client.post(f"/programmes/shares/{share.pk}/adopt/")
    own = Programme.objects.get(unit=tree["rg"])
    assert answer.status_code == 302 and answer["Location"] == f"/programmes/{own.ref}/"
    client.post(f"/programmes/shares/{share.pk}/adopt/")
    assert own.targets.get().value == 70 and Programme.objects.filter(unit=tree["rg"]).count() == 1
    other = allocation.current_shares_for(officers["kg"]).get(unit=tree["pq"])
    assert client.post(f"/programmes/shares/{other.pk}/adopt/").status_code == 404
    assert not Programme.objects.filter(unit=tree["pq"]).exists()


def test_a_past_target_splits_among_the_units_of_its_day_and_an_ended_unit_does_not_adopt(
    admitted, tree, user_at
):
    now = reorganise_2025(tree)  # Kiên Giang and its districts ended on 01/07/2025
    client = logged_in(user_at(tree["national"]))
    url = f"/programmes/targets/{admitted.pk}/allocation/"
    page = client.get(url).content.decode()
    assert "01/01/2024" in page and 'name="KG-RG"' in page and 'name="KG-RGPQ"' not in page
    done = client.post(url, {"method": "manual", "KG-RG": "60", "KG-PQ": "30", "KG-HT": "10"})
    assert done.status_code == 302 and allocation.shares_of(admitted)[now["KG-RG"].pk] == 60
    assert "01/07/2025" in client.get(url).content.decode()  # the ended units are marked so
    shares = client.get("/programmes/shares/").content.decode()
    ended = allocation.current_shares().get(unit=now["KG-RG"])
    active = allocation.current_shares().get(unit=now["KG-HT"])
    assert f"/programmes/shares/{ended.pk}/adopt/" not in shares
    assert f"/programmes/shares/{active.pk}/adopt/" in shares
    refused = client.post(f"/programmes/shares/{ended.pk}/adopt/", follow=True)
    assert "01/07/2025" in refused.content.decode()
    assert not Programme.objects.filter(unit=now["KG-RG"]).exists()


def test_figures_are_entered_on_the_target_page_and_shown_entered_or_summed(informed, officers, tree):
    client = logged_in(officers["kg"])
    url = f"/programmes/targets/{informed.pk}/figures/"
    bad = client.post(
        url, {"unit": "KG-RG-01", "stands_on": "2024-06-30", "numerator": "421", "denominator": "420"}
    )
    assert bad.status_code == 200 and not ReportedValue.objects.exists()
    assert "421" in bad.content.decode()
    good = client.post(
        url,
        {
            "unit": "KG-RG-01",
            "stands_on": "2024-06-30",
            "numerator": "412",
            "denominator": "420",
            "note": "Quý II",
        },
    )
    assert good.status_code == 302
    page = client.get(url, {"at": "2024-12-31"}).content.decode()
    assert "98,1%" in page and "Quý II" in page
    assert "cộng từ" in page.lower() or "summed" in page  # Rạch Giá and the province sum what is below
    outside = client.post(
        url, {"unit": "AG-LX-01", "stands_on": "2024-06-30", "numerator": "1", "denominator": "2"}
    )
    assert outside.status_code == 200 and ReportedValue.objects.count() == 1


# ----------------------------------------------------------------------------------------------- API


def test_the_api_splits_adopts_and_takes_figures_within_scope(admitted, informed, officers, tree):
    province = logged_in(officers["kg"], APIClient)
    made = province.post(
        "/api/allocations/",
        {"target": admitted.pk, "method": "manual", "shares": {"KG-RG": 60, "KG-PQ": 40}},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert {s["unit"]: s["value"] for s in made.json()["shares"]} == {"KG-HT": 0, "KG-PQ": 40, "KG-RG": 60}
    uneven = province.post(
        "/api/allocations/",
        {"target": admitted.pk, "method": "manual", "shares": {"KG-RG": 1}},
        format="json",
    )
    assert uneven.status_code == 400
    assert province.get("/api/allocations/", {"target": admitted.pk}).json()["count"] == 1
    district = logged_in(officers["rg"], APIClient)
    assert (
        district.post(
            "/api/allocations/", {"target": admitted.pk, "method": "manual"}, format="json"
        ).status_code
        == 400
    )
    shares = district.get("/api/allocation-shares/").json()["results"]
    assert [(s["unit"], s["value"]) for s in shares] == [("KG-RG", 60)]
    adopted = district.post(f"/api/allocation-shares/{shares[0]['id']}/adopt/").json()
    assert (adopted["created"], adopted["changed"]) == (True, True)
    again = district.post(f"/api/allocation-shares/{shares[0]['id']}/adopt/").json()
    assert (again["created"], again["changed"], again["target"]) == (False, False, adopted["target"])
    entered = district.post(
        "/api/reported-values/",
        {"target": adopted["target"], "unit": "KG-RG-01", "stands_on": "2024-05-31", "numerator": 7},
        format="json",
    )
    assert entered.status_code == 201, entered.json()
    rollup = province.get("/api/reported-values/rollup/", {"target": admitted.pk, "at": "2024-12-31"}).json()
    assert {row["unit"]: (row["numerator"], row["entered"]) for row in rollup} == {
        "KG": (7, False),
        "KG-HT": (None, None),
        "KG-PQ": (None, None),
        "KG-RG": (7, False),
    }
    foreign = logged_in(officers["ag"], APIClient)
    assert foreign.get("/api/reported-values/rollup/", {"target": admitted.pk}).status_code == 404
    assert foreign.get("/api/reported-values/").json()["count"] == 0
    refused = foreign.post(
        "/api/reported-values/",
        {"target": admitted.pk, "unit": "KG-RG-01", "stands_on": "2024-05-31", "numerator": 7},
        format="json",
    )
    assert refused.status_code == 400 and ReportedValue.objects.count() == 1
