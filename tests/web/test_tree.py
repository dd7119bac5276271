import datetime

from django.urls import reverse

from congdoan.units import services
from tests.factories import decision

MERGER = datetime.date(2025, 7, 1)


def row_codes(response):
    return [row.unit.code for row in response.context["rows"]]


def test_tree_starts_at_the_users_unit_with_its_children_open(client_as):
    response = client_as("officer").get(reverse("units:tree"))
    [root] = response.context["rows"]
    assert root.unit.code == "KG"
    # Vietnamese order: Phú Quốc before Rạch Giá; each row knows how many units stand under it.
    assert [(row.unit.code, row.child_count) for row in root.children] == [("KG-PQ", 1), ("KG-RG", 2)]
    page = response.content.decode()
    # Grandchildren are not sent: each closed node loads them once when opened.
    assert "KG-RG-01" not in page
    assert 'hx-trigger="toggle once"' in page
    assert reverse("units:tree_children", args=["KG-RG"]) in page


def test_superuser_starts_at_the_national_root(client_as):
    assert row_codes(client_as("superuser").get(reverse("units:tree"))) == ["TLD"]


def test_children_load_one_level(client_as):
    response = client_as("officer").get(reverse("units:tree_children", args=["KG-RG"]))
    # By name in Vietnamese order: "Công ty…" before "Trường…".
    assert row_codes(response) == ["KG-RG-02", "KG-RG-01"]
    assert b"<html" not in response.content


def test_search_ignores_diacritics_and_scope(client_as):
    officer = client_as("officer")
    response = officer.get(reverse("units:search"), {"q": "lien doan lao dong kien giang"})
    assert [unit.code for unit in response.context["units"]] == ["KG"]
    assert "Liên đoàn Lao động tỉnh Kiên Giang" in response.content.decode()
    # Long Xuyên is in another province.
    assert list(officer.get(reverse("units:search"), {"q": "long xuyen"}).context["units"]) == []


def test_tree_as_of_a_date_shows_that_days_names_and_places(client_as, world):
    t = world.units
    services.rename_unit(
        unit=t["rg"], name="Công đoàn phường Rạch Giá", effective_on=MERGER, decision=decision(MERGER)
    )
    services.merge_units(sources=[t["kg"]], into=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    root = client_as("superuser")

    before = root.get(reverse("units:tree"), {"at": "2025-06-30"})
    provinces = before.context["rows"][0].children
    assert [row.unit.code for row in provinces] == ["AG", "KG"]
    kg_children = root.get(reverse("units:tree_children", args=["KG"]), {"at": "2025-06-30"}).context["rows"]
    assert [row.name for row in kg_children] == [
        "Liên đoàn Lao động thành phố Phú Quốc",
        "Liên đoàn Lao động thành phố Rạch Giá",
    ]

    today = root.get(reverse("units:tree"))
    assert [row.unit.code for row in today.context["rows"][0].children] == ["AG"]
    ag_children = root.get(reverse("units:tree_children", args=["AG"])).context["rows"]
    assert "Công đoàn phường Rạch Giá" in [row.name for row in ag_children]


def test_todays_tree_can_show_ended_units_under_their_successors(client_as, world):
    t = world.units
    services.merge_units(sources=[t["kg"]], into=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    root = client_as("superuser")
    response = root.get(reverse("units:tree_children", args=["AG"]), {"ended": "on"})
    rows = {row.unit.code: row for row in response.context["rows"]}
    assert rows["KG"].unit.dissolved_on == MERGER
    # Active units first, the ended one filed last.
    assert [row.unit.code for row in response.context["rows"]][-1] == "KG"
    assert "01/07/2025" in response.content.decode()
    # The toggle only applies to today's tree.
    past = root.get(reverse("units:tree"), {"at": "2025-06-30", "ended": "on"})
    assert past.context["regrouped"] is False


def test_past_tree_shows_every_unit_now_in_scope(client_as, world):
    t = world.units
    services.merge_units(sources=[t["kg"]], into=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    # The An Giang officer now holds Kiên Giang's old units too, even for dates before the merger.
    response = client_as("outsider").get(reverse("units:tree"), {"at": "2025-06-30"})
    assert sorted(row_codes(response)) == ["AG", "KG"]


def test_bad_date_is_named_and_today_is_shown(client_as):
    response = client_as("officer").get(reverse("units:tree"), {"at": "31/02/2025x"})
    assert response.status_code == 200
    assert response.context["form"].errors["at"] == ["Nhập một ngày hợp lệ."]
    assert row_codes(response) == ["KG"]


def test_unit_page_shows_history_after_a_merge(client_as, world):
    t = world.units
    services.merge_units(
        sources=[t["pq"]], into=t["rg"], effective_on=MERGER, decision=decision(MERGER, number="77/QĐ-LĐLĐ")
    )
    response = client_as("officer").get(reverse("units:detail", args=["KG-PQ"]))
    page = response.content.decode()
    assert response.context["successor_today"].code == "KG-RG"
    assert "77/QĐ-LĐLĐ" in page
    assert [link.parent.code for link in response.context["links"]] == ["KG"]
    assert [s.successor.code for s in response.context["successors"]] == ["KG-RG"]
    # The children as they stood before the merger, by date.
    before = client_as("officer").get(reverse("units:detail", args=["KG-PQ"]), {"at": "2025-06-30"})
    assert [row.unit.code for row in before.context["children"]] == ["KG-PQ-01"]
    assert response.context["children"] == []
    # Reorganisations list the unit's own founding and the merger, not the foundings of units under it.
    kinds = [
        reorg.kind
        for reorg in client_as("officer")
        .get(reverse("units:detail", args=["KG-RG"]))
        .context["reorganisations"]
    ]
    assert kinds == ["found", "merge"]
