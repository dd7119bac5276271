"""Splits of targets, shares to adopt and figures entered by hand, through the same services and scope as
the pages (``congdoan.plans.allocation`` and ``congdoan.plans.reported``)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from congdoan.accounts.api.scoped import ScopedRelatedField, ScopedViewSetMixin
from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for
from congdoan.plans import allocation, reported
from congdoan.plans.allocation_forms import FiguresQuery
from congdoan.plans.models import Allocation, AllocationMethod, AllocationShare, ReportedValue, Target
from congdoan.units.models import Unit

AMOUNT = dict(max_digits=14, decimal_places=2, coerce_to_string=False)


def target_field(action_: str) -> ScopedRelatedField:
    return ScopedRelatedField(
        slug_field="id", queryset=Target.objects.all(), action=action_, help_text="Mã số (id) của chỉ tiêu"
    )


def unit_field(**kwargs) -> ScopedRelatedField:
    return ScopedRelatedField(slug_field="code", queryset=Unit.objects.all(), help_text="Mã đơn vị", **kwargs)


# ------------------------------------------------------------------------------------------- splits


class ShareSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Mã đơn vị")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    base = serializers.DecimalField(**AMOUNT, read_only=True, allow_null=True, help_text="Cơ sở phân bổ")
    value = serializers.DecimalField(**AMOUNT, read_only=True, help_text="Phần được giao")

    class Meta:
        model = AllocationShare
        fields = ["id", "unit", "unit_name", "base", "value"]


class AllocationSerializer(serializers.ModelSerializer):
    target = serializers.PrimaryKeyRelatedField(read_only=True)
    total = serializers.DecimalField(**AMOUNT, read_only=True, help_text="Chỉ tiêu khi phân bổ")
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    units_on = serializers.DateField(
        read_only=True,
        help_text=gettext_lazy(
            "The day of the tree whose units directly under the programme's unit it is among"
        ),
    )
    shares = ShareSerializer(many=True, read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "target",
            "revision",
            "method",
            "base_on",
            "units_on",
            "total",
            "note",
            "created_by",
            "created_at",
            "shares",
        ]


class NewAllocationSerializer(serializers.Serializer):
    target = target_field(Action.CHANGE)
    method = serializers.ChoiceField(choices=AllocationMethod.choices)
    base_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Ngày đếm đoàn viên; nếu trong kỳ của chỉ tiêu, cũng là ngày lấy các đơn vị trực thuộc",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    shares = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        required=False,
        default=dict,
        help_text="Phân bổ thủ công: mã đơn vị → phần được giao",
    )


@extend_schema_view(
    list=extend_schema(summary="Các lần phân bổ chỉ tiêu cho đơn vị cấp dưới (mới nhất trước)"),
    retrieve=extend_schema(summary="Một lần phân bổ với phần của từng đơn vị"),
    create=extend_schema(
        summary="Phân bổ lại một chỉ tiêu", request=NewAllocationSerializer, responses=AllocationSerializer
    ),
)
class AllocationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    """Phân bổ chỉ tiêu cho các đơn vị trực thuộc: mỗi lần phân bổ là một phiên bản, giữ lịch sử."""

    queryset = Allocation.objects.all()
    serializer_class = AllocationSerializer
    filterset_fields = ["target"]

    def base_queryset(self):
        shares = AllocationShare.objects.select_related("unit").order_by("unit__code")
        return (
            Allocation.objects.select_related("created_by")
            .prefetch_related(Prefetch("shares", queryset=shares))
            .order_by("target", "-revision")
        )

    def create(self, request, *args, **kwargs):
        given = NewAllocationSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        made = allocation.allocate(
            user=request.user,
            target=data["target"],
            method=data["method"],
            base_on=data.get("base_on"),
            values=data["shares"],
            note=data["note"],
        )
        made = self.base_queryset().get(pk=made.pk)
        return Response(AllocationSerializer(made).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------- shares


class CurrentShareSerializer(ShareSerializer):
    target = serializers.IntegerField(
        source="allocation.target_id", read_only=True, help_text="Chỉ tiêu cấp trên"
    )
    target_text = serializers.CharField(source="allocation.target.text", read_only=True)
    programme = serializers.CharField(source="allocation.target.programme.ref", read_only=True)
    revision = serializers.IntegerField(source="allocation.revision", read_only=True)

    class Meta(ShareSerializer.Meta):
        fields = [*ShareSerializer.Meta.fields, "target", "target_text", "programme", "revision"]


class AdoptionSerializer(serializers.Serializer):
    programme = serializers.CharField(source="target.programme.ref", help_text="Văn bản của đơn vị")
    target = serializers.IntegerField(source="target.pk", help_text="Chỉ tiêu của đơn vị")
    created = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="false: đơn vị đã nhận đúng phần này trước đó")


@extend_schema_view(
    list=extend_schema(summary="Phần chỉ tiêu đang có hiệu lực giao cho các đơn vị trong phạm vi"),
    retrieve=extend_schema(summary="Một phần chỉ tiêu được giao"),
    adopt=extend_schema(
        summary="Đơn vị nhận phần được giao vào chương trình của mình",
        request=None,
        responses=AdoptionSerializer,
    ),
)
class ShareViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Phần chỉ tiêu cấp trên giao cho đơn vị; đơn vị nhận (adopt) vào chương trình của mình."""

    queryset = AllocationShare.objects.all()
    serializer_class = CurrentShareSerializer
    filterset_fields = ["unit"]

    def base_queryset(self):
        if self.action == "list":
            return allocation.current_shares()
        return AllocationShare.objects.select_related("unit", "allocation__target__programme")

    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        adoption = allocation.adopt_share(user=request.user, share=self.get_object())
        return Response(AdoptionSerializer(adoption).data)


