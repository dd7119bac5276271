"""The two workbooks users download: the template to fill in, and the error report of an import.

The error report holds the rows that were not imported (errors, and duplicates nobody decided about) with
the file's own headers and the cells as they were read, plus the reasons in a last column. Fixed and
uploaded again, it imports like any list: the reason columns are known and skipped.
"""

import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from congdoan.members.exports import fit_columns, safe_text
from congdoan.members.imports.fields import CHOICES, ETHNIC_LABELS, FIELDS, REPORT_COLUMNS
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.units.models import Level, Unit

TEMPLATE_ROWS = 5000  # rows carrying the drop-downs
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
_DUPLICATE_FILL = PatternFill("solid", fgColor="FFE699")


def template(stream, *, unit: Unit, mode: str = ImportBatch.Mode.ADD) -> None:
    """An empty list with Vietnamese headers, hints on the headers and drop-downs for the coded columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách đoàn viên"
    lists = workbook.create_sheet("Danh mục")
    lists.sheet_state = "hidden"
    grassroots = unit.unit_type.level in (Level.GRASSROOTS, Level.SUBUNIT)
    fields = [
        f for f in FIELDS if (f.name != "unit" or not grassroots) and (f.name != "code" or mode == "update")
    ]
    sheet.append([f"DANH SÁCH ĐOÀN VIÊN — {unit.name}"])
    sheet.append(
        ["Cột có dấu * là bắt buộc khi thêm đoàn viên mới. Ngày viết dd/mm/yyyy. Không dùng công thức."]
    )
    headers = ["STT"] + [f.header + (" *" if f.required and mode == "add" else "") for f in fields]
    sheet.append(headers)
    last = get_column_letter(len(headers))
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "C4"
    sheet.column_dimensions["A"].width = 6
    for position, field in enumerate(fields, start=2):
        letter = get_column_letter(position)
        cell = sheet[f"{letter}3"]
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = field.width
        if field.hint:
            cell.comment = Comment(field.hint, "congdoan")
        if field.name in ("id_number", "passport_number", "phone", "code"):
            for row in range(4, TEMPLATE_ROWS + 4):
                sheet[f"{letter}{row}"].number_format = "@"  # text: keeps the leading zeros
        options = _options(field.name, unit)
        if options:
            column = get_column_letter(position)
            for index, option in enumerate(options, start=1):
                lists[f"{column}{index}"] = option
            validation = DataValidation(
                type="list",
                formula1=f"'Danh mục'!${column}$1:${column}${len(options)}",
                allow_blank=True,
                showErrorMessage=field.name != "unit",
            )
            validation.error = "Chọn một giá trị trong danh sách."
            sheet.add_data_validation(validation)
            validation.add(f"{letter}4:{letter}{TEMPLATE_ROWS + 3}")
        if field.name in ("joined_on", "party_joined_on", "card_issued_on"):
            validation = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1929,7,28)",
                formula2="TODAY()",
                allow_blank=True,
                showErrorMessage=True,
            )
            validation.error = "Nhập ngày dd/mm/yyyy, không sau hôm nay."
            sheet.add_data_validation(validation)
            validation.add(f"{letter}4:{letter}{TEMPLATE_ROWS + 3}")
            for row in range(4, TEMPLATE_ROWS + 4):
                sheet[f"{letter}{row}"].number_format = "DD/MM/YYYY"
    workbook.save(stream)


def _options(name: str, unit: Unit) -> list[str]:
    if name in CHOICES:
        return [choice.label for choice in CHOICES[name].values()]
    if name == "ethnic_group":
        return ETHNIC_LABELS
    if name == "party_member":
        return ["x"]
    if name == "unit":
        return list(
            Unit.objects.filter(
                path__under=unit.path, dissolved_on__isnull=True, unit_type__level=Level.GRASSROOTS
            )
            .order_by("code")
            .values_list("code", flat=True)[:10000]
        )
    return []


def report_rows(batch: ImportBatch):
    """The rows the list leaves out: errors, and possible duplicates not taken as new or as updates."""
    return batch.rows.filter(status__in=[ImportRow.Status.ERROR, ImportRow.Status.DUPLICATE]).exclude(
        decision__in=[ImportRow.Decision.CREATE, ImportRow.Decision.UPDATE]
    )


def error_report(stream, *, batch: ImportBatch) -> int:
    """The rows not imported, as read, with their reasons; returns how many rows it holds."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dòng cần sửa")
    columns = batch.columns
    headers = [column["header"] for column in columns] + list(REPORT_COLUMNS)
    rows = report_rows(batch).order_by("row_number")
    lines = fit_columns(
        sheet, headers, (_report_cells(sheet, columns, row) for row in rows.iterator(chunk_size=2000))
    )
    sheet.append([_bold(sheet, f"Các dòng chưa nhập từ tệp {batch.file_name} — sửa rồi tải lên lại")])
    sheet.append([_bold(sheet, header) for header in headers])
    count = 0
    for cells in lines:
        sheet.append(cells)
        count += 1
    workbook.save(stream)
    return count


def _report_cells(sheet, columns: list[dict], row: ImportRow) -> list[WriteOnlyCell]:
    """The row's cells as read, the faulty ones filled, then its reasons and its row number in the file."""
    bad = {error["column"] for error in row.errors}
    fill = _ERROR_FILL if row.status == ImportRow.Status.ERROR else _DUPLICATE_FILL
    cells = []
    for column, value in zip(columns, row.values, strict=False):
        cell = WriteOnlyCell(sheet, safe_text(value))
        cell.data_type = "s"
        if column["header"] in bad or row.status == ImportRow.Status.DUPLICATE:
            cell.fill = fill
        cells.append(cell)
    reasons = [f"{e['column']}: {e['message']}" for e in row.errors] or [row.reason]
    cells.append(WriteOnlyCell(sheet, safe_text("; ".join(reasons))))
    cells.append(WriteOnlyCell(sheet, row.row_number))
    return cells


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = _BOLD
    return cell


def report_name(batch: ImportBatch) -> str:
    return f"loi-nhap-doan-vien-{batch.pk}-{datetime.date.today():%Y%m%d}.xlsx"
