"""Member lists written for the import tests: real-looking .xlsx (title rows, merged cells, STT, totals line)
and CSV in any encoding."""

import csv
import datetime
import io
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from congdoan.demo import names
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
# The columns of a provincial list as the benchmarks write it: every kind of cell a member row may hold.
PROVINCIAL_HEADERS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Tôn giáo",
    "Số CCCD",
    "Điện thoại",
    "Email",
    "Trình độ chuyên môn",
    "Chức vụ công đoàn",
    "Nghề nghiệp",
    "Ngày vào CĐ",
    "Đảng viên",
    "Mã CĐCS",
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


@dataclass(frozen=True)
class Person:
    full_name: str
    birth_date: datetime.date
    gender: str  # "male" or "female"
    id_number: str
    joined_on: datetime.date


def persons(count: int, *, seed: int = 7, start: int = 0) -> Iterator[Person]:
    """Distinct, valid people, the same for the same seed (CCCD consistent with birth and gender, unique for
    up to a million): the one generator of the test lists and of the member benchmarks."""
    rng = random.Random(seed)
    for index in range(start, start + count):
        gender = rng.choice(["male", "female"])
        year = rng.randint(1965, 2004)
        birth = D(year, rng.randint(1, 12), rng.randint(1, 28))
        family = rng.choice(names.FAMILY_NAMES)[0]
        if gender == "male":
            name = f"{family} {rng.choice(names.MALE_MIDDLE)} {rng.choice(names.MALE_GIVEN)}"
        else:
            name = f"{family} {rng.choice(names.FEMALE_MIDDLE)} {rng.choice(names.FEMALE_GIVEN)}"
        joined = D(max(year + 18, 2019), rng.randint(2, 12), rng.randint(1, 28))
        province = rng.choice(sorted(CCCD_PROVINCES))
        yield Person(name, birth, gender, cccd(year, gender, index, province), joined)


def people(count: int, *, seed: int = 7, start: int = 0) -> list[list]:
    """Rows in HEADERS order."""
    return [
        [
            index + 1,
            person.full_name,
            person.birth_date,
            "Nam" if person.gender == "male" else "Nữ",
            "Kinh",
            person.id_number,
            person.joined_on,
            "Đoàn viên",
        ]
        for index, person in enumerate(persons(count, seed=seed, start=start), start=start)
    ]


def excel_xlsx(path: Path, rows: list[list], *, prefix: str = "", merges: list[str] = ()) -> Path:
    """An .xlsx written the way Excel writes it (openpyxl writes inline strings instead): shared strings with
    rich-text runs and phonetic runs, a custom date style, formulas with cached values, the merged cells after
    the rows, a hidden first sheet, and (with ``prefix``) prefixed element names as some tools produce."""
    import zipfile
    from xml.sax.saxutils import escape

    from congdoan.members.imports.reading import column_letters

    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    strings: dict[str, int] = {}
    body = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(row):
            ref = f"{column_letters(index)}{number}"
            if value is None:
                continue
            if isinstance(value, D):
                serial = (value - D(1899, 12, 30)).days
                cells.append(f'<{p}c r="{ref}" s="1"><{p}v>{serial}</{p}v></{p}c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<{p}c r="{ref}"><{p}v>{value}</{p}v></{p}c>')
            elif value.startswith("="):
                cells.append(f'<{p}c r="{ref}" t="str"><{p}f>{escape(value[1:])}</{p}f><{p}v>x</{p}v></{p}c>')
            else:
                position = strings.setdefault(value, len(strings))
                cells.append(f'<{p}c r="{ref}" t="s"><{p}v>{position}</{p}v></{p}c>')
        body.append(f'<{p}row r="{number}">{"".join(cells)}</{p}row>')
    merged = "".join(f'<{p}mergeCell ref="{m}"/>' for m in merges)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{p}worksheet {ns}>'
        f'<{p}dimension ref="A1:Z{len(rows)}"/><{p}sheetData>{"".join(body)}</{p}sheetData>'
        + (f'<{p}mergeCells count="{len(merges)}">{merged}</{p}mergeCells>' if merges else "")
        + f"</{p}worksheet>"
    )
    items = []
    for text, _position in sorted(strings.items(), key=lambda item: item[1]):
        half = len(text) // 2  # split into two rich-text runs, with a phonetic run that must be left out
        items.append(
            f'<{p}si><{p}r><{p}t xml:space="preserve">{escape(text[:half])}</{p}t></{p}r>'
            f"<{p}r><{p}rPr><{p}b/></{p}rPr><{p}t>{escape(text[half:])}</{p}t></{p}r>"
            f'<{p}rPh sb="0" eb="1"><{p}t>PHONETIC</{p}t></{p}rPh></{p}si>'
        )
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}sst {ns} count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{"".join(items)}</{p}sst>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}styleSheet {ns}><{p}numFmts count="1">'
        f'<{p}numFmt numFmtId="165" formatCode="dd/mm/yyyy;@"/></{p}numFmts><{p}cellXfs count="2">'
        f'<{p}xf numFmtId="0"/><{p}xf numFmtId="165" applyNumberFormat="1"/></{p}cellXfs></{p}styleSheet>'
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {ns} xmlns:r="{rel}"><{p}sheets>'
        f'<{p}sheet name="Ẩn" sheetId="1" state="hidden" r:id="rId1"/>'
        f'<{p}sheet name="Danh sách" sheetId="2" r:id="rId2"/></{p}sheets></{p}workbook>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="ws" Target="/xl/worksheets/sheet2.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/styles.xml", styles)
        archive.writestr("xl/sharedStrings.xml", shared)
        archive.writestr("xl/worksheets/sheet1.xml", sheet.replace("Danh", "Ẩn"))
        archive.writestr("xl/worksheets/sheet2.xml", sheet)
    return path
