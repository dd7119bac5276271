"""Writes to programmes and their targets. Each public function is one transaction; every change is logged.

Who may change a programme: the system itself (commands and the demo pass ``user=None``), an administrator,
or a user whose role allows changes and whose unit is the programme's unit or above it. A programme filed
above the user's unit is refused with the reason: the lower level adopts its share into its own programme.
"""

import datetime
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Model
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_many
from congdoan.core.text import fold
from congdoan.plans import programme_files, selectors
from congdoan.plans.models import (
    Basis,
    Comparator,
    Programme,
    ProgrammePart,
    Recipient,
    Responsibility,
    SubmissionDeadline,
    Target,
    Task,
)
from congdoan.plans.programme_files import Entry, ProgrammeRef, UnitRef
from congdoan.units.models import Unit

SEED_DIR = Path(__file__).resolve().parent / "programmes"


def check_may_edit(user, programme_unit: Unit | None) -> None:
    """Refuse, with the reason, a change by ``user`` to a programme filed under ``programme_unit``."""
    if user is None:
        return  # the system itself
    if not user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow this change."))
    if user.is_superuser:
        return
    if programme_unit is None or user.unit is None:
        raise PermissionDenied(_("Only an administrator may change a programme filed under no unit."))
    if programme_unit.path.startswith(user.unit.path):
        return
    if user.unit.path.startswith(programme_unit.path):
        raise PermissionDenied(
            _(
                "This programme was issued by %(unit)s, above your unit: its targets are changed there. "
                "Adopt your share into your own unit's programme instead."
            )
            % {"unit": programme_unit}
        )
    raise PermissionDenied(_("This programme is outside your unit."))


def may_edit(user, programme_unit: Unit | None) -> bool:
    """Whether ``check_may_edit`` would let ``user`` change a programme filed under ``programme_unit``."""
    try:
        check_may_edit(user, programme_unit)
    except PermissionDenied:
        return False
    return True


def _refuse_unseen(user, obj: Model, unit_fields: tuple[str, ...], programme_fields: tuple[str, ...]) -> None:
    """Units and programmes a write names must be ones the user can see; others do not exist for them."""
    if user is None or user.is_superuser:
        return
    errors = {}
    for name in unit_fields:
        unit_id = getattr(obj, f"{name}_id")
        if unit_id is not None and not restrict(Unit.objects.filter(pk=unit_id), user).exists():
            errors[name] = _("This unit is outside your unit.")
    for name in programme_fields:
        programme_id = getattr(obj, f"{name}_id")
        if programme_id is not None and programme_id not in selectors.visible_programme_ids(
            user, [programme_id]
        ):
            errors[name] = _("This programme is outside your unit.")
    if errors:
        raise ValidationError(errors)


# -------------------------------------------------------------------------------------- programmes


@dataclass(kw_only=True)
class ProgrammeSpec:
    """What a programme says as a document; its parts are added one by one (``add_part``)."""

    # In the order of the document (and of its form).
    ref: str
    kind: str
    number: str = ""
    title: str = ""
    issuer_name: str
    issuer_unit: Unit | None = None
    unit: Unit | None = None
    place: str = ""
    issued_on: datetime.date
    signer_title: str = ""
    signer_name: str = ""
    parent: Programme | None = None
    period_kind: str
    period_start: int | None = None
    period_end: int | None = None
    period_note: str = ""
    themes: list[str] = field(default_factory=list)
    qualitative_goals: list[str] = field(default_factory=list)
    attachment_note: str = ""
    merge_rule: dict | None = None
    note: str = ""

    @classmethod
    def of(cls, programme: Programme) -> "ProgrammeSpec":
        return cls(**{f.name: getattr(programme, f.name) for f in fields(cls)})


def _store_programme(user, programme: Programme, spec: ProgrammeSpec) -> Programme:
    check_may_edit(user, spec.unit)
    for name in (f.name for f in fields(ProgrammeSpec)):
        setattr(programme, name, getattr(spec, name))
    _refuse_unseen(user, programme, ("issuer_unit",), ("parent",))
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def create_programme(*, user, spec: ProgrammeSpec) -> Programme:
    return _store_programme(user, Programme(), spec)


