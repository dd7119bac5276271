"""Programme files: a programme and all its parts as one JSON document, read without touching the database.

The seed programmes ship in ``plans/programmes/`` in this format, and ``congdoan programmes import FILE``
reads it. Every complaint names its place in the file, as a path such as ``targets[2].value`` (items
counted from 0), so the person editing the file can find it. Layout (``format`` ``congdoan.programme/1``)::

    ref, kind, number, title, place, issued_on (YYYY-MM-DD or dd/mm/yyyy), note, attachment
    issuer {name, unit}          unit: a unit of the tree {code, name} or null (an outside body)
    unit {code, name}            the unit the programme is filed under (default: the issuing unit)
    signer {title, name}
    period {kind: year|term|every_year|standing, start, end, note}
    parent                       the ref of the programme this one carries out
    basis [{text, programme}]    programme: the ref of a programme in the system, or null
    themes [text], qualitative_goals [text], merge_rule {…}
    targets [{ref, text, value, kind: count|percent, comparator: >=|>|=, subject, denominator, filter,
              period {kind, start, end}, indicator, manual, note}]
    tasks [{ref, kind: task|solution, title, description, deadline, deadline_note, status, evidence,
            responsible [{who, unit, what}]}]
    responsibilities [{who, unit, what}]
    deadlines [{what, from, to, before, channel: email|software|paper|other, address}]
    recipients [{text, purpose, unit}]

A unit reference that matches no unit is not an error: the link stays empty and a warning says so.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from congdoan.plans.models import Channel, Comparator, DocumentKind, TargetKind, TaskKind, TaskStatus
from congdoan.plans.periods import PeriodKind

FORMAT = "congdoan.programme/1"


@dataclass(frozen=True)
class UnitRef:
    """A unit named in a file, by code and/or name, resolved against the tree when the file is applied."""

    code: str
    name: str
    where: str


@dataclass(frozen=True)
class ProgrammeRef:
    ref: str
    where: str


@dataclass
class Entry:
    """One object of the file as model field values, with the place in the file each field came from."""

    where: str
    values: dict = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    children: list["Entry"] = field(default_factory=list)

    def place_of(self, model_field: str) -> str:
        return self.origin.get(model_field, self.where)


@dataclass
class ProgrammeDocument:
    programme: Entry
    bases: list[Entry]
    targets: list[Entry]
    tasks: list[Entry]  # each task's responsibilities are its children
    responsibilities: list[Entry]
    deadlines: list[Entry]
    recipients: list[Entry]


def problem(where: str, message: str) -> ValidationError:
    return ValidationError({where or _("(the whole file)"): message})


class _Reader:
    """Reads one JSON object key by key into an ``Entry``; unknown keys are refused at ``done()``."""

    def __init__(self, data, where: str, entry: Entry | None = None):
        if not isinstance(data, dict):
            raise problem(where, _("An object {…} is expected here."))
        self.data, self.where, self.seen = data, where, set()
        self.entry = entry if entry is not None else Entry(where=where)

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, required: bool = False):
        self.seen.add(key)
        value = self.data.get(key)
        if required and (value is None or value == ""):
            raise problem(self.at(key), _("This entry is required."))
        return value

    def put(self, key: str, model_field: str, value) -> None:
        self.entry.values[model_field] = value
        self.entry.origin[model_field] = self.at(key)

    def text(self, key: str, model_field: str | None = None, required: bool = False) -> str:
        value = self.get(key, required)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise problem(self.at(key), _("A text in quotes is expected."))
        self.put(key, model_field or key, value.strip())
        return value.strip()

    def year(self, key: str, model_field: str) -> None:
        value = self.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise problem(self.at(key), _("A year such as 2020 is expected."))
        self.put(key, model_field, value)

    def number(self, key: str, model_field: str) -> None:
        value = self.get(key, required=True)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise problem(
                self.at(key),
                _("A number without quotes or thousands separators is expected, e.g. 5821 for “5.821”."),
            )
        self.put(key, model_field, Decimal(value))

    def date(self, key: str, model_field: str, required: bool = False) -> None:
        value = self.get(key, required)
        parsed = None
        if value is not None:
            if not isinstance(value, str):
                raise problem(self.at(key), _("A date such as 2019-11-10 or 10/11/2019 is expected."))
            for layout in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    parsed = datetime.datetime.strptime(value.strip(), layout).date()
                    break
                except ValueError:
                    continue
            if parsed is None:
                raise problem(
                    self.at(key),
                    _("“%(value)s” is not a date such as 2019-11-10 or 10/11/2019.") % {"value": value},
                )
        self.put(key, model_field, parsed)

    def boolean(self, key: str, model_field: str, default: bool) -> None:
        value = self.get(key)
        if value is None:
            value = default
        if not isinstance(value, bool):
            raise problem(self.at(key), _("true or false is expected."))
        self.put(key, model_field, value)

    def choice(
        self, key: str, model_field: str, choices: type[models.TextChoices], default: str | None = None
    ) -> None:
        value = self.get(key, required=default is None)
        if value is None:
            value = default
        if value not in choices.values:
            raise problem(
                self.at(key),
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)},
            )
        self.put(key, model_field, value)

    def texts(self, key: str, model_field: str | None = None) -> None:
        value = self.get(key)
        if value is None:
            value = []
        if not isinstance(value, list):
            raise problem(self.at(key), _("A list [...] of texts is expected."))
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise problem(f"{self.at(key)}[{index}]", _("A non-empty text is expected."))
        self.put(key, model_field or key, [item.strip() for item in value])

    def unit(self, key: str, model_field: str) -> None:
        value = self.get(key)
        ref = None
        if isinstance(value, str) and value.strip():
            ref = UnitRef(code=value.strip(), name="", where=self.at(key))
        elif isinstance(value, dict):
            inner = _Reader(value, self.at(key))
            code, name = inner.text("code"), inner.text("name")
            inner.done()
            if not code and not name:
                raise problem(self.at(key), _("Name the unit by its code, its name, or both."))
            ref = UnitRef(code=code, name=name, where=self.at(key))
        elif value not in (None, ""):
            raise problem(self.at(key), _('A unit code, or {"code": …, "name": …}, is expected.'))
        self.put(key, model_field, ref)

    def programme(self, key: str, model_field: str) -> None:
        value = self.get(key)
        if value is not None and not isinstance(value, str):
            raise problem(self.at(key), _("The reference of a programme, in quotes, is expected."))
        ref = value.strip() if value else ""
        self.put(key, model_field, ProgrammeRef(ref, self.at(key)) if ref else None)

    def raw(self, key: str, model_field: str) -> None:
        self.put(key, model_field, self.get(key))

    def nested(self, key: str) -> "_Reader | None":
        """An inner object whose keys fill this same entry (issuer, signer, period)."""
        value = self.get(key)
        return None if value is None else _Reader(value, self.at(key), self.entry)

    def items(self, key: str) -> list["_Reader"]:
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise problem(self.at(key), _("A list [...] is expected."))
        return [_Reader(item, f"{self.at(key)}[{index}]") for index, item in enumerate(value)]

    def done(self) -> Entry:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise problem(
                self.at(unknown[0]),
                _("Unknown entry “%(key)s”; the expected ones are: %(keys)s.")
                % {"key": unknown[0], "keys": ", ".join(sorted(self.seen))},
            )
        return self.entry


def _period(reader: _Reader, kind_field: str, start_field: str, end_field: str, note_field: str | None):
    period = reader.nested("period")
    if period is None:
        reader.put("period", kind_field, "")
        reader.put("period", start_field, None)
        reader.put("period", end_field, None)
        return
    period.choice("kind", kind_field, PeriodKind)
    period.year("start", start_field)
    period.year("end", end_field)
    if note_field:
        period.text("note", note_field)
    period.done()


def _responsibility(reader: _Reader) -> Entry:
    reader.text("who", required=True)
    reader.unit("unit", "unit")
    reader.text("what")
    return reader.done()


def _target(reader: _Reader) -> Entry:
    reader.text("ref")
    reader.text("text", required=True)
    reader.number("value", "value")
    reader.choice("kind", "kind", TargetKind)
    reader.choice("comparator", "comparator", Comparator, default=Comparator.AT_LEAST)
    reader.text("subject")
    reader.text("denominator")
    reader.text("filter", "filter_text")
    _period(reader, "period_kind", "period_start", "period_end", None)
    reader.text("indicator")
    reader.boolean("manual", "manual", default=False)
    reader.text("note")
    return reader.done()


def _task(reader: _Reader) -> Entry:
    reader.text("ref")
    reader.choice("kind", "kind", TaskKind, default=TaskKind.TASK)
    reader.text("title", required=True)
    reader.text("description")
    reader.date("deadline", "deadline")
    reader.text("deadline_note")
    reader.choice("status", "status", TaskStatus, default=TaskStatus.PLANNED)
    reader.text("evidence")
    entry = reader.entry
    entry.children = [_responsibility(item) for item in reader.items("responsible")]
    return reader.done()


def _deadline(reader: _Reader) -> Entry:
    reader.text("what", required=True)
    reader.text("from", "submitters", required=True)
    reader.text("to", "receiver", required=True)
    reader.date("before", "due_before", required=True)
    reader.choice("channel", "channel", Channel, default=Channel.OTHER)
    reader.text("address")
    return reader.done()


def _basis(reader: _Reader) -> Entry:
    reader.text("text", required=True)
    reader.programme("programme", "document")
    return reader.done()


def _recipient(reader: _Reader) -> Entry:
    reader.text("text", required=True)
    reader.text("purpose")
    reader.unit("unit", "unit")
    return reader.done()


def parse(content: str | bytes) -> ProgrammeDocument:
    """The programme described by ``content`` (a programme file), or a ValidationError naming the place."""
    try:
        data = json.loads(content, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise problem(
            _("line %(line)s, column %(column)s") % {"line": error.lineno, "column": error.colno},
            _("The file is not valid JSON: %(reason)s.") % {"reason": error.msg},
        ) from None
    except UnicodeDecodeError:
        raise problem("", _("The file is not UTF-8 encoded JSON.")) from None
    top = _Reader(data, "")
    if top.get("format", required=True) != FORMAT:
        raise problem("format", _("This reader knows the format “%(format)s” only.") % {"format": FORMAT})
    top.text("ref", required=True)
    top.choice("kind", "kind", DocumentKind)
    top.text("number")
    top.text("title")
    issuer = top.nested("issuer")
    if issuer is None:
        raise problem("issuer", _("This entry is required."))
    issuer.text("name", "issuer_name", required=True)
    issuer.unit("unit", "issuer_unit")
    issuer.done()
    top.unit("unit", "unit")
    top.text("place")
    top.date("issued_on", "issued_on", required=True)
    signer = top.nested("signer")
    if signer is not None:
        signer.text("title", "signer_title")
        signer.text("name", "signer_name")
        signer.done()
    else:
        top.put("signer", "signer_title", "")
        top.put("signer", "signer_name", "")
    if top.data.get("period") is None:
        raise problem("period", _("This entry is required."))
    _period(top, "period_kind", "period_start", "period_end", "period_note")
    top.programme("parent", "parent")
    top.texts("themes")
    top.texts("qualitative_goals")
    top.text("attachment", "attachment_note")
    top.raw("merge_rule", "merge_rule")
    top.text("note")
    document = ProgrammeDocument(
        programme=top.entry,
        bases=[_basis(item) for item in top.items("basis")],
        targets=[_target(item) for item in top.items("targets")],
        tasks=[_task(item) for item in top.items("tasks")],
        responsibilities=[_responsibility(item) for item in top.items("responsibilities")],
        deadlines=[_deadline(item) for item in top.items("deadlines")],
        recipients=[_recipient(item) for item in top.items("recipients")],
    )
    top.done()
    return document
