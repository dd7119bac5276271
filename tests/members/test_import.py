"""The staged member import: real lists, every kind of bad input of issue 3 part 12, duplicates, update mode,
idempotent re-import, legacy encodings, the error report round trip."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from openpyxl import Workbook, load_workbook

from congdoan.audit.models import ObjectChange
from congdoan.members import services as member_services
from congdoan.members.imports import legacy, services
from congdoan.members.imports.fields import parse_name
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.imports.workbooks import error_report, template
from congdoan.members.models import EventKind, Member, MemberEvent, Membership, Status
from congdoan.units import services as units
from tests.factories import decision
from tests.members import listfiles
from tests.members.listfiles import cccd

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]
BORN, JOINED = D(1990, 5, 17), D(2015, 3, 1)


def read(path, unit, mode="add", user=None):
    batch = services.create_batch(file=path, unit=unit, mode=mode, user=user)
    return services.read_batch(batch=batch)


def registry_state():
    return (
        Member.objects.count(),
        MemberEvent.objects.count(),
        Membership.objects.count(),
        ObjectChange.objects.exclude(content_type__model="importbatch").count(),
    )


def errors_of(batch) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in services.summary(batch)["errors"]:
        found.setdefault(error["row"], []).append((error["column"], error["message"]))
    return found


def person(
    name="Nguyễn Văn An",
    birth=BORN,
    gender="Nam",
    ethnic="Kinh",
    id_number=None,
    joined=JOINED,
    position="Đoàn viên",
    stt=1,
):
    id_number = (
        id_number
        if id_number is not None
        else cccd(birth.year if isinstance(birth, D) else birth, "male" if gender == "Nam" else "female", stt)
    )
    return [stt, name, birth, gender, ethnic, id_number, joined, position]


# ---------------------------------------------------------------------------------------- real lists


def test_a_real_looking_list_imports_like_admit_member(small_tree, tmp_path, settings):
    rows = listfiles.people(12)
    batch = read(listfiles.xlsx(tmp_path / "ds.xlsx", rows), small_tree["a"])
    summary = services.summary(batch)
    assert summary["errors"] == [] and summary["duplicates"] == []
    assert (summary["rows"], summary["valid"], summary["new"], batch.header_row) == (12, 12, 12, 4)
    assert any(
        str(len(rows) + 6) in notice for notice in summary["notices"]
    )  # the totals line stopped reading
    assert not batch.file and not list((settings.MEDIA_ROOT / "member_imports").iterdir())  # upload not kept
    services.commit_batch(batch=batch)
    assert Member.objects.count() == 12
    member = Member.objects.get(id_number=rows[0][5])
    assert (member.full_name, member.birth_date, member.unit, member.status) == (
        rows[0][1],
        rows[0][2],
        small_tree["a"],
        Status.ACTIVE,
    )
    assert member_services.is_valid_code(member.code)
    event = MemberEvent.objects.get(member=member)
    assert (event.kind, event.on) == (EventKind.ADMIT, rows[0][6])
    assert Membership.objects.get(member=member).valid_from == rows[0][6]
    changes = ObjectChange.objects.filter(request_id=batch.request_id)
    assert changes.filter(object_id=member.pk, content_type__model="member", action="create").exists()
    assert changes.filter(content_type__model="memberevent").count() == 12


def test_joining_before_the_unit_existed_is_registered_on_its_founding(small_tree, tmp_path):
    path = listfiles.xlsx(tmp_path / "old.xlsx", [person(joined=D(2010, 1, 1))])
    batch = read(path, small_tree["a"])
    services.commit_batch(batch=batch)
    event = MemberEvent.objects.get()
    assert (event.kind, event.on) == (EventKind.REGISTER, small_tree["a"].founded_on)


def test_headers_in_any_order_without_diacritics_and_synonyms(small_tree, tmp_path):
    headers = [
        "TT",
        "CCCD/CMND",
        "Ho ten",
        "Nam/Nu",
        "Nam sinh",
        "Ngay vao CD",
        "Dan toc",
        "Ghi chú",
        "Sở thích",
    ]
    rows = [
        [1, "091190000001", "Trần Thị Bình", "nữ", 1990, "01-02-2015", "Khmer", "", "đọc sách"],
        [2, "", "Lê Văn Cường", "NAM", "12/07/1985", "15/06/2010", "H'Mông", "", ""],
    ]
    batch = read(listfiles.xlsx(tmp_path / "odd.xlsx", rows, headers=headers), small_tree["a"])
    assert errors_of(batch) == {}
    services.commit_batch(batch=batch)
    binh = Member.objects.get(full_name="Trần Thị Bình")
    assert (binh.birth_date, binh.birth_year, binh.gender, binh.ethnic_group, binh.joined_on) == (
        None,
        1990,
        "female",
        "05",
        D(2015, 2, 1),
    )
    cuong = Member.objects.get(full_name="Lê Văn Cường")
    assert (cuong.birth_date, cuong.ethnic_group, cuong.id_number) == (D(1985, 7, 12), "08", None)
    # An unknown column and a known one the registry does not keep are named; the row numbers are not.
    (columns,) = [notice for notice in batch.notices if "Sở thích" in notice]
    assert "Ghi chú" in columns and "TT" not in columns.replace("Sở thích", "")


def test_two_row_header_with_birth_under_nam_or_nu_and_a_numbering_row(small_tree, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH ĐOÀN VIÊN"])
    sheet.append(["STT", "Họ và tên", "Ngày, tháng, năm sinh", None, "Dân tộc", "Ngày vào Công đoàn"])
    sheet.append([None, None, "Nam", "Nữ", None, None])
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])
    sheet.append([1, "Phạm Văn Dũng", "03/04/1988", None, "Kinh", "01/01/2012"])
    sheet.append(["I", "Tổ công đoàn Phân xưởng"])  # a section heading inside the list
    sheet.append([2, "Đỗ Thị Hà", None, 1992, "Tày", "01/01/2016"])
    sheet.merge_cells("C2:D2")
    sheet.merge_cells("A1:F1")
    workbook.save(tmp_path / "two.xlsx")
    batch = read(tmp_path / "two.xlsx", small_tree["a"])
    assert errors_of(batch) == {} and batch.rows_total == 2
    services.commit_batch(batch=batch)
    assert list(
        Member.objects.order_by("full_name").values_list("full_name", "gender", "birth_date", "birth_year")
    ) == [("Phạm Văn Dũng", "male", D(1988, 4, 3), 1988), ("Đỗ Thị Hà", "female", None, 1992)]


def test_a_province_list_names_each_members_cdcs_even_in_merged_cells(small_tree, tmp_path):
    headers = ["STT", "Tên CĐCS", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày vào CĐ"]
    rows = [
        [1, "KG-RG-01", "Nguyễn Văn An", "01/01/1980", "Nam", "01/01/2005"],
        [2, None, "Lê Thị Lan", "01/01/1981", "Nữ", "01/01/2005"],
        [3, "cong doan co so khach san sao bien", "Võ Văn Tâm", "01/01/1982", "Nam", "01/01/2005"],
        [4, "AG-LX-01", "Ngô Văn Sơn", "01/01/1983", "Nam", "01/01/2005"],
    ]
    # rows 5 and 6 of the sheet (after the three title rows and the header): the CĐCS cell merged down
    path = listfiles.xlsx(tmp_path / "kg.xlsx", rows, headers=headers, merges=["B5:B6"])
    batch = read(path, small_tree["kg"])
    assert errors_of(batch) == {
        8: [("Tên CĐCS", "No grassroots union “AG-LX-01” under Liên đoàn Lao động tỉnh Kiên Giang.")]
    }
    services.commit_batch(batch=batch, skip_undecided=True)
    assert dict(Member.objects.values_list("full_name", "unit__code")) == {
        "Nguyễn Văn An": "KG-RG-01",
        "Lê Thị Lan": "KG-RG-01",
        "Võ Văn Tâm": "KG-PQ-01",
    }


def test_csv_in_every_encoding_and_delimiter(small_tree, tmp_path):
    rows = [person(name="Nguyễn Thị Ánh Tuyết", gender="Nữ"), person(name="Đặng Văn Ưng", stt=2)]
    for encoding, delimiter in (("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1258", ",")):
        text_rows = [[c.strftime("%d/%m/%Y") if isinstance(c, D) else c for c in row] for row in rows]
        path = listfiles.csv_file(
            tmp_path / f"{encoding}.csv", text_rows, encoding=encoding, delimiter=delimiter
        )
        batch = read(path, small_tree["a"])
        assert batch.state == ImportBatch.State.READY, (encoding, batch.file_error)
        assert errors_of(batch) == {}, encoding
        assert {r.data["full_name"] for r in batch.rows.all()} == {"Nguyễn Thị Ánh Tuyết", "Đặng Văn Ưng"}, (
            encoding
        )


def test_cp1258_text_is_decomposed_and_comes_out_nfc(small_tree, tmp_path):
    import unicodedata

    path = listfiles.csv_file(
        tmp_path / "w.csv",
        [[1, "Nguyễn Thị Ánh", "01/01/1990", "Nữ", "Kinh", "", "01/01/2015", ""]],
        encoding="cp1258",
    )
    assert listfiles.to_cp1258("ễ") == "ê\u0303".encode("cp1258")  # Windows writes the tone as a mark
    batch = read(path, small_tree["a"])
    name = batch.rows.get().data["full_name"]
    assert name == "Nguyễn Thị Ánh" and unicodedata.is_normalized("NFC", name)
    assert batch.encoding == "Windows-1258"


# ---------------------------------------------------------------------------------------- dates


def test_dates_as_cells_serial_numbers_text_and_bare_years(small_tree, tmp_path):
    rows = [
        person(birth=D(1990, 5, 17), stt=1),
        person(
            name="Lê Văn Bình", birth=33010, joined=42005, id_number="", stt=2
        ),  # serials: 17/05/1990, 01/01/2015
        person(name="Lê Văn Chi", birth="17-05-1990", joined="01.01.2015", id_number="", stt=3),
        person(name="Lê Văn Dũng", birth="1990", joined="2015-01-01", id_number="", stt=4),
    ]
    batch = read(listfiles.xlsx(tmp_path / "dates.xlsx", rows), small_tree["a"])
    assert errors_of(batch) == {}
    data = {
        r.data["full_name"]: (r.data.get("birth_date") or r.data["birth_year"], r.data["joined_on"])
        for r in batch.rows.all()
    }
    assert data == {
        "Nguyễn Văn An": ("1990-05-17", "2015-03-01"),
        "Lê Văn Bình": ("1990-05-17", "2015-01-01"),
        "Lê Văn Chi": ("1990-05-17", "2015-01-01"),
        "Lê Văn Dũng": (1990, "2015-01-01"),
    }


# ---------------------------------------------------------------------------------------- bad rows


def test_every_bad_row_is_named_by_row_column_and_reason_and_nothing_is_written(small_tree, tmp_path):
    future = D.today().replace(year=D.today().year + 1)
    rows = [
        person(stt=1),  # row 5: fine
        person(name="Trần Văn Một", birth="31/02/1990", id_number="", stt=2),  # 6: impossible date
        person(name="Trần Văn Hai", birth=future, id_number="", stt=3),  # 7: born in the future (so
        #    also joined before birth)
        person(
            name="Trần Văn Ba", birth=D(1990, 1, 1), joined=D(1985, 1, 1), stt=4
        ),  # 8: joined before birth
        person(name="Trần Văn Bốn", birth=D(2005, 1, 1), joined=D(2015, 1, 1), stt=5),  # 9: under working age
        person(name="Trần Văn Năm", id_number="09109000123", stt=6),  # 10: 11 digits
        person(name="Trần Văn Sáu", id_number="09109000123A", stt=7),  # 11: a letter
        person(name="Trần Văn Bảy", id_number="003090000008", stt=8),  # 12: no such province
        person(name="Trần Văn Tám", id_number=cccd(1990, "female", 9), stt=9),  # 13: the digit says female
        person(
            name="Trần Văn Chín", id_number=cccd(1991, "male", 10), stt=10
        ),  # 14: born 1990, number says 91
        person(name="Trần Văn Mười", gender="Không rõ", id_number="", stt=11),  # 15: unknown gender
        person(name="Trần Văn Mười Một", ethnic="Klingon", stt=12),  # 16: unknown ethnic group
        person(name="", stt=13),  # 17: no name
        person(name='=HYPERLINK("http://x","Bấm")', stt=14),  # 18: injection text
        person(name="Trần Văn Mười Lăm", joined=None, stt=15),  # 19: no joining date
    ]
    before = registry_state()
    batch = read(listfiles.xlsx(tmp_path / "bad.xlsx", rows), small_tree["a"])
    found = errors_of(batch)
    expected_columns = {
        6: "Ngày sinh",
        7: "Ngày sinh",
        8: "Ngày vào CĐ",
        9: "Ngày vào CĐ",
        10: "Số CCCD",
        11: "Số CCCD",
        12: "Số CCCD",
        13: "Số CCCD",
        14: "Số CCCD",
        15: "Giới tính",
        16: "Dân tộc",
        17: "Họ và tên",
        18: "Họ và tên",
        19: "Ngày vào CĐ",
    }
    assert {row: [column for column, _message in errors] for row, errors in found.items()} == {
        row: [column] + (["Ngày vào CĐ"] if row == 7 else []) for row, column in expected_columns.items()
    }
    assert all(message for errors in found.values() for _column, message in errors)
    assert "31/02/1990" in found[6][0][1]
    assert batch.rows_total == 15 and batch.rows_error == 14 and batch.rows_new == 1
    assert registry_state() == before  # reading writes nothing to the registry
    services.commit_batch(batch=batch)
    assert Member.objects.count() == before[0] + 1  # exactly the previewed valid row


def test_formula_cells_are_refused_not_run_and_the_error_report_escapes_them(small_tree, tmp_path):
    rows = [person(stt=1), person(name="Lê Văn Hai", stt=2)]
    path = listfiles.xlsx(tmp_path / "f.xlsx", rows)
    workbook = load_workbook(path)
    sheet = workbook.active
    sheet["B6"] = '=CONCATENATE("Lê ","Văn Hai")'
    sheet["D5"] = "@SUM(1+1)"
    workbook.save(path)
    batch = read(path, small_tree["a"])
    found = errors_of(batch)
    assert [c for c, _m in found[6]] == ["Họ và tên"] and "formula" in found[6][0][1]
    assert [c for c, _m in found[5]] == ["Giới tính"]
    stream = io.BytesIO()
    assert error_report(stream, batch=batch) == 2
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert all(not str(cell.value or "").startswith(("=", "+", "@")) for cell in cells)


# ---------------------------------------------------------------------------------------- bad files


def test_files_that_are_not_lists_are_refused_as_a_whole(small_tree, tmp_path, settings):
    before = registry_state()
    not_zip = tmp_path / "fake.xlsx"
    not_zip.write_text("Họ và tên,Ngày sinh\n")
    old_xls = tmp_path / "old.xls"
    old_xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    no_header = listfiles.csv_file(tmp_path / "nohead.csv", [["a", "b", "c"]], headers=["x", "y", "z"])
    missing = listfiles.csv_file(
        tmp_path / "missing.csv", [["Nguyễn Văn An", "Nam"]], headers=["Họ và tên", "Giới tính", "Dân tộc"]
    )
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(listfiles.xlsx(tmp_path / "whole.xlsx", [person()]).read_bytes()[:700])
    cases = {
        not_zip: "not an Excel workbook",
        old_xls: ".xls",
        binary: "not text",
        empty: "empty",
        no_header: "header",
        missing: "Ngày sinh",
        truncated: ".xlsx",
    }
    for path, words in cases.items():
        batch = read(path, small_tree["a"])
        assert batch.state == ImportBatch.State.REFUSED, path.name
        assert words in batch.file_error, (path.name, batch.file_error)
        assert not batch.rows.exists()
        summary = services.summary(batch)
        assert summary["file_error"] == batch.file_error and summary["rows"] == 0
        with pytest.raises(ValidationError):
            services.commit_batch(batch=batch)
    assert registry_state() == before


def test_a_file_over_the_size_limit_is_refused(small_tree, tmp_path, settings):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse: 50 MB on paper, nothing on disk
    batch = read(path, small_tree["a"])  # a file named on the command line: by the reader
    assert batch.state == ImportBatch.State.REFUSED and "50,0 MB" in batch.file_error
    with open(path, "rb") as handle, pytest.raises(ValidationError) as refused:  # an upload: not even stored
        services.create_batch(file=File(handle, name="huge.csv"), unit=small_tree["a"])
    assert "50,0 MB" in " ".join(refused.value.message_dict["file"])
    assert ImportBatch.objects.count() == 1


def test_a_zip_bomb_is_refused_from_its_declared_sizes(small_tree, tmp_path, settings):
    settings.CONGDOAN_IMPORT_MAX_BYTES = 1024 * 1024
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(64):
                sheet.write(b"\0" * (1024 * 1024))  # 64 MB of zeros deflate to ~64 KB
    assert path.stat().st_size < settings.CONGDOAN_IMPORT_MAX_BYTES
    batch = read(path, small_tree["a"])
    assert batch.state == ImportBatch.State.REFUSED and "zip bomb" in batch.file_error


def test_legacy_tcvn3_and_vni_text_is_converted(small_tree, tmp_path):
    tcvn3 = [
        [1, "NguyÔn ThÞ Hoµng Oanh", "01/01/1990", "N÷", "Kinh", "", "01/01/2015", "§oµn viªn"],
        [2, "TrÇn V¨n §¹t", "01/01/1985", "Nam", "Kinh", "", "01/01/2015", ""],
    ]
    vni = [
        [1, "Nguyeãn Thò Hoaøng Oanh", "01/01/1990", "Nöõ", "Kinh", "", "01/01/2015", "Ñoaøn vieân"],
        [2, "Traàn Vaên Ñaït", "01/01/1985", "Nam", "Kinh", "", "01/01/2015", ""],
    ]
    assert legacy.from_tcvn3("N÷") == "Nữ" and legacy.from_vni("Nöõ") == "Nữ"
    for scheme, rows in (("tcvn3", tcvn3), ("vni", vni)):
        batch = read(listfiles.xlsx(tmp_path / f"{scheme}.xlsx", rows), small_tree["a"])
        assert errors_of(batch) == {}, scheme
        assert batch.legacy_encoding == scheme
        assert {r.data["full_name"] for r in batch.rows.all()} == {"Nguyễn Thị Hoàng Oanh", "Trần Văn Đạt"}
    # The raw bytes of a TCVN3 CSV (no Unicode anywhere) are read the same way.
    raw = tmp_path / "tcvn3.csv"
    raw.write_bytes(
        (
            "Họ và tên,Ngày sinh,Giới tính,Ngày vào CĐ\n".encode()
            .decode("utf-8")
            .replace("Họ và tên", "Ho va ten")
            .replace("Giới tính", "Gioi tinh")
            .replace("Ngày sinh", "Ngay sinh")
            .replace("Ngày vào CĐ", "Ngay vao CD")
            + "NguyÔn ThÞ Hoµng Oanh,01/01/1990,N÷,01/01/2015\n"
        ).encode("latin-1")
    )
    batch = read(raw, small_tree["a"])
    assert batch.rows.get().data["full_name"] == "Nguyễn Thị Hoàng Oanh"


def test_unconvertible_legacy_text_is_refused_with_a_clear_message(small_tree, tmp_path):
    garbled = [
        [i, "Ngu\xd9\xeaên Th\xc6 H\xf1\xe0ng", "01/01/1990", "Nam", "Kinh", "", "01/01/2015", ""]
        for i in range(1, 6)
    ]
    batch = read(listfiles.xlsx(tmp_path / "viscii.xlsx", garbled), small_tree["a"])
    assert batch.state == ImportBatch.State.REFUSED and "Unikey" in batch.file_error


# ---------------------------------------------------------------------------------------- duplicates


def test_duplicates_within_the_file_await_a_decision(small_tree, tmp_path):
    rows = [
        person(stt=1),
        person(name="Phạm Văn Khác", stt=2),  # the same ID number, another name
        person(name="Lê Văn Hùng", id_number="", stt=3),
        person(name="Le Van Hung", id_number="", stt=4),
    ]  # the same person twice (accents aside)
    rows[1][5] = rows[0][5]
    batch = read(listfiles.xlsx(tmp_path / "dup.xlsx", rows), small_tree["a"])
    duplicates = {d["row"]: d for d in services.summary(batch)["duplicates"]}
    assert set(duplicates) == {6, 8}
    assert duplicates[6]["duplicate_of_row"] == 5 and duplicates[8]["duplicate_of_row"] == 7
    with pytest.raises(ValidationError):
        services.commit_batch(batch=batch)  # undecided duplicates stop a commit
    with pytest.raises(ValidationError):
        services.decide(batch=batch, rows=[6], decision="create")  # two people, one ID number: never
    services.decide(batch=batch, rows=[6], decision="skip")
    services.decide(batch=batch, rows=[8], decision="create")
    services.commit_batch(batch=batch)
    assert sorted(Member.objects.values_list("full_name", flat=True)) == [
        "Le Van Hung",
        "Lê Văn Hùng",
        "Nguyễn Văn An",
    ]


def test_a_repeated_row_holding_a_registry_members_id_number_is_no_different_person(small_tree, tmp_path):
    """A row repeating an earlier row of the file is not compared with the registry; its ID number still
    may be a member's: 'add as a different person' is refused as it is for a row meeting that member, and
    a member who takes the number after the decision makes the commit stale, not a database error."""
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", [person(stt=9)]), small_tree["a"]))
    taken = Member.objects.get().id_number
    rows = [person(name="Trần Văn Xuân", stt=1), person(name="Trần Văn Xuân", stt=2, id_number=taken)]
    batch = read(listfiles.xlsx(tmp_path / "b.xlsx", rows), small_tree["a"])
    repeat = batch.rows.get(status="duplicate", duplicate_of=5)
    refusal = f"two people cannot share the ID number {taken}."
    assert services.allowed_decisions(batch=batch, rows=[repeat])[repeat.pk]["create"] == refusal
    with pytest.raises(ValidationError, match=refusal):
        services.decide(batch=batch, rows=[repeat.row_number], decision="create")

    free = person(name="Trần Văn Xuân", stt=3)
    batch = read(
        listfiles.xlsx(tmp_path / "c.xlsx", [person(name="Trần Văn Xuân", stt=1), free]), small_tree["a"]
    )
    services.decide(batch=batch, rows=[6], decision="create")
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "d.xlsx", [free]), small_tree["b"]))
    with pytest.raises(ValidationError, match="The registry changed since the preview"):
        services.commit_batch(batch=batch)
    assert batch.rows.get(row_number=6).decision == ""  # the refreshed preview asks again


def test_an_update_list_adds_no_one(small_tree, tmp_path):
    """Rows of an update list that repeat each other are skipped or update; a new member needs what only a
    list of new members is checked for."""
    path = listfiles.xlsx(
        tmp_path / "u.xlsx",
        [[cccd(1995, "male", n), "Lê Văn A", "01/01/1995", small_tree["a"].code] for n in (1, 2)],
        headers=["Số CCCD", "Họ và tên", "Ngày sinh", "Mã CĐCS"],
        title=False,
        totals=False,
    )
    batch = read(path, small_tree["kg"], mode="update")
    repeat = batch.rows.get(status="duplicate")
    refusal = "an update list adds no one; add new members with a list in the add mode."
    assert services.allowed_decisions(batch=batch, rows=[repeat])[repeat.pk]["create"] == refusal
    with pytest.raises(ValidationError, match=refusal):
        services.decide(batch=batch, rows=[repeat.row_number], decision="create")


def test_reimporting_the_same_file_changes_nothing(small_tree, tmp_path):
    rows = [*listfiles.people(30), person(name="Không Có Số", id_number="", stt=31)]
    path = listfiles.xlsx(tmp_path / "ds.xlsx", rows)
    services.commit_batch(batch=read(path, small_tree["a"]))
    before = registry_state()
    codes = set(Member.objects.values_list("code", flat=True))
    again = read(path, small_tree["a"])
    summary = services.summary(again)
    assert (summary["unchanged"], summary["new"], summary["duplicates"], summary["errors"]) == (31, 0, [], [])
    services.commit_batch(batch=again)
    assert registry_state() == before and set(Member.objects.values_list("code", flat=True)) == codes
    assert (again.created, again.updated) == (0, 0)


def test_registry_duplicates_are_shown_and_decided_never_merged(small_tree, tmp_path):
    first = [person(stt=1), person(name="Lê Văn Hùng", id_number="", stt=2)]
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", first), small_tree["a"]))
    an = Member.objects.get(full_name="Nguyễn Văn An")
    changed = [
        person(position="Chủ tịch", stt=1),  # same ID, a new position
        person(name="Lê Văn Hùng", id_number=cccd(1990, "male", 77), stt=2),
    ]  # same person, now with an ID
    batch = read(listfiles.xlsx(tmp_path / "b.xlsx", changed), small_tree["a"])
    duplicates = {d["row"]: d for d in services.summary(batch)["duplicates"]}
    assert set(duplicates) == {5, 6} and duplicates[5]["member_code"] == an.code
    assert duplicates[5]["changes"] == {"union_position": ["Đoàn viên", "Chủ tịch"]}
    services.decide(batch=batch, rows=[5], decision="update")
    services.decide(batch=batch, rows=[6], decision="skip")
    before = Member.objects.count()
    services.commit_batch(batch=batch)
    an.refresh_from_db()
    assert an.union_position == "chair" and Member.objects.count() == before
    assert Member.objects.get(full_name="Lê Văn Hùng").id_number is None
    update = ObjectChange.objects.get(
        request_id=batch.request_id, object_id=an.pk, content_type__model="member"
    )
    assert update.before["union_position"] == "member" and update.after["union_position"] == "chair"


# ---------------------------------------------------------------------------------------- update mode


def test_update_mode_by_member_code_or_id_number(small_tree, tmp_path):
    services.commit_batch(
        batch=read(listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(3)), small_tree["a"])
    )
    one, two, three = Member.objects.order_by("id")
    headers = ["Mã đoàn viên", "Số CCCD/CMND", "Điện thoại", "Chức vụ CĐ", "Ngày vào CĐ"]
    rows = [
        [one.code, None, "0912 345 678", "Chủ tịch", None],
        [None, two.id_number, "+84 913 000 111", None, None],
        [None, three.id_number, None, None, "01/01/2001"],  # the joining date is not an import's to change
        ["2500000010", None, "0912000000", None, None],  # no such member (valid check digit)
        [None, "001090009999", None, None, None],
    ]  # no such ID number
    path = listfiles.xlsx(tmp_path / "u.xlsx", rows, headers=headers, title=False, totals=False)
    batch = read(path, small_tree["a"], mode="update")
    assert services.summary(batch)["to_update"] == 2
    assert set(errors_of(batch)) == {5, 6}
    kept = batch.rows.get(row_number=4)  # the rest of the row would be taken; the joining date is said
    assert kept.status == "unchanged" and "01/01/2001 is not taken" in kept.reason
    services.commit_batch(batch=batch)
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.phone, one.union_position, two.phone) == ("0912345678", "chair", "0913000111")
    assert Member.objects.get(pk=three.pk).joined_on == three.joined_on
    again = read(path, small_tree["a"], mode="update")
    assert (again.rows_unchanged, again.rows_update) == (3, 0)


def test_a_member_code_twice_in_a_list_awaits_a_decision(small_tree, tmp_path):
    """Two rows naming one member are one update too many: the second repeats the first, as a repeated ID
    number does, rather than overwriting it unseen."""
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", [person()]), small_tree["a"]))
    member = Member.objects.get()
    rows = [[member.code, "0912345678"], [member.code, "0913000111"]]
    path = listfiles.xlsx(tmp_path / "u.xlsx", rows, headers=["Mã ĐV", "SĐT"], title=False, totals=False)
    batch = read(path, small_tree["a"], mode="update")
    assert dict(batch.rows.values_list("row_number", "status")) == {2: "update", 3: "duplicate"}
    assert batch.rows.get(row_number=3).reason == "The same member code as row 2."


def test_the_same_person_with_another_joining_date_takes_the_rest_of_the_row(small_tree, tmp_path):
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", [person()]), small_tree["a"]))
    member = Member.objects.get()
    later = person(joined="01/01/2021", position="Chủ tịch")
    batch = read(listfiles.xlsx(tmp_path / "b.xlsx", [later]), small_tree["a"])
    (row,) = batch.rows.all()
    assert row.status == "duplicate" and set(row.changes) == {"joined_on", "union_position"}
    services.decide(batch=batch, rows=[row.row_number], decision="update")
    assert "01/01/2021 is not taken: the registry keeps" in batch.rows.get().reason
    services.commit_batch(batch=batch)
    assert (batch.created, batch.updated) == (0, 1)
    joined = member.joined_on
    member.refresh_from_db()
    assert (member.union_position, member.joined_on) == ("chair", joined)


def test_the_same_person_differing_only_in_the_joining_date_decided_the_same_commits(small_tree, tmp_path):
    """'Same person' is offered for a row that differs only in what an import leaves: the commit takes it as
    the preview said (nothing to write), not as a registry changed since."""
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", [person()]), small_tree["a"]))
    member = Member.objects.get()
    batch = read(listfiles.xlsx(tmp_path / "b.xlsx", [person(joined="01/01/2021")]), small_tree["a"])
    (row,) = batch.rows.all()
    assert row.status == "duplicate" and set(row.changes) == {"joined_on"}
    assert services.allowed_decisions(batch=batch, rows=[row])[row.pk]["update"] is None
    services.decide(batch=batch, rows=[row.row_number], decision="update")

    services.commit_batch(batch=batch)

    assert (batch.state, batch.created, batch.updated) == ("committed", 0, 0)
    assert Member.objects.get() == member and Member.objects.get().joined_on == member.joined_on


def test_a_row_decided_otherwise_again_says_again_why_it_is_a_duplicate(small_tree, tmp_path):
    """'Same person' makes the row say what the update does; another decision after it puts back why the
    row is a possible duplicate, not an update that will not be made."""
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", [person()]), small_tree["a"]))
    batch = read(listfiles.xlsx(tmp_path / "b.xlsx", [person(position="Chủ tịch")]), small_tree["a"])
    (row,) = batch.rows.all()
    why = row.reason
    services.decide(batch=batch, rows=[row.row_number], decision="update")
    assert batch.rows.get().reason.startswith("Updates Nguyễn Văn An")
    services.decide(batch=batch, rows=[row.row_number], decision="skip")
    assert batch.rows.get().reason == why


def test_a_dissolved_union_admits_no_one_from_a_list(small_tree, tmp_path):
    """Its members were settled at its dissolution; one joining before it, added now, would stay active in
    it: the row is refused, the union's end named."""
    units.dissolve_unit(unit=small_tree["a"], effective_on=D(2021, 1, 1), decision=decision(D(2020, 12, 20)))
    batch = read(listfiles.xlsx(tmp_path / "a.xlsx", [person(joined=D(2020, 5, 1))]), small_tree["a"])
    assert batch.rows_error == 1
    ((_column, message),) = errors_of(batch)[5]
    assert "ended on 01/01/2021: add the member to the union they belong to now" in message


