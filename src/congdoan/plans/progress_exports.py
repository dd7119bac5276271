"""Progress of a programme's targets for a unit as an .xlsx workbook: the targets on one sheet, each target
drilled down to the units directly under it on another. Numbers are numbers (percents as 63,2, not text);
text a spreadsheet would take for a formula is escaped (``members.exports.safe_text``)."""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from congdoan.members.exports import safe_text
from congdoan.plans.models import Programme
from congdoan.plans.progress import DrillDown, Progress
from congdoan.units.models import Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHOLE_FORMAT = "#,##0"
FRACTION_FORMAT = "#,##0.0"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Progress], object]


def _met(row: Progress) -> str:
    if row.verdict.met is None:
        return ""
    return str(_("Met") if row.verdict.met else _("Not met"))


def _part(row: Progress, name: str):
    return getattr(row.actual, name) if row.actual is not None and row.actual.is_ratio else None


TARGET_COLUMNS = [
    Column(gettext_lazy("Item"), lambda row: row.target.ref),
    Column(gettext_lazy("Target"), lambda row: row.target.text),
    Column(gettext_lazy("Requirement"), lambda row: row.target.requirement),
    Column(
        gettext_lazy("Source"),
        lambda row: str(_("entered by hand")) if row.target.manual else row.target.indicator,
    ),
]
UNIT_COLUMNS = [
    Column(gettext_lazy("Unit code"), lambda row: row.unit.code),
    Column(gettext_lazy("Unit"), lambda row: row.name),
]
FIGURE_COLUMNS = [
    Column(gettext_lazy("Target for the unit"), lambda row: row.target_value),
    Column(gettext_lazy("Actual"), lambda row: row.value),
    Column(gettext_lazy("Numerator"), lambda row: _part(row, "numerator")),
    Column(gettext_lazy("Denominator"), lambda row: _part(row, "denominator")),
    Column(gettext_lazy("Completion (%)"), lambda row: row.verdict.percent),
    Column(gettext_lazy("Met"), _met),
    Column(gettext_lazy("Expected by now"), lambda row: row.verdict.expected),
    Column(gettext_lazy("Pace (%)"), lambda row: row.verdict.pace),
    Column(gettext_lazy("Light"), lambda row: row.light_label),
    Column(gettext_lazy("Share of the unit above (%)"), lambda row: row.share),
]


def _cell(sheet, value, *, bold: bool = False):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, safe_text(value))
        cell.data_type = "s"  # never a formula, whatever the text
    else:
        cell = WriteOnlyCell(sheet, value)
        if value is not None:
            cell.number_format = WHOLE_FORMAT if value == int(value) else FRACTION_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(workbook: Workbook, name: str, title: str, columns: list[Column], rows: list[Progress]) -> None:
    sheet = workbook.create_sheet(name)
    sheet.freeze_panes = "A3"
    sheet.append([_cell(sheet, title, bold=True)])
    sheet.append([_cell(sheet, str(column.header), bold=True) for column in columns])
    for row in rows:
        sheet.append([_cell(sheet, column.value(row)) for column in columns])


def progress_workbook(
    *, programme: Programme, unit: Unit, on: datetime.date, drills: list[DrillDown]
) -> bytes:
    workbook = Workbook(write_only=True)
    title = _("Progress of %(programme)s — %(unit)s — %(day)s") % {
        "programme": programme.number or programme.ref,
        "unit": unit.name,
        "day": date_format(on, "d/m/Y"),
    }
    _sheet(workbook, _("Targets"), title, TARGET_COLUMNS + FIGURE_COLUMNS, [drill.own for drill in drills])
    _sheet(
        workbook,
        _("Units under it"),
        title,
        TARGET_COLUMNS[:2] + UNIT_COLUMNS + FIGURE_COLUMNS,
        [child for drill in drills for child in drill.children],
    )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
