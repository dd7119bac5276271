import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from congdoan.audit.models import ObjectChange
from congdoan.core.filtersets import date_range


class ObjectChangeFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("Unit (code)"), field_name="unit__code")
    user = django_filters.CharFilter(label=_("User"), field_name="user_name")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=ObjectChange.Action.choices)
    model = django_filters.ModelChoiceFilter(
        label=_("Kind of object"),
        field_name="content_type",
        queryset=ContentType.objects.filter(
            app_label__in=["units", "accounts", "members", "plans", "records"]
        ),
    )
    object_id = django_filters.NumberFilter(label=_("Object id"))
    request_id = django_filters.UUIDFilter(label=_("Request id"))
    since, until = date_range("time")

    class Meta:
        model = ObjectChange
        fields = ["unit", "user", "action", "model", "object_id", "request_id", "since", "until"]
