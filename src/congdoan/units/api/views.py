"""The units API: thin handlers over the selectors (reads) and services (writes), all through the scope."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ModelViewSet, ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ProtectedDeleteMixin, ScopedViewSetMixin, SuperuserWrites
from congdoan.accounts.models import Action
from congdoan.accounts.permissions import RolePermission
from congdoan.units import selectors
from congdoan.units.api import serializers as s
from congdoan.units.filtersets import (
    DecisionFilterSet,
    EmployerFilterSet,
    ReorganisationFilterSet,
    UnitOnDateFilterSet,
)
from congdoan.units.models import Decision, Employer, Reorganisation, Unit, UnitType

UNIT_CODE = r"[A-Za-z0-9][A-Za-z0-9._-]*"
ID = r"[0-9]+"

AT = OpenApiParameter(
    "at",
    OpenApiTypes.DATE,
    description="Ngày (YYYY-MM-DD hoặc dd/mm/yyyy): xem cây tổ chức như vào ngày đó",
)


class OnDateQuery(serializers.Serializer):
    at = serializers.DateField(required=False, label=_("On date"))


@extend_schema_view(
    list=extend_schema(
        summary="Đơn vị công đoàn",
        description="Các đơn vị trong phạm vi của người dùng. Với `at`: các đơn vị tồn tại vào ngày "
        "đó, với tên, đơn vị cấp trên và cấp độ sâu vào ngày đó.",
    ),
    retrieve=extend_schema(summary="Một đơn vị"),
    create=extend_schema(summary="Thành lập đơn vị", responses={201: s.UnitSerializer}),
    update=extend_schema(summary="Sửa thông tin liên hệ của đơn vị", responses=s.UnitSerializer),
    partial_update=extend_schema(summary="Sửa một phần thông tin của đơn vị", responses=s.UnitSerializer),
)
class UnitViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Đơn vị công đoàn trong phạm vi của người dùng.

    Tên và đơn vị cấp trên chỉ thay đổi qua các thao tác sắp xếp (chuyển, hợp nhất, chia tách, đổi tên,
    chấm dứt), mỗi thao tác kèm quyết định và ngày hiệu lực.
    """

    queryset = Unit.objects.select_related("unit_type", "parent", "area")
    serializer_class = s.UnitSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = UnitOnDateFilterSet
    lookup_field = "code"
    lookup_value_regex = UNIT_CODE
    write_actions = {
        name: Action.REORGANISE for name in ("create", "move", "merge", "split", "rename", "dissolve")
    }
    action_serializers = {
        "create": s.UnitCreateSerializer,
        "update": s.UnitUpdateSerializer,
        "partial_update": s.UnitUpdateSerializer,
        "move": s.UnitMoveSerializer,
        "merge": s.UnitMergeSerializer,
        "split": s.UnitSplitSerializer,
        "rename": s.UnitRenameSerializer,
        "dissolve": s.UnitDissolveSerializer,
    }

    def get_serializer_class(self):
        return self.action_serializers.get(self.action, s.UnitSerializer)

    def list(self, request, *args, **kwargs):
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        on = filterset.form.cleaned_data.get("at")
        if on is None:
            page = self.paginate_queryset(filterset.qs)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        links = selectors.links_on(user=request.user, on=on).filter(unit__in=filterset.qs).order_by("path")
        return self.get_paginated_response(self._as_on(self.paginate_queryset(links), on))

    @extend_schema(summary="Các đơn vị trực thuộc", parameters=[AT], responses=s.UnitSerializer(many=True))
    @action(detail=True, filter_backends=[])
    def children(self, request, code=None):
        unit = self.get_object()
        query = OnDateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("at") or selectors.today()
        links = selectors.children_on(user=request.user, parent=unit, on=on)
        return self.get_paginated_response(self._as_on(self.paginate_queryset(links), on))

    def _as_on(self, links, on: datetime.date) -> list:
        """Units as they stood on ``on``: their links then, and the names they and their parents bore."""
        named = {link.unit_id for link in links} | {link.parent_id for link in links if link.parent_id}
        tree = s.TreeOn(
            on=on,
            links={link.unit_id: link for link in links},
            names=selectors.names_on(unit_ids=named, on=on),
        )
        units = [link.unit for link in links]
        return s.UnitSerializer(
            units, many=True, context={**self.get_serializer_context(), "tree_on": tree}
        ).data

    @extend_schema(summary="Lịch sử của đơn vị", responses=s.UnitHistorySerializer)
    @action(detail=True)
    def history(self, request, code=None):
        unit = self.get_object()
        parents = list(selectors.parent_history(unit))
        # Each parent under the name it bore when the unit came under it.
        parent_names = {
            link.pk: selectors.names_on(unit_ids=[link.parent_id], on=link.valid_from).get(link.parent_id)
            for link in parents
            if link.parent_id
        }
        history = {
            "parents": parents,
            "names": selectors.name_history(unit),
            "reorganisations": selectors.reorganisations_of(unit),
        }
        context = {**self.get_serializer_context(), "parent_names": parent_names}
        return Response(s.UnitHistorySerializer(history, context=context).data)

    def _reorganise(self, request) -> Response:
        unit = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            serializer.save(unit=unit)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Chuyển đơn vị sang đơn vị cấp trên khác", responses={201: s.ReorganisationSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(
        summary="Hợp nhất, sáp nhập đơn vị",
        responses={201: s.ReorganisationSerializer},
        description="Đơn vị này (cùng `sources`) hợp nhất vào `into`, hoặc thành đơn vị mới `new_unit` "
        "dưới `new_parent`; các đơn vị trực thuộc chuyển sang đơn vị hợp nhất.",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(summary="Chia, tách đơn vị", responses={201: s.ReorganisationSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(summary="Đổi tên đơn vị", responses={201: s.ReorganisationSerializer})
    @action(detail=True, methods=["post"])
    def rename(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(summary="Chấm dứt hoạt động, giải thể đơn vị", responses={201: s.ReorganisationSerializer})
    @action(detail=True, methods=["post"])
    def dissolve(self, request, code=None):
        return self._reorganise(request)


@extend_schema_view(list=extend_schema(summary="Loại đơn vị"))
class UnitTypeViewSet(ProtectedDeleteMixin, ModelViewSet):
    """Loại đơn vị dùng chung cho cả hệ thống: mọi người dùng được xem, chỉ quản trị hệ thống được sửa."""

    queryset = UnitType.objects.all()
    serializer_class = s.UnitTypeSerializer
    permission_classes = [RolePermission, SuperuserWrites]
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


@extend_schema_view(list=extend_schema(summary="Đơn vị sử dụng lao động"))
class EmployerViewSet(ScopedViewSetMixin, ModelViewSet):
    """Đơn vị sử dụng lao động mà công đoàn cơ sở bao phủ, trong phạm vi của người dùng."""

    queryset = Employer.objects.select_related("unit", "area")
    serializer_class = s.EmployerSerializer
    filterset_class = EmployerFilterSet
    lookup_value_regex = ID


@extend_schema_view(
    list=extend_schema(summary="Quyết định"), create=extend_schema(summary="Ghi nhận quyết định")
)
class DecisionViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    GenericViewSet,
):
    """Quyết định làm căn cứ cho các thay đổi của cây tổ chức, theo đơn vị ban hành trong phạm vi."""

    queryset = Decision.objects.select_related("issuer")
    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilterSet
    lookup_value_regex = ID


@extend_schema_view(list=extend_schema(summary="Các lần sắp xếp, tổ chức lại"))
class ReorganisationViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    """Các lần thành lập, chuyển, hợp nhất, chia tách, đổi tên, chấm dứt đơn vị (chỉ đọc)."""

    queryset = Reorganisation.objects.select_related("decision__issuer", "unit").prefetch_related(
        "involved__unit"
    )
    serializer_class = s.ReorganisationSerializer
    filterset_class = ReorganisationFilterSet
    lookup_value_regex = ID
