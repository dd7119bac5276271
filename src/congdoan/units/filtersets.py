"""Filters shared by the web lists and the API, so both answer the same question the same way."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congdoan.units.models import Decision, Employer, Level, Reorganisation, Sector, Unit, UnitLink, UnitType
from congdoan.units.selectors import tree_on


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    level = django_filters.ChoiceFilter(
        label=_("Level"), field_name="unit_type__level", choices=Level.choices
    )
    unit_type = django_filters.ModelChoiceFilter(
        label=_("Unit type"), queryset=UnitType.objects.all(), to_field_name="code"
    )
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    parent = django_filters.CharFilter(label=_("Parent code"), field_name="parent__code")
    under = django_filters.CharFilter(label=_("Under unit (code)"), method="filter_under")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[("active", _("Active")), ("ended", _("Ended"))],
    )

    class Meta:
        model = Unit
        fields = ["q", "level", "unit_type", "sector", "parent", "under", "status"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_under(self, queryset, name, value):
        root = Unit.objects.filter(code=value).values_list("path", flat=True).first()
        return queryset.filter(path__under=root) if root else queryset.none()

    def filter_status(self, queryset, name, value):
        active = queryset.active()
        return active if value == "active" else queryset.exclude(pk__in=active.values("pk"))


class EmployerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    unit = django_filters.CharFilter(label=_("Grassroots union (code)"), field_name="unit__code")
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    workforce_min = django_filters.NumberFilter(
        label=_("Workforce at least"), field_name="workforce", lookup_expr="gte"
    )

    class Meta:
        model = Employer
        fields = ["q", "unit", "sector", "workforce_min"]


class DecisionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or summary"), method="search")
    signed_from = django_filters.DateFilter(label=_("Signed from"), field_name="signed_on", lookup_expr="gte")
    signed_to = django_filters.DateFilter(label=_("Signed until"), field_name="signed_on", lookup_expr="lte")

    class Meta:
        model = Decision
        fields = ["q", "signed_from", "signed_to"]

    def search(self, queryset, name, value):
        return queryset.filter(number__icontains=value) | queryset.filter(summary__icontains=value)


class UnitOnDateFilterSet(UnitFilterSet):
    """The unit filters plus ``at``: the units that existed that day, "parent" and "under" read as of then."""

    at = django_filters.DateFilter(label=_("On date"), method="filter_at")
    parent = django_filters.CharFilter(label=_("Parent code"), method="filter_parent")

    class Meta(UnitFilterSet.Meta):
        fields = [*UnitFilterSet.Meta.fields, "at"]

    def _on(self):
        return self.form.cleaned_data.get("at")

    @staticmethod
    def _linked(queryset, links: QuerySet[UnitLink]):
        """The units of ``queryset`` that have one of ``links``."""
        return queryset.filter(pk__in=links.values("unit_id"))

    def filter_at(self, queryset, name, value):
        return self._linked(queryset, tree_on(value))

    def filter_parent(self, queryset, name, value):
        on = self._on()
        if on is None:
            return queryset.filter(parent__code=value)
        return self._linked(queryset, tree_on(on).filter(parent__code=value))

    def filter_under(self, queryset, name, value):
        on = self._on()
        if on is None:
            return super().filter_under(queryset, name, value)
        root = Unit.objects.filter(code=value).first()
        return self._linked(queryset, tree_on(on, under=root)) if root else queryset.none()


class ReorganisationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Reorganisation.Kind.choices)
    unit = django_filters.CharFilter(label=_("Unit involved (code)"), method="filter_unit")
    effective_from = django_filters.DateFilter(
        label=_("Effective from"), field_name="effective_on", lookup_expr="gte"
    )
    effective_to = django_filters.DateFilter(
        label=_("Effective until"), field_name="effective_on", lookup_expr="lte"
    )

    class Meta:
        model = Reorganisation
        fields = ["kind", "unit", "effective_from", "effective_to"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(pk__in=Reorganisation.objects.filter(involved__unit__code=value).values("pk"))
