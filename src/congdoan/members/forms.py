"""Forms of the member pages. Each hands its data to a service of ``members.services``; a refusal comes back
next to the field it names (``ServiceErrors``), and the service's transaction leaves nothing half-done."""

from collections.abc import Callable

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from congdoan.accounts.models import Action
from congdoan.members import services
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.models import EventKind, Member
from congdoan.units.forms import DateInput, ServiceErrors, UnitField, scoped_units
from congdoan.units.models import Employer, Level

DECISION_HELP = _("Number of the decision, if there is one (e.g. 12/QĐ-CĐCS).")


NOT_YOURS = _("Choose a grassroots union of your unit (not an upper-level unit).")


def grassroots_units(user, action: str = Action.CHANGE):
    """The grassroots unions (and their sub-units) where the user may place members."""
    return scoped_units(user, action).filter(unit_type__level__in=[Level.GRASSROOTS, Level.SUBUNIT])


class MemberDataForm(ServiceErrors, forms.ModelForm):
    """A member's own data. The service checks it (ID number against birth and gender, dates, ages), so
    the form leaves the model's own validation to it and only builds the instance."""

    class Meta:
        model = Member
        fields = list(services.EDITABLE_FIELDS)
        widgets = {
            "birth_date": DateInput,
            "party_joined_on": DateInput,
            "card_issued_on": DateInput,
        }
        help_texts = {
            "birth_year": _("When only the year is known (old records)."),
            "id_number": _("CCCD (12 digits) or old CMND (9 digits)."),
            "passport_number": _(
                "A foreign worker's passport (letters and digits); not for a Vietnamese member."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_id = self.instance.unit_id if self.instance.pk else None
        self.fields["employer"].queryset = Employer.objects.filter(unit_id=unit_id).order_by("name")
        if not unit_id:
            del self.fields["employer"]

    def _post_clean(self):
        # Only fill the instance; ``services`` validates it (and ID-number uniqueness) with its own messages.
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in services.EDITABLE_FIELDS}


class EditMemberForm(MemberDataForm):
    def save(self, commit: bool = True) -> Member:
        return services.update_member(member=Member.objects.get(pk=self.instance.pk), **self.changes())


class AdmitForm(MemberDataForm):
    """Kết nạp a new member, or take in one transferred from a union outside the system."""

    ADMIT, RECEIVE = "admit", "receive"

    entry = forms.ChoiceField(
        label=_("How the member comes"),
        choices=[
            (ADMIT, _("Admitted (kết nạp)")),
            (RECEIVE, _("Transferred in from a union outside the system")),
        ],
        initial=ADMIT,
        widget=forms.RadioSelect,
    )
    unit = UnitField(
        label=_("Grassroots union"), action=Action.CHANGE, error_messages={"invalid_choice": NOT_YOURS}
    )
    joined_on = forms.DateField(label=_("Joined the union on"), widget=DateInput)
    received_on = forms.DateField(
        label=_("Transferred in on"), required=False, widget=DateInput, help_text=_("Only for a transfer in.")
    )
    from_outside = forms.CharField(
        label=_("Coming from (union outside the system)"), max_length=255, required=False
    )
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=60, required=False, help_text=DECISION_HELP
    )
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    service_fields = {"on": "joined_on"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = grassroots_units(user)
        if user.unit_id and self.fields["unit"].queryset.filter(pk=user.unit_id).exists():
            self.fields["unit"].initial = user.unit  # a chair admits into their own CĐCS
        self.order_fields(
            [
                "entry",
                "unit",
                "full_name",
                "birth_date",
                "birth_year",
                "gender",
                "joined_on",
                "received_on",
                "from_outside",
            ]
        )

    def clean(self):
        data = super().clean()
        if data.get("entry") == self.RECEIVE:
            self.service_fields = {"on": "received_on"}
            if not data.get("received_on"):
                self.add_error("received_on", _("Give the date of the transfer in."))
            if not data.get("from_outside"):
                self.add_error("from_outside", _("Name the union the member comes from."))
        return data

    def save(self, commit: bool = True) -> Member:
        data = self.cleaned_data
        member = self.instance
        member.joined_on = data["joined_on"]
        if data["entry"] == self.RECEIVE:
            return services.receive_member(
                member=member,
                unit=data["unit"],
                on=data["received_on"],
                from_outside=data["from_outside"],
                decision_number=data["decision_number"],
                note=data["note"],
            )
        return services.admit_member(
            member=member,
            unit=data["unit"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            note=data["note"],
        )


# ------------------------------------------------------------------------------------------ lifecycle


class LifecycleForm(ServiceErrors, forms.Form):
    """One dated step of a member's life. The fields are named as the keyword arguments of ``service``,
    which ``apply`` calls with the member and the cleaned data; ``title`` heads the page and ``done``
    (with ``%(name)s``) tells that the step was recorded."""

    service: Callable[..., Member]
    title = ""
    done = ""

    on = forms.DateField(
        label=_("Date"),
        widget=DateInput,
        help_text=_("It may come before steps already recorded, if they still hold after it."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.member = user, member

    def apply(self) -> Member:
        return self.service(member=self.member, **self.cleaned_data)


class WithDecision(forms.Form):
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=60, required=False, help_text=DECISION_HELP
    )


class WithDecisionDate(WithDecision):
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=DateInput)


class TransferForm(LifecycleForm, WithDecision):
    service = staticmethod(services.transfer_member)
    title = _("Transfer to another grassroots union")
    done = _("The transfer of %(name)s was recorded.")

    to_unit = UnitField(
        label=_("To the grassroots union"),
        action=Action.CHANGE,
        required=False,
        error_messages={"invalid_choice": NOT_YOURS},
    )
    to_outside = forms.CharField(
        label=_("Or to a union outside the system"),
        max_length=255,
        required=False,
        help_text=_("Another province, a central sector union…"),
    )

    field_order = ["to_unit", "to_outside", "on", "decision_number", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = grassroots_units(self.user).exclude(pk=self.member.unit_id)


class SuspendForm(LifecycleForm, WithDecision):
    service = staticmethod(services.suspend_member)
    title = _("Suspend union activity")
    done = _("The suspension of %(name)s was recorded.")

    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty if the end is not known yet."),
    )

    field_order = ["on", "until", "decision_number", "note"]
    service_fields = {"suspended_until": "until"}


class ResumeForm(LifecycleForm, WithDecision):
    service = staticmethod(services.resume_member)
    title = _("Resume union activity")
    done = _("%(name)s takes part in the union again.")

    field_order = ["on", "decision_number", "note"]


class EndForm(LifecycleForm, WithDecisionDate):
    service = staticmethod(services.end_membership)
    title = _("End the membership")
    done = _("The end of the membership of %(name)s was recorded.")

    # The end by dissolution comes with the dissolution of the CĐCS, not member by member.
    kind = forms.ChoiceField(
        label=_("How the membership ends"),
        choices=[(kind.value, kind.label) for kind in services.ENDING_KINDS if kind != EventKind.DISSOLUTION],
    )

    field_order = ["kind", "on", "decision_number", "decision_date", "note"]


class ComingBackForm(LifecycleForm):
    """A former member (transferred out, left, retired…) comes back into a grassroots union."""

    unit = UnitField(
        label=_("Grassroots union"), action=Action.CHANGE, error_messages={"invalid_choice": NOT_YOURS}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = grassroots_units(self.user)


class ReceiveForm(ComingBackForm, WithDecision):
    """Transferred in from a union outside the system (chuyển đến)."""

    service = staticmethod(services.receive_member)
    title = _("Take back, transferred in from outside the system")
    done = _("%(name)s was taken back into the union.")

    from_outside = forms.CharField(label=_("Coming from (union outside the system)"), max_length=255)

    field_order = ["unit", "from_outside", "on", "decision_number", "note"]


class ReadmitForm(ComingBackForm, WithDecisionDate):
    """Admitted again (kết nạp lại), keeping the member code."""

    service = staticmethod(services.admit_member)
    title = _("Admit again")
    done = _("%(name)s was admitted again.")

    field_order = ["unit", "on", "decision_number", "decision_date", "note"]


# ------------------------------------------------------------------------------------------- imports


class _ListUnitForm(forms.Form):
    """A form whose ``unit`` is the unit a member list is for: one the user may change, their own at first."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user, Action.CHANGE)
        if user.unit_id:
            self.fields["unit"].initial = user.unit


class ImportUploadForm(_ListUnitForm):
    file = forms.FileField(
        label=_("Member list"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        help_text=_("An Excel workbook (.xlsx) or a CSV file; the template below, or your own list."),
    )
    unit = UnitField(
        label=_("Unit the list belongs to"),
        action=Action.CHANGE,
        help_text=_(
            "A grassroots union, or an upper unit when the list has a column with each member's CĐCS."
        ),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.ADD,
        widget=forms.RadioSelect,
    )


class ImportTemplateForm(_ListUnitForm):
    """The empty list to download: for which unit (its CĐCS drop-down) and which mode (its columns)."""

    unit = UnitField(
        label=_("Unit"),
        action=Action.CHANGE,
        help_text=_("For an upper unit the template has a column with each member's CĐCS, as a drop-down."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=ImportBatch.Mode.choices, initial=ImportBatch.Mode.ADD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="template_%s", **kwargs)  # ids apart from the upload form's, above


class DecideForm(forms.Form):
    """A decision on possible duplicates: the rows (Excel row numbers) and what becomes of them."""

    rows = forms.TypedMultipleChoiceField(coerce=int, label=_("Rows"), required=False)
    all_undecided = forms.BooleanField(label=_("Every duplicate not yet decided"), required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=[c for c in ImportRow.Decision.choices if c[0]])

    def __init__(self, *args, batch: ImportBatch, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = batch.rows.filter(status=ImportRow.Status.DUPLICATE).values_list("row_number", flat=True)
        self.fields["rows"].choices = [(n, n) for n in numbers]
        self.batch = batch

    def clean(self):
        data = super().clean()
        if data.get("all_undecided"):
            data["rows"] = list(
                self.batch.rows.filter(
                    status=ImportRow.Status.DUPLICATE, decision=ImportRow.Decision.NONE
                ).values_list("row_number", flat=True)
            )
        if not data.get("rows"):
            raise forms.ValidationError(_("Choose the rows the decision is for."))
        return data


# ----------------------------------------------------------------------------------------- duplicates


class MergeForm(ServiceErrors, forms.Form):
    """Which values of the record merged away replace the kept record's (empty ones are always filled)."""

    take = forms.MultipleChoiceField(
        label=_("Take these values from the other record"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, keep: Member, other: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep, self.other = keep, other
        differing = []  # values both records hold, differently (an empty value is filled anyway)
        for name in services.MERGE_FIELDS:
            attname = Member._meta.get_field(name).attname
            mine, theirs = getattr(keep, attname), getattr(other, attname)
            if mine not in (None, "") and theirs not in (None, "") and mine != theirs:
                differing.append((name, Member._meta.get_field(name).verbose_name))
        self.fields["take"].choices = differing

    def apply(self) -> Member:
        return services.merge_members(keep=self.keep, other=self.other, take=self.cleaned_data["take"])
