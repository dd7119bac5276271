"""Issue 3's walk through a member import, on a phone's screen, as a provincial officer: upload a district's
list with flawed rows, read the preview, download the rows to fix, fix them in the workbook as one would in
Excel, upload again, decide the duplicate, import, upload the same list again (nothing changes), and find
an imported person by typing without diacritics."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from congdoan.core.text import fold
from congdoan.members import services
from congdoan.members.models import Member
from tests.members import listfiles

PHONE = {"width": 390, "height": 844}
FIRST_ROW = 5  # two title rows, a blank one and the header come first in listfiles.xlsx
HEADERS = [*listfiles.HEADERS, "Mã CĐCS"]
BIRTH, ID_NUMBER, UNIT = HEADERS.index("Ngày sinh"), HEADERS.index("Số CCCD"), HEADERS.index("Mã CĐCS")
TRUTH = list(listfiles.persons(30, seed=31))


@pytest.fixture
def registered(small_tree, officer):
    """A member of KG-RG-02 already in the registry, whom the district's list names again."""
    person = next(listfiles.persons(1, seed=32, start=900))
    member = Member(
        full_name=person.full_name,
        gender=person.gender,
        birth_date=person.birth_date,
        joined_on=person.joined_on,
        id_number=person.id_number,
    )
    return services.admit_member(member=member, unit=small_tree["b"])


def district_list(path, registered: Member):
    """Thirty people of the Rạch Giá district, each with their CĐCS, and four rows a user would get wrong."""
    rows = [
        [*row, "KG-RG-01" if index % 2 else "KG-RG-02"]
        for index, row in enumerate(listfiles.people(30, seed=31))
    ]
    rows[2][BIRTH] = "31/02/1990"  # no such day
    rows[6][ID_NUMBER] = "12345"  # too short for a CCCD
    rows[11][1:UNIT] = rows[1][1:UNIT]  # the same person twice
    rows[19][1:UNIT] = [
        registered.full_name,
        registered.birth_date,
        "Nữ" if registered.gender == "female" else "Nam",
        "Kinh",
        registered.id_number,
        registered.joined_on,
        "Đoàn viên",
    ]
    rows[19][UNIT] = "KG-RG-02"
    return listfiles.xlsx(path, rows, headers=HEADERS)


def fix_flagged_rows(original, report, fixed):
    """What the officer does in Excel with the report: go to each row it names and correct it, or empty
    the row when it repeats another one."""
    flagged = openpyxl.load_workbook(report).active
    workbook = openpyxl.load_workbook(original)
    sheet = workbook.active
    for cells in flagged.iter_rows(min_row=3, values_only=True):
        reason, number = cells[-2], cells[-1]
        person = TRUTH[number - FIRST_ROW]
        if reason.startswith("Ngày sinh"):
            sheet.cell(number, BIRTH + 1).value = person.birth_date
        elif reason.startswith("Số CCCD:"):
            sheet.cell(number, ID_NUMBER + 1).value = person.id_number
        elif re.search(r"dòng \d+", reason):
            for column in range(1, len(HEADERS) + 1):
                sheet.cell(number, column).value = None
    workbook.save(fixed)
    return fixed


def upload(page, path):
    page.set_input_files("#id_file", str(path))
    page.fill("#id_unit", "rach gia")
    page.locator("[data-pick][data-code='KG-RG']").click()
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("#summary-h")).to_be_visible(timeout=30_000)


def fits_the_screen(page, *locators):
    """Nothing runs off the phone's screen: neither the page, nor these controls inside a scrolled table."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for locator in locators:
        for element in locator.all():
            box = element.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], element.inner_text()


def test_import_a_district_list_fix_it_and_import_it_again(
    logged_in, live_server, registered, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The jobs run in the request: in a thread, their writes meet the live server's on the test's shared
    # in-memory SQLite, which fails at once ("table is locked") where a file database would wait. The
    # progress bar has its own test (test_members).
    settings.CONGDOAN_JOBS = "inline"
    page = logged_in
    page.set_viewport_size(PHONE)
    original = district_list(tmp_path / "danh-sach-rach-gia.xlsx", registered)
    before = Member.objects.count()

    page.goto(f"{live_server.url}/members/")
    page.get_by_role("link", name=re.compile("^(Nhập danh sách|Import a list)$")).click()
    upload(page, original)
    stats = page.locator(".inline-stats")
    expect(stats).to_contain_text(re.compile(r"2\s+(có lỗi|with errors)"))
    expect(stats).to_contain_text(re.compile(r"2\s+(nghi trùng|possible duplicates)"))

    # The count of errors leads to the rows in error, with the cell and the reason.
    stats.locator("a[href*='rows=error']").click()
    expect(page.locator("table.list tbody tr")).to_have_count(2)
    expect(page.locator("#row-7")).to_contain_text("31/02/1990")
    fits_the_screen(page)
    with page.expect_download() as download:
        page.locator("a[href$='/errors/']").first.click()
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    fixed = fix_flagged_rows(original, report, tmp_path / "danh-sach-rach-gia-da-sua.xlsx")

    # The first preview is of no more use: discard it (asked first: a mis-tap would lose the decisions),
    # then upload the fixed list.
    discard = page.locator("form[action$='/discard/'] button")
    page.once("dialog", lambda dialog: dialog.dismiss())
    discard.click()
    expect(page.locator("#summary-h")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    discard.click()
    expect(page).to_have_url(re.compile(r"/members/imports/$"))
    expect(page.locator(".message.success")).to_be_visible()
    upload(page, fixed)
    expect(stats).to_contain_text(re.compile(r"0\s+(có lỗi|with errors)"))
    stats.locator("a[href*='rows=duplicate']").click()
    row = page.locator(f"#row-{FIRST_ROW + 19}")
    expect(row).to_contain_text(registered.code)  # the registry's member it meets, linked
    # The same ID number: adding the row as another person is not offered, and the row says why.
    expect(row.locator("button[value=create]")).to_have_count(0)
    refusal = row.locator(".refused-decision")
    expect(refusal).to_contain_text(registered.id_number)
    fits_the_screen(page, row.locator("button"), refusal, page.locator("#bulk-decision"))
    row.get_by_role("button", name=re.compile("^(Bỏ qua dòng này|Skip this row)$")).click()
    expect(page).to_have_url(re.compile(rf"#row-{FIRST_ROW + 19}$"))
    expect(page.locator(f"#row-{FIRST_ROW + 19} [aria-pressed=true]")).to_be_visible()

    page.locator("form[action$='/commit/'] button[type=submit]").click()
    expect(page.locator(".page-head .meta")).to_contain_text(re.compile("Đã nhập|Imported"), timeout=30_000)
    assert Member.objects.count() == before + 28  # 30 rows, less the repeated one and the registered one

    # The same list again changes nothing, and the page says it was uploaded before.
    page.goto(f"{live_server.url}/members/imports/")
    upload(page, fixed)
    expect(page.locator("p.message[role=note]")).to_contain_text(re.compile("Đã nhập|Imported"))
    expect(stats).to_contain_text(re.compile(r"28\s+(không thay đổi|unchanged)"))
    expect(stats).to_contain_text(re.compile(r"0\s+(đoàn viên mới|new members)"))

    # Anyone imported is found by typing without diacritics.
    page.goto(f"{live_server.url}/members/")
    person = TRUTH[4]
    page.fill("#member-q", fold(person.full_name))
    page.locator("#member-q").press("Enter")
    expect(page.locator("table.list")).to_contain_text(person.full_name)
    expect(page.locator("table.list")).to_contain_text(person.birth_date.strftime("%Y"))
