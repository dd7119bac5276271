"""Writes to programmes and their targets. Each public function is one transaction; every change is logged.

Who may change a programme: the system itself (commands and the demo pass ``user=None``), an administrator,
or a user whose role allows changes and whose unit is the programme's unit or above it. A programme filed
above the user's unit is refused with the reason: the lower level adopts its share into its own programme.
"""

from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.core.text import fold
from congdoan.plans import programme_files
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


@transaction.atomic
def add_target(*, user, programme: Programme, spec: TargetSpec) -> Target:
    check_may_edit(user, programme.unit)
    siblings = Target.objects.select_for_update().filter(programme=programme)
    last = siblings.aggregate(last=Max("position"))["last"]
    target = Target(programme=programme, position=(last or 0) + 1, **asdict(spec))
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def update_target(*, user, target: Target, spec: TargetSpec) -> Target:
    check_may_edit(user, target.programme.unit)
    for name, value in asdict(spec).items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def delete_target(*, user, target: Target) -> None:
    check_may_edit(user, target.programme.unit)
    target.delete()


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
