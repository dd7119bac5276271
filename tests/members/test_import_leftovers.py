"""Import leftovers (issue 3 parts 4 and 9): dates written in words, header rows inside a list, a person
written twice with the year of birth only once, the registry's personal data in a preview, masked cells."""

import datetime

import pytest
from django.urls import reverse

from congdoan.audit.models import PersonalDataAccess
from congdoan.members.exports import mask_email, mask_id_number, mask_phone
from congdoan.members.imports import services
from tests.members import listfiles
from tests.members.listfiles import cccd

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]
FIRST = 5  # the first data row of listfiles.xlsx: two title rows, a blank one, the header


def read(path, unit, mode="add"):
    return services.read_batch(batch=services.create_batch(file=path, unit=unit, mode=mode))


def listed(stt, name, birth, joined, *, gender="Nam", serial=None, id_number=None):
    """A row in listfiles.HEADERS order (a birth written as text ends with its year)."""
    year = birth if isinstance(birth, int) else int(birth[-4:]) if isinstance(birth, str) else birth.year
    number = cccd(year, "male" if gender == "Nam" else "female", serial or stt or 99)
    return [stt, name, birth, gender, "Kinh", number if id_number is None else id_number, joined, "Đoàn viên"]


def errors_by_row(batch) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in services.summary(batch)["errors"]:
        found.setdefault(error["row"], []).append(error["column"])
    return found


# ----------------------------------------------------------------------------------- dates in words


def test_a_date_written_in_words_is_read_and_never_ends_the_list(small_tree, tmp_path):
    """'ngày 05 tháng 3 năm 2020' in a date column: the row whose first filled cell it was (no STT, no
    name) was taken for the signatures' place and date, and every row after it was lost."""
    rows = [
        listed(1, "Nguyễn Văn An", D(1990, 1, 1), "ngày 05 tháng 3 năm 2020"),
        listed(None, None, "ngày 17 tháng 5 năm 1991", D(2015, 3, 1), serial=2),  # the name forgotten
        listed(3, "Trần Văn Cường", "Sinh ngày 02/09/1992", "Ngày 5 tháng 03, năm 2016"),
        listed(4, "Lê Văn Dũng", "năm 1993", "05 tháng 3 năm 2016", serial=4),
        listed(5, "Phạm Văn Em", D(1994, 1, 1), "tháng 3 năm 2020"),  # no day: flagged on its row
        listed(6, "Hồ Văn Phúc", D(1995, 1, 1), "ngày 31 tháng 2 năm 2020"),  # no such day
    ]
    batch = read(listfiles.xlsx(tmp_path / "words.xlsx", rows), small_tree["a"])
    summary = services.summary(batch)
    assert (summary["rows"], summary["new"]) == (6, 3)
    assert errors_by_row(batch) == {
        FIRST + 1: ["Họ và tên"],
        FIRST + 4: ["Ngày vào CĐ"],
        FIRST + 5: ["Ngày vào CĐ"],
    }
    data = {row.row_number: row.data for row in batch.rows.all()}
    assert data[FIRST]["joined_on"] == "2020-03-05"
    assert data[FIRST + 1]["birth_date"] == "1991-05-17"
    assert (data[FIRST + 2]["birth_date"], data[FIRST + 2]["joined_on"]) == ("1992-09-02", "2016-03-05")
    assert (data[FIRST + 3]["birth_year"], data[FIRST + 3]["joined_on"]) == (1993, "2016-03-05")


@pytest.mark.parametrize(
    "footer",
    [
        [[None, None, None, None, None, "Kiên Giang, ngày 15 tháng 3 năm 2025"]],
        [[None, "NGƯỜI LẬP BIỂU", None, None, None, "TM. BAN CHẤP HÀNH"]],
        [[None, "Người lập biểu", None, None, None, "Chủ tịch"], [None, "(Ký, ghi rõ họ tên)"]],
        [[None, "Xác nhận của thủ trưởng đơn vị", None, None, None, "Người lập biểu"]],
    ],
)
def test_the_signatures_end_the_list_by_their_shape(small_tree, tmp_path, footer):
    """A place and date, or signers' titles, with no person's data beside them."""
    rows = [*listfiles.people(3), [], *footer, [None, "Nguyễn Văn Xuân", None, None, None, "Trần Văn Yên"]]
    path = listfiles.xlsx(tmp_path / "signed.xlsx", rows, title=False, totals=False)
    summary = services.summary(read(path, small_tree["a"]))
    assert (summary["rows"], summary["new"], summary["errors"]) == (3, 3, [])
    assert summary["notices"] == ["Row 6 starts the signatures under the list; reading stopped there."]


