"""Member lists out of the registry: .xlsx, .csv (UTF-8 with BOM, as Excel expects) and JSON.

``export_members`` writes the members of a unit's subtree as they stood on a date, read from the
``Membership`` intervals and the tree as it stood then; it streams, so a province's list costs no more
memory than a CĐCS's. Personal data (ID and passport numbers, phone, e-mail, birth date) is masked unless
the caller asks for it and may see it. The columns are the import template's, so an exported list can be
imported back.
Text that a spreadsheet would take for a formula (= + - @ first) is written with a leading apostrophe.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from congdoan.accounts.models import Action, Role
from congdoan.accounts.scope import restrict
from congdoan.members.imports.fields import BY_NAME, INJECTION_LEADS
from congdoan.members.imports.matching import shown
from congdoan.members.imports.rows import MEMBER_FIELDS
from congdoan.members.models import MEMBER_STATES, Member, Membership
from congdoan.units.models import Unit
from congdoan.units.selectors import names_on, tree_on, valid_on

FORMATS = ("xlsx", "csv", "json")
# Roles whose users may take personal data out of the system (Decree 13/2023/NĐ-CP: as few as the work needs).
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.OFFICER})
PERSONAL_FIELDS = ("id_number", "passport_number", "phone", "email", "birth_date")


def safe_text(value: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (the import takes it off again)."""
    return "'" + value if value.startswith(INJECTION_LEADS) else value


# Column widths, in characters of the default font: the longest of the header and the first rows' values.
WIDTH_SAMPLE = 200
NARROWEST, WIDEST = 8, 50


def fit_columns(
    sheet, headers: Sequence[str], rows: Iterable[Sequence[WriteOnlyCell]]
) -> Iterator[Sequence[WriteOnlyCell]]:
    """Set a write-only ``sheet``'s column widths from ``headers`` and the first rows of cells; returns all
    the rows, to append. Call it before appending anything: the sheet writes its widths ahead of its rows."""
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    lengths = [len(header) for header in headers]
    for cells in sample:
        for position, cell in enumerate(cells):
            if position == len(lengths):
                lengths.append(0)
            lengths[position] = max(lengths[position], _shown_length(cell.value))
    for position, length in enumerate(lengths, start=1):
        width = min(max(length + 2, NARROWEST), WIDEST)  # two for the cell's margins and a bold header
        sheet.column_dimensions[get_column_letter(position)].width = width
    return chain(sample, rows)


