"""Forms of the programme pages: the programme as a document, and one form per kind of part.

The forms check what a person typed and offer only what the user may name (units and programmes in their
sight); the services write, inside one transaction, and refuse with the reason what a form cannot know.
"""

from dataclasses import fields as dataclass_fields

from django import forms
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from congdoan.accounts.models import Action
from congdoan.plans import selectors
from congdoan.plans.models import (
    Basis,
    Programme,
    ProgrammePart,
    Recipient,
    Responsibility,
    SubmissionDeadline,
    Target,
    Task,
)
from congdoan.plans.services import PART_FIELDS, ProgrammeSpec
from congdoan.units.forms import DateInput, ServiceErrors, UnitField, scoped_units

SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


def label_of(model, name: str):
    return lazy(lambda: capfirst(model._meta.get_field(name).verbose_name), str)()


class LinesField(forms.CharField):
    """A list of texts, one a line (themes, goals); empty lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ProgrammeChoiceField(forms.ModelChoiceField):
    """A programme the user may see, named by its reference."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Programme.objects.none(), to_field_name="ref", required=False, **kwargs)

    def label_from_instance(self, programme):
        return f"{programme} ({programme.issued_on:%d/%m/%Y})"


class ProgrammeForm(ServiceErrors, forms.ModelForm):
    """A programme as it was issued. Its reference is chosen once, when it is entered."""

    # The model's labels, as the list and the page show them.
    themes = LinesField(label=label_of(Programme, "themes"), required=False, help_text=_("One a line."))
    qualitative_goals = LinesField(
        label=label_of(Programme, "qualitative_goals"), required=False, help_text=_("One a line.")
    )
    issuer_unit = UnitField(
        label=label_of(Programme, "issuer_unit"),
        required=False,
        active_only=False,
        help_text=_(
            "When the issuer is a unit of the tree; empty for an outside body such as a Party committee."
        ),
    )
    unit = UnitField(label=label_of(Programme, "unit"), action=Action.CHANGE)
    parent = ProgrammeChoiceField(label=label_of(Programme, "parent"))

    class Meta:
        model = Programme
        # The document's fields as the services take them; the merge rule (one seed's) is the API's.
        fields = [f.name for f in dataclass_fields(ProgrammeSpec) if f.name != "merge_rule"]
        widgets = {"issued_on": DateInput, "attachment_note": SHORT_TEXT, "note": SHORT_TEXT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_unit"].queryset = scoped_units(user, Action.VIEW, active_only=False)
        self.fields["unit"].queryset = scoped_units(user, Action.CHANGE, active_only=False)
        # A superuser may file a document under no unit (seen by superusers only); others file it in scope.
        self.fields["unit"].required = not user.is_superuser
        parents = selectors.visible(Programme.objects.all(), user)
        if self.instance.pk:
            self.fields["ref"].disabled = True
            parents = parents.exclude(pk=self.instance.pk)
        elif user.unit_id:
            self.fields["unit"].initial = user.unit.code
        self.fields["parent"].queryset = parents.order_by("-issued_on", "ref")

    def spec(self) -> ProgrammeSpec:
        """What the form says, over what the programme already held (the merge rule has no field here)."""
        return ProgrammeSpec.of(self.instance)


class PartForm(ServiceErrors, forms.ModelForm):
    """One part of a programme; ``values()`` is what the services store."""

    def __init__(self, *args, user, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme  # the part's rules read the programme (its period)
        self.user = user

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class TargetForm(PartForm):
    indicator = forms.ChoiceField(
        label=label_of(Target, "indicator"),
        required=False,
        help_text=_("What gives the actual value; “entered by hand” when no record can give it yet."),
    )

    class Meta:
        model = Target
        fields = [name for name in PART_FIELDS[Target] if name != "manual"]  # set by the indicator choice
        widgets = {"text": SHORT_TEXT, "note": SHORT_TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.indicator_choices()
        current = self.instance.indicator
        if current and current not in dict(choices):
            choices.append((current, current))  # kept visible, so the model's check names it
        self.fields["indicator"].choices = [("", _("Entered by hand")), *choices]

    def clean(self):
        cleaned = super().clean()
        # One choice sets both: a target follows an indicator, or it is entered by hand.
        self.instance.manual = not cleaned.get("indicator")
        return cleaned

    def values(self) -> dict:
        return {**super().values(), "manual": self.instance.manual}


class TaskForm(PartForm):
    class Meta:
        model = Task
        fields = PART_FIELDS[Task]
        widgets = {
            "title": SHORT_TEXT,
            "description": SHORT_TEXT,
            "evidence": SHORT_TEXT,
            "deadline": DateInput,
        }


class TaskProgressForm(PartForm):
    """Status and evidence only: what the units responsible for a task record."""

    class Meta:
        model = Task
        fields = ["status", "evidence"]
        widgets = {"evidence": SHORT_TEXT}


class ResponsibilityForm(PartForm):
    unit = UnitField(label=label_of(Responsibility, "unit"), required=False, active_only=False)

    class Meta:
        model = Responsibility
        fields = PART_FIELDS[Responsibility]
        widgets = {"what": SHORT_TEXT}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, programme=programme, **kwargs)
        self.fields["task"].queryset = programme.tasks.order_by("position")
        self.fields["task"].help_text = _("Empty: the programme as a whole.")
        self.fields["unit"].queryset = scoped_units(self.user, Action.VIEW, active_only=False)


class DeadlineForm(PartForm):
    class Meta:
        model = SubmissionDeadline
        fields = PART_FIELDS[SubmissionDeadline]
        widgets = {"what": SHORT_TEXT, "submitters": SHORT_TEXT, "due_before": DateInput}


class RecipientForm(PartForm):
    unit = UnitField(label=label_of(Recipient, "unit"), required=False, active_only=False)

    class Meta:
        model = Recipient
        fields = PART_FIELDS[Recipient]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(self.user, Action.VIEW, active_only=False)


class BasisForm(PartForm):
    document = ProgrammeChoiceField(label=label_of(Basis, "document"))

    class Meta:
        model = Basis
        fields = PART_FIELDS[Basis]

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, programme=programme, **kwargs)
        others = selectors.visible(Programme.objects.exclude(pk=programme.pk), self.user)
        self.fields["document"].queryset = others.order_by("-issued_on", "ref")


# The kinds of part, by the word that names them in URLs, with their form.
PART_FORMS: dict[str, tuple[type[ProgrammePart], type[PartForm]]] = {
    "targets": (Target, TargetForm),
    "tasks": (Task, TaskForm),
    "responsibilities": (Responsibility, ResponsibilityForm),
    "deadlines": (SubmissionDeadline, DeadlineForm),
    "recipients": (Recipient, RecipientForm),
    "bases": (Basis, BasisForm),
}


TREE_THEN, TREE_TODAY = "then", "today"


class RollUpQuery(forms.Form):
    """A page's question of which tree figures add up along: as it stood on the day read (the default),
    or today's. A value given wrong shows its error and counts as not given."""

    tree = forms.ChoiceField(
        label=_("Roll up along"),
        required=False,
        choices=[(TREE_THEN, _("the tree as it stood then")), (TREE_TODAY, _("today's tree"))],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.is_valid()

    @property
    def regroup_today(self) -> bool:
        return self.cleaned_data.get("tree") == TREE_TODAY