def test_a_union_dissolved_since_the_preview_admits_no_one_after_its_end(small_tree, tmp_path):
    """The preview checked each row's union; dissolved since, it admits no one (a member the list adds
    would stay active in it): the commit names the first row and writes nothing."""
    rows = [person(joined=D(2020, 5, 1), stt=1), person(name="Lê Văn Bình", joined=D(2022, 5, 1), stt=2)]
    batch = read(listfiles.xlsx(tmp_path / "a.xlsx", rows), small_tree["a"])
    assert batch.rows_new == 2
    units.dissolve_unit(unit=small_tree["a"], effective_on=D(2021, 1, 1), decision=decision(D(2020, 12, 20)))

    with pytest.raises(ValidationError, match=r"Row 5: .* ended on 01/01/2021: add the member"):
        services.commit_batch(batch=batch)
    assert not Member.objects.exists()


def test_a_refreshed_preview_keeps_a_same_person_decision_only_where_it_is_still_taken(small_tree, tmp_path):
    """After a stale commit a 'same person' decision survives with its verdict, saying what the update does;
    one whose update the registry now refuses is asked again (kept, the commit would be stale again and
    again)."""
    first = [person(stt=1), person(name="Lê Văn Bình", stt=2)]
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", first), small_tree["a"]))
    an, binh = (Member.objects.get(full_name=name) for name in ("Nguyễn Văn An", "Lê Văn Bình"))
    headers = [*listfiles.HEADERS, "Ngày cấp thẻ"]
    rows = [
        [*row, D(2016, 1, 1)]
        for row in (person(stt=1, position="Chủ tịch"), person(name="Lê Văn Bình", stt=2))
    ]
    batch = read(listfiles.xlsx(tmp_path / "b.xlsx", rows, headers=headers), small_tree["a"])
    services.decide(batch=batch, rows=[5, 6], decision="update")
    Member.objects.filter(pk=binh.pk).update(joined_on=D(2017, 1, 1))  # corrected on the record meanwhile

    with pytest.raises(ValidationError, match="The registry changed since the preview"):
        services.commit_batch(batch=batch)

    kept, refused = batch.rows.order_by("row_number")
    assert (kept.decision, refused.decision) == ("update", "")
    assert kept.reason.startswith(f"Updates {an.full_name}")
    services.decide(batch=batch, rows=[6], decision="skip")
    services.commit_batch(batch=batch)
    an.refresh_from_db()
    assert (batch.updated, an.union_position) == (1, "chair")