@transaction.atomic
def update_programme(*, user, programme: Programme, spec: ProgrammeSpec) -> Programme:
    """Change what a programme says; its reference names it in links and files, and stays."""
    # As stored: a form may have filled ``programme`` with what it is to become.
    stored = Programme.objects.select_for_update(of=("self",)).select_related("unit").get(pk=programme.pk)
    check_may_edit(user, stored.unit)
    if spec.ref != stored.ref:
        raise ValidationError({"ref": _("The reference of a programme does not change.")})
    return _store_programme(user, programme, spec)


@transaction.atomic
def delete_programme(*, user, programme: Programme) -> None:
    """Delete a programme with all its parts (each deletion logged); not one that others carry out."""
    check_may_edit(user, programme.unit)
    adoptions = list(programme.adoptions.order_by("ref").values_list("ref", flat=True)[:3])
    if adoptions:
        raise ValidationError(
            _("Programmes carry this one out (%(refs)s): delete them or change what they carry out first.")
            % {"refs": ", ".join(adoptions)}
        )
    programme.delete()


# ------------------------------------------------------------------------------------------- parts

# What a person or a client writes in each kind of part, in the order forms show it.
PART_FIELDS: dict[type[ProgrammePart], tuple[str, ...]] = {
    Target: (
        "ref",
        "text",
        "value",
        "kind",
        "comparator",
        "subject",
        "denominator",
        "filter_text",
        "period_kind",
        "period_start",
        "period_end",
        "indicator",
        "manual",
        "note",
    ),
    Task: ("ref", "kind", "title", "description", "deadline", "deadline_note", "status", "evidence"),
    Responsibility: ("task", "who", "unit", "what"),
    SubmissionDeadline: ("what", "submitters", "receiver", "due_before", "channel", "address"),
    Recipient: ("text", "purpose", "unit"),
    Basis: ("text", "document"),
}
# The references of each kind of part that must lie within the user's sight: (units, programmes).
PART_REFERENCES: dict[type[ProgrammePart], tuple[tuple[str, ...], tuple[str, ...]]] = {
    Responsibility: (("unit",), ()),
    Recipient: (("unit",), ()),
    Basis: ((), ("document",)),
}
# Parts listed in groups are reordered within their group.
REORDER_GROUPS: dict[type[ProgrammePart], tuple[str, ...]] = {Responsibility: ("task_id",)}


def _store_part(user, part: ProgrammePart, values: dict) -> ProgrammePart:
    unknown = set(values) - set(PART_FIELDS[type(part)])
    if unknown:  # the programme and the place are not a part's to change this way
        raise TypeError(f"Not fields of a {type(part).__name__}: {sorted(unknown)}")
    for name, value in values.items():
        setattr(part, name, value)
    _refuse_unseen(user, part, *PART_REFERENCES.get(type(part), ((), ())))
    part.full_clean()
    part.save()
    return part


@transaction.atomic
def add_part(*, user, programme: Programme, model: type[ProgrammePart], values: dict) -> ProgrammePart:
    """A new target, task, responsibility, deadline, recipient or basis, last of its kind."""
    check_may_edit(user, programme.unit)
    siblings = model.objects.select_for_update().filter(programme=programme)
    last = siblings.aggregate(last=Max("position"))["last"]
    return _store_part(user, model(programme=programme, position=(last or 0) + 1), values)


@transaction.atomic
def update_part(*, user, part: ProgrammePart, values: dict) -> ProgrammePart:
    check_may_edit(user, part.programme.unit)
    return _store_part(user, part, values)


@transaction.atomic
def delete_part(*, user, part: ProgrammePart) -> None:
    check_may_edit(user, part.programme.unit)
    part.delete()


def _group_of(part: ProgrammePart) -> dict:
    return {name: getattr(part, name) for name in REORDER_GROUPS.get(type(part), ())}


def place_of(part: ProgrammePart) -> int:
    """Where a part stands among those it is listed with (1 is first), as ``move_part`` counts."""
    earlier = type(part).objects.filter(programme_id=part.programme_id, position__lt=part.position)
    return earlier.filter(**_group_of(part)).count() + 1


