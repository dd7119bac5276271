"""The member workbooks open with their columns as wide as their headers and values, within bounds."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from congdoan.members import services as member_services
from congdoan.members.exports import NARROWEST, WIDEST, export_members
from congdoan.members.imports import services as import_services
from congdoan.members.imports.workbooks import error_report
from congdoan.members.models import Member
from tests.members import listfiles

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]
LONG_POSITION = "Tổ trưởng tổ công đoàn phân xưởng cơ khí sửa chữa và bảo dưỡng thiết bị nâng hạ"


def widths(stream: io.BytesIO) -> dict[str, float]:
    """Each header of row 2 with its column's width."""
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    return {
        cell.value: sheet.column_dimensions[get_column_letter(position)].width
        for position, cell in enumerate(sheet[2], start=1)
    }


def test_the_error_report_columns_fit_headers_and_values(small_tree, tmp_path):
    headers = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Ngày vào CĐ", "Chức vụ", "DT"]
    rows = [
        [1, "Lê Văn Hai", "31/02/1990", "Nam", "", "01/03/2015", "Đoàn viên", "Kinh"],
        [2, "Lê Thị Ba", "17/05/1990", "?", "", "01/03/2015", LONG_POSITION, "Tày"],
    ]
    path = listfiles.xlsx(tmp_path / "a.xlsx", rows, headers=headers, title=False, totals=False)
    batch = import_services.read_batch(
        batch=import_services.create_batch(file=path, unit=small_tree["a"], mode="add")
    )
    stream = io.BytesIO()
    assert error_report(stream, batch=batch) == 2
    found = widths(stream)
    assert found["Họ và tên"] == len("Lê Văn Hai") + 2  # the longest value
    assert found["Ngày vào CĐ"] == len("Ngày vào CĐ") + 2  # the header, longer than its dates
    assert found["Chức vụ"] == WIDEST  # a long value is bounded
    assert found["Dòng trong tệp gốc"] == len("Dòng trong tệp gốc") + 2
    assert found["DT"] == NARROWEST  # a short column keeps room to click in
    assert all(NARROWEST <= width <= WIDEST for width in found.values())


def test_the_member_list_columns_fit_headers_and_values(small_tree):
    member = Member(
        full_name="Nguyễn Thị Phương Thảo Uyên",
        gender="female",
        birth_date=D(1990, 3, 4),
        joined_on=D(2019, 6, 1),
        occupation=LONG_POSITION,
    )
    member_services.admit_member(member=member, unit=small_tree["a"])
    stream = io.BytesIO()
    assert export_members(stream=stream, format="xlsx", unit=small_tree["kg"]) == 1
    found = widths(stream)
    assert found["Họ và tên"] == len("Nguyễn Thị Phương Thảo Uyên") + 2
    assert found["Nghề nghiệp"] == WIDEST
    assert all(NARROWEST <= width <= WIDEST for width in found.values())