def test_update_mode_stays_in_the_users_subtree(small_tree, tmp_path):
    services.commit_batch(batch=read(listfiles.xlsx(tmp_path / "a.xlsx", [person()]), small_tree["d"]))
    member = Member.objects.get()
    path = listfiles.xlsx(
        tmp_path / "u.xlsx",
        [[member.code, "0912345678"]],
        headers=["Mã ĐV", "SĐT"],
        title=False,
        totals=False,
    )
    batch = read(path, small_tree["kg"], mode="update")
    assert batch.rows_error == 1 and "No member" in errors_of(batch)[2][0][1]


def test_a_registry_change_after_the_preview_stops_the_commit(small_tree, tmp_path):
    path = listfiles.xlsx(tmp_path / "a.xlsx", [person(), person(name="Lê Thị Lan", gender="Nữ", stt=2)])
    batch = read(path, small_tree["a"])
    member_services.admit_member(
        member=Member(
            full_name="Nguyễn Văn An",
            gender="male",
            birth_date=D(1990, 5, 17),
            joined_on=D(2015, 3, 1),
            id_number=cccd(1990, "male", 1),
        ),
        unit=small_tree["a"],
    )
    before = registry_state()
    with pytest.raises(ValidationError, match="changed since the preview"):
        services.commit_batch(batch=batch)
    assert registry_state() == before
    batch.refresh_from_db()
    # The admitted member lacks the ethnic group the file gives: no longer new, a duplicate to decide about.
    assert (batch.state, batch.rows_new, batch.rows_duplicate) == (ImportBatch.State.READY, 1, 1)


