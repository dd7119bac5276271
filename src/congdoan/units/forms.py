"""Forms of the unit pages: the unit picker, plain edits, decisions, and the reorganisations.

A reorganisation form knows how to carry itself out (``apply``: the decision, then the service) and how
to show what it would do (``preview``: the same calls in a transaction that is rolled back), so the
preview and the real change can never disagree.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from congdoan.accounts.models import Action
from congdoan.members import services as member_services
from congdoan.members.models import EventKind, MemberEvent
from congdoan.units import selectors, services
from congdoan.units.models import (
    Area,
    Decision,
    Employer,
    Level,
    Reorganisation,
    ReorganisationUnit,
    Succession,
    Unit,
    UnitLink,
    UnitName,
    UnitType,
    code_validator,
)

DECISION_FILE_TYPES = ["pdf", "doc", "docx", "odt", "jpg", "jpeg", "png"]


class DateInput(forms.DateInput):
    """The browser's own date picker; it sends and shows ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# ------------------------------------------------------------------------------------------ unit picker


class UnitPicker(forms.Widget):
    """A search box that suggests units (htmx) and keeps the chosen ones as removable chips.

    The chosen units travel as hidden inputs holding their codes; only units of the field's queryset
    (the user's scope) are ever shown back, so a tampered code reveals nothing.
    """

    template_name = "units/widgets/unit_picker.html"

    def __init__(
        self, *, multiple: bool = False, action: str = Action.VIEW, active_only: bool = True, attrs=None
    ):
        super().__init__(attrs)
        self.multiple = multiple
        self.action = action
        self.active_only = active_only

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if self.multiple else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False if self.multiple else name not in data

    def format_value(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values if v not in (None, "")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        codes = context["widget"]["value"]
        # ModelChoiceField hands its choices (and so its queryset) to the widget.
        queryset = self.choices.queryset if hasattr(self, "choices") else Unit.objects.none()
        found = {unit.code: unit for unit in queryset.filter(code__in=codes)} if codes else {}
        context["widget"].update(
            picked=[found[code] for code in codes if code in found],
            multiple=self.multiple,
            action=self.action,
            active_only=self.active_only,
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project templates live outside the form renderer's search path; render with the site engine.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class UnitField(forms.ModelChoiceField):
    def __init__(self, *, action: str = Action.VIEW, active_only: bool = True, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(
            to_field_name="code", widget=UnitPicker(action=action, active_only=active_only), **kwargs
        )


class UnitsField(forms.ModelMultipleChoiceField):
    def __init__(self, *, action: str = Action.VIEW, active_only: bool = True, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(
            to_field_name="code",
            widget=UnitPicker(multiple=True, action=action, active_only=active_only),
            **kwargs,
        )


def scoped_units(user, action: str, *, active_only: bool = True):
    units = selectors.units_for(user, action)
    return units.active() if active_only else units


# -------------------------------------------------------------------------------------------- filters


class AsOfForm(forms.Form):
    """The date a page shows the tree on, and whether today's tree also shows ended units."""

    at = forms.DateField(label=_("As of"), required=False, widget=DateInput)
    ended = forms.BooleanField(label=_("Show ended units under their successors"), required=False)

    def on(self) -> datetime.date:
        return (self.cleaned_data.get("at") if self.is_valid() else None) or selectors.today()

    def regrouped(self) -> bool:
        """Today's tree with ended units filed under their successors (only for today)."""
        return self.is_valid() and self.cleaned_data["ended"] and self.on() == selectors.today()


# ---------------------------------------------------------------------------------------- plain edits


def areas_to_choose(current_id: int | None):
    """Areas that still exist, and the one already chosen even if it was abolished since."""
    return Area.objects.filter(Q(ended_on__isnull=True) | Q(pk=current_id))


class UnitEditForm(forms.ModelForm):
    """The plain facts of a unit; its name, place and dates change through reorganisations only."""

    class Meta:
        model = Unit
        fields = ["unit_type", "sector", "area", "address", "phone", "email", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Another type of the same level only: the level decides where a unit may stand in the tree.
        self.fields["unit_type"].queryset = UnitType.objects.filter(level=self.instance.unit_type.level)
        self.fields["area"].queryset = areas_to_choose(self.instance.area_id)


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Employer
        fields = ["name", "tax_code", "sector", "area", "workforce", "female_workforce", "workforce_on"]
        widgets = {"workforce_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_to_choose(self.instance.area_id)
        if self.instance.has_dated_workforce:
            for name in Employer.WORKFORCE_FIELDS:
                self.fields[name].disabled = True
            # Said once, under the last of the three, rather than three times over on a phone.
            self.fields["workforce_on"].help_text = _(
                "The latest figure recorded below; record a new one there."
            )


# ------------------------------------------------------------------------------------------ decisions


class ServiceErrors:
    """For forms whose data go to a service: its refusal is shown next to the field it names."""

    # Service errors are keyed by the service's argument names; a form may call its fields otherwise.
    service_fields: dict[str, str] = {}

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = self.service_fields.get(key, key)
            self.add_error(name if name in self.fields else None, messages)


class WorkforceForm(ServiceErrors, forms.Form):
    """An employer's workforce as counted on a day (``services.record_workforce``)."""

    on = forms.DateField(label=_("Counted on"), widget=DateInput)
    workforce = forms.IntegerField(label=_("Workforce"), min_value=0)
    female_workforce = forms.IntegerField(label=_("Female workforce"), min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        # Shown on the employer's page beside EmployerForm, which has a workforce field too: ids of its own,
        # so each label points at its own input.
        kwargs.setdefault("auto_id", "id_figure_%s")
        super().__init__(*args, **kwargs)


class DecisionForm(ServiceErrors, forms.Form):
    """A decision (quyết định): recorded alone, or as the basis of a reorganisation."""

    number = forms.CharField(label=_("Decision number"), max_length=60)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    issuer = UnitField(label=_("Issued by"), required=False, active_only=False)
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    file = forms.FileField(
        label=_("Decision file"),
        required=False,
        validators=[FileExtensionValidator(DECISION_FILE_TYPES)],
        help_text=_("PDF, Word or a scanned image."),
    )

    decision_fields = ("number", "signed_on", "signer", "issuer", "summary")
    # The role a user needs to name a unit of theirs as the issuer.
    issuer_action = Action.CHANGE

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["issuer"].queryset = scoped_units(user, self.issuer_action, active_only=False)
        self.fields["issuer"].widget.action = self.issuer_action
        if user.unit_id:
            self.fields["issuer"].initial = user.unit

    def clean_issuer(self):
        # A decision with no issuer is seen by superusers only; it is the user's own unit's by default.
        return self.cleaned_data["issuer"] or self.user.unit

    def record_decision(self, *, with_file: bool = True) -> Decision:
        data = self.cleaned_data
        return services.record_decision(
            number=data["number"],
            signed_on=data["signed_on"],
            signer=data["signer"],
            issuer=data["issuer"],
            summary=data["summary"],
            file=data["file"] if with_file else None,
        )


# ------------------------------------------------------------------------------------ reorganisations


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str

    @classmethod
    def of(cls, unit: Unit | None):
        return None if unit is None else cls(code=unit.code, name=unit.name)


@dataclass(frozen=True)
class MovedUnit:
    unit: UnitRef
    old_parent: UnitRef | None
    new_parent: UnitRef | None
    below: int  # units under it that move along


@dataclass(frozen=True)
class EndedUnit:
    unit: UnitRef
    successors: list[UnitRef]


@dataclass(frozen=True)
class Renamed:
    old: str | None
    new: str


@dataclass
class ReorganisationPreview:
    """What a reorganisation would do, read back from the database before it is rolled back."""

    kind: str
    effective_on: datetime.date
    created: list[tuple[UnitRef, UnitRef | None]] = field(default_factory=list)  # (unit, parent)
    moved: list[MovedUnit] = field(default_factory=list)
    ended: list[EndedUnit] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    members_moved: dict[UnitRef, int] = field(default_factory=dict)  # where the members of ended units go
    members_ended: int = 0

    @property
    def units_moving(self) -> int:
        return sum(1 + item.below for item in self.moved)


def describe(reorg: Reorganisation) -> ReorganisationPreview:
    on = reorg.effective_on
    preview = ReorganisationPreview(kind=reorg.get_kind_display(), effective_on=on)
    founded = Reorganisation.objects.filter(decision=reorg.decision, kind=Reorganisation.Kind.FOUND)
    preview.created = [
        (UnitRef.of(r.unit), UnitRef.of(r.unit.parent))
        for r in founded.select_related("unit__parent").order_by("id")
    ]
    moved_ids = reorg.involved.filter(role=ReorganisationUnit.Role.MOVED).values_list("unit_id", flat=True)
    moved = list(
        UnitLink.objects.filter(reorganisation=reorg, unit_id__in=moved_ids)
        .select_related("unit", "parent")
        .order_by("path")
    )
    below = selectors.count_below_on(unit_ids=[link.unit_id for link in moved], on=on)
    for link in moved:
        before = UnitLink.objects.filter(unit=link.unit, valid_to=on).select_related("parent").first()
        preview.moved.append(
            MovedUnit(
                unit=UnitRef.of(link.unit),
                old_parent=UnitRef.of(before and before.parent),
                new_parent=UnitRef.of(link.parent),
                below=below.get(link.unit_id, 0),
            )
        )
    heirs: dict[int, list[UnitRef]] = {}
    for succession in Succession.objects.filter(reorganisation=reorg).select_related("successor"):
        heirs.setdefault(succession.predecessor_id, []).append(UnitRef.of(succession.successor))
    ended = Unit.objects.filter(reorganisation_roles__reorganisation=reorg, dissolved_on=on).distinct()
    preview.ended = [EndedUnit(unit=UnitRef.of(unit), successors=heirs.get(unit.pk, [])) for unit in ended]
    settled = MemberEvent.objects.filter(
        unit__in=ended,
        on=on,
        decision_number=reorg.decision.number,
        kind__in=[EventKind.TRANSFER_OUT, EventKind.DISSOLUTION],
    )
    for row in settled.values("kind", "other_unit").annotate(count=Count("id")).order_by("other_unit"):
        if row["kind"] == EventKind.DISSOLUTION:
            preview.members_ended += row["count"]
        else:
            heir = UnitRef.of(Unit.objects.get(pk=row["other_unit"]))
            preview.members_moved[heir] = preview.members_moved.get(heir, 0) + row["count"]
    for name in UnitName.objects.filter(reorganisation=reorg):
        old = UnitName.objects.filter(unit_id=name.unit_id, valid_to=on).first()
        preview.renamed.append(Renamed(old=old.name if old else None, new=name.name))
    return preview


class ReorganisationForm(DecisionForm):
    """A change to the tree, with its decision and the date it takes effect."""

    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    issuer_action = Action.REORGANISE
    timing_fields = ("effective_on", "note")

    def __init__(self, *args, user, subject: Unit | None = None, **kwargs):
        self.subject = subject
        super().__init__(*args, user=user, **kwargs)
        for name in self.change_field_names():
            widget = self.fields[name].widget
            if isinstance(widget, UnitPicker):
                self.fields[name].queryset = scoped_units(user, widget.action, active_only=widget.active_only)

    def change_field_names(self) -> list[str]:
        own = {*self.decision_fields, *self.timing_fields, "file"}
        return [name for name in self.fields if name not in own]

    def change_fields(self):
        return [self[name] for name in self.change_field_names()]

    def decision_bound_fields(self):
        return [self[name] for name in self.decision_fields]

    def timing_bound_fields(self):
        return [self[name] for name in self.timing_fields]

    def perform(self, decision: Decision) -> Reorganisation:
        """Call the service for this kind of change."""
        raise NotImplementedError

    def when(self, decision: Decision) -> dict:
        """The arguments every reorganisation service takes besides its own."""
        return {
            "effective_on": self.cleaned_data["effective_on"],
            "decision": decision,
            "note": self.cleaned_data["note"],
        }

    def apply(self, *, with_file: bool = True) -> Reorganisation:
        """Record the decision and make the change; the caller holds the transaction."""
        decision = self.record_decision(with_file=with_file)
        try:
            return self.perform(decision)
        except ValidationError:
            if decision.file:
                decision.file.delete(save=False)  # the rolled-back decision must not leave its file behind
            raise

    def preview(self) -> ReorganisationPreview:
        """Make the change, read what it did, and roll it all back."""
        with transaction.atomic():
            result = describe(self.apply(with_file=False))
            transaction.set_rollback(True)
        return result

    def hidden_fields_for_confirmation(self):
        return [self[name] for name in self.fields if name != "file"]


class MoveForm(ReorganisationForm):
    units = UnitsField(label=_("Units to move"), action=Action.REORGANISE)
    new_parent = UnitField(label=_("New parent unit"), action=Action.REORGANISE)

    service_fields = {"parent": "new_parent"}
    field_order = ["units", "new_parent"]

    def perform(self, decision):
        data = self.cleaned_data
        return services.move_units(
            units=list(data["units"]),
            new_parent=data["new_parent"],
            **self.when(decision),
        )


class MergeForm(ReorganisationForm):
    sources = UnitsField(label=_("Units to merge"), action=Action.REORGANISE)
    into = UnitField(label=_("Merge into an existing unit"), action=Action.REORGANISE, required=False)
    new_code = forms.CharField(
        label=_("…or a new unit: code"), max_length=40, required=False, validators=[code_validator]
    )
    new_name = forms.CharField(label=_("Name of the new unit"), max_length=255, required=False)
    new_short_name = forms.CharField(label=_("Short name of the new unit"), max_length=120, required=False)
    new_unit_type = forms.ModelChoiceField(
        label=_("Type of the new unit"), queryset=UnitType.objects.all(), required=False
    )
    new_parent = UnitField(label=_("Parent of the new unit"), action=Action.REORGANISE, required=False)

    service_fields = {
        "code": "new_code",
        "name": "new_name",
        "short_name": "new_short_name",
        "unit_type": "new_unit_type",
        "parent": "new_parent",
    }
    field_order = ["sources", "into", "new_code", "new_name", "new_short_name", "new_unit_type", "new_parent"]
    new_unit_fields = ("new_code", "new_name", "new_unit_type", "new_parent")

    def clean(self):
        data = super().clean()
        wants_new = any(data.get(name) for name in (*self.new_unit_fields, "new_short_name"))
        if data.get("into") and wants_new:
            self.add_error("into", _("Merge into an existing unit or a new one, not both."))
        elif not data.get("into") and not wants_new and "into" not in self.errors:
            self.add_error("into", _("Choose the unit to merge into, or describe a new one below."))
        elif wants_new:
            for name in self.new_unit_fields:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for the new unit."))
        return data

    def perform(self, decision):
        data = self.cleaned_data
        new_unit = None
        if not data["into"]:
            new_unit = services.NewUnit(
                code=data["new_code"],
                name=data["new_name"],
                short_name=data["new_short_name"],
                unit_type=data["new_unit_type"],
            )
        return member_services.merge_grassroots_unions(
            sources=list(data["sources"]),
            into=data["into"],
            new_unit=new_unit,
            new_parent=data["new_parent"],
            **self.when(decision),
        )


class RenameForm(ReorganisationForm):
    name = forms.CharField(label=_("New name"), max_length=255)
    short_name = forms.CharField(label=_("New short name"), max_length=120, required=False)

    field_order = ["name", "short_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = self.subject.name
        self.fields["short_name"].initial = self.subject.short_name

    def perform(self, decision):
        data = self.cleaned_data
        return services.rename_unit(
            unit=self.subject,
            name=data["name"],
            short_name=data["short_name"],
            **self.when(decision),
        )


class DissolveForm(ReorganisationForm):
    """End a unit; a grassroots union's members move to another one or end with it (one transaction)."""

    MOVE, END = "move", "end"

    children_to = UnitField(label=_("Move the units under it to"), action=Action.REORGANISE, required=False)
    successor = UnitField(
        label=_("Successor (takes over its history)"), action=Action.REORGANISE, required=False
    )
    members_fate = forms.ChoiceField(
        label=_("Its members"),
        choices=[
            (MOVE, _("Move them to another grassroots union")),
            (END, _("End their membership: ended, grassroots union dissolved")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    members_to = UnitField(
        label=_("Grassroots union the members move to"), action=Action.CHANGE, required=False
    )

    field_order = ["children_to", "successor", "members_fate", "members_to"]
    service_fields = {"to_unit": "members_to", "on": "effective_on", "member": "members_fate"}
    member_fields = ("members_fate", "members_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = 0
        if self.subject.unit_type.level in (Level.GRASSROOTS, Level.SUBUNIT):
            self.members = member_services.members_standing_in(
                unit=self.subject, on=selectors.today()
            ).count()
        if not self.members:
            for name in self.member_fields:
                del self.fields[name]
            return
        self.fields["members_fate"].help_text = ngettext(
            "%(count)s member stands in this union today.",
            "%(count)s members stand in this union today.",
            self.members,
        ) % {"count": self.members}
        self.fields["members_to"].queryset = (
            scoped_units(self.user, Action.CHANGE)
            .filter(unit_type__level__in=[Level.GRASSROOTS, Level.SUBUNIT])
            .exclude(pk=self.subject.pk)
        )
        self.fields["members_to"].help_text = _("Active on the date the union ends, within your unit.")

    def clean(self):
        data = super().clean()
        if not self.members:
            return data
        fate = data.get("members_fate")
        if not fate:
            self.add_error("members_fate", _("Say what becomes of the union's members."))
        elif fate == self.MOVE and not data.get("members_to") and "members_to" not in self.errors:
            self.add_error("members_to", _("Choose the grassroots union the members move to."))
        elif fate == self.END and data.get("members_to"):
            self.add_error("members_to", _("Members whose membership ends do not move: leave this empty."))
        return data

    def perform(self, decision):
        data = self.cleaned_data
        arguments = {
            "unit": self.subject,
            "successor": data["successor"],
            "children_to": data["children_to"],
            **self.when(decision),
        }
        if not self.members:
            return services.dissolve_unit(**arguments)
        return member_services.dissolve_grassroots_union(members_to=data.get("members_to"), **arguments)


class SplitPartForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, validators=[code_validator])
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=120, required=False)
    unit_type = forms.ModelChoiceField(label=_("Unit type"), queryset=UnitType.objects.all())

    def __init__(self, *args, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The new units stand beside the one being split, so they are of its level.
        self.fields["unit_type"].queryset = UnitType.objects.filter(level=level)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Unit.objects.filter(code__iexact=code).exists():
            raise ValidationError(
                _("The code %(code)s is already used by another unit (codes are never reused)."),
                params={"code": code},
            )
        return code


class BaseSplitPartFormSet(forms.BaseFormSet):
    def clean(self):
        codes = [
            form.cleaned_data["code"].lower()
            for form in self.forms
            if form.has_changed() and "code" in form.cleaned_data
        ]
        if len(codes) != len(set(codes)):
            raise ValidationError(_("Each new unit needs a code of its own."))


MAX_SPLIT_PARTS = 20


def split_part_formset(parts: int):
    """The first new unit must be described; up to ``parts`` are offered (the page can ask for more)."""
    return forms.formset_factory(
        SplitPartForm,
        formset=BaseSplitPartFormSet,
        extra=max(parts, 1) - 1,
        min_num=1,
        validate_min=True,
        max_num=MAX_SPLIT_PARTS,
        validate_max=True,
    )


class SplitForm(ReorganisationForm):
    """Split a unit into new units beside it; each unit under it goes to one of them (or stays)."""

    end_source = forms.BooleanField(
        label=_("The unit ends (otherwise it carries on with the units left to it)"),
        required=False,
        initial=True,
    )
    child_prefix = "child_"

    def __init__(self, *args, parts: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = split_part_formset(parts)(
            self.data if self.is_bound else None,
            prefix="part",
            form_kwargs={"level": self.subject.unit_type.level},
        )
        part_choices = [("", _("— stays under this unit —"))] + [
            (str(number), _("New unit %(number)s") % {"number": number})
            for number in range(1, self.parts.total_form_count() + 1)
        ]
        self.children = selectors.children_on(user=self.user, parent=self.subject, on=selectors.today())
        for link in self.children:
            self.fields[f"{self.child_prefix}{link.unit.code}"] = forms.ChoiceField(
                label=f"{link.unit.name} ({link.unit.code})", choices=part_choices, required=False
            )

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.parts.is_valid()])

    def child_fields(self):
        return [self[name] for name in self.fields if name.startswith(self.child_prefix)]

    def change_fields(self):
        return [self["end_source"]]

    def perform(self, decision):
        data = self.cleaned_data
        specs = {
            number: services.NewUnit(
                code=part.cleaned_data["code"],
                name=part.cleaned_data["name"],
                short_name=part.cleaned_data["short_name"],
                unit_type=part.cleaned_data["unit_type"],
            )
            for number, part in enumerate(self.parts.forms, start=1)
            if part.has_changed()
        }
        for link in self.children:
            name = f"{self.child_prefix}{link.unit.code}"
            if not data.get(name):
                continue
            if int(data[name]) not in specs:
                raise ValidationError(
                    {name: _("New unit %(number)s is not described.") % {"number": data[name]}}
                )
            specs[int(data[name])].children.append(link.unit)
        return services.split_unit(
            source=self.subject,
            parts=list(specs.values()),
            end_source=data["end_source"],
            **self.when(decision),
        )
