"""Filters of the member list, shared by the web page and the API so both answer the same question."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.members import selectors
from congdoan.members.identity import ETHNIC_CHOICES
from congdoan.members.models import MEMBER_STATES, CardType, EventKind, Gender, Member, MemberEvent, Status
from congdoan.units.forms import DateInput, UnitPicker
from congdoan.units.models import Unit
from congdoan.units.selectors import today

ALL = "all"
NO_CARD = "none"
# Merged records are duplicates that live on in the record they were merged into: never listed.
LISTED_STATUSES = [(value, label) for value, label in Status.choices if value != Status.MERGED]


def units_in_scope(request):
    return restrict(Unit.objects.all(), getattr(request, "user", None), Action.VIEW)


EARLIEST_DAY = datetime.date(1900, 1, 1)  # before it, a typing slip: no union member is recorded so early


def a_past_day(value: datetime.date) -> None:
    """The day of a list as of a date: one that has been (the register knows nothing of tomorrow)."""
    if value > today():
        raise ValidationError(_("Choose a day that has passed: today at the latest."), code="future")
    if value < EARLIEST_DAY:
        raise ValidationError(
            _("Choose a day from %(day)s on.") % {"day": f"{EARLIEST_DAY:%d/%m/%Y}"}, code="too_early"
        )


class MemberFilterSet(django_filters.FilterSet):
    # First of the filters: the others read the membership of that day it brings (``as_of``).
    at = django_filters.DateFilter(
        label=_("Members as of"),
        method="as_of",
        widget=DateInput,
        validators=[a_past_day],
        help_text=_("Empty: today. A past day lists who were members then, in the units they were in."),
    )
    # Each word searched is a condition of the query: no longer than a name, or the database refuses it.
    q = django_filters.CharFilter(
        label=_("Name, ID number or member code"),
        method="search",
        max_length=Member._meta.get_field("full_name").max_length,
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (with the units under it)"),
        queryset=units_in_scope,
        to_field_name="code",
        method="filter_unit",
        # The picker's own search box belongs to no form: only the chosen unit's code is sent.
        widget=UnitPicker(active_only=False, attrs={"form": "unit-picker-search"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(ALL, _("All, ended memberships included")), *LISTED_STATUSES],
        empty_label=_("Current members (active or suspended)"),
        method="filter_status",
    )
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    ethnic_group = django_filters.ChoiceFilter(label=_("Ethnic group"), choices=ETHNIC_CHOICES)
    party_member = django_filters.BooleanFilter(
        label=_("Party member"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    joined_from = django_filters.DateFilter(
        label=_("Joined the union from"), field_name="joined_on", lookup_expr="gte", widget=DateInput
    )
    joined_to = django_filters.DateFilter(
        label=_("Joined the union until"), field_name="joined_on", lookup_expr="lte", widget=DateInput
    )
    card_type = django_filters.ChoiceFilter(
        label=_("Card"), choices=[*CardType.choices, (NO_CARD, _("No card yet"))], method="filter_card"
    )

    class Meta:
        model = Member
        fields = [
            "at",
            "q",
            "unit",
            "status",
            "gender",
            "ethnic_group",
            "party_member",
            "joined_from",
            "joined_to",
            "card_type",
        ]

    def search(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return selectors.search(queryset, value, whole_id_numbers=not selectors.may_see_personal_data(user))

    def as_of(self, queryset, name, day):
        # Who is listed is read from that day's memberships, in the scope of the units they stood in then:
        # not from today's unit, which the queryset given is scoped by (a member who has left the scope
        # since was one of its members that day). Merged records have no intervals: they pass to the kept one.
        # The unit's subtree is that of that day too: a union moved away since counts where it was.
        unit = self.form.cleaned_data.get("unit")
        return selectors.members_on_day(getattr(self.request, "user", None), day, unit)

    def filter_unit(self, queryset, name, unit):
        if self.form.cleaned_data.get("at"):
            return queryset  # ``as_of`` read the unit's subtree as it stood that day
        return selectors.in_units(queryset, Unit.objects.filter(path__under=unit.path))

    def filter_status(self, queryset, name, value):
        if value == ALL:
            return queryset
        return queryset.filter(**{self.status_field(): value})

    def status_field(self) -> str:
        """The status the list reads: that of the list's day (``at``) or today's."""
        return "state_on_day" if self.form.cleaned_data.get("at") else "status"

    def filter_card(self, queryset, name, value):
        return queryset.filter(card_type="" if value == NO_CARD else value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset.exclude(status=Status.MERGED))
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(**{f"{self.status_field()}__in": MEMBER_STATES})
        return queryset


class MemberEventFilterSet(django_filters.FilterSet):
    member = django_filters.CharFilter(label=_("Member code"), field_name="member__code")
    unit = django_filters.CharFilter(
        label=_("Grassroots union (code), with the units under it"), method="filter_unit"
    )
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=EventKind.choices)
    on_from = django_filters.DateFilter(label=_("From"), field_name="on", lookup_expr="gte")
    on_to = django_filters.DateFilter(label=_("Until"), field_name="on", lookup_expr="lte")

    class Meta:
        model = MemberEvent
        fields = ["member", "unit", "kind", "on_from", "on_to"]

    def filter_unit(self, queryset, name, value):
        root = Unit.objects.filter(code=value).values_list("path", flat=True).first()
        return queryset.filter(unit__path__under=root) if root else queryset.none()