# ---------------------------------------------------------------------------------------- round trips


def test_the_error_report_can_be_fixed_and_uploaded_again(small_tree, tmp_path):
    rows = [
        person(stt=1),
        person(name="Lê Văn Hai", birth="31/02/1990", id_number="", stt=2),
        person(name="Lê Thị Ba", gender="?", id_number="", stt=3),
    ]
    batch = read(listfiles.xlsx(tmp_path / "a.xlsx", rows), small_tree["a"])
    services.commit_batch(batch=batch)
    report = tmp_path / "report.xlsx"
    with open(report, "wb") as stream:
        assert error_report(stream, batch=batch) == 2
    workbook = load_workbook(report)
    sheet = workbook.active
    assert [c.value for c in sheet[2]][-2:] == ["Lỗi cần sửa", "Dòng trong tệp gốc"]
    assert [c.value for c in sheet[2]][:3] == [
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
    ]  # the file's own headers
    assert "31/02/1990" in sheet["H3"].value and sheet["I3"].value == 6
    sheet["B3"] = "28/02/1990"
    sheet["C4"] = "Nữ"
    workbook.save(report)
    fixed = read(report, small_tree["a"])
    assert errors_of(fixed) == {} and fixed.rows_new == 2
    assert not any("not imported" in notice for notice in fixed.notices)  # the report's own columns
    services.commit_batch(batch=fixed)
    assert Member.objects.count() == 3


