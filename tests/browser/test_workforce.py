"""An employer's workforce over time in chromium, on a phone: the htmx row records a figure in place (the
box swaps back with the new row, or with the errors), and the employer's own fields then show it read-only."""

import datetime

import pytest
from playwright.sync_api import expect

from congdoan.units.models import Employer, EmployerWorkforce

PHONE = {"width": 390, "height": 844}
RECORD = "Ghi nhận số liệu này"


def record_and_settle(page, box) -> None:
    """Click Record and wait until htmx has swapped the box back and settled it.

    htmx readies swapped-in content (its form posts through htmx) only when it settles, a timer after the
    swap (20 ms, far later on a loaded machine): a click on the new box before that posts the plain form
    and leaves the page, and the response alone says nothing of the swap. A navigation loses the flag, so
    the wait then fails instead of reading the page being left."""
    page.evaluate(
        """() => {
            window.workforceSettled = false;
            document.body.addEventListener("htmx:afterSettle", () => { window.workforceSettled = true },
                                           {once: true});
        }"""
    )
    box.get_by_role("button", name=RECORD).click()
    page.wait_for_function("() => window.workforceSettled === true")


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
    expect(box).to_contain_text("Chưa có số liệu")  # no dated figure yet

    # Nothing filled in: the errors come back inside the box, in Vietnamese, and the page stays.
    record_and_settle(page, box)
    expect(box.locator(".field.has-error")).to_have_count(2)
    expect(box.locator(".error").first).to_have_text("Trường này là bắt buộc.")
    assert EmployerWorkforce.objects.count() == 0

    # A future day is refused, naming the field; nothing is written.
    box.locator("input[name=on]").fill("2099-01-01")
    box.locator("input[name=workforce]").fill("1234")
    record_and_settle(page, box)
    expect(box.locator(".field.has-error")).to_have_count(1)
    expect(box.locator(".field.has-error")).to_contain_text("Ngày thống kê")
    assert EmployerWorkforce.objects.count() == 0

    box.locator("input[name=on]").fill("2025-06-30")
    box.locator("input[name=female_workforce]").fill("567")
    record_and_settle(page, box)
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