# ------------------------------------------------------------------------------- header rows in a list


def test_the_header_repeated_inside_a_list_is_skipped_with_a_notice(small_tree, tmp_path):
    """Lists put together from printed pages repeat the header (and its numbering row) at each page: those
    rows were refused as members with a birth 'Ngày sinh' and a gender 'Giới tính'."""
    first, second = listfiles.people(2), listfiles.people(2, seed=8, start=2)
    numbering = list(range(1, len(listfiles.HEADERS) + 1))
    rows = [*first, list(listfiles.HEADERS), numbering, *second, list(listfiles.HEADERS)]
    summary = services.summary(read(listfiles.xlsx(tmp_path / "pages.xlsx", rows), small_tree["a"]))
    assert (summary["rows"], summary["new"], summary["errors"]) == (4, 4, [])
    repeated = f"Rows {FIRST + 2}, {FIRST + 3}, {FIRST + 6} repeat the header of the list"
    assert [notice for notice in summary["notices"] if notice.startswith(repeated)]


def test_the_header_repeated_inside_an_update_list_is_skipped(small_tree, tmp_path):
    first = listfiles.people(2)
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "add.xlsx", first), small_tree["a"]))
    headers = ["Số CCCD", "Họ và tên", "Nghề nghiệp"]
    rows = [[first[0][5], first[0][1], "Kế toán"], headers, [first[1][5], first[1][1], "Thủ quỹ"]]
    path = listfiles.xlsx(tmp_path / "upd.xlsx", rows, headers=headers, title=False, totals=False)
    summary = services.summary(read(path, small_tree["a"], mode="update"))
    assert (summary["rows"], summary["to_update"], summary["errors"]) == (2, 2, [])
    assert "Row 3 repeats the header of the list" in summary["notices"][0]


def test_a_first_row_with_a_gender_and_no_name_is_a_member_not_the_lower_half_of_the_header(
    small_tree, tmp_path
):
    """Its 'Nữ' under 'Giới tính' made it the second row of a two-row header: the gender column became the
    column of women's birth dates, and every row of the list was refused."""
    rows = listfiles.people(3)
    rows[0][1] = None
    batch = read(listfiles.xlsx(tmp_path / "noname.xlsx", rows), small_tree["a"])
    assert batch.header_row == FIRST - 1
    assert errors_by_row(batch) == {FIRST: ["Họ và tên"]}
    assert services.summary(batch)["new"] == 2


# ------------------------------------------------------------------------- the same person, year only


def test_a_person_written_twice_once_with_the_year_of_birth_only_awaits_a_decision(small_tree, tmp_path):
    """Duplicates within a file were found by the exact birth: 17/05/1990 and 1990 were two people."""
    rows = [
        listed(1, "Lê Văn Hùng", D(1990, 5, 17), D(2015, 3, 1), id_number=""),
        listed(2, "Le Van Hung", 1990, D(2015, 3, 1), id_number=""),  # the year only
        listed(3, "Lê Văn Hùng", D(1990, 8, 1), D(2015, 3, 1), id_number=""),  # another day
        listed(4, "Trần Thị Mai", 1985, D(2015, 3, 1), gender="Nữ", id_number=""),
        listed(5, "Trần Thị Mai", D(1985, 2, 3), D(2015, 3, 1), gender="Nữ", id_number=""),
        listed(6, "Trần Thị Mai", D(1986, 2, 3), D(2015, 3, 1), gender="Nữ", id_number=""),  # another year
        listed(7, "Võ Văn Tám", D(1970, 1, 2), D(2015, 3, 1), id_number=""),
        listed(8, "Võ Văn Tám", D(1970, 9, 9), D(2015, 3, 1), id_number=""),  # namesakes born apart
    ]
    batch = read(listfiles.xlsx(tmp_path / "years.xlsx", rows), small_tree["a"])
    duplicates = {d["row"]: d for d in services.summary(batch)["duplicates"]}
    assert {row: d["duplicate_of_row"] for row, d in duplicates.items()} == {
        FIRST + 1: FIRST,
        FIRST + 2: FIRST + 1,  # the row with the year only may be either of them
        FIRST + 4: FIRST + 3,
    }
    assert "only the year" in duplicates[FIRST + 1]["message"]
    services.decide(batch=batch, rows=[FIRST + 1], decision="skip")
    services.decide(batch=batch, rows=[FIRST + 2, FIRST + 4], decision="create")
    services.commit_batch(batch=batch)
    assert services.summary(batch)["created"] == 7