def test_the_template_has_drop_downs_and_imports_once_filled(small_tree, tmp_path):
    path = tmp_path / "mau.xlsx"
    with open(path, "wb") as stream:
        template(stream, unit=small_tree["rg"])
    workbook = load_workbook(path)
    sheet = workbook["Danh sách đoàn viên"]
    headers = [c.value for c in sheet[3]]
    assert headers[:4] == ["STT", "Họ và tên *", "Ngày sinh *", "Giới tính *"] and "Mã CĐCS" in headers
    lists = {str(v.sqref).split(":")[0][:-1]: v for v in sheet.data_validations.dataValidation}
    gender_column = sheet.cell(row=3, column=headers.index("Giới tính *") + 1).column_letter
    assert lists[gender_column].type == "list" and "Danh mục" in lists[gender_column].formula1
    assert workbook["Danh mục"].sheet_state == "hidden"
    values = {
        "Họ và tên *": "Hồ Thị Xuân",
        "Ngày sinh *": "02/09/1995",
        "Giới tính *": "Nữ",
        "Dân tộc": "Kinh",
        "Ngày vào Công đoàn *": D(2020, 5, 1),
        "Mã CĐCS": "KG-RG-02",
        "Trình độ văn hóa": "12/12",
        "Trình độ chuyên môn": "Đại học",
        "Đảng viên": "x",
        "Loại thẻ": "Liên kết",
        "STT": 1,
    }
    for column, header in enumerate(headers, start=1):
        if header in values:
            sheet.cell(row=4, column=column, value=values[header])
    workbook.save(path)
    batch = read(path, small_tree["rg"])
    assert errors_of(batch) == {}
    services.commit_batch(batch=batch)
    member = Member.objects.get()
    assert (
        member.unit.code,
        member.education_level,
        member.professional_level,
        member.party_member,
        member.card_type,
    ) == ("KG-RG-02", "upper_secondary", "bachelor", True, "linked")


