"""One data row of a list: its cells cleaned (NFC, legacy encodings, escapes), parsed into member fields,
and checked with the registry's own rules (``check_person``), each error naming its column."""

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdoan.core.text import fold
from congdoan.members import services as member_services
from congdoan.members.identity import VIETNAM
from congdoan.members.imports import legacy
from congdoan.members.imports.fields import (
    BY_NAME,
    IDENTITY_DOCUMENT,
    INJECTION_LEADS,
    LABEL_FIELDS,
    display,
    parse_birth,
    parse_gender_mark,
)
from congdoan.members.imports.layout import Layout
from congdoan.members.imports.reading import CellError, Formula
from congdoan.members.models import Member
from congdoan.units.models import Level, Unit

_INVISIBLE = str.maketrans({"\u00a0": " ", "\u200b": None, "\ufeff": None, "\u2028": " "})
# Member fields a row may fill: a member's own data (what a correction may change, less the employer, which
# lists do not name) and the joining date. Dates travel as ISO text in the staged data.
MEMBER_FIELDS = (*(name for name in member_services.EDITABLE_FIELDS if name != "employer"), "joined_on")
DATE_FIELDS = {"birth_date", "party_joined_on", "joined_on", "card_issued_on"}
_MAX_LENGTHS = {f.name: f.max_length for f in Member._meta.concrete_fields if f.max_length}
# Text fields whose "no value" is None (the ID number, unique): a cell reading as empty there ("-") is left
# out of the data like an empty cell, not staged as "", which a second member could not share.
_NULLABLE_TEXT = {f.name for f in Member._meta.concrete_fields if f.null and isinstance(f, models.CharField)}


def clean_cells(cells: list, scheme: str | None) -> list:
    """Text cells: legacy encoding converted, NFC, invisible spaces out, our export escape ('=…) undone."""
    cleaned = []
    for value in cells:
        if isinstance(value, str):
            # ASCII text (most cells) is NFC already, with no invisible spaces and no legacy letters.
            value = value.strip() if value.isascii() else _clean_text(value, scheme)
            if value.startswith("'") and value[1:2] in INJECTION_LEADS:
                value = value[1:]
        cleaned.append(value)
    return cleaned


@functools.lru_cache(maxsize=4096)  # lists repeat their units, genders, ethnic groups, occupations
def _clean_text(value: str, scheme: str | None) -> str:
    text = value.translate(_INVISIBLE)
    if scheme and legacy.may_be_legacy(text):
        text = legacy.better_reading(text, scheme) or text
    return unicodedata.normalize("NFC", text).strip()


@dataclass
class UnitIndex:
    """The grassroots unions a list may name, found by code or by name, within the batch's unit."""

    root: Unit
    by_key: dict[str, Unit] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    found: dict[str, Unit] = field(default_factory=dict)  # text as written -> unit, for the next rows

    @classmethod
    def under(cls, root: Unit) -> "UnitIndex":
        index = cls(root)
        units = Unit.objects.filter(
            path__under=root.path, unit_type__level__in=[Level.GRASSROOTS, Level.SUBUNIT]
        )
        for unit in units.select_related("unit_type"):
            for key in {unit.code.lower(), fold(unit.name), fold(unit.short_name)} - {""}:
                if key in index.by_key and index.by_key[key].pk != unit.pk:
                    index.ambiguous.add(key)
                index.by_key[key] = unit
        return index

    @property
    def default(self) -> Unit | None:
        """The unit a row without a CĐCS column belongs to: the batch's own, when members can belong to it."""
        return self.root if self.root.unit_type.level in (Level.GRASSROOTS, Level.SUBUNIT) else None

    def find(self, text: str) -> Unit:
        if text not in self.found:
            self.found[text] = self._find(text)
        return self.found[text]

    def _find(self, text: str) -> Unit:
        for key in (text.strip().lower(), fold(text)):
            if key in self.ambiguous:
                raise ValueError(
                    _("Several grassroots unions are called “%(value)s”; write the code instead.")
                    % {"value": text}
                )
            if key in self.by_key:
                return self.by_key[key]
        raise ValueError(
            _("No grassroots union “%(value)s” under %(unit)s.") % {"value": text, "unit": self.root}
        )


