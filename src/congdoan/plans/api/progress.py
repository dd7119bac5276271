"""Progress of a programme's targets for a unit, through the same query, selectors and scope as the pages.

The serializers here also give the command line its JSON (``congdoan progress --format json``).
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
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
    label = serializers.CharField(help_text=_("Period of the target"))
    start = serializers.DateField(help_text=_("First day of the period considered"))
    end = serializers.DateField(help_text=_("Last day of the period considered"))
    at = serializers.DateField(
        help_text=_("Date the figures are counted on (the date asked, kept within the period)")
    )
    elapsed = Number(help_text=_("Share of the period gone by, from 0 to 1"))


class UnitProgressSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code", help_text=_("Unit code"))
    unit_name = serializers.CharField(source="name", help_text=_("Unit name on the date of the unit tree"))
    target_for_unit = Number(source="target_value", help_text=_("The unit's target (null: none)"))
    target_source = serializers.ChoiceField(
        choices=[
            progress.TargetSource.PROGRAMME,
            progress.TargetSource.ALLOCATED,
            progress.TargetSource.RATE,
            progress.TargetSource.NONE,
        ],
        help_text=_(
            "programme: the document's target; allocated: the share given; rate: a rate that "
            "applies to every unit; none: no target of its own"
        ),
    )
    has_figures = serializers.BooleanField(help_text=_("false: no figures yet (not the number 0)"))
    actual = Number(source="value", help_text=_("Actual figure, or rate in % (null: no figures yet, or 0/0)"))
    numerator = Number(help_text=_("Numerator (rate targets) or count"))
    denominator = Number(help_text=_("Denominator (rate targets)"))
    percent = Number(source="verdict.percent", help_text=_("Actual / target, %"))
    met = serializers.BooleanField(
        source="verdict.met", allow_null=True, help_text=_("Met according to the comparison")
    )
    expected = Number(
        source="verdict.expected", help_text=_("Level expected by the counting date at an even pace")
    )
    pace = Number(source="verdict.pace", help_text=_("Actual / expected level, %"))
    light = serializers.ChoiceField(
        source="verdict.light",
        allow_null=True,
        choices=[progress.Light.GREEN, progress.Light.AMBER, progress.Light.RED, progress.Light.GREY],
        help_text=_(
            "Light: green met/on pace, amber behind by ≤ 20%, red further behind, grey no figures yet"
        ),
    )
    share = Number(
        help_text=_("Share of the parent unit's actual figure, % (when there is no target of its own)")
    )


class TargetProgressSerializer(UnitProgressSerializer):
    """One target for the unit (``own`` of a drill-down), with the units under it when asked."""

    ref = serializers.CharField(source="target.ref", help_text=_("Item of the document"))
    text = serializers.CharField(source="target.text")
    value = Number(source="target.value", help_text=_("Target of the document"))
    kind = serializers.CharField(source="target.kind", help_text=_("count or percent"))
    comparator = serializers.CharField(source="target.comparator", help_text=_(">=, > or ="))
    indicator = serializers.SerializerMethodField(help_text=_("Indicator code (null: entered by hand)"))
    manual = serializers.BooleanField(source="target.manual", help_text=_("Entered by hand"))
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

    children = UnitProgressSerializer(many=True, required=False, help_text=_("Units under it"))


class ProgrammeProgressSerializer(serializers.Serializer):
    programme = serializers.CharField(help_text=_("Document code"))
    unit = serializers.CharField(help_text=_("Unit code"))
    unit_name = serializers.CharField()
    at = serializers.DateField(help_text=_("Date asked"))
    tree = serializers.ChoiceField(choices=[TREE_THEN, TREE_TODAY], help_text=_("Unit tree used to sum up"))
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
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = _("Progress of a document's targets at a unit (and the units under it).")

    @extend_schema(
        summary=_("Progress of the document's targets at a unit"),
        parameters=[
            OpenApiParameter(
                "unit", str, description=_("Unit code (default: the unit that received the document)")
            ),
            OpenApiParameter("at", OpenApiTypes.DATE, description=_("Counting date (default: today)")),
            OpenApiParameter(
                "tree",
                str,
                enum=[TREE_THEN, TREE_TODAY],
                description=_("then: the unit tree on the counting date (default); today: today's unit tree"),
            ),
            OpenApiParameter("children", bool, description=_("With the figures of the units under it")),
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
