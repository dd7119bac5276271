from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.viewsets import ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.audit.api.serializers import ObjectChangeSerializer
from congdoan.audit.filtersets import ObjectChangeFilterSet
from congdoan.audit.models import ObjectChange


@extend_schema_view(
    list=extend_schema(summary="Nhật ký thay đổi"), retrieve=extend_schema(summary="Một thay đổi")
)
class ObjectChangeViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    """Nhật ký thay đổi trong phạm vi của người dùng: ai sửa gì, lúc nào, trong yêu cầu nào, trước và sau."""

    queryset = ObjectChange.objects.select_related("content_type", "unit")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    lookup_value_regex = "[0-9]+"
