"""Member pages in chromium: find a member by typing without diacritics, open the record and show the
personal data in full, read a member's card on a phone, watch an import's progress bar turn into its preview,
on a phone's width too."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from congdoan.members import services
from congdoan.members.models import Member
from tests.members import listfiles

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def members(small_tree, officer):
    def admit(unit, name, serial):
        member = Member(
            full_name=name,
            gender="female",
            birth_date=datetime.date(1991, 2, 3),
            joined_on=datetime.date(2020, 1, 6),
            id_number=listfiles.cccd(1991, "female", serial),
            phone="0912000111",
        )
        return services.admit_member(member=member, unit=small_tree[unit])

    return [admit("a", "Nguyễn Thị Ánh", 1), admit("b", "Trần Thị Bích", 2), admit("d", "Lê Thị Cúc", 3)]


def test_find_a_member_without_diacritics_and_show_the_record_in_full(logged_in, live_server, members):
    page = logged_in
    page.get_by_role("link", name=re.compile("^(Đoàn viên|Members)$")).first.click()
    expect(page.locator("table.list")).to_contain_text("Trần Thị Bích")
    expect(page.locator("table.list")).not_to_contain_text("Lê Thị Cúc")  # An Giang's
    page.fill("#member-q", "nguyen thi anh")
    page.locator("#member-q").press("Enter")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator(".count")).to_contain_text("1")  # the count arrives after the page (htmx)
    page.get_by_role("link", name="Nguyễn Thị Ánh").click()
    ánh = members[0]
    expect(page.locator("h1")).to_have_text("Nguyễn Thị Ánh")
    expect(page.locator("#personal-h + dl, .facts").first).not_to_contain_text(ánh.id_number)
    page.fill("#reveal-reason", "Đối chiếu hồ sơ")
    page.locator("form.inline button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(ánh.id_number)
    expect(page.locator("body")).to_contain_text("03/02/1991")


def test_a_member_card_on_a_phone_labels_every_line_in_the_page_font(logged_in, live_server, members):
    page = logged_in
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/members/")
    labels = page.locator("table.list tbody tr").first.evaluate(
        """row => [...row.querySelectorAll('td[data-label]')].map(cell => {
            const label = getComputedStyle(cell, '::before');
            return {text: cell.dataset.label, font: label.fontFamily};
        })"""
    )
    page_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert len(labels) == 9
    # The member code, ID number and phone are code cells: their labels are not in the code's monospace.
    assert [label for label in labels if label["font"] != page_font] == []
    assert [label["text"] for label in labels if not label["text"][0].isupper()] == []


def test_an_import_shows_its_progress_then_its_preview(logged_in, live_server, members, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONGDOAN_JOBS = "thread"  # as in a small office: the web process runs the job
    page = logged_in
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/members/imports/")
    path = listfiles.xlsx(tmp_path / "danh-sach.xlsx", listfiles.people(30))
    page.set_input_files("#id_file", str(path))
    page.fill("#id_unit", "nguyen trung truc")
    page.locator("[data-pick][data-code='KG-RG-01']").click()
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".inline-stats")).to_contain_text("30", timeout=30_000)  # the page reloads by itself
    page.locator("form[action$='/commit/'] button[type=submit]").click()
    expect(page.locator(".inline-stats")).to_contain_text("30", timeout=30_000)
    expect(page.locator(".page-head .meta")).to_contain_text(re.compile("Đã nhập|Imported"))
    assert Member.objects.filter(unit__code="KG-RG-01").count() == 31


def test_a_member_record_on_a_phone_keeps_dates_and_the_reveal_label_whole(logged_in, live_server, members):
    page = logged_in
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/members/m/{members[0].code}/")
    lines = page.evaluate(
        """() => {
            const lines = element => {  // the line boxes of its text (a grid cell stretches to its row)
                const range = document.createRange();
                range.selectNodeContents(element);
                return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
            };
            const joined = [...document.querySelectorAll('.facts dd')]
                .find(dd => dd.textContent.trim() === '06/01/2020');
            return {joined: lines(joined), reason: lines(document.querySelector('label[for=reveal-reason]'))};
        }"""
    )
    # The longest labels ("Trình độ giáo dục phổ thông") took the width: the joining date broke in two
    # ("06/01/202" over "0"), and the reason's label stood one word a line beside its box.
    assert lines == {"joined": 1, "reason": 1}