@transaction.atomic
def move_part(*, user, part: ProgrammePart, position: int) -> ProgrammePart:
    """Put a part at ``position`` (1 is first) among the parts it is listed with: those of its kind, and for
    a responsibility those of the same task (or of the programme as a whole). They swap their places."""
    check_may_edit(user, part.programme.unit)
    model = type(part)
    group = _group_of(part)
    all_parts = model.objects.select_for_update().filter(programme_id=part.programme_id)
    siblings = list(all_parts.filter(**group).order_by("position"))
    places = [sibling.position for sibling in siblings]
    part = next(sibling for sibling in siblings if sibling.pk == part.pk)  # as stored, for the log
    order = [sibling for sibling in siblings if sibling.pk != part.pk]
    order.insert(min(max(position, 1), len(siblings)) - 1, part)
    moved = [
        (place, sibling) for place, sibling in zip(places, order, strict=True) if sibling.position != place
    ]
    if not moved:
        return part
    befores = [sibling.audit_snapshot() for _, sibling in moved]
    # Positions are unique per programme: park the moving rows past the end, then give each its place.
    top = all_parts.aggregate(top=Max("position"))["top"]
    model.objects.filter(pk__in=[sibling.pk for _, sibling in moved]).update(position=F("position") + top)
    for place, sibling in moved:
        sibling.position = place
        model.objects.filter(pk=sibling.pk).update(position=place)
    log_many(action=ObjectChange.Action.UPDATE, objects=[sibling for _, sibling in moved], befores=befores)
    return part


# ----------------------------------------------------------------------------------------- targets


@dataclass(kw_only=True)
class TargetSpec:
    """What a target says; the form, the API and the tests fill one in."""

    text: str
    value: Decimal
    kind: str
    comparator: str = Comparator.AT_LEAST
    ref: str = ""
    subject: str = ""
    denominator: str = ""
    filter_text: str = ""
    period_kind: str = ""
    period_start: int | None = None
    period_end: int | None = None
    indicator: str = ""
    manual: bool = False
    note: str = ""

    @classmethod
    def of(cls, target: Target) -> "TargetSpec":
        return cls(**{f.name: getattr(target, f.name) for f in fields(cls)})


def add_target(*, user, programme: Programme, spec: TargetSpec) -> Target:
    return add_part(user=user, programme=programme, model=Target, values=asdict(spec))


def update_target(*, user, target: Target, spec: TargetSpec) -> Target:
    return update_part(user=user, part=target, values=asdict(spec))


def delete_target(*, user, target: Target) -> None:
    delete_part(user=user, part=target)


# ------------------------------------------------------------------------------------------- tasks


def check_may_report(user, task: Task) -> None:
    """Who may record a task's status and evidence: whoever may change the programme, and whoever may
    change a unit responsible for the task (a grassroots chair, for the district plan's task it carries out).
    """
    try:
        check_may_edit(user, task.programme.unit)
    except PermissionDenied:
        responsible = Unit.objects.filter(programme_responsibilities__task=task)
        if user is None or not restrict(responsible, user, Action.CHANGE).exists():
            raise PermissionDenied(
                _("Only the programme's unit and the units responsible for this task record its progress.")
            ) from None


@transaction.atomic
def record_task_progress(*, user, task: Task, status: str, evidence: str) -> Task:
    check_may_report(user, task)
    task.status = status
    task.evidence = evidence.strip()
    task.full_clean()
    task.save()
    return task


# ------------------------------------------------------------------------------------ programme files


@dataclass
class ImportOutcome:
    programme: Programme
    created: bool
    changes: int  # rows created, changed or removed; 0 when the file was already loaded as it is
    warnings: list[str]


def _find_unit(ref: UnitRef | None, warnings: list[str]) -> Unit | None:
    """The unit a file names: by code, or else by name (with or without diacritics); none, with a warning."""
    if ref is None:
        return None
    if ref.code:
        unit = Unit.objects.filter(code__iexact=ref.code).first()
        if unit is not None:
            return unit
    if ref.name:
        folded = fold(ref.name)
        matches = [
            unit
            for unit in Unit.objects.filter(search_text__contains=folded)
            if folded in (fold(unit.name), fold(unit.short_name))
        ]
        if len(matches) == 1:
            return matches[0]
    warnings.append(
        _("%(where)s: no unit %(unit)s in the tree; the link is left empty.")
        % {"where": ref.where, "unit": " / ".join(filter(None, [ref.code, ref.name]))}
    )
    return None