# ---------------------------------------------------------------------------------------- rights


def test_imports_go_through_the_users_scope(small_tree, tmp_path):
    from congdoan.accounts.models import Role, User

    path = listfiles.xlsx(tmp_path / "a.xlsx", [person()])
    viewer = User.objects.create(username="xem", unit=small_tree["kg"], role=Role.VIEWER)
    other = User.objects.create(username="ag", unit=small_tree["ag"], role=Role.OFFICER)
    chair = User.objects.create(username="ct", unit=small_tree["a"], role=Role.CHAIR)
    for user in (viewer, other):
        with pytest.raises(PermissionDenied):
            services.create_batch(file=path, unit=small_tree["a"], user=user)
    batch = read(path, small_tree["a"], user=chair)
    with pytest.raises(PermissionDenied):
        services.commit_batch(batch=batch, user=other)
    services.commit_batch(batch=batch, user=chair)
    change = ObjectChange.objects.filter(request_id=batch.request_id, content_type__model="member").get()
    assert change.user == chair


def test_discarding_a_batch_drops_its_rows(small_tree, tmp_path):
    batch = read(listfiles.xlsx(tmp_path / "a.xlsx", [person()]), small_tree["a"])
    services.discard_batch(batch=batch)
    assert not ImportRow.objects.exists() and batch.state == ImportBatch.State.DISCARDED
    with pytest.raises(ValidationError):
        services.commit_batch(batch=batch)


