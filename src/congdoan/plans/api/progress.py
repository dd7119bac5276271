"""Progress of a programme's targets for a unit, through the same query, selectors and scope as the pages.

The serializers here also give the command line its JSON (``congdoan progress --format json``).
"""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from congdoan.plans import progress
from congdoan.plans.forms import TREE_THEN, TREE_TODAY
from congdoan.plans.progress_views import ProgressQuery


@extend_schema_field(OpenApiTypes.NUMBER)
class Number(serializers.Field):
    """A Decimal as a JSON number: whole values as integers, others to two decimals."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Decimal):
        return int(value) if value == value.to_integral_value() else round(float(value), 2)


class WindowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="Kỳ của chỉ tiêu")
    start = serializers.DateField(help_text="Ngày đầu của kỳ đang xét")
    end = serializers.DateField(help_text="Ngày cuối của kỳ đang xét")
    at = serializers.DateField(help_text="Ngày tính số liệu (ngày hỏi, giới hạn trong kỳ)")
    elapsed = Number(help_text="Phần của kỳ đã trôi qua, từ 0 đến 1")


class UnitProgressSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code", help_text="Mã đơn vị")
    unit_name = serializers.CharField(source="name", help_text="Tên đơn vị tại ngày của cây đơn vị")
    target_for_unit = Number(source="target_value", help_text="Chỉ tiêu của đơn vị (null: không có)")
    target_source = serializers.ChoiceField(
        choices=[
            progress.TargetSource.PROGRAMME,
            progress.TargetSource.ALLOCATED,
            progress.TargetSource.RATE,
            progress.TargetSource.NONE,
        ],
        help_text="programme: chỉ tiêu của văn bản; allocated: phần được giao; rate: tỷ lệ áp dụng cho mọi "
        "đơn vị; none: không có chỉ tiêu riêng",
    )
    has_figures = serializers.BooleanField(help_text="false: chưa có số liệu (không phải số 0)")
    actual = Number(source="value", help_text="Số thực hiện, hoặc tỷ lệ % (null: chưa có số liệu hoặc 0/0)")
    numerator = Number(help_text="Tử số (chỉ tiêu tỷ lệ) hoặc số đếm")
    denominator = Number(help_text="Mẫu số (chỉ tiêu tỷ lệ)")
    percent = Number(source="verdict.percent", help_text="Thực hiện / chỉ tiêu, %")
    met = serializers.BooleanField(source="verdict.met", allow_null=True, help_text="Đạt theo phép so sánh")
    expected = Number(source="verdict.expected", help_text="Mức cần có đến ngày tính theo tiến độ")
    pace = Number(source="verdict.pace", help_text="Thực hiện / mức cần có, %")
    light = serializers.ChoiceField(
        source="verdict.light",
        allow_null=True,
        choices=[progress.Light.GREEN, progress.Light.AMBER, progress.Light.RED, progress.Light.GREY],
        help_text="Đèn: green đạt/đúng tiến độ, amber chậm ≤ 20%, red chậm hơn, grey chưa có số liệu",
    )
    share = Number(
        help_text="Tỷ trọng trong số thực hiện của đơn vị cấp trên, % (khi không có chỉ tiêu riêng)"
    )


class TargetProgressSerializer(UnitProgressSerializer):
    """One target for the unit (``own`` of a drill-down), with the units under it when asked."""

    ref = serializers.CharField(source="target.ref", help_text="Mục của văn bản")
    text = serializers.CharField(source="target.text")
    value = Number(source="target.value", help_text="Chỉ tiêu của văn bản")
    kind = serializers.CharField(source="target.kind", help_text="count hoặc percent")
    comparator = serializers.CharField(source="target.comparator", help_text=">=, > hoặc =")
    indicator = serializers.SerializerMethodField(help_text="Mã chỉ số (null: nhập tay)")
    manual = serializers.BooleanField(source="target.manual", help_text="Nhập tay")
    period = serializers.SerializerMethodField()

    def get_indicator(self, row) -> str | None:
        return row.target.indicator or None

    @extend_schema_field(WindowSerializer)
    def get_period(self, row) -> dict:
        window = row.window
        return WindowSerializer(
            {
                "label": str(row.target.period),
                "start": window.start,
                "end": window.end,
                "at": window.at,
                "elapsed": window.elapsed,
            }
        ).data

    def to_representation(self, drill: progress.DrillDown):
        data = super().to_representation(drill.own)
        if drill.children is not None:
            data["children"] = UnitProgressSerializer(drill.children, many=True).data
        return data


class TargetProgressWithChildrenSerializer(TargetProgressSerializer):
    """For the schema: what ``children=true`` adds to each target."""

    children = UnitProgressSerializer(many=True, required=False, help_text="Các đơn vị trực thuộc")


class ProgrammeProgressSerializer(serializers.Serializer):
    programme = serializers.CharField(help_text="Mã văn bản")
    unit = serializers.CharField(help_text="Mã đơn vị")
    unit_name = serializers.CharField()
    at = serializers.DateField(help_text="Ngày hỏi")
    tree = serializers.ChoiceField(choices=[TREE_THEN, TREE_TODAY], help_text="Cây đơn vị dùng để cộng dồn")
    targets = TargetProgressWithChildrenSerializer(many=True)


def target_rows(
    *, user, programme, unit, query: ProgressQuery, with_children: bool
) -> list[progress.DrillDown]:
    """Each target of the programme for ``unit``; ``children`` None unless asked for."""
    if with_children:
        return progress.drill_downs(
            user=user,
            targets=progress.targets_of(programme),
            unit=unit,
            at=query.on,
            regroup_today=query.regroup_today,
        )
    rows = progress.programme_progress(
        programme=programme, unit=unit, at=query.on, regroup_today=query.regroup_today
    )
    return [progress.DrillDown(own=row, children=None) for row in rows]


class ProgrammeProgressView(APIView):
    """Tiến độ thực hiện các chỉ tiêu của một văn bản tại một đơn vị (và các đơn vị trực thuộc)."""

    @extend_schema(
        summary="Tiến độ chỉ tiêu của văn bản tại một đơn vị",
        parameters=[
            OpenApiParameter("unit", str, description="Mã đơn vị (mặc định: đơn vị nhận văn bản)"),
            OpenApiParameter("at", OpenApiTypes.DATE, description="Ngày tính (mặc định: hôm nay)"),
            OpenApiParameter(
                "tree",
                str,
                enum=[TREE_THEN, TREE_TODAY],
                description="then: cây đơn vị tại ngày tính (mặc định); today: cây đơn vị hôm nay",
            ),
            OpenApiParameter("children", bool, description="Kèm số liệu các đơn vị trực thuộc"),
        ],
        responses=ProgrammeProgressSerializer,
    )
    def get(self, request, ref: str):
        programme = progress.programme_of(request.user, ref)
        query = ProgressQuery(request.query_params)
        if query.errors:
            raise exceptions.ValidationError(query.errors)
        unit = progress.unit_for(request.user, programme, query.unit_code, query.on)
        try:
            with_children = serializers.BooleanField().to_internal_value(
                request.query_params.get("children", False)
            )
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({"children": error.detail}) from None
        rows = target_rows(
            user=request.user, programme=programme, unit=unit, query=query, with_children=with_children
        )
        return Response(
            {
                "programme": programme.ref,
                "unit": unit.code,
                "unit_name": unit.name,
                "at": query.on.isoformat(),
                "tree": TREE_TODAY if query.regroup_today else TREE_THEN,
                "targets": TargetProgressSerializer(rows, many=True).data,
            }
        )