def _shown_length(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return len("dd/mm/yyyy")
    return max(len(line) for line in str(value).split("\n"))


def may_export_personal_data(user) -> bool:
    """``user`` None is the system operator of the command line."""
    return user is None or user.is_superuser or (user.is_active and user.role in PERSONAL_DATA_ROLES)


def mask_id_number(value: str) -> str:
    return "*" * (len(value) - 3) + value[-3:] if value else ""


def mask_phone(value: str) -> str:
    return value[:3] + "*" * (len(value) - 5) + value[-2:] if len(value) > 5 else "*" * len(value)


def mask_email(value: str) -> str:
    name, _at, domain = value.partition("@")
    return f"{name[:1]}***@{domain}" if value else ""


@dataclass(frozen=True)
class ExportColumn:
    key: str  # JSON key
    header: str


# The member fields an import reads, the year of birth standing in the birth column when the date is unknown.
_MEMBER_COLUMNS = tuple(name for name in MEMBER_FIELDS if name != "birth_year")
COLUMNS = [
    ExportColumn("code", BY_NAME["code"].header),
    *(ExportColumn(name, BY_NAME[name].header) for name in _MEMBER_COLUMNS),
    ExportColumn("unit", BY_NAME["unit"].header),
    ExportColumn("unit_name", "Tên CĐCS"),
    ExportColumn("status", "Tình trạng"),
]
_STATUS_LABELS = {
    "active": "Đang sinh hoạt",
    "suspended": "Tạm dừng sinh hoạt",
    # A filtered list (``export_queryset``) may hold former members too.
    "transferred_out": "Đã chuyển đi",
    "left": "Đã thôi sinh hoạt",
    "expelled": "Bị khai trừ",
    "retired": "Nghỉ hưu",
    "deceased": "Đã mất",
    "ended_by_dissolution": "Kết thúc do giải thể CĐCS",
}


def members_on(*, unit: Unit, on: datetime.date, user=None) -> QuerySet[Membership]:
    """Who belonged to ``unit``'s subtree on ``on`` (the tree as it stood then), within the user's scope."""
    if user is not None and not restrict(Unit.objects.filter(pk=unit.pk), user, Action.VIEW).exists():
        raise PermissionDenied(_("%(unit)s is outside your unit.") % {"unit": unit})
    unit_ids = tree_on(on, under=unit).values("unit_id")
    memberships = Membership.objects.filter(valid_on(on), unit_id__in=unit_ids, state__in=MEMBER_STATES)
    if user is not None:
        memberships = restrict(memberships, user, Action.VIEW, path_field="unit__path")
    return memberships.select_related("member", "unit").order_by("member__sort_key", "member_id")


def heading_names(*, unit: Unit, on: datetime.date) -> tuple[str, str]:
    """The names a list of ``unit`` as of ``on`` is headed with: the unit's and its parent's, as they were
    called and placed that day (today's when the unit did not exist yet)."""
    link = tree_on(on).filter(unit=unit).only("parent_id").first()
    parent_id = link.parent_id if link else unit.parent_id
    names = names_on(unit_ids=[unit.pk, *([parent_id] if parent_id else [])], on=on)
    unit_name = names[unit.pk].name if unit.pk in names else unit.name
    if parent_id is None:
        return unit_name, ""
    return unit_name, names[parent_id].name if parent_id in names else Unit.objects.get(pk=parent_id).name


def _record(membership: Membership, full: bool) -> dict:
    member: Member = membership.member
    record = {"code": member.code}
    for name in _MEMBER_COLUMNS:
        record[name] = getattr(member, name)
    if record["birth_date"] is None and member.birth_year:
        record["birth_date"] = member.birth_year
    if not full:
        record["id_number"] = mask_id_number(member.id_number or "")
        record["passport_number"] = mask_id_number(member.passport_number or "")
        record["phone"] = mask_phone(member.phone)
        record["email"] = mask_email(member.email)
        record["birth_date"] = member.birth_year  # the year only
    record["unit"], record["unit_name"] = membership.unit.code, membership.unit.name
    record["status"] = membership.state
    return record


def _check_full(user, full: bool) -> None:
    if full and not may_export_personal_data(user):
        raise PermissionDenied(_("Your role does not allow exporting personal data; export the masked list."))


def records(*, unit: Unit, on: datetime.date | None = None, user=None, full: bool = False) -> Iterator[dict]:
    _check_full(user, full)
    memberships = members_on(unit=unit, on=on or timezone.localdate(), user=user)
    for membership in memberships.iterator(chunk_size=2000):
        yield _record(membership, full)


def _cell_text(key: str, value) -> object:
    """A value as the import template writes it: labels for choices, dates as dates, text escaped."""
    if key == "status":
        return _STATUS_LABELS.get(value, value)
    if key in ("code", "unit", "unit_name") or key not in BY_NAME:
        return safe_text(value or "")
    if isinstance(value, datetime.date | int) and not isinstance(value, bool):
        return value
    return safe_text(shown(key, value))


def export_members(
    *,
    stream: io.BufferedIOBase,
    format: str,
    unit: Unit,
    on: datetime.date | None = None,
    user=None,
    full: bool = False,
) -> int:
    """Write the list to ``stream`` (binary); returns how many members it holds."""
    writer = _writer(format)
    rows = records(unit=unit, on=on, user=user, full=full)
    return writer(stream, rows, unit=unit, on=on or timezone.localdate())


def standing(member: Member) -> Membership:
    """Where and how ``member`` stands in a list: on the list's day when it is of a past day (read with
    ``selectors.members_on_day``), else today."""
    return getattr(member, "on_day", None) or Membership(member=member, unit=member.unit, state=member.status)


def export_queryset(
    *,
    stream: io.BufferedIOBase,
    format: str,
    members: QuerySet[Member],
    unit: Unit | None,
    user=None,
    full: bool = False,
    on: datetime.date | None = None,
) -> int:
    """Write ``members`` (a filtered list, in its order, already in the user's scope) with the same columns,
    each member in the unit and status they have on ``on`` (a list of that day; default today); ``unit``
    names the list in its title."""
    writer = _writer(format)
    _check_full(user, full)
    rows = (
        _record(standing(member), full) for member in members.select_related("unit").iterator(chunk_size=2000)
    )
    return writer(stream, rows, unit=unit, on=on or timezone.localdate())


def _writer(format: str):
    if format not in FORMATS:
        raise ValueError(format)
    return {"xlsx": _write_xlsx, "csv": _write_csv, "json": _write_json}[format]


def _write_json(stream, rows, **context) -> int:
    count = 0
    stream.write(b"[")
    for count, record in enumerate(rows, start=1):
        stream.write(
            (b",\n" if count > 1 else b"\n")
            + json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        )
    stream.write(b"\n]\n")
    return count


def _write_csv(stream, rows, **context) -> int:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([column.header for column in COLUMNS])
    count = 0
    for record in rows:
        writer.writerow([_csv_value(column.key, record[column.key]) for column in COLUMNS])
        count += 1
    text.detach()
    return count


def _csv_value(key: str, value) -> str:
    value = _cell_text(key, value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _write_xlsx(stream, rows, *, unit: Unit | None, on: datetime.date) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách đoàn viên")
    sheet.freeze_panes = "A3"
    cells = ([_xlsx_cell(sheet, column.key, record[column.key]) for column in COLUMNS] for record in rows)
    cells = fit_columns(sheet, [column.header for column in COLUMNS], cells)
    # A superuser may have no unit: the list of everything is named by its date alone.
    named = f"{unit.name} — " if unit is not None else ""
    title = WriteOnlyCell(sheet, safe_text(f"DANH SÁCH ĐOÀN VIÊN — {named}ngày {on:%d/%m/%Y}"))
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    headers = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, column.header)
        cell.font = Font(bold=True)
        headers.append(cell)
    sheet.append(headers)
    count = 0
    for row in cells:
        sheet.append(row)
        count += 1
    workbook.save(stream)
    return count


def _xlsx_cell(sheet, key: str, value):
    value = _cell_text(key, value)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    return cell