@dataclass
class ParsedRow:
    number: int
    values: list[str]  # the cells as read, aligned with the layout's columns
    data: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    unit: Unit | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})


# What a masked list (``exports``, for a role that may not take personal data out) shows of these, as its
# ``mask_*`` functions write them: "*********123", "091*****78", "a***@example.com". Updating from such a
# list leaves the registry's values as they are; any other text with a "*" is read, and refused, as typed.
_MASKED_NUMBER = re.compile(r"\*+[0-9A-Za-z]{1,3}")
_MASKED_ON_EXPORT = {
    "id_number": _MASKED_NUMBER,
    "passport_number": _MASKED_NUMBER,
    "identity_document": _MASKED_NUMBER,
    "phone": re.compile(r"[0-9]{3}\*+[0-9]{2}"),
    "email": re.compile(r"[^@*\s]\*\*\*@[^@*\s]+"),
}


_FORMULA_MESSAGE = gettext_lazy(
    "The cell holds a formula; formulas are never run on import. Copy the "
    "column and paste it back as values only."
)
_SPLIT_BIRTH = ("birth_male", "birth_female")


class RowParser:
    """Parses the data rows of one list: each column's parser is chosen once, from its header."""

    def __init__(self, layout: Layout, *, units: UnitIndex, mode: str):
        self.layout, self.units, self.mode = layout, units, mode
        self.today = timezone.localdate()
        self.columns = [(c.index, c.header, self._parser(c)) for c in layout.columns]
        # A lone "Nữ" (or "Nam") column marks one gender: a row it leaves blank is the other one.
        names = {c.field.name for c in layout.columns}
        split = names & set(_SPLIT_BIRTH)
        self.unmarked_gender = (
            None
            if "gender" in names or len(split) != 1
            else ("male" if split == {"birth_female"} else "female")
        )

    def _parser(self, column) -> Callable[[dict, object], Unit | None]:
        """(data, cell) -> the row's unit when the column names it; other columns store into ``data``."""
        name = column.field.name
        if name in _SPLIT_BIRTH:
            return lambda data, value: _parse_split_birth(data, name, value)
        if name == "unit":
            return lambda data, value: self.units.find(value if isinstance(value, str) else display(value))
        parse = column.field.parse
        if name in LABEL_FIELDS:  # a few values repeated down the list: each read once an import
            parse = functools.lru_cache(maxsize=1024, typed=True)(parse)
        if name in ("birth_date", "party_member"):
            return lambda data, value: _store(data, name, parse(value))
        limit = _MAX_LENGTHS.get(name)  # looked up once a column
        keeps_empty = name not in _NULLABLE_TEXT

        if name == IDENTITY_DOCUMENT.name:
            store = _store_identity_document
        else:

            def store(data: dict, value) -> None:
                stored = _stored_value(parse(value), limit)
                if stored != "" or keeps_empty:
                    data[name] = stored

        if self.mode == "update" and name in _MASKED_ON_EXPORT:
            mask = _MASKED_ON_EXPORT[name]

            def store_unless_masked(data: dict, value) -> None:
                if not (isinstance(value, str) and mask.fullmatch(value)):
                    store(data, value)

            return store_unless_masked
        return store

    def __call__(self, number: int, cells: list) -> ParsedRow:
        width = len(cells)
        cleaned = [cells[index] if index < width else None for index, _header, _parse in self.columns]
        row = ParsedRow(number, [value if value.__class__ is str else display(value) for value in cleaned])
        data = row.data
        for (_index, header, parse), value in zip(self.columns, cleaned, strict=True):
            if value is None or value == "":
                continue
            if value.__class__ is not str:
                if isinstance(value, Formula):
                    row.error(header, str(_FORMULA_MESSAGE))
                    continue
                if isinstance(value, CellError):
                    row.error(header, _("The cell shows the error %(code)s.") % {"code": value.code})
                    continue
            try:
                unit = parse(data, value)
            except ValueError as error:
                row.error(header, str(error))
                continue
            if unit is not None:
                row.unit = unit
        if row.unit is None and self.mode == "add":
            # No CĐCS column, or its cell left blank: new members join the list's own union, if it is one.
            # An update names no union unless the list does (a member may sit in one of its subunits).
            row.unit = self.units.default
        if self.unmarked_gender and "gender" not in data:
            data["gender"] = self.unmarked_gender
        if self.mode == "add":
            _check_new_member(row, self.layout, today=self.today)
        return row


