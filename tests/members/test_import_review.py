"""Review of the staged import (issue 3 parts 4, 5, 12): lists real people write that broke it."""

import datetime
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from congdoan.members.imports import fields, services
from congdoan.members.imports.models import ImportBatch
from congdoan.members.models import Member
from tests.factories import found
from tests.members import listfiles
from tests.members.listfiles import cccd
from tests.members.people import admit

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


def read(path, unit, mode="add"):
    return services.read_batch(batch=services.create_batch(file=path, unit=unit, mode=mode))


def row(stt, name, birth, joined, gender="Nam", serial=None):
    year = birth.year if isinstance(birth, D) else birth
    number = cccd(year, "male" if gender == "Nam" else "female", serial or stt)
    return [stt, name, birth, gender, "Kinh", number, joined, "Đoàn viên"]


def test_a_member_born_on_a_leap_day_is_read_and_comes_of_working_age_on_the_first_of_march(
    small_tree, tmp_path
):
    rows = [
        row(1, "Nguyễn Văn An", D(1988, 2, 29), D(2015, 3, 1)),
        row(2, "Lê Văn Bình", D(2004, 2, 29), D(2019, 2, 28)),  # 14 until 01/03/2019
        row(3, "Trần Văn Cường", D(2004, 2, 29), D(2019, 3, 1)),
    ]
    batch = read(listfiles.xlsx(tmp_path / "leap.xlsx", rows), small_tree["a"])
    errors = services.summary(batch)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(6, "Ngày vào CĐ")]
    assert "working age" in errors[0]["message"]
    services.commit_batch(batch=batch)
    assert set(Member.objects.values_list("full_name", flat=True)) == {"Nguyễn Văn An", "Trần Văn Cường"}


def test_a_family_name_like_tong_is_a_member_not_the_totals_line(small_tree, tmp_path):
    names = ["Nguyễn Văn An", "Tống Văn Bình", "Trần Văn Cường"]
    rows = [row(n, name, D(1990, 1, 1), D(2015, 3, 1)) for n, name in enumerate(names, start=1)]
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "add.xlsx", rows), small_tree["a"]))
    codes = dict(Member.objects.values_list("full_name", "code"))
    # An update list without an STT column: the name comes first, and nothing a birth or gender says.
    update = [[name, codes[name], "0912345678"] for name in names]
    headers = ["Họ và tên", "Mã đoàn viên", "Điện thoại"]
    path = listfiles.xlsx(tmp_path / "phones.xlsx", update, headers=headers, title=False, totals=False)
    batch = read(path, small_tree["a"], mode="update")
    summary = services.summary(batch)
    assert (summary["rows"], summary["to_update"], summary["notices"]) == (3, 3, [])


def test_a_csv_saved_from_excel_keeps_the_id_numbers_and_phones_that_lost_their_leading_zero(
    small_tree, tmp_path
):
    """Excel writes a number cell to CSV as it shows it: 091190000001 becomes 91190000001, and 0912345678
    becomes 912345678. The .xlsx of the same list reads them back whole; its CSV must too."""
    headers = [*listfiles.HEADERS, "Điện thoại"]
    number = cccd(1990, "male", 1)
    rows = [
        [1, "Nguyễn Văn An", "17/05/1990", "Nam", "Kinh", number.lstrip("0"), "01/03/2015", "", "912345678"]
    ]
    batch = read(listfiles.csv_file(tmp_path / "excel.csv", rows, headers=headers), small_tree["a"])
    assert services.summary(batch)["errors"] == []
    assert (batch.rows.get().data["id_number"], batch.rows.get().data["phone"]) == (number, "0912345678")


def test_a_year_typed_as_a_number_where_a_full_date_is_needed_is_called_a_year(small_tree, tmp_path):
    rows = [row(1, "Nguyễn Văn An", D(1990, 5, 17), 2015)]  # Excel keeps 2015 as a number, not 07/07/1905
    batch = read(listfiles.xlsx(tmp_path / "year.xlsx", rows), small_tree["a"])
    (error,) = services.summary(batch)["errors"]
    assert error["column"] == "Ngày vào CĐ" and "only a year" in error["message"]