@pytest.mark.parametrize("prefix", ["", "x"])
def test_workbooks_as_excel_writes_them(small_tree, tmp_path, prefix):
    """Shared strings (rich text, phonetic runs), a custom date format, a formula, merges after the rows."""
    from congdoan.members.imports.reading import Formula, open_table

    rows = [
        ["DANH SÁCH ĐOÀN VIÊN", None, None, None, None, None],
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày vào CĐ", "Mã CĐCS"],
        [1, "Nguyễn Văn An", D(1990, 5, 17), "Nam", D(2020, 1, 1), "KG-RG-01"],
        [2, "Lê Thị Hoa", D(1992, 1, 2), "Nữ", D(2020, 1, 1), None],
        [3, "Trần Văn Ba", "=DATE(1990,1,1)", "Nam", D(2020, 1, 1), "KG-RG-02"],
    ]
    path = listfiles.excel_xlsx(tmp_path / "excel.xlsx", rows, prefix=prefix, merges=["A1:F1", "F3:F4"])
    table = open_table(path)
    read_rows = list(table.rows())
    table.close()
    assert table.sheet == "Danh sách"  # the hidden first sheet is passed over
    assert read_rows[0][1] == ["DANH SÁCH ĐOÀN VIÊN"] * 6  # merged across
    assert read_rows[2][1][1:3] == ["Nguyễn Văn An", datetime.datetime(1990, 5, 17)]
    assert read_rows[3][1][5] == "KG-RG-01"  # merged down
    assert isinstance(read_rows[4][1][2], Formula)
    batch = read(path, small_tree["rg"])
    assert errors_of(batch) == {5: [("Ngày sinh", errors_of(batch)[5][0][1])]}
    assert "formula" in errors_of(batch)[5][0][1]
    assert {(r.data["full_name"], r.unit.code) for r in batch.rows.filter(status="new")} == {
        ("Nguyễn Văn An", "KG-RG-01"),
        ("Lê Thị Hoa", "KG-RG-01"),
    }


