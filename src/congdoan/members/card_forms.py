"""Forms of the card pages. Each hands its data to a service of ``members.cards``; a refusal comes back next
to the field it names (``ServiceErrors``)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.members import cards
from congdoan.members.card_exports import CARDS_PER_ROW, ROWS_PER_PAGE
from congdoan.members.forms import NOT_YOURS, grassroots_units
from congdoan.members.models import CardPrintBatch, CardReason, CardRequest, CardType, Member, MemberCard
from congdoan.units.forms import DateInput, ServiceErrors, UnitField, scoped_units
from congdoan.units.models import Unit


class CardUnitForm(forms.Form):
    """The grassroots union whose members a request is for (a chair's own, by default)."""

    unit = UnitField(
        label=_("Grassroots union"), action=Action.CHANGE, error_messages={"invalid_choice": NOT_YOURS}
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = grassroots_units(user)


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member: Member) -> str:
        return f"{member.full_name} · {member.code}"


class CardRequestForm(ServiceErrors, forms.Form):
    """The members of one CĐCS who need a card, why, and which kind."""

    everyone = forms.BooleanField(
        label=_("Every member listed below"),
        required=False,
        help_text=_("For the renewal campaign: no need to tick each of them."),
    )
    members = MemberChoice(
        label=_("Members"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Members with a request already waiting are not listed."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=CardReason.choices, initial=CardReason.NEW)
    card_type = forms.ChoiceField(label=_("Card type"), choices=CardType.choices, initial=CardType.REGULAR)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.unit = user, unit
        self.fields["members"].queryset = cards.members_to_request(unit).filter(requested=False)

    def offers_something(self) -> bool:
        return self.fields["members"].queryset.exists()

    def clean(self):
        data = super().clean()
        # A CĐCS of thousands cannot post each of them (Django caps the fields of a request).
        if data.get("everyone"):
            data["members"] = list(self.fields["members"].queryset)
        elif not data.get("members") and "members" not in self.errors:
            self.add_error("members", _("Choose at least one member, or tick every member."))
        return data

    def save(self) -> CardRequest:
        data = self.cleaned_data
        return cards.request_cards(
            user=self.user,
            unit=self.unit,
            wishes=[cards.CardWish(member, data["reason"], data["card_type"]) for member in data["members"]],
            note=data["note"],
        )


class RejectForm(ServiceErrors, forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=500)


class UndoForm(ServiceErrors, forms.Form):
    """A confirmation form that takes a step of the workflow back on ``target`` (a request, a batch)."""

    def __init__(self, *args, user, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.target = user, target


class WithdrawForm(UndoForm):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=500)

    def save(self) -> CardRequest:
        return cards.withdraw_request(request=self.target, user=self.user, reason=self.cleaned_data["reason"])


class CancelBatchForm(UndoForm):
    reason = forms.CharField(label=_("Reason for cancellation"), max_length=500)

    def save(self) -> CardPrintBatch:
        return cards.cancel_batch(batch=self.target, user=self.user, reason=self.cleaned_data["reason"])


class IssueDateForm(UndoForm):
    issued_on = forms.DateField(label=_("Date of issue printed on the cards"), widget=DateInput)

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, target=target, initial={"issued_on": target.issued_on}, **kwargs)

    def save(self) -> CardPrintBatch:
        return cards.change_issue_date(
            batch=self.target, user=self.user, issued_on=self.cleaned_data["issued_on"]
        )


class BatchUnitForm(forms.Form):
    """The upper-level unit that prints: its CĐCS's approved requests can go into the batch."""

    unit = UnitField(
        label=_("Printed by"),
        action=Action.CHANGE,
        error_messages={"invalid_choice": _("Choose an upper-level unit of yours.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user, Action.CHANGE).exclude(
            unit_type__level__in=cards.CARD_LEVELS
        )


class RequestChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, request: CardRequest) -> str:
        return _("Request %(number)s · %(unit)s · %(count)s members") % {
            "number": request.pk,
            "unit": request.unit.name,
            "count": request.item_count,
        }


class BatchForm(ServiceErrors, forms.Form):
    requests = RequestChoice(
        label=_("Approved requests"), queryset=CardRequest.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    issued_on = forms.DateField(
        label=_("Date of issue printed on the cards"), widget=DateInput, initial=timezone.localdate
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.unit = user, unit
        self.fields["requests"].queryset = cards.printable_requests(user, unit)
        self.fields["requests"].help_text = _("%(n)s cards fit on an A4 page.") % {
            "n": CARDS_PER_ROW * ROWS_PER_PAGE
        }

    def offers_something(self) -> bool:
        return self.fields["requests"].queryset.exists()

    def save(self):
        data = self.cleaned_data
        return cards.create_print_batch(
            user=self.user,
            unit=self.unit,
            requests=list(data["requests"]),
            issued_on=data["issued_on"],
            note=data["note"],
        )


class CoverageForm(forms.Form):
    """Which unit's campaign progress to show: the members holding a card issued since the campaign began."""

    unit = UnitField(label=_("Unit"), active_only=False, required=False)
    since = forms.DateField(label=_("Campaign began on"), required=False, widget=DateInput)
    at = forms.DateField(label=_("As of"), required=False, widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user, Action.VIEW, active_only=False)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("since"):
            try:
                cards.check_campaign(data["since"], data.get("at") or timezone.localdate())
            except ValidationError as error:
                self.add_error(None, error)
        return data

    def value(self, name: str):
        """The field's value, if given and valid: a wrong date leaves the unit chosen as it was."""
        if not self.is_bound:
            return None
        self.is_valid()  # cleans every field; the valid ones keep their value
        return self.cleaned_data.get(name)

    def chosen(self) -> tuple[Unit | None, object, object]:
        """The unit (the user's own by default), the campaign's start (1 January of the day shown's year by
        default) and the day shown (today by default)."""
        on = self.value("at") or timezone.localdate()
        unit = self.value("unit") or self.user.unit
        return unit, self.value("since") or on.replace(month=1, day=1), on


class CardRequestFilterSet(django_filters.FilterSet):
    """Filters of the request list, shared by the page and the API."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=CardRequest.State.choices)
    unit = django_filters.CharFilter(label=_("Unit (code), with the units under it"), method="filter_unit")

    class Meta:
        model = CardRequest
        fields = ["state", "unit"]

    def filter_unit(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        root = restrict(Unit.objects.filter(code=value), user).values_list("path", flat=True).first()
        return queryset.filter(unit__path__under=root) if root else queryset.none()


class MemberCardFilterSet(django_filters.FilterSet):
    """The API's card history: one member's cards."""

    member = django_filters.CharFilter(label=_("Member code"), field_name="member__code")

    class Meta:
        model = MemberCard
        fields = ["member"]