def _sheet(path, header_rows, rows, merges=()):
    workbook = Workbook()
    sheet = workbook.active
    for cells in [*header_rows, *rows]:
        sheet.append(cells)
    for merge in merges:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


NAME_SPLIT = [1, "Nguyễn Văn", "An", "17/05/1990", "Nam", cccd(1990, "male", 1), "01/03/2015"]
REST = ["Ngày sinh", "Giới tính", "Số CCCD", "Ngày vào CĐ"]


@pytest.mark.parametrize(
    "header_rows, merges",
    [
        # "Họ và tên" merged over the family-and-middle names and the given name
        ([["STT", "Họ và tên", None, *REST]], ["B1:C1"]),
        # the same, with the two parts named in a second header row
        (
            [["STT", "Họ và tên", None, *REST], [None, "Họ đệm", "Tên", None, None, None, None]],
            ["B1:C1", "A1:A2", "D1:D2", "E1:E2", "F1:F2", "G1:G2"],
        ),
        # two columns of their own
        ([["STT", "Họ và chữ đệm", "Tên", *REST]], []),
    ],
    ids=["merged header", "two-row header", "two columns"],
)
def test_a_name_written_over_two_columns_is_read_whole(small_tree, tmp_path, header_rows, merges):
    second = [2, "Trần Thị", "Bình", "01/02/1991", "Nữ", cccd(1991, "female", 2), "01/03/2015"]
    path = _sheet(tmp_path / "split.xlsx", header_rows, [NAME_SPLIT, second], merges)
    batch = read(path, small_tree["a"])
    summary = services.summary(batch)
    assert (summary["errors"], summary["rows"]) == ([], 2)
    assert sorted(r.data["full_name"] for r in batch.rows.all()) == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_a_name_merged_across_both_name_columns_of_its_row_is_taken_once(small_tree, tmp_path):
    whole = [1, "Nguyễn Văn An", None, "17/05/1990", "Nam", cccd(1990, "male", 1), "01/03/2015"]
    path = _sheet(tmp_path / "m.xlsx", [["STT", "Họ và tên", None, *REST]], [whole], ["B1:C1", "B2:C2"])
    assert read(path, small_tree["a"]).rows.get().data["full_name"] == "Nguyễn Văn An"