def test_many_shared_strings_read_back_in_order(tmp_path):
    from congdoan.members.imports.reading import open_table

    rows = [["Họ và tên", "Ngày sinh", "Giới tính"]] + [
        [f"Người {n}", D(1990, 1, 1), "Nam"] for n in range(20000)
    ]
    table = open_table(listfiles.excel_xlsx(tmp_path / "big.xlsx", rows))
    names = [cells[0] for _number, cells in table.rows()]
    assert (
        names[1:] == [f"Người {n}" for n in range(20000)] and table._strings.get.cache_info().maxsize == 16384
    )
    table.close()


def test_merged_ranges_are_all_found_across_read_chunks(tmp_path):
    from congdoan.members.imports.reading import open_table

    merges = [f"A{n}:B{n}" for n in range(2, 40002)]  # about 1.2 MB of XML after the rows: read in two chunks
    rows = [["Họ và tên", None], *[["x", None]] * 40001]
    table = open_table(listfiles.excel_xlsx(tmp_path / "merged.xlsx", rows, merges=merges))
    assert len(table._merges) == 40000 and table._merges[-1] == (40001, 0, 40001, 1)
    table.close()


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("nguyễn thị bình", "Nguyễn Thị Bình"),  # a list typed in small letters
        ("Nguyễn Thị bình", "Nguyễn Thị bình"),  # mixed: kept as written
    ],
)
def test_a_name_typed_in_one_case_is_capitalised(written, stored):
    assert parse_name(written) == stored
