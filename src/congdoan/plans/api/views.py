"""The programmes API, through the same selectors, services and scope as the pages.

Reads show the programmes of the user's subtree and, read only, those of the units above (see
``plans.selectors``); writes are the services', which refuse a programme filed above with a 403 and the
reason. Parts (targets, tasks, responsibilities, deadlines, recipients, bases) have a route each.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
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
    list=extend_schema(summary=_("Programmes, plans, directing documents")),
    retrieve=extend_schema(
        summary=_("One document with its targets, tasks, assignments, deadlines and recipients")
    ),
    create=extend_schema(summary=_("Enter a document"), responses=s.ProgrammeDetailSerializer),
    update=extend_schema(summary=_("Edit a document"), responses=s.ProgrammeDetailSerializer),
    partial_update=extend_schema(summary=_("Edit part of a document"), responses=s.ProgrammeDetailSerializer),
    destroy=extend_schema(summary=_("Delete a document with all its parts")),
)
class ProgrammeViewSet(VisibleMixin, ModelViewSet):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = _(
        "Programmes, plans, official letters, notices, resolutions and directives of the "
        "user's unit and the units below it; documents of the units above can only be read."
    )

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
    programme = django_filters.CharFilter(label=_("Document code"), field_name="programme__ref")


class PartViewSet(VisibleMixin, ModelViewSet):
    filterset_class = PartFilterSet

    def get_queryset(self):
        return selectors.parts_for(self.request.user, self.queryset.model).order_by("programme", "position")

    def perform_destroy(self, part):
        services.delete_part(user=self.request.user, part=part)

    @extend_schema(summary=_("Change the place in the list"), request=s.MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        part = self.get_object()
        body = s.MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.move_part(user=request.user, part=part, position=body.validated_data["position"])
        part.refresh_from_db()
        return Response(self.get_serializer(part).data)


@extend_schema_view(list=extend_schema(summary=_("Targets of the documents")))
class TargetViewSet(PartViewSet):
    __doc__ = _("Targets: a count or a rate, following an indicator of the catalogue or entered by hand.")

    queryset = Target.objects.all()
    serializer_class = s.TargetWriteSerializer


@extend_schema_view(list=extend_schema(summary=_("Key tasks and solutions")))
class TaskViewSet(PartViewSet):
    __doc__ = _("Key tasks and solutions: deadline, status, result.")

    queryset = Task.objects.all()
    serializer_class = s.TaskWriteSerializer

    @extend_schema(
        summary=_("Update the status and result"),
        description=_("The document's unit and the unit assigned the task update its status and result."),
        request=s.TaskProgressSerializer,
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        task = self.get_object()
        body = s.TaskProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_task_progress(user=request.user, task=task, **body.validated_data)
        return Response(self.get_serializer(task).data)


@extend_schema_view(list=extend_schema(summary=_("Who does what")))
class ResponsibilityViewSet(PartViewSet):
    __doc__ = _(
        "Who does what: the department, agency or unit responsible, for the whole document or for one task."
    )

    queryset = Responsibility.objects.all()
    serializer_class = s.ResponsibilityWriteSerializer


@extend_schema_view(list=extend_schema(summary=_("Deadlines for reports and drafts from the units below")))
class DeadlineViewSet(PartViewSet):
    __doc__ = _("What the units below must send, to whom, by which day and how.")

    queryset = SubmissionDeadline.objects.all()
    serializer_class = s.DeadlineWriteSerializer


@extend_schema_view(list=extend_schema(summary=_("Recipients")))
class RecipientViewSet(PartViewSet):
    __doc__ = _("Recipients of the document (To, Recipients), in order.")

    queryset = Recipient.objects.all()
    serializer_class = s.RecipientWriteSerializer


@extend_schema_view(list=extend_schema(summary=_("Basis")))
class BasisViewSet(PartViewSet):
    __doc__ = _("The documents that this document carries out (its basis).")

    queryset = Basis.objects.all()
    serializer_class = s.BasisWriteSerializer