def _find_programme(ref: ProgrammeRef | None) -> Programme | None:
    if ref is None:
        return None
    programme = Programme.objects.filter(ref=ref.ref).first()
    if programme is None:
        raise ValidationError(
            {ref.where: _("There is no programme %(ref)s; import it first.") % {"ref": ref.ref}}
        )
    return programme


def _resolved(entry: Entry, warnings: list[str]) -> dict:
    """The entry's values with units and programmes looked up."""
    values = {}
    for name, value in entry.values.items():
        if isinstance(value, UnitRef):
            value = _find_unit(value, warnings)
        elif isinstance(value, ProgrammeRef):
            value = _find_programme(value)
        values[name] = value
    return values


def _store(obj: Model, entry: Entry, values: dict) -> int:
    """Fill ``obj``, validate it (complaints at their place in the file), save it if anything changed."""
    before = obj.audit_snapshot() if obj.pk else None
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        obj.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {entry.place_of(name): messages for name, messages in error.message_dict.items()}
        ) from None
    if before is not None and obj.audit_snapshot() == before:
        return 0
    obj.save()
    return 1


def _sync(
    model: type[ProgrammePart], programme: Programme, rows: list[tuple[Entry, dict]], warnings: list[str]
) -> tuple[list, int]:
    """Make the programme's parts of one kind match the file, part by part in order."""
    existing = {part.position: part for part in model.objects.filter(programme=programme)}
    kept, changes = [], 0
    for position, (entry, extra) in enumerate(rows, start=1):
        part = existing.pop(position, None) or model(position=position)
        part.programme = programme
        changes += _store(part, entry, {**_resolved(entry, warnings), **extra})
        kept.append(part)
    for part in existing.values():
        part.delete()
        changes += 1
    return kept, changes


@transaction.atomic
def import_programme(*, content: str | bytes, user=None) -> ImportOutcome:
    """Create or update the programme a programme file describes; the same file again changes nothing."""
    document = programme_files.parse(content)
    warnings: list[str] = []
    values = _resolved(document.programme, warnings)
    if values["unit"] is None and document.programme.values["unit"] is None:
        values["unit"] = values["issuer_unit"]  # filed under its issuer unless the file says otherwise
    programme = Programme.objects.select_for_update().filter(ref=values["ref"]).first()
    created = programme is None
    if created:
        programme = Programme()
    else:
        check_may_edit(user, programme.unit)
    check_may_edit(user, values["unit"])
    changes = _store(programme, document.programme, values)
    changes += _sync(Basis, programme, [(entry, {}) for entry in document.bases], warnings)[1]
    changes += _sync(Target, programme, [(entry, {}) for entry in document.targets], warnings)[1]
    tasks, task_changes = _sync(Task, programme, [(entry, {}) for entry in document.tasks], warnings)
    responsibilities = [(entry, {"task": None}) for entry in document.responsibilities]
    for task, entry in zip(tasks, document.tasks, strict=True):
        responsibilities += [(child, {"task": task}) for child in entry.children]
    changes += task_changes + _sync(Responsibility, programme, responsibilities, warnings)[1]
    for model, entries in ((SubmissionDeadline, document.deadlines), (Recipient, document.recipients)):
        changes += _sync(model, programme, [(entry, {}) for entry in entries], warnings)[1]
    return ImportOutcome(programme=programme, created=created, changes=changes, warnings=warnings)


def in_file(name: str, error: ValidationError) -> ValidationError:
    """The same complaint, with the file's name before each place."""
    return ValidationError({f"{name}: {where}": messages for where, messages in error.message_dict.items()})


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.json"))


@transaction.atomic
def load_seed_programmes(*, user=None) -> list[ImportOutcome]:
    """The seed programmes shipped in ``plans/programmes/``; the demo loads them once its units exist."""
    outcomes = []
    for path in seed_files():
        try:
            outcomes.append(import_programme(content=path.read_bytes(), user=user))
        except ValidationError as error:
            raise in_file(path.name, error) from None
    return outcomes
