from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.viewsets import ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.audit.api.serializers import ObjectChangeSerializer
from congdoan.audit.filtersets import ObjectChangeFilterSet
from congdoan.audit.models import ObjectChange


@extend_schema_view(
    list=extend_schema(
        summary=_("Change log"),
        description=_(
            "Personal data (ID numbers, phones, birth dates) masked; one change shows them (recorded)."
        ),
    ),
    retrieve=extend_schema(summary=_("One change")),
)
class ObjectChangeViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = _(
        "The change log within the user's scope: who changed what, when, in which request, before and after."
    )

    queryset = ObjectChange.objects.select_related("content_type", "unit")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    lookup_value_regex = "[0-9]+"
