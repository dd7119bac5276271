"""Member lists written for the import tests: real-looking .xlsx (title rows, merged cells, STT, totals line)
and CSV in any encoding."""

import csv
import datetime
import io
import random
import unicodedata
from pathlib import Path

from openpyxl import Workbook

from congdoan.core.text import fold
from congdoan.members.identity import CCCD_PROVINCES

D = datetime.date
HEADERS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Ngày vào CĐ",
    "Chức vụ công đoàn",
]


def xlsx(
    path: Path,
    rows: list[list],
    *,
    headers=HEADERS,
    title: bool = True,
    totals: bool = True,
    merges: list[str] = (),
) -> Path:
    """A provincial list: two title rows (merged), a blank line, the header, the rows, a totals line."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DS đoàn viên"
    if title:
        sheet.append(["LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG"])
        sheet.append(["DANH SÁCH ĐOÀN VIÊN CÔNG ĐOÀN NĂM 2025"])
        sheet.append([])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if totals:
        sheet.append([])
        sheet.append(["Tổng cộng", f"{len(rows)} đoàn viên"])
        sheet.append([None, None, None, None, None, "Người lập biểu"])
    for merge in merges:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def csv_file(
    path: Path, rows: list[list], *, headers=HEADERS, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: letters it has precomposed, tones as combining marks after them."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
            out += (base + "".join(c for c in parts if c in _TONE_MARKS)).encode("cp1258")
    return bytes(out)


def cccd(year: int, gender: str, serial: int, province: str = "091") -> str:
    digit = (year // 100 - 19) * 2 + (1 if gender == "female" else 0)
    return f"{province}{digit}{year % 100:02d}{serial:06d}"


FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Công", "Minh", "Quốc"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Kim", "Thanh", "Bích"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hạnh",
    "Hòa",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Việt",
    "Xuân",
    "Yến",
    "Ánh",
    "Đạt",
    "Ưng",
]


def people(count: int, *, seed: int = 7, start: int = 0) -> list[list]:
    """Rows in HEADERS order: distinct, valid people (CCCD consistent with birth and gender)."""
    rng = random.Random(seed)
    rows = []
    for index in range(start, start + count):
        gender = rng.choice(["male", "female"])
        year = rng.randint(1965, 2004)
        birth = D(year, rng.randint(1, 12), rng.randint(1, 28))
        middle = rng.choice(MIDDLE_MALE if gender == "male" else MIDDLE_FEMALE)
        name = f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}"
        joined = D(max(year + 18, 2019), rng.randint(2, 12), rng.randint(1, 28))
        province = rng.choice(sorted(CCCD_PROVINCES))
        rows.append(
            [
                index + 1,
                name,
                birth,
                "Nam" if gender == "male" else "Nữ",
                "Kinh",
                cccd(year, gender, index, province),
                joined,
                "Đoàn viên",
            ]
        )
    return rows


def folded_names(rows: list[list]) -> set[str]:
    return {fold(row[1]) for row in rows}
