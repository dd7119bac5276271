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
from congdoan.units import selectors, services
from congdoan.units.api import serializers as s
from congdoan.units.filtersets import (
    DecisionFilterSet,
    EmployerFilterSet,
    ReorganisationFilterSet,
    UnitOnDateFilterSet,
)
from congdoan.units.models import Decision, Employer, EmployerWorkforce, Reorganisation, Unit, UnitType

UNIT_CODE = r"[A-Za-z0-9][A-Za-z0-9._-]*"
ID = r"[0-9]+"

AT = OpenApiParameter(
    "at",
    OpenApiTypes.DATE,
    description=_("Date (YYYY-MM-DD or dd/mm/yyyy): the organisation tree as it stood on that day"),
)


class OnDateQuery(serializers.Serializer):
    at = serializers.DateField(required=False, label=_("On date"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Trade union units"),
        description=_(
            "The units within the user's scope. With `at`: the units that existed on that day, "
            "with their name, parent and depth on that day."
        ),
    ),
    retrieve=extend_schema(summary=_("One unit")),
    create=extend_schema(summary=_("Found a unit"), responses={201: s.UnitSerializer}),
    update=extend_schema(summary=_("Edit the unit's contact details"), responses=s.UnitSerializer),
    partial_update=extend_schema(summary=_("Edit part of the unit's details"), responses=s.UnitSerializer),
)
class UnitViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = _(
        "Trade union units within the user's scope.\n\n"
        "Name and parent change only through reorganisations (move, merge, split, rename, "
        "end), each with a decision and an effective date."
    )

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

    @extend_schema(
        summary=_("Units directly under it"), parameters=[AT], responses=s.UnitSerializer(many=True)
    )
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

    @extend_schema(summary=_("History of the unit"), responses=s.UnitHistorySerializer)
    @action(detail=True)
    def history(self, request, code=None):
        unit = self.get_object()
        parents = list(selectors.parent_history(unit))
        # Each parent under the name it bore when the unit came under it, all read in one query.
        under = [link for link in parents if link.parent_id]
        names = selectors.names_on_days(
            unit_ids={link.parent_id for link in under}, days={link.valid_from for link in under}
        )
        parent_names = {link.pk: names[link.valid_from].get(link.parent_id) for link in under}
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
        summary=_("Move the unit under another parent"), responses={201: s.ReorganisationSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(
        summary=_("Merge or absorb units"),
        responses={201: s.ReorganisationSerializer},
        description=_(
            "This unit (with `sources`) merges into `into`, or into a new unit `new_unit` "
            "under `new_parent`; the units under them move to the merged unit."
        ),
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(summary=_("Split a unit"), responses={201: s.ReorganisationSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(summary=_("Rename a unit"), responses={201: s.ReorganisationSerializer})
    @action(detail=True, methods=["post"])
    def rename(self, request, code=None):
        return self._reorganise(request)

    @extend_schema(
        summary=_("End a unit's activity, dissolve it"), responses={201: s.ReorganisationSerializer}
    )
    @action(detail=True, methods=["post"])
    def dissolve(self, request, code=None):
        return self._reorganise(request)


@extend_schema_view(list=extend_schema(summary=_("Unit types")))
class UnitTypeViewSet(ProtectedDeleteMixin, ModelViewSet):
    __doc__ = _(
        "Unit types shared by the whole system: every user may read them, only system "
        "administrators change them."
    )

    queryset = UnitType.objects.all()
    serializer_class = s.UnitTypeSerializer
    permission_classes = [RolePermission, SuperuserWrites]
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


@extend_schema_view(list=extend_schema(summary=_("Employers")))
class EmployerViewSet(ScopedViewSetMixin, ModelViewSet):
    __doc__ = _("Employers covered by grassroots unions, within the user's scope.")

    queryset = Employer.objects.select_related("unit", "area")
    serializer_class = s.EmployerSerializer
    filterset_class = EmployerFilterSet
    lookup_value_regex = ID


@extend_schema_view(
    list=extend_schema(summary=_("Employers' workforce over time")),
    create=extend_schema(summary=_("Record an employer's workforce as counted on a day")),
    destroy=extend_schema(summary=_("Remove a workforce figure recorded in error")),
)
class EmployerWorkforceViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    __doc__ = _(
        "Dated workforce figures of the employers within the user's scope: past periods read the figure "
        "counted on or before their day. Recording a day again replaces its figure; the employer's own "
        "workforce follows the latest."
    )

    queryset = EmployerWorkforce.objects.select_related("employer")
    serializer_class = s.EmployerWorkforceSerializer
    filterset_fields = ["employer"]
    lookup_value_regex = ID

    def perform_destroy(self, instance):
        services.remove_workforce(figure=instance)


@extend_schema_view(
    list=extend_schema(summary=_("Decisions")), create=extend_schema(summary=_("Record a decision"))
)
class DecisionViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    GenericViewSet,
):
    __doc__ = _(
        "Decisions on which the changes of the organisation tree rest, by issuing unit within the scope."
    )

    queryset = Decision.objects.select_related("issuer")
    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilterSet
    lookup_value_regex = ID


@extend_schema_view(list=extend_schema(summary=_("Reorganisations over time")))
class ReorganisationViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    __doc__ = _("Foundings, moves, merges, splits, renamings and endings of units (read only).")

    queryset = Reorganisation.objects.select_related("decision__issuer", "unit").prefetch_related(
        "involved__unit"
    )
    serializer_class = s.ReorganisationSerializer
    filterset_class = ReorganisationFilterSet
    lookup_value_regex = ID
