"""Splits of targets, shares to adopt and figures entered by hand, through the same services and scope as
the pages (``congdoan.plans.allocation`` and ``congdoan.plans.reported``)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
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
        slug_field="id",
        queryset=Target.objects.all(),
        action=action_,
        help_text=gettext_lazy("Target number (id)"),
    )


def unit_field(**kwargs) -> ScopedRelatedField:
    return ScopedRelatedField(
        slug_field="code", queryset=Unit.objects.all(), help_text=gettext_lazy("Unit code"), **kwargs
    )


# ------------------------------------------------------------------------------------------- splits


class ShareSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=gettext_lazy("Unit code")
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    base = serializers.DecimalField(
        **AMOUNT, read_only=True, allow_null=True, help_text=gettext_lazy("Base of the allocation")
    )
    value = serializers.DecimalField(**AMOUNT, read_only=True, help_text=gettext_lazy("Share"))

    class Meta:
        model = AllocationShare
        fields = ["id", "unit", "unit_name", "base", "value"]


class MovedSinceSplitSerializer(serializers.Serializer):
    unit = serializers.CharField(source="moved.code", help_text=gettext_lazy("Code of the unit that moved"))
    unit_name = serializers.CharField(source="moved.name_then")
    from_unit = serializers.CharField(source="from_parent.code", help_text=gettext_lazy("Its parent before"))
    from_unit_name = serializers.CharField(source="from_parent.name_then")
    to_unit = serializers.CharField(source="to_parent.code", help_text=gettext_lazy("Its parent after"))
    to_unit_name = serializers.CharField(source="to_parent.name_then")
    moved_on = serializers.DateField(source="on")
    left = serializers.CharField(
        source="left.code",
        allow_null=True,
        help_text=gettext_lazy("The unit with a share whose units it left (null: none)"),
    )
    joined = serializers.CharField(
        source="joined.code",
        allow_null=True,
        help_text=gettext_lazy("The unit with a share whose units it joined (null: none)"),
    )


class AllocationSerializer(serializers.ModelSerializer):
    target = serializers.PrimaryKeyRelatedField(read_only=True)
    total = serializers.DecimalField(
        **AMOUNT, read_only=True, help_text=gettext_lazy("Target when allocated")
    )
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


class AllocationDetailSerializer(AllocationSerializer):
    """One allocation, with the moves since its split: read a few queries each, so not in lists."""

    moved_since_split = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Units moved after the split out of or into the units of a share: their shares stay as "
            "split until it is revised"
        )
    )

    class Meta(AllocationSerializer.Meta):
        fields = [*AllocationSerializer.Meta.fields, "moved_since_split"]

    @extend_schema_field(MovedSinceSplitSerializer(many=True))
    def get_moved_since_split(self, split: Allocation) -> list:
        return MovedSinceSplitSerializer(allocation.moved_since_split(split), many=True).data


class NewAllocationSerializer(serializers.Serializer):
    target = target_field(Action.CHANGE)
    method = serializers.ChoiceField(choices=AllocationMethod.choices)
    base_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "Date the members are counted on; within the target's period, also the date the "
            "units under it are taken on"
        ),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    shares = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        required=False,
        default=dict,
        help_text=gettext_lazy("Allocation by hand: unit code → share"),
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Allocations of targets to the units below (newest first)")),
    retrieve=extend_schema(summary=gettext_lazy("One allocation with the share of each unit")),
    create=extend_schema(
        summary=gettext_lazy("Allocate a target again"),
        request=NewAllocationSerializer,
        responses=AllocationSerializer,
    ),
)
class AllocationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = gettext_lazy(
        "Sharing out targets among the units under it: each allocation is a revision, the history is kept."
    )

    queryset = Allocation.objects.all()
    serializer_class = AllocationSerializer
    filterset_fields = ["target"]

    def get_serializer_class(self):
        return AllocationSerializer if self.action == "list" else AllocationDetailSerializer

    def base_queryset(self):
        shares = AllocationShare.objects.select_related("unit").order_by("unit__code")
        return (
            Allocation.objects.select_related("created_by", "target__programme")
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
        return Response(AllocationDetailSerializer(made).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------- shares


class CurrentShareSerializer(ShareSerializer):
    target = serializers.IntegerField(
        source="allocation.target_id", read_only=True, help_text=gettext_lazy("Upper-level target")
    )
    target_text = serializers.CharField(source="allocation.target.text", read_only=True)
    programme = serializers.CharField(source="allocation.target.programme.ref", read_only=True)
    revision = serializers.IntegerField(source="allocation.revision", read_only=True)

    class Meta(ShareSerializer.Meta):
        fields = [*ShareSerializer.Meta.fields, "target", "target_text", "programme", "revision"]


class AdoptionSerializer(serializers.Serializer):
    programme = serializers.CharField(
        source="target.programme.ref", help_text=gettext_lazy("The unit's document")
    )
    target = serializers.IntegerField(source="target.pk", help_text=gettext_lazy("Target for the unit"))
    created = serializers.BooleanField()
    changed = serializers.BooleanField(
        help_text=gettext_lazy("false: the unit had already taken this very share")
    )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Target shares in force given to the units within the scope")),
    retrieve=extend_schema(summary=gettext_lazy("One target share")),
    adopt=extend_schema(
        summary=gettext_lazy("The unit takes the share into its own programme"),
        request=None,
        responses=AdoptionSerializer,
    ),
)
class ShareViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    __doc__ = gettext_lazy(
        "The share of an upper-level target given to a unit; the unit takes it (adopt) "
        "into its own programme."
    )

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
        allow_null=True,
        help_text=gettext_lazy(
            "true: entered by the unit itself; false: summed from the units below; null: none yet"
        ),
    )
    numerator = serializers.DecimalField(**AMOUNT, allow_null=True)
    denominator = serializers.DecimalField(**AMOUNT, allow_null=True)
    percent = serializers.DecimalField(**AMOUNT, allow_null=True)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Figures entered by hand by the units within the scope")),
    retrieve=extend_schema(summary=gettext_lazy("One figure entered by hand")),
    create=extend_schema(summary=gettext_lazy("Enter (or correct) a unit's figure on a date")),
    rollup=extend_schema(
        summary=gettext_lazy(
            "Figures of the document's unit and the units under it: entered by the unit or summed from below"
        ),
        parameters=[
            OpenApiParameter(
                "target", OpenApiTypes.INT, required=True, description=gettext_lazy("Target number")
            ),
            OpenApiParameter(
                "at",
                OpenApiTypes.DATE,
                description=gettext_lazy("Counting date (default: end of the period, or today)"),
            ),
            OpenApiParameter(
                "tree", OpenApiTypes.STR, enum=["then", "today"], description=gettext_lazy("Unit tree")
            ),
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
    __doc__ = gettext_lazy(
        "Figures entered by hand for targets that the records cannot give (a count, or a "
        "numerator and a denominator)."
    )

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
