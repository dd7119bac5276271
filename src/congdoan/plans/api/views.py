"""The programmes API: read only for now, through the same selectors and scope as the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.plans import selectors
from congdoan.plans.api.serializers import ProgrammeDetailSerializer, ProgrammeSerializer
from congdoan.plans.filtersets import ProgrammeFilterSet
from congdoan.plans.models import Programme


@extend_schema_view(
    list=extend_schema(summary="Chương trình, kế hoạch, văn bản chỉ đạo"),
    retrieve=extend_schema(summary="Một văn bản với chỉ tiêu, nhiệm vụ, phân công, thời hạn, nơi nhận"),
)
class ProgrammeViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    """Chương trình, kế hoạch, công văn, thông báo, nghị quyết, chỉ thị trong phạm vi của người dùng."""

    queryset = Programme.objects.all()
    filterset_class = ProgrammeFilterSet
    lookup_field = "ref"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9._-]*"

    def base_queryset(self):
        return selectors.programme_queryset(with_parts=self.action == "retrieve")

    def get_serializer_class(self):
        return ProgrammeDetailSerializer if self.action == "retrieve" else ProgrammeSerializer

    def retrieve(self, request, *args, **kwargs):
        programme = self.get_object()
        cited = [programme.parent_id, *(basis.document_id for basis in programme.bases.all())]
        visible = selectors.visible_programme_ids(request.user, cited)
        return Response(
            self.get_serializer(programme, context={**self.get_serializer_context(), "visible": visible}).data
        )