def _store(data: dict, name: str, value) -> None:
    if name == "birth_date" and isinstance(value, int):
        data["birth_year"] = value
    elif name == "party_member" and isinstance(value, datetime.date):
        data["party_member"] = True
        data.setdefault("party_joined_on", value.isoformat())
    else:
        data[name] = _stored_value(value, _MAX_LENGTHS.get(name))


def _store_identity_document(data: dict, value) -> None:
    """A cell of the column for either document: stored as the ID number or the passport number."""
    target, number = IDENTITY_DOCUMENT.parse(value)
    if number != "":
        data[target] = _stored_value(number, _MAX_LENGTHS[target])


def _stored_value(value, limit: int | None):
    """A parsed value as staged: dates as ISO text, text within the field's length."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if limit and isinstance(value, str) and len(value) > limit:
        raise ValueError(_("At most %(n)s characters.") % {"n": limit})
    return value


def _parse_split_birth(data: dict, name: str, value) -> None:
    """The classic form puts the birth date under "Nam" or under "Nữ": the column tells the gender."""
    gender = "male" if name == "birth_male" else "female"
    if data.get("gender") not in (None, gender):
        raise ValueError(_("A birth date stands under both “Nam” and “Nữ”."))
    data["gender"] = gender
    if not parse_gender_mark(value):
        _store(data, "birth_date", parse_birth(value))


# ------------------------------------------------------------------------------------- person rules


def member_values(data: dict) -> dict:
    """Staged data as model values (ISO dates back to dates)."""
    return {
        key: datetime.date.fromisoformat(value) if key in DATE_FIELDS and value else value
        for key, value in data.items()
        if key in MEMBER_FIELDS
    }


def person_errors(member: "Member | _Person", *, today: datetime.date | None = None) -> dict[str, str]:
    """The registry's rules on a member's data (``check_person``), by field; fixes the ID number's form."""
    errors: dict[str, str] = {}
    try:
        member_services.check_person(member, today=today)
    except ValidationError as error:
        errors.update({key: " ".join(messages) for key, messages in error.message_dict.items()})
    if member.party_joined_on and not member.party_member:
        member.party_member = True
    return errors


def admission_errors(member: "Member | _Person", unit: Unit) -> dict[str, str]:
    """What ``admit_member`` would refuse about the unit on the admission date; and a union that has ended,
    whatever the date: its members were settled when it was dissolved, and one a list adds would stay active
    in it (``admit_member`` takes it, for histories entered with the events that follow)."""
    if unit.dissolved_on is not None:
        return {
            "unit": _("%(unit)s ended on %(date)s: add the member to the union they belong to now.")
            % {"unit": unit, "date": unit.dissolved_on.strftime("%d/%m/%Y")}
        }
    _kind, on = member_services.admission_step(joined_on=member.joined_on, unit=unit)
    if on and not unit.is_active_on(on):
        return {
            "unit": _("%(unit)s was not active on %(date)s.")
            % {"unit": unit, "date": on.strftime("%d/%m/%Y")}
        }
    return {}


