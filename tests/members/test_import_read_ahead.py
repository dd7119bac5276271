"""A large sheet is read by a second process (``reading.read_ahead``): the rows, the refusals and the early
end must be exactly those of reading it here."""

import datetime
import zipfile

import pytest

from congdoan.members.imports import reading, services
from congdoan.members.imports.models import ImportBatch
from congdoan.members.imports.reading import (
    CellError,
    FileRefused,
    Formula,
    ReadAhead,
    open_table,
    read_ahead,
)
from congdoan.members.models import Member
from tests.members import listfiles

D = datetime.date


@pytest.fixture
def every_sheet_read_ahead(monkeypatch):
    monkeypatch.setattr(reading, "READ_AHEAD_BYTES", 0)


def _workbook(tmp_path, count=2500):
    rows = [
        ["DANH SÁCH ĐOÀN VIÊN", None, None, None, None],
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Ghi chú"],
        *[
            [n, f"Nguyễn Văn {n}", D(1990, 1, 1) + datetime.timedelta(n), "Nam", None]
            for n in range(1, count)
        ],
        [count, "Lê Thị Hoa", "=DATE(1990,1,1)", "Nữ", 2.5],
    ]
    path = listfiles.excel_xlsx(tmp_path / "list.xlsx", rows, merges=["A1:E1", "E3:E5"])
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(tmp_path / "errors.xlsx", "w") as copy:
        for info in original.infolist():  # an error cell (#N/A), as Excel writes one
            data = original.read(info)
            if "worksheets/" in info.filename:
                error_cell = b'<c r="F7" t="e"><v>#N/A</v></c>'
                data = data.replace(b'</row><row r="8"', error_cell + b'</row><row r="8"', 1)
            copy.writestr(info.filename, data)
    return tmp_path / "errors.xlsx"


def _rows(table):
    try:
        return list(table.rows())
    finally:
        table.close()


def test_the_rows_read_ahead_are_the_rows_read_here(tmp_path, every_sheet_read_ahead):
    path = _workbook(tmp_path)
    ahead = read_ahead(open_table(path))
    assert isinstance(ahead, ReadAhead)
    assert (ahead.format, ahead.sheet) == ("xlsx", "Danh sách")
    rows = _rows(ahead)
    assert rows == _rows(open_table(path))
    assert rows[0][1] == ["DANH SÁCH ĐOÀN VIÊN"] * 5 and rows[3][1][4] == rows[2][1][4]  # merges filled
    assert isinstance(rows[-1][1][2], Formula) and rows[-1][1][4] == 2.5
    assert rows[6][1][5] == CellError("#N/A")
    assert ahead.progress() == (rows[-1][0], rows[-1][0])


def test_a_sheet_damaged_past_its_first_rows_is_refused_with_the_readers_message(
    tmp_path, every_sheet_read_ahead
):
    source = listfiles.xlsx(tmp_path / "ok.xlsx", listfiles.people(3000))
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info)
            copy.writestr(
                info.filename, data[: len(data) * 3 // 4] + b"<<<" if "worksheets/" in info.filename else data
            )
    ahead = read_ahead(open_table(damaged))
    with pytest.raises(FileRefused) as refused:
        _rows(ahead)
    with pytest.raises(FileRefused) as here:
        _rows(open_table(damaged))
    assert str(refused.value) == str(here.value) and ".xlsx" in str(here.value)


def test_closing_the_table_early_stops_the_reading_process(tmp_path, every_sheet_read_ahead):
    ahead = read_ahead(open_table(listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(5000))))
    first = next(iter(ahead.rows()))
    ahead.close()
    assert first[0] > 0 and not ahead._reader.is_alive() and ahead._reader.exitcode is not None


def test_only_large_sheets_are_read_ahead_and_never_csv(tmp_path, monkeypatch):
    people = listfiles.people(20)
    small = open_table(listfiles.xlsx(tmp_path / "a.xlsx", people))
    assert read_ahead(small) is small
    small.close()
    monkeypatch.setattr(reading, "READ_AHEAD_BYTES", 0)
    text = open_table(listfiles.csv_file(tmp_path / "a.csv", people))
    assert read_ahead(text) is text
    text.close()


def test_an_import_read_ahead_stages_what_one_read_here_stages(small_tree, tmp_path, monkeypatch):
    path = listfiles.xlsx(tmp_path / "a.xlsx", listfiles.people(300))

    def staged():
        batch = services.read_batch(batch=services.create_batch(file=path, unit=small_tree["a"]))
        assert batch.state == ImportBatch.State.READY
        rows = list(batch.rows.order_by("row_number").values_list("row_number", "status", "values", "data"))
        services.discard_batch(batch=batch)
        return rows

    here = staged()
    monkeypatch.setattr(reading, "READ_AHEAD_BYTES", 0)
    assert staged() == here and len(here) == 300 and not Member.objects.exists()