# ------------------------------------------------------------------------------------ entered figures


class ReportedValueSerializer(serializers.ModelSerializer):
    target = target_field(Action.VIEW)
    unit = unit_field(action=Action.CHANGE)
    numerator = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    denominator = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, required=False, allow_null=True
    )
    entered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReportedValue
        fields = [
            "id",
            "target",
            "unit",
            "stands_on",
            "numerator",
            "denominator",
            "note",
            "entered_by",
            "entered_at",
        ]
        read_only_fields = ["entered_at"]
        validators = []  # the service replaces a figure of the same day instead of refusing it


class RollUpSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    entered = serializers.BooleanField(
        allow_null=True, help_text="true: số đơn vị tự nhập; false: cộng từ cấp dưới; null: chưa có"
    )
    numerator = serializers.DecimalField(**AMOUNT, allow_null=True)
    denominator = serializers.DecimalField(**AMOUNT, allow_null=True)
    percent = serializers.DecimalField(**AMOUNT, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="Số liệu nhập tay của các đơn vị trong phạm vi"),
    retrieve=extend_schema(summary="Một số liệu nhập tay"),
    create=extend_schema(summary="Nhập (hoặc sửa) số liệu của một đơn vị tại một ngày"),
    rollup=extend_schema(
        summary="Số liệu của đơn vị cấp văn bản và các đơn vị trực thuộc: tự nhập hoặc cộng từ cấp dưới",
        parameters=[
            OpenApiParameter("target", OpenApiTypes.INT, required=True, description="Mã số chỉ tiêu"),
            OpenApiParameter(
                "at", OpenApiTypes.DATE, description="Ngày tính (mặc định: cuối kỳ hoặc hôm nay)"
            ),
            OpenApiParameter("tree", OpenApiTypes.STR, enum=["then", "today"], description="Cây đơn vị"),
        ],
        responses=RollUpSerializer(many=True),
    ),
)
class ReportedValueViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    """Số liệu nhập tay cho chỉ tiêu không tính được từ hồ sơ (đếm, hoặc tử số và mẫu số)."""

    queryset = ReportedValue.objects.all()
    serializer_class = ReportedValueSerializer
    filterset_fields = ["target", "unit"]

    def base_queryset(self):
        return ReportedValue.objects.select_related("unit", "entered_by").order_by("-stands_on", "unit__code")

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        figure = reported.enter_figure(
            user=request.user,
            target=data["target"],
            unit=data["unit"],
            stands_on=data["stands_on"],
            numerator=data["numerator"],
            denominator=data.get("denominator"),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(figure).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["get"], filterset_fields=[], filter_backends=[], pagination_class=None)
    def rollup(self, request):
        target_id = request.query_params.get("target", "")
        if not target_id.isdigit():
            raise serializers.ValidationError({"target": [_("Give the id of the target.")]})
        target = get_for(
            Target.objects.select_related("programme__unit"), request.user, Action.VIEW, pk=target_id
        )
        query = FiguresQuery(request.query_params)
        end = reported.window_end(target, query.day)
        start = reported.window_start(target, end)
        home = target.programme.unit
        rows = reported.rows_for(home, end=end, regroup_today=query.regroup_today) if home else []
        figures = reported.rolled_up(
            target=target,
            start=start,
            end=end,
            unit_ids=[u.pk for u in rows],
            regroup_today=query.regroup_today,
        )
        answer = []
        for unit in rows:
            figure = figures.get(unit.pk)
            answer.append(
                {
                    "unit": unit,
                    "entered": figure.entered if figure else None,
                    "numerator": figure.actual.numerator if figure else None,
                    "denominator": figure.actual.denominator if figure else None,
                    "percent": figure.actual.value if figure and figure.actual.is_ratio else None,
                }
            )
        return Response(RollUpSerializer(answer, many=True).data)
