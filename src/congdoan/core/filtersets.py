import django_filters
from django.utils.translation import gettext_lazy as _

from congdoan.core.models import Job
from congdoan.units.forms import DateInput


class JobFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=Job.State.choices)
    # A dotted path (``congdoan.members.downloads.export_list_job``); the page offers the kinds it holds.
    kind = django_filters.CharFilter(label=_("Kind"))
    # The browser's date picker: a bare text box gave no hint of the format it reads.
    since = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("Until"), field_name="created_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = Job
        fields = ["state", "kind", "since", "until"]