def _with_sheet(source, target, change):
    """A copy of the workbook ``source`` whose sheet XML went through ``change``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info)
            copy.writestr(info.filename, change(data) if "worksheets/" in info.filename else data)
    return target


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml[: len(xml) // 2] + b"<<<",  # cut short, as a broken copy leaves it
        lambda xml: xml.replace(b'<row r="6"', b'<row r="x6"'),
        lambda xml: xml.replace(b"<v>", b"<v>abc", 1),
    ],
    ids=["cut short", "row number", "cell value"],
)
def test_a_workbook_whose_sheet_is_damaged_is_refused_with_a_clear_message(small_tree, tmp_path, change):
    source = listfiles.xlsx(tmp_path / "ok.xlsx", listfiles.people(40))
    batch = read(_with_sheet(source, tmp_path / "damaged.xlsx", change), small_tree["a"])
    assert batch.state == ImportBatch.State.REFUSED and "not a readable .xlsx" in batch.file_error
    assert not batch.rows.exists() and not Member.objects.exists()


def test_a_list_of_foreign_workers_with_accented_names_is_not_taken_for_an_old_encoding(small_tree, tmp_path):
    headers = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Quốc tịch",
        "Thời hạn hợp đồng (tháng)",
        "Ngày vào CĐ",
    ]
    rows = [
        [1, "José García", D(1990, 1, 1), "Nam", "Philippines", 24, D(2025, 8, 1)],
        [2, "François Dupré", D(1991, 1, 1), "Nam", "Pháp", 24, D(2025, 8, 1)],
        [3, "Jürgen Müller", D(1985, 1, 1), "Nam", "Đức", 36, D(2025, 8, 1)],
    ]
    batch = read(listfiles.xlsx(tmp_path / "foreign.xlsx", rows, headers=headers), small_tree["a"])
    summary = services.summary(batch)
    assert (summary["file_error"], summary["errors"], summary["new"]) == (None, [], 3)
    assert not batch.legacy_encoding


def test_a_two_digit_number_in_a_date_column_is_no_date_of_1900(small_tree, tmp_path):
    """A number below a year is neither a year nor a plausible Excel serial (60 is 28/02/1900): "60" typed
    for 1960 was taken as a birth on 28/02/1900, where the text "60" is refused."""
    rows = [
        [1, "Nguyễn Văn An", 60, "Nam", "Kinh", "", D(2015, 3, 1), ""],
        [2, "Lê Văn Bình", "60", "Nam", "Kinh", "", D(2015, 3, 1), ""],
    ]
    batch = read(listfiles.xlsx(tmp_path / "sixty.xlsx", rows), small_tree["a"])
    assert [(e["row"], e["column"]) for e in services.summary(batch)["errors"]] == [
        (5, "Ngày sinh"),
        (6, "Ngày sinh"),
    ]


def test_a_cell_beyond_the_last_column_excel_has_is_refused_not_laid_out(small_tree, tmp_path):
    """A crafted sheet naming column ZZZZZZ (over 300 million) made each row a list that long."""
    source = listfiles.xlsx(tmp_path / "ok.xlsx", listfiles.people(3))
    change = lambda xml: xml.replace(b'<c r="C6"', b'<c r="ZZZZZZ6"', 1)  # noqa: E731
    batch = read(_with_sheet(source, tmp_path / "wide.xlsx", change), small_tree["a"])
    assert batch.state == ImportBatch.State.REFUSED and "XFD" in batch.file_error


def test_a_blank_cdcs_cell_in_a_grassroots_unions_own_list_is_that_union(small_tree, tmp_path):
    headers = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày vào CĐ", "Mã CĐCS"]
    rows = [
        [1, "Nguyễn Văn An", D(1990, 1, 1), "Nam", D(2015, 1, 1), ""],
        [2, "Lê Văn Bình", D(1990, 1, 1), "Nam", D(2015, 1, 1), "KG-RG-01"],
        [3, "Trần Văn Cường", D(1990, 1, 1), "Nam", D(2015, 1, 1), "KG-RG-02"],  # not under KG-RG-01
    ]
    path = listfiles.xlsx(tmp_path / "own.xlsx", rows, headers=headers)
    batch = read(path, small_tree["a"])
    assert [(e["row"], e["column"]) for e in services.summary(batch)["errors"]] == [(7, "Mã CĐCS")]
    assert {row.unit for row in batch.rows.filter(status="new")} == {small_tree["a"]}
    # An upper unit's list says each member's union: a blank cell is still missing there.
    batch = read(path, small_tree["rg"])
    assert [(e["row"], e["column"]) for e in services.summary(batch)["errors"]] == [(5, "Mã CĐCS")]


def test_a_csv_led_by_excels_sep_line_takes_its_delimiter_and_numbers_rows_as_excel_shows_them(
    small_tree, tmp_path
):
    path = tmp_path / "sep.csv"
    path.write_text(
        "sep=;\nHọ và tên;Ngày sinh;Giới tính;Ngày vào CĐ;Nghề nghiệp\n"
        "Nguyễn Văn An;17/05/1990;Nam;01/03/2015;Kế toán, thủ quỹ\n"
        "Trần Thị Bình;31/02/1991;Nữ;01/03/2015;Công nhân\n",
        encoding="utf-8",
    )
    batch = read(path, small_tree["a"])
    summary = services.summary(batch)
    assert (summary["file_error"], batch.header_row, summary["new"]) == (None, 1, 1)
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(3, "Ngày sinh")]
    assert batch.rows.get(row_number=2).data["occupation"] == "Kế toán, thủ quỹ"


def test_the_signatures_under_a_list_end_it_as_a_totals_line_does(small_tree, tmp_path):
    """Place and date, 'Người lập biểu' and 'TM. Ban chấp hành', the signers' names: each of these rows was
    refused as a member with no birth, no gender, a name that was no name."""
    footer = [
        [None, None, None, None, None, "Kiên Giang, ngày 15 tháng 3 năm 2025"],
        [None, "NGƯỜI LẬP BIỂU", None, None, None, "TM. BAN CHẤP HÀNH"],
        [None, "(Ký, ghi rõ họ tên)", None, None, None, "(Ký tên, đóng dấu)"],
        [None, "Nguyễn Văn Xuân", None, None, None, "Trần Văn Yên"],
    ]
    for first in (0, 1):  # from the place and date, or from who signs
        rows = [*listfiles.people(3), [], *footer[first:]]
        path = listfiles.xlsx(tmp_path / f"signed{first}.xlsx", rows, title=False, totals=False)
        summary = services.summary(read(path, small_tree["a"]))
        assert (summary["rows"], summary["new"], summary["errors"]) == (3, 3, [])
        assert summary["notices"] == ["Row 6 starts the signatures under the list; reading stopped there."]


def test_section_headings_naming_a_company_or_a_union_do_not_end_the_list(small_tree, tmp_path):
    """'Công ty …' and 'Công đoàn cơ sở …' fold to 'cong …', which was taken for the totals line 'Cộng'."""
    first, second = listfiles.people(2), listfiles.people(2, seed=8, start=2)
    rows = [["Công đoàn cơ sở Trường THPT Nguyễn Trung Trực"], *first, ["Công ty TNHH Thủy sản"], *second]
    merges = ["A5:H5", "A8:H8"]
    path = listfiles.xlsx(tmp_path / "sections.xlsx", rows, merges=merges)
    summary = services.summary(read(path, small_tree["a"]))
    assert (summary["rows"], summary["new"], summary["errors"]) == (4, 4, [])


def test_an_error_report_that_cannot_be_written_is_said_before_anything_is_imported(small_tree, tmp_path):
    """The list was committed, then the report's missing folder was reported as 'No file «the list»'."""
    path = listfiles.xlsx(tmp_path / "list.xlsx", listfiles.people(3))
    with pytest.raises(CommandError, match="--error-report"):
        call_command(
            "import-members",
            str(path),
            "--unit=KG-RG-01",
            f"--error-report={tmp_path / 'no-such-folder' / 'errors.xlsx'}",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Member.objects.exists()


@pytest.mark.parametrize("action", [["export", "--format=csv"], ["template"]], ids=["export", "template"])
def test_members_commands_name_an_output_they_cannot_write(small_tree, tmp_path, action):
    output = tmp_path / "no-such-folder" / "list.xlsx"
    with pytest.raises(CommandError, match="no-such-folder"):
        call_command("members", *action, "--unit=KG-RG-01", "-o", str(output), stderr=io.StringIO())


def test_cong_doan_and_cd_are_one_word_in_headers_and_labels(small_tree, tmp_path):
    headers = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày, tháng, năm vào Công đoàn", "Chức vụ CĐ"]
    rows = [[1, "Nguyễn Văn An", "17/05/1990", "Nam", "01/03/2015", "Chủ tịch Công đoàn"]]
    batch = read(listfiles.xlsx(tmp_path / "cd.xlsx", rows, headers=headers), small_tree["a"])
    assert services.summary(batch)["errors"] == []
    data = batch.rows.get().data
    assert (data["joined_on"], data["union_position"]) == ("2015-03-01", "chair")


def test_every_header_and_synonym_reads_as_its_own_column():
    """ "DT" (dân tộc) and "ĐT" (điện thoại) both fold to "dt": the phone won without a word."""
    columns = (*fields.FIELDS, fields.IGNORED, fields.BIRTH_MALE, fields.BIRTH_FEMALE, fields.NAME_PART)
    misread = {
        text: fields.match_header(text).name
        for column in columns
        for text in filter(None, (column.header, *column.synonyms))
        if fields.match_header(text) is not column
    }
    assert misread == {}


def test_a_year_of_birth_against_a_full_date_of_another_year_is_refused_not_claimed(registry, tmp_path):
    """The preview said 'birth year 1990 → 1991', the commit kept 04/03/1990 (the year follows the date) and
    logged an update each time the list came back."""
    an = registry.an
    path = listfiles.xlsx(
        tmp_path / "year.xlsx",
        [[an.code, 1991]],
        headers=["Mã đoàn viên", "Năm sinh"],
        title=False,
        totals=False,
    )
    batch = read(path, an.unit, mode="update")
    summary = services.summary(batch)
    assert (summary["to_update"], [(e["row"], e["column"]) for e in summary["errors"]]) == (
        0,
        [(2, "Năm sinh")],
    )
    assert "04/03/1990" in summary["errors"][0]["message"]


def test_not_a_party_member_against_a_registry_party_date_is_refused(registry, tmp_path):
    """'Không' under 'Đảng viên' cleared the flag and kept the date: a record the registry's rules refuse."""
    an = registry.an
    Member.objects.filter(pk=an.pk).update(party_member=True, party_joined_on=D(2015, 1, 1))
    rows = [[an.code, "Không"]]
    headers = ["Mã đoàn viên", "Đảng viên"]
    path = listfiles.xlsx(tmp_path / "party.xlsx", rows, headers=headers, title=False, totals=False)
    summary = services.summary(read(path, an.unit, mode="update"))
    assert (summary["to_update"], [(e["row"], e["column"]) for e in summary["errors"]]) == (
        0,
        [(2, "Đảng viên")],
    )
    assert "01/01/2015" in summary["errors"][0]["message"]


@pytest.mark.parametrize("marked, unmarked", [("Nữ", "male"), ("Nam", "female")])
def test_a_lone_nu_or_nam_column_marks_one_gender_and_its_blank_is_the_other(
    small_tree, tmp_path, marked, unmarked
):
    """The common form with only a "Nữ" column (x for a woman): each man was refused, 'gender missing'."""
    headers = ["STT", "Họ và tên", "Ngày sinh", marked, "Dân tộc", "Ngày vào CĐ"]
    rows = [
        [1, "Nguyễn Văn An", D(1990, 1, 1), "", "Kinh", D(2015, 1, 1)],
        [2, "Trần Thị Bình", D(1990, 1, 1), "x", "Kinh", D(2015, 1, 1)],
    ]
    batch = read(listfiles.xlsx(tmp_path / "lone.xlsx", rows, headers=headers), small_tree["a"])
    assert services.summary(batch)["errors"] == []
    marked_gender = "female" if unmarked == "male" else "male"
    assert [r.data["gender"] for r in batch.rows.order_by("row_number")] == [unmarked, marked_gender]


def test_a_date_written_over_day_month_and_year_columns_is_read_whole(small_tree, tmp_path):
    """'Ngày sinh' merged over 'Ngày' | 'Tháng' | 'Năm': the year column, "Năm" folded, was read as "Nam",
    the column where the classic form puts a man's birth date, and the day as the whole date."""
    header = [
        ["STT", "Họ và tên", "Giới tính", "Ngày sinh", None, None, "Ngày vào CĐ"],
        [None, None, None, "Ngày", "Tháng", "Năm", None],
    ]
    rows = [
        [1, "Trần Thị Bình", "Nữ", 17, 5, 1990, D(2015, 1, 1)],
        [2, "Lê Thị Cúc", "Nữ", None, None, 1985, D(2015, 1, 1)],
        [3, "Phạm Thị Dung", "Nữ", None, 5, 1985, D(2015, 1, 1)],
    ]
    merges = ["D1:F1", "A1:A2", "B1:B2", "C1:C2", "G1:G2"]
    batch = read(_sheet(tmp_path / "dmy.xlsx", header, rows, merges), small_tree["a"])
    data = {row.row_number: row.data for row in batch.rows.all()}
    assert (data[3]["birth_date"], data[3]["gender"], data[4]["birth_year"]) == ("1990-05-17", "female", 1985)
    errors = [(e["row"], e["column"]) for e in services.summary(batch)["errors"]]
    assert errors == [(5, "Ngày sinh")]  # a month and a year, no day


def test_a_grassroots_unions_update_list_reaches_the_members_of_its_subunits(small_tree, tmp_path):
    """An update list says a member's union only in a CĐCS column: without one, a member of a công đoàn bộ
    phận was refused as 'belongs to … a move is recorded as a transfer'."""
    subunit = found("Công đoàn bộ phận Tổ Văn", "subunit", small_tree["a"], code="KG-RG-01-TV")
    member = admit(subunit, "Nguyễn Văn An", serial=1)
    rows = [[member.code, "0912345678"]]
    headers = ["Mã đoàn viên", "Điện thoại"]
    path = listfiles.xlsx(tmp_path / "phones.xlsx", rows, headers=headers, title=False, totals=False)
    summary = services.summary(read(path, small_tree["a"], mode="update"))
    assert (summary["errors"], summary["to_update"]) == ([], 1)