# ------------------------------------------------------------------------------------- masked cells


def test_only_the_masks_a_masked_export_writes_keep_the_registrys_values(registry, tmp_path):
    """Any cell with a '*' was taken for a masked value and left the registry's as it was: a '*' typed
    into the ID column of an update list was read as 'keep it', silently."""
    an = registry.an
    an.email = "an.nguyen@example.com"
    an.save()
    masks = [mask_id_number(an.id_number), mask_phone(an.phone), mask_email(an.email)]
    headers = ["Mã đoàn viên", "Số CCCD", "Điện thoại", "Email", "Nghề nghiệp"]
    rows = [[an.code, *masks, "Kế toán"], [an.code, "*", "0912***", "an*", "Thủ quỹ"]]
    path = listfiles.xlsx(tmp_path / "masked.xlsx", rows, headers=headers, title=False, totals=False)
    batch = read(path, an.unit, mode="update")
    assert batch.rows.get(row_number=2).changes == {"occupation": ["", "Kế toán"]}
    assert sorted(errors_by_row(batch)[3]) == ["Email", "Số CCCD", "Điện thoại"]


# ------------------------------------------------------------------- the registry's data in a preview


def test_the_registrys_personal_data_in_an_update_preview_is_masked_until_shown_and_recorded(
    officer, registry, tmp_path
):
    """The preview said 'Phone: 0912300001 → 0987654321' to whoever opened it, and nothing was recorded:
    the member page masks the registry's personal data and records showing it in full."""
    an = registry.an
    headers = ["Mã đoàn viên", "Điện thoại", "Ngày sinh"]
    rows = [[an.code, "0987654321", D(1990, 3, 5)]]
    path = listfiles.xlsx(tmp_path / "phones.xlsx", rows, headers=headers, title=False, totals=False)
    user = registry.world.users["officer"]
    batch = services.read_batch(
        batch=services.create_batch(file=path, unit=an.unit, mode="update", user=user)
    )
    assert batch.rows_update == 1
    page_url = reverse("members:import", kwargs={"pk": batch.pk})
    api_url = f"/api/member-imports/{batch.pk}/rows/"

    masked = officer.get(page_url).content.decode()
    assert an.phone not in masked and mask_phone(an.phone) in masked and "04/03/1990" not in masked
    assert "0987654321" in masked  # the list's own values, as it wrote them
    changes = officer.get(api_url).json()["results"][0]["changes"]
    assert changes["phone"] == [mask_phone(an.phone), "0987654321"]
    assert changes["birth_date"] == ["1990", "05/03/1990"]
    assert not PersonalDataAccess.objects.exists()

    shown = officer.get(page_url, {"reveal": "1", "reason": "kiểm tra"}).content.decode()
    assert an.phone in shown and "04/03/1990" in shown
    access = PersonalDataAccess.objects.get()  # one for the page, not one per row
    assert (access.action, access.object_id, access.unit_id, access.reason) == (
        "view",
        batch.pk,
        an.unit_id,
        "kiểm tra",
    )
    assert an.code in access.detail
    changes = officer.get(api_url, {"reveal": "1"}).json()["results"][0]["changes"]
    assert changes["phone"] == [an.phone, "0987654321"]
    assert PersonalDataAccess.objects.count() == 2
