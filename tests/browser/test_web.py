"""The web UI in chromium: log in, browse the tree, search, merge through the forms, a phone's width."""

import datetime
import re

from playwright.sync_api import expect

from congdoan.units.models import Unit

PHONE = {"width": 375, "height": 740}


def open_node(page, name: str):
    """Open a tree node by clicking its arrow (the name itself is a link to the unit's page)."""
    page.locator("summary", has_text=name).click(position={"x": 6, "y": 12})


def picker(page, field: str):
    return page.locator(".picker", has=page.locator(f"#id_{field}"))


def test_login_lands_on_the_tree_in_vietnamese(logged_in):
    expect(logged_in.locator("html")).to_have_attribute("lang", "vi")
    expect(logged_in.locator(".tree")).to_contain_text("Liên đoàn Lao động tỉnh Kiên Giang")


def test_expanding_a_node_loads_its_children(logged_in):
    page = logged_in
    expect(page.get_by_text("Khách sạn Sao Biển")).to_have_count(0)
    with page.expect_response(re.compile(r"/units/u/KG-PQ/children/")):
        open_node(page, "Phú Quốc")
    expect(page.get_by_role("link", name="Công đoàn cơ sở Khách sạn Sao Biển")).to_be_visible()
    # Closing and opening again does not ask the server a second time.
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/children/" in request.url else None)
    open_node(page, "Phú Quốc")
    open_node(page, "Phú Quốc")
    expect(page.get_by_role("link", name="Công đoàn cơ sở Khách sạn Sao Biển")).to_be_visible()
    assert requests == []


def test_search_without_diacritics(logged_in):
    page = logged_in
    page.fill("#unit-search", "lien doan lao dong kien giang")
    expect(page.locator("#search-results")).to_contain_text("Liên đoàn Lao động tỉnh Kiên Giang")
    page.fill("#unit-search", "sao bien")
    page.locator("#search-results").get_by_role("link", name="Công đoàn cơ sở Khách sạn Sao Biển").click()
    expect(page.locator("h1")).to_have_text("Công đoàn cơ sở Khách sạn Sao Biển")


def test_merge_two_units_through_the_forms_and_see_the_history(logged_in, live_server):
    page = logged_in
    page.goto(f"{live_server.url}/units/u/KG-PQ/")
    page.get_by_role("link", name=re.compile("^(Merge|Hợp nhất|Sáp nhập)$")).click()
    expect(picker(page, "sources").locator(".chip")).to_contain_text("KG-PQ")  # the unit we came from

    page.fill("#id_into", "rach gia")
    picker(page, "into").locator("[data-pick][data-code='KG-RG']").click()
    expect(picker(page, "into").locator(".chip")).to_contain_text("KG-RG")

    page.fill("#id_effective_on", "2025-07-01")
    page.fill("#id_number", "21/QĐ-LĐLĐ")
    page.fill("#id_signed_on", "2025-06-20")
    page.fill("#id_signer", "Trần Thị Bình")
    page.locator("button[name=preview]").click()

    preview = page.locator("section.preview")
    expect(preview).to_contain_text("Công đoàn cơ sở Khách sạn Sao Biển")  # moves under Rạch Giá
    expect(preview).to_contain_text("Liên đoàn Lao động thành phố Phú Quốc")  # ends
    assert Unit.objects.get(code="KG-PQ").dissolved_on is None  # a preview keeps nothing

    page.locator("button[name=confirm]").click()
    page.wait_for_url(f"{live_server.url}/units/u/KG-RG/")
    assert Unit.objects.get(code="KG-PQ").dissolved_on == datetime.date(2025, 7, 1)

    page.goto(f"{live_server.url}/units/u/KG-PQ/")
    expect(page.locator(".badge.ended")).to_contain_text("01/07/2025")
    expect(page.locator("#reorgs-h + .table-wrap")).to_contain_text("21/QĐ-LĐLĐ")
    expect(page.locator("#succession-h + ul")).to_contain_text("Liên đoàn Lao động thành phố Rạch Giá")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_width(logged_in, live_server):
    page = logged_in
    page.set_viewport_size(PHONE)
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    page.locator(".nav-toggle").click()
    expect(nav).to_be_visible()
    expect(nav).to_contain_text("Liên đoàn Lao động tỉnh Kiên Giang")  # the user's unit in the header
    assert no_sideways_scroll(page)
    for path in ("/units/u/KG-RG/", "/units/list/", "/units/reorganise/merge/", "/changes/"):
        page.goto(live_server.url + path)
        assert no_sideways_scroll(page), path
    # Lists become one card per row, each value labelled.
    page.goto(f"{live_server.url}/units/list/")
    expect(page.locator("table.stack thead")).to_have_css("position", "absolute")
