"""The programmes API, through the same selectors, services and scope as the pages.

Reads show the programmes of the user's subtree and, read only, those of the units above (see
``plans.selectors``); writes are the services', which refuse a programme filed above with a 403 and the
reason. Parts (targets, tasks, responsibilities, deadlines, recipients, bases) have a route each.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import ModelViewSet

from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.plans import selectors, services
from congdoan.plans.api import serializers as s
from congdoan.plans.filtersets import ProgrammeFilterSet
from congdoan.plans.models import (
    Basis,
    Programme,
    Recipient,
    Responsibility,
    SubmissionDeadline,
    Target,
    Task,
)


class VisibleMixin(ScopedViewSetMixin):
    # ``get_queryset`` gives what ``selectors.visible`` allows (a wider sight than ``restrict``, for
    # reads); the services decide every write, so a visible programme filed above answers 403 with the
    # reason, one out of sight 404.

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        try:
            obj = self.get_queryset().filter(**{self.lookup_field: value}).first()
        except (TypeError, ValueError, DjangoValidationError):
            obj = None  # a malformed key names nothing
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj


@extend_schema_view(
    list=extend_schema(summary="Chương trình, kế hoạch, văn bản chỉ đạo"),
    retrieve=extend_schema(summary="Một văn bản với chỉ tiêu, nhiệm vụ, phân công, thời hạn, nơi nhận"),
    create=extend_schema(summary="Nhập một văn bản", responses=s.ProgrammeDetailSerializer),
    update=extend_schema(summary="Sửa một văn bản", responses=s.ProgrammeDetailSerializer),
    partial_update=extend_schema(summary="Sửa một phần văn bản", responses=s.ProgrammeDetailSerializer),
    destroy=extend_schema(summary="Xóa một văn bản cùng các phần của nó"),
)
class ProgrammeViewSet(VisibleMixin, ModelViewSet):
    """Chương trình, kế hoạch, công văn, thông báo, nghị quyết, chỉ thị của đơn vị người dùng và các đơn vị
    cấp dưới; văn bản của các đơn vị cấp trên chỉ được xem."""

    queryset = Programme.objects.all()
    filterset_class = ProgrammeFilterSet
    lookup_field = "ref"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9._-]*"

    def get_queryset(self):
        return selectors.visible(
            selectors.programme_queryset(with_parts=self.action == "retrieve"), self.request.user
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.ProgrammeWriteSerializer
        return s.ProgrammeDetailSerializer if self.action == "retrieve" else s.ProgrammeSerializer

    def retrieve(self, request, *args, **kwargs):
        programme = self.get_object()
        cited = [programme.parent_id, *(basis.document_id for basis in programme.bases.all())]
        visible = selectors.visible_programme_ids(request.user, cited)
        return Response(
            self.get_serializer(programme, context={**self.get_serializer_context(), "visible": visible}).data
        )

    def perform_destroy(self, programme):
        services.delete_programme(user=self.request.user, programme=programme)


class PartFilterSet(django_filters.FilterSet):
    programme = django_filters.CharFilter(label="Mã văn bản", field_name="programme__ref")


class PartViewSet(VisibleMixin, ModelViewSet):
    filterset_class = PartFilterSet

    def get_queryset(self):
        return selectors.parts_for(self.request.user, self.queryset.model).order_by("programme", "position")

    def perform_destroy(self, part):
        services.delete_part(user=self.request.user, part=part)

    @extend_schema(summary="Đổi vị trí trong danh sách", request=s.MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        part = self.get_object()
        body = s.MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.move_part(user=request.user, part=part, position=body.validated_data["position"])
        part.refresh_from_db()
        return Response(self.get_serializer(part).data)


@extend_schema_view(list=extend_schema(summary="Chỉ tiêu của các văn bản"))
class TargetViewSet(PartViewSet):
    """Chỉ tiêu: số lượng hoặc tỷ lệ, theo một chỉ số trong danh mục hoặc nhập tay."""

    queryset = Target.objects.all()
    serializer_class = s.TargetWriteSerializer


@extend_schema_view(list=extend_schema(summary="Nhiệm vụ trọng tâm và giải pháp"))
class TaskViewSet(PartViewSet):
    """Nhiệm vụ trọng tâm, giải pháp: thời hạn, tình trạng, kết quả."""

    queryset = Task.objects.all()
    serializer_class = s.TaskWriteSerializer

    @extend_schema(summary="Cập nhật tình trạng và kết quả thực hiện", request=s.TaskProgressSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Đơn vị của văn bản, và đơn vị được giao nhiệm vụ, cập nhật tình trạng và kết quả."""
        task = self.get_object()
        body = s.TaskProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_task_progress(user=request.user, task=task, **body.validated_data)
        return Response(self.get_serializer(task).data)


@extend_schema_view(list=extend_schema(summary="Phân công thực hiện"))
class ResponsibilityViewSet(PartViewSet):
    """Ai làm gì: ban, cơ quan hoặc đơn vị chịu trách nhiệm, cho cả văn bản hoặc một nhiệm vụ."""

    queryset = Responsibility.objects.all()
    serializer_class = s.ResponsibilityWriteSerializer


@extend_schema_view(list=extend_schema(summary="Thời hạn gửi báo cáo, dự thảo của cấp dưới"))
class DeadlineViewSet(PartViewSet):
    """Những gì đơn vị cấp dưới phải gửi, gửi ai, trước ngày nào, bằng cách nào."""

    queryset = SubmissionDeadline.objects.all()
    serializer_class = s.DeadlineWriteSerializer


@extend_schema_view(list=extend_schema(summary="Nơi nhận"))
class RecipientViewSet(PartViewSet):
    """Nơi nhận văn bản (Kính gửi, Nơi nhận), theo thứ tự."""

    queryset = Recipient.objects.all()
    serializer_class = s.RecipientWriteSerializer


@extend_schema_view(list=extend_schema(summary="Căn cứ"))
class BasisViewSet(PartViewSet):
    """Các văn bản mà văn bản này thực hiện (căn cứ)."""

    queryset = Basis.objects.all()
    serializer_class = s.BasisWriteSerializer
