"""Forms of the allocation and entered-figure pages; the services decide, the forms show their refusals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from congdoan.accounts.models import Action
from congdoan.plans.forms import RollUpQuery
from congdoan.plans.models import AllocationMethod, TargetKind
from congdoan.units.forms import DateInput, ServiceErrors, UnitField, scoped_units
from congdoan.units.models import Unit

WHOLE = {"min_value": 0, "decimal_places": 0, "max_digits": 12}
NOTE = forms.Textarea(attrs={"rows": 2})


class AllocationForm(ServiceErrors, forms.Form):
    """A new split of a target: the way, its base, and for a split by hand one share per unit below."""

    method = forms.ChoiceField(label=_("Way of splitting"))
    base_on = forms.DateField(
        label=_("Members counted on"),
        required=False,
        widget=DateInput,
        help_text=_(
            "For a split in proportion to members. A date within the target's period also sets the day "
            "whose units take part."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)

    def __init__(self, *args, target, children: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        if target.kind == TargetKind.PERCENT:
            self.fields["method"].choices = [
                (AllocationMethod.SAME_PERCENT, AllocationMethod.SAME_PERCENT.label)
            ]
            del self.fields["base_on"]
            return
        left_out = {AllocationMethod.SAME_PERCENT}
        if target.manual:
            left_out.add(AllocationMethod.LAST_YEAR)  # no records give last year's result
        self.fields["method"].choices = [(m.value, m.label) for m in AllocationMethod if m not in left_out]
        for child in children:
            self.fields[child.code] = forms.DecimalField(
                label=child.name_then, required=False, help_text=_("By hand: this unit's share."), **WHOLE
            )

    def share_fields(self):
        return [self[child.code] for child in self.children if child.code in self.fields]

    def values(self) -> dict:
        """The shares typed in (a split by hand); an empty box is no share."""
        return {
            child.code: self.cleaned_data[child.code]
            for child in self.children
            if self.cleaned_data.get(child.code) is not None
        }


class FiguresQuery(RollUpQuery):
    """The day the figures page reads (empty: the end of the target's period) and the tree it adds along."""

    field_order = ["at", "tree"]

    at = forms.DateField(label=_("As of"), required=False, widget=DateInput)

    @property
    def day(self):
        return self.cleaned_data.get("at")


class FigureForm(ServiceErrors, forms.Form):
    """A unit's figure for a target entered by hand, as it stood on a date."""

    unit = UnitField(label=_("Unit"), action=Action.CHANGE)
    stands_on = forms.DateField(label=_("Figure as of"), widget=DateInput)
    numerator = forms.DecimalField(label=_("Figure"), **WHOLE)
    denominator = forms.DecimalField(label=_("Out of"), **WHOLE)
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)

    def __init__(self, *args, user, target, **kwargs):
        super().__init__(*args, **kwargs)
        home = target.programme.unit
        units = scoped_units(user, Action.CHANGE)
        self.fields["unit"].queryset = units.filter(path__under=home.path) if home else units.none()
        if target.kind == TargetKind.COUNT:
            del self.fields["denominator"]
        else:
            self.fields["numerator"].label = _("Figure (how many)")
            self.fields["numerator"].help_text = _("E.g. 412 workers informed …")
            self.fields["denominator"].help_text = _("… out of 420 workers.")
