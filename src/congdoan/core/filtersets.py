import django_filters
from django.utils.translation import gettext_lazy as _

from congdoan.core.models import Job
from congdoan.units.forms import DateInput


def date_range(field_name: str) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """A list's From and Until filters on the day of ``field_name`` (a date-time), both ends included, with
    the browser's date picker: a bare text box gave no hint of the format it reads."""
    return (
        django_filters.DateFilter(
            label=_("From"), field_name=field_name, lookup_expr="date__gte", widget=DateInput
        ),
        django_filters.DateFilter(
            label=_("Until"), field_name=field_name, lookup_expr="date__lte", widget=DateInput
        ),
    )


class JobFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=Job.State.choices)
    # A dotted path (``congdoan.members.downloads.export_list_job``); the page offers the kinds it holds.
    kind = django_filters.CharFilter(label=_("Kind"))
    since, until = date_range("created_at")

    class Meta:
        model = Job
        fields = ["state", "kind", "since", "until"]
