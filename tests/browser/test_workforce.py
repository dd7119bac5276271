"""An employer's workforce over time in chromium, on a phone: the htmx row records a figure in place (the
box swaps back with the new row, or with the errors), and the employer's own fields then show it read-only."""

import datetime

import pytest
from playwright.sync_api import expect

from congdoan.units.models import Employer, EmployerWorkforce

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def employer(small_tree):
    # Counted once on its own page before the history began: the first figure recorded keeps that one.
    return Employer.objects.create(
        unit=small_tree["a"],
        name="Công ty TNHH Thủy sản Kiên Cường",
        workforce=80,
        workforce_on=datetime.date(2024, 12, 31),
    )


def test_recording_a_figure_swaps_the_box_in_place(logged_in, live_server, employer):
    page = logged_in
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/units/employers/{employer.pk}/")
    box = page.locator("#workforce-box")
    record = box.get_by_role("button", name="Ghi nhận số liệu này")
    expect(box).to_contain_text("Chưa có số liệu")  # no dated figure yet

    # Nothing filled in: the errors come back inside the box, in Vietnamese, and the page stays.
    with page.expect_response(f"**/units/employers/{employer.pk}/workforce/"):
        record.click()
    expect(box.locator(".error").first).to_have_text("Trường này là bắt buộc.")
    page.wait_for_load_state("networkidle")  # the swap settled before typing into the new inputs
    assert EmployerWorkforce.objects.count() == 0

    # A future day is refused, naming the field; nothing is written.
    box.locator("input[name=on]").fill("2099-01-01")
    box.locator("input[name=workforce]").fill("1234")
    expect(box.locator("input[name=workforce]")).to_have_value("1234")
    with page.expect_response(f"**/units/employers/{employer.pk}/workforce/"):
        record.click()
    expect(box.locator(".field.has-error")).to_have_count(1)
    expect(box.locator(".field.has-error")).to_contain_text("Ngày thống kê")
    page.wait_for_load_state("networkidle")
    assert EmployerWorkforce.objects.count() == 0

    box.locator("input[name=on]").fill("2025-06-30")
    box.locator("input[name=female_workforce]").fill("567")
    with page.expect_response(f"**/units/employers/{employer.pk}/workforce/"):
        record.click()
    rows = box.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("30/06/2025")  # the latest first, grouped the Vietnamese way
    expect(rows.first).to_contain_text("1.234")
    expect(rows.last).to_contain_text("31/12/2024")
    expect(box.locator("input[name=workforce]")).to_have_value("")  # a fresh row for the next figure
    assert page.url.endswith(f"/units/employers/{employer.pk}/")  # swapped in place, no navigation
    figures = EmployerWorkforce.objects.order_by("on").values_list("on", "workforce", "female_workforce")
    assert list(figures) == [(datetime.date(2024, 12, 31), 80, 0), (datetime.date(2025, 6, 30), 1234, 567)]
    # Nothing in the box is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The employer's own fields are now the latest figure, kept by the history: shown, not editable.
    page.reload()
    own = page.get_by_label("Số lao động:", exact=True)
    expect(own).to_have_count(2)  # the employer's field and the box's, each label on its own input
    expect(own.first).to_be_disabled()
    expect(own.first).to_have_value("1234")
    expect(own.last).to_be_enabled()