_FIELD_COLUMNS = {
    "birth_year": ("birth_date", "birth_male", "birth_female"),
    "birth_date": ("birth_date", "birth_male", "birth_female"),
    "unit": ("unit", "joined_on"),
    "id_number": ("id_number", IDENTITY_DOCUMENT.name),
    "passport_number": ("passport_number", IDENTITY_DOCUMENT.name),
}


def header_for(layout_columns: list[dict], field_name: str) -> str:
    """The file's own header of the column holding ``field_name`` (columns as stored on the batch)."""
    for candidate in _FIELD_COLUMNS.get(field_name, (field_name,)):
        for column in layout_columns:
            if column["field"] == candidate:
                return column["header"]
    return BY_NAME[field_name].header if field_name in BY_NAME else field_name


_MISSING = {
    "full_name": gettext_lazy("The name is missing."),
    "gender": gettext_lazy("The gender is missing."),
    "joined_on": gettext_lazy("The union joining date is missing."),
    "birth_date": gettext_lazy("The date or year of birth is missing."),
    "unit": gettext_lazy("The grassroots union of the member is missing."),
}


def _check_new_member(row: ParsedRow, layout: Layout, *, today: datetime.date) -> None:
    data = row.data
    present = {*data, *(["birth_date"] if "birth_year" in data else []), *(["unit"] if row.unit else [])}
    if not row.errors and present.issuperset(_MISSING):  # the common case: nothing to name a column for
        _check_person(row, layout, today=today)
        return
    columns = [c.as_json() for c in layout.columns]
    for name, message in _MISSING.items():
        if name not in present and not any(e["column"] == header_for(columns, name) for e in row.errors):
            row.error(header_for(columns, name), str(message))


@dataclass(slots=True)
class _Person:
    """What the registry's rules read of a member (``check_person``, ``person_errors``,
    ``admission_errors``), with ``Member``'s defaults: built from a row's values at a quarter of the cost
    of a ``Member`` instance."""

    birth_date: datetime.date | None = None
    birth_year: int | None = None
    gender: str = ""
    id_number: str | None = None
    passport_number: str | None = None
    joined_on: datetime.date | None = None
    party_member: bool = False
    party_joined_on: datetime.date | None = None
    card_issued_on: datetime.date | None = None
    nationality: str = VIETNAM
    contract_months: int | None = None
    phone: str = ""  # read into its final form with the row (``fields.parse_phone``)


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _check_person(row: ParsedRow, layout: Layout, *, today: datetime.date) -> None:
    """The registry's rules on a complete row; its ID and passport numbers and Party membership in their
    final form."""
    data = row.data
    person = _Person(
        birth_date=_date(data.get("birth_date")),
        birth_year=data.get("birth_year"),
        gender=data["gender"],
        id_number=data.get("id_number"),
        passport_number=data.get("passport_number"),
        joined_on=_date(data["joined_on"]),
        party_member=data.get("party_member", False),
        party_joined_on=_date(data.get("party_joined_on")),
        card_issued_on=_date(data.get("card_issued_on")),
        nationality=data.get("nationality", VIETNAM),
        contract_months=data.get("contract_months"),
    )
    errors = person_errors(person, today=today)
    errors.update(admission_errors(person, row.unit))
    if errors:
        columns = [c.as_json() for c in layout.columns]
        for name, message in errors.items():
            row.error(header_for(columns, name), message)
    if person.id_number:
        data["id_number"] = person.id_number
    if person.passport_number:
        data["passport_number"] = person.passport_number
    if person.party_member:
        data["party_member"] = True


def person_key(data: dict, unit_id: int | None, folded_name: str) -> str:
    """Folded name | birth | unit: the same person twice, by the issue's rule, when the key repeats."""
    birth = data.get("birth_date") or data.get("birth_year")
    if not folded_name or not birth or unit_id is None:
        return ""
    return f"{folded_name}|{birth}|{unit_id}"[:250]


def birth_year(data: dict) -> int | None:
    if data.get("birth_date"):
        return int(data["birth_date"][:4])
    return data.get("birth_year")
