"""Filters shared by the programme pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congdoan.plans.models import DocumentKind, Programme
from congdoan.plans.periods import PeriodKind
from congdoan.units.models import Unit


class ProgrammeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number, title or issuer"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Document kind"), choices=DocumentKind.choices)
    year = django_filters.NumberFilter(label=_("In force in the year"), method="filter_year")
    unit = django_filters.CharFilter(label=_("Filed under (unit code)"), field_name="unit__code")
    under = django_filters.CharFilter(label=_("Under unit (code)"), method="filter_under")

    class Meta:
        model = Programme
        fields = ["q", "kind", "year", "unit", "under"]

    def search(self, queryset, name, value):
        words = Q()
        for word in value.split():
            words &= Q(number__icontains=word) | Q(title__icontains=word) | Q(issuer_name__icontains=word)
        return queryset.filter(words)

    def filter_year(self, queryset, name, value):
        """The programmes whose period holds the year: one year, a term, every year or until replaced."""
        year = int(value)
        starts = Q(period_start__isnull=True) | Q(period_start__lte=year)
        one_year = Q(period_kind=PeriodKind.YEAR, period_start=year)
        ranged = (
            Q(period_kind__in=[PeriodKind.TERM, PeriodKind.EVERY_YEAR, PeriodKind.STANDING])
            & starts
            & (Q(period_end__isnull=True) | Q(period_end__gte=year))
        )
        return queryset.filter(one_year | ranged)

    def filter_under(self, queryset, name, value):
        root = Unit.objects.filter(code=value).values_list("path", flat=True).first()
        return queryset.filter(unit__path__under=root) if root else queryset.none()
