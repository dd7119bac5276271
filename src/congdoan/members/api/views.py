"""The members API: thin handlers over the selectors (reads) and the services (writes), with the scope,
filters and masking of the member pages."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.viewsets import GenericViewSet, ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for
from congdoan.core import jobs
from congdoan.members import downloads, exports, import_steps, selectors
from congdoan.members.api import serializers as s
from congdoan.members.filtersets import MemberEventFilterSet, MemberFilterSet
from congdoan.members.imports import services as import_services
from congdoan.members.imports import workbooks
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.models import Member, MemberEvent
from congdoan.members.tables import MemberTable
from congdoan.units.models import Unit

CODE = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # member codes are digits; anything else names nothing (404)
ID = r"[0-9]+"
DUPLICATES_SHOWN = 1000
FILE = OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy(".xlsx, .csv or .json file"))
SORT = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    enum=["name", "-name", "code", "-code"],
    description=gettext_lazy(
        "Order: name (name in Vietnamese order: given name, middle name, family name) or code (member code)"
    ),
)


def too_many_message() -> str:
    return _("More than %(n)s members: choose a unit to compare its members.") % {
        "n": intcomma(selectors.DUPLICATES_MAX_MEMBERS)
    }


class UncountedPagination(LimitOffsetPagination):
    """Pages of a list that may hold 800,000 members, read without counting it: one row more than the page
    tells whether another page follows."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.more = len(rows) > self.limit
        return rows[: self.limit]

    def get_next_link(self):
        if not self.more:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Members"),
        parameters=[SORT],
        description=gettext_lazy(
            "Members within the user's scope, active or suspended (status=all: every status). "
            "Search `q` by name (with or without diacritics), CCCD/CMND number or member code. "
            "Personal data are partly masked. `at` (a past day): who were members that day, each "
            "with the unit and status of that day, the unit filter reading the tree as it stood then."
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("One member (personal data partly masked)")),
    create=extend_schema(summary=gettext_lazy("Admit a member"), responses={201: s.MemberSerializer}),
    update=extend_schema(summary=gettext_lazy("Correct a member's details"), responses=s.MemberSerializer),
    partial_update=extend_schema(
        summary=gettext_lazy("Correct part of a member's details"), responses=s.MemberSerializer
    ),
)
class MemberViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = gettext_lazy(
        "The member register: list, records, admission, corrections and the steps of "
        "membership (transfer, suspend, resume, end, receive, admit again, merge duplicate "
        "records). Unit, status and union joining date change only through those steps."
    )

    queryset = Member.objects.select_related("unit", "merged_into")
    serializer_class = s.MemberSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilterSet
    pagination_class = UncountedPagination
    lookup_field = "code"
    lookup_value_regex = CODE
    action_serializers = {
        "create": s.AdmitSerializer,
        "update": s.MemberUpdateSerializer,
        "partial_update": s.MemberUpdateSerializer,
        "transfer": s.TransferSerializer,
        "suspend": s.SuspendSerializer,
        "resume": s.ResumeSerializer,
        "end": s.EndSerializer,
        "receive": s.ReceiveSerializer,
        "readmit": s.ReadmitSerializer,
        "merge": s.MemberMergeSerializer,
    }

    def get_serializer_class(self):
        if self.action == "list" and getattr(self.request, "query_params", {}).get("at"):
            return s.MemberOnDaySerializer  # the list as of a past day: each member's unit and status then
        return self.action_serializers.get(self.action, s.MemberSerializer)

    def get_queryset(self):
        return selectors.members_for(self.request.user, self.read_action)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return (
            MemberTable(self.request.query_params.get("sort")).order(queryset)
            if self.action == "list"
            else queryset
        )

    def perform_update(self, serializer):
        if serializer.instance.merged_into_id:
            raise exceptions.PermissionDenied(
                _("This record was merged into another one; correct that one instead.")
            )
        super().perform_update(serializer)

    @extend_schema(
        summary=gettext_lazy("The member's full personal data"),
        description=gettext_lazy(
            "CCCD/CMND number, phone, e-mail, full date of birth. Only administrators, "
            "officers and the chair of the member's grassroots union; every view is logged "
            "(Decree 13/2023/NĐ-CP)."
        ),
        parameters=[
            OpenApiParameter("reason", OpenApiTypes.STR, description=gettext_lazy("Why it must be seen"))
        ],
        responses=s.PersonalDataSerializer,
    )
    @action(detail=True, filter_backends=[])
    def personal(self, request, code=None):
        member = self.get_object()
        selectors.personal_data(
            user=request.user, member=member, reason=request.query_params.get("reason", "")
        )
        return Response(s.PersonalDataSerializer(member).data)

    @extend_schema(
        summary=gettext_lazy("The member's membership events"), responses=s.MemberEventSerializer(many=True)
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def events(self, request, code=None):
        return Response(s.MemberEventSerializer(selectors.events_of(self.get_object()), many=True).data)

    @extend_schema(
        summary=gettext_lazy("Membership history (derived from the events)"),
        responses=s.MembershipSerializer(many=True),
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def memberships(self, request, code=None):
        return Response(s.MembershipSerializer(selectors.memberships_of(self.get_object()), many=True).data)

    def _step(self, request) -> Response:
        member = self.get_object()
        if member.merged_into_id:
            raise exceptions.PermissionDenied(_("This record was merged into another one."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            member = serializer.save(member=member)
        return Response(s.MemberSerializer(member, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=gettext_lazy("Transfer to another grassroots union (inside or outside the system)"),
        responses=s.MemberSerializer,
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, code=None):
        return self._step(request)

    @extend_schema(summary=gettext_lazy("Suspend"), responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, code=None):
        return self._step(request)

    @extend_schema(summary=gettext_lazy("Resume membership"), responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, code=None):
        return self._step(request)

    @extend_schema(
        summary=gettext_lazy("End membership: leaving, expulsion, retirement, death"),
        responses=s.MemberSerializer,
    )
    @action(detail=True, methods=["post"])
    def end(self, request, code=None):
        return self._step(request)

    @extend_schema(
        summary=gettext_lazy("Receive a member transferred in from outside the system"),
        responses=s.MemberSerializer,
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, code=None):
        return self._step(request)

    @extend_schema(summary=gettext_lazy("Admit again"), responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def readmit(self, request, code=None):
        return self._step(request)

    @extend_schema(
        summary=gettext_lazy("Merge a duplicate record into this member"),
        description=gettext_lazy(
            "The events of both records are kept; the duplicate record is marked as merged and "
            "points to this one."
        ),
        responses=s.MemberSerializer,
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, code=None):
        return self._step(request)

    @extend_schema(
        summary=gettext_lazy("Pairs of records that may be duplicates"),
        description=gettext_lazy(
            "By weighted rules; the pairs that reach the threshold, the most certain first (at most 1,000)."
        ),
        parameters=[
            OpenApiParameter(
                "unit", OpenApiTypes.STR, description=gettext_lazy("Unit code (with the units under it)")
            )
        ],
        responses=s.DuplicatePairSerializer(many=True),
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def duplicates(self, request):
        filterset = MemberFilterSet(
            {"unit": request.query_params.get("unit", "")}, queryset=Member.objects.none(), request=request
        )
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        unit = filterset.form.cleaned_data.get("unit")
        members = selectors.members_under(request.user, unit)
        if selectors.too_many_to_compare(members):
            raise serializers.ValidationError({"unit": [too_many_message()]})
        pairs = selectors.duplicate_candidates(members, limit=DUPLICATES_SHOWN)
        return Response(s.DuplicatePairSerializer(pairs, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Export the filtered list"),
        description=gettext_lazy(
            "Same filters as the list. `full=true`: with the full personal data "
            "(administrators and officers only; logged). A list longer than 20,000 people is "
            "written by a background job: the answer is 202 with the job "
            "(`/member-jobs/{id}/`)."
        ),
        parameters=[
            OpenApiParameter(
                "file_format", OpenApiTypes.STR, enum=list(downloads.CONTENT_TYPES), default="xlsx"
            ),
            OpenApiParameter("full", OpenApiTypes.BOOL, default=False),
            SORT,
        ],
        responses={200: FILE, 202: s.JobSerializer},
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def export(self, request):
        format = request.query_params.get("file_format", "xlsx")
        if format not in downloads.CONTENT_TYPES:
            raise serializers.ValidationError({"file_format": _("Unknown file format.")})
        full = request.query_params.get("full") in ("1", "true")
        if full and not exports.may_export_personal_data(request.user):
            raise exceptions.PermissionDenied(
                _("Your role does not allow exporting personal data; export the masked list.")
            )
        query = request.query_params.copy()
        for name in ("file_format", "full", "limit", "offset"):
            query.pop(name, None)
        query = query.urlencode()
        members, unit, _on = downloads.filtered_members(request.user, query)
        if downloads.is_long(members):
            return job_accepted(
                downloads.start_export(user=request.user, query=query, format=format, full=full, unit=unit)
            )
        return downloads.list_response(user=request.user, query=query, format=format, full=full)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Membership events of members")),
    retrieve=extend_schema(summary=gettext_lazy("One event")),
)
class MemberEventViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    __doc__ = gettext_lazy(
        "The events (admission, transfer out/in, suspension, resumption, leaving, "
        "expulsion, retirement, death…) that happened in the units within the user's "
        "scope. Read only: events are recorded through the member's steps."
    )

    # Newest recorded first: the primary key orders them without sorting a province's events.
    queryset = MemberEvent.objects.select_related("member", "unit", "other_unit").order_by("-id")
    serializer_class = s.MemberEventSerializer
    pagination_class = UncountedPagination
    filterset_class = MemberEventFilterSet
    lookup_value_regex = ID


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Imports of member lists")),
    retrieve=extend_schema(summary=gettext_lazy("One import: its state and row counts")),
    create=extend_schema(
        summary=gettext_lazy("Upload a list to import"),
        description=gettext_lazy(
            "The file is read by a background job; follow `/member-imports/{id}/job/`, then look at each row."
        ),
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={201: s.ImportBatchSerializer},
    ),
)
class ImportBatchViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    __doc__ = gettext_lazy(
        "Importing a list of members step by step: upload → preview each row (errors, "
        "duplicates) → decide on the duplicate rows → write into the register. Only for "
        "users who may edit the unit's members."
    )

    queryset = ImportBatch.objects.select_related("unit", "created_by", "job")
    serializer_class = s.ImportBatchSerializer
    filter_backends = []
    read_action = Action.CHANGE  # the staged rows hold the file's personal data
    lookup_value_regex = ID

    def get_serializer_class(self):
        return {
            "create": s.ImportUploadSerializer,
            "decide": s.DecideSerializer,
            "commit": s.CommitSerializer,
        }.get(self.action, s.ImportBatchSerializer)

    def create(self, request, *args, **kwargs):
        upload = self.get_serializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        batch = import_steps.upload(
            file=data["file"], unit=data["unit"], mode=data["mode"], user=request.user
        )
        return Response(s.ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Rows of the import"),
        description=gettext_lazy(
            "The registry's personal data that the rows' changes show (ID number, phone, e-mail, date of "
            "birth) is masked unless reveal=1, which only administrators, officers and chairs may ask for; "
            "each page so shown is logged (Decree 13/2023/NĐ-CP)."
        ),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ImportRow.Status.values),
            OpenApiParameter("reveal", OpenApiTypes.BOOL, description=gettext_lazy("Show it in full")),
            OpenApiParameter("reason", OpenApiTypes.STR, description=gettext_lazy("Why it must be seen")),
        ],
        responses=s.ImportRowSerializer(many=True),
    )
    @action(detail=True)
    def rows(self, request, pk=None):
        batch = self.get_object()
        rows = batch.rows.select_related("member__unit").order_by("row_number")
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in ImportRow.Status.values:
                raise serializers.ValidationError({"status": _("Unknown row status.")})
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        allowed = import_services.allowed_decisions(batch=batch, rows=page)
        revealed = request.query_params.get("reveal") in ("1", "true")
        if revealed:
            import_steps.show_personal_data(
                user=request.user, batch=batch, rows=page, reason=request.query_params.get("reason", "")
            )
        context = {"batch": batch, "allowed": allowed, "revealed": revealed}
        return self.get_paginated_response(s.ImportRowSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary=gettext_lazy("Decide on the rows that may be duplicates"), responses=s.DecidedSerializer
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        batch = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = import_services.decide(batch=batch, user=request.user, **serializer.validated_data)
        return Response({"decided": count})

    @extend_schema(
        summary=gettext_lazy("Write the valid rows into the register (background job)"),
        responses={202: s.JobSerializer},
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        batch = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = import_steps.commit(
            batch=batch, user=request.user, skip_undecided=serializer.validated_data["skip_undecided"]
        )
        return Response(jobs.status(job), status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary=gettext_lazy("Discard the import (nothing is written)"),
        request=None,
        responses=s.ImportBatchSerializer,
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        batch = import_services.discard_batch(batch=self.get_object(), user=request.user)
        return Response(s.ImportBatchSerializer(batch).data)

    @extend_schema(summary=gettext_lazy("Progress of reading or writing"), responses=s.JobSerializer)
    @action(detail=True)
    def job(self, request, pk=None):
        batch = self.get_object()
        if batch.job is None:
            raise exceptions.NotFound(_("No background job for this import."))
        return Response(jobs.status(batch.job))

    @extend_schema(
        summary=gettext_lazy("The rows to correct (.xlsx), to correct and upload again"),
        responses={200: FILE},
    )
    @action(detail=True)
    def errors(self, request, pk=None):
        batch = self.get_object()
        return downloads.download(
            lambda stream: workbooks.error_report(stream, batch=batch), workbooks.report_name(batch)
        )

    @extend_schema(
        summary=gettext_lazy("List template to fill in (.xlsx)"),
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, required=True, description=gettext_lazy("Unit code")),
            OpenApiParameter("mode", OpenApiTypes.STR, enum=ImportBatch.Mode.values),
        ],
        responses={200: FILE},
    )
    @action(detail=False)
    def template(self, request):
        unit = get_for(
            Unit.objects.select_related("unit_type"),
            request.user,
            Action.CHANGE,
            code=request.query_params.get("unit", ""),
        )
        mode = request.query_params.get("mode", ImportBatch.Mode.ADD)
        if mode not in ImportBatch.Mode.values:
            raise serializers.ValidationError({"mode": _("The mode is add or update.")})
        return downloads.download(
            lambda stream: workbooks.template(stream, unit=unit, mode=mode),
            f"mau-danh-sach-doan-vien-{unit.code}.xlsx",
        )


def job_accepted(job) -> Response:
    """202: the file is made by ``job``, whose progress, then file, are at its URL (``Location``)."""
    return Response(
        jobs.status(job),
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": reverse("members-api:member-job-detail", kwargs={"pk": job.pk})},
    )


@extend_schema_view(
    retrieve=extend_schema(
        summary=gettext_lazy("One background job of the user (exporting a list, or a sheet of cards)")
    )
)
class MemberJobViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    __doc__ = gettext_lazy(
        "The user's own jobs exporting member lists or making a print batch's sheet of cards: "
        "progress, then download the file (deleted after the download)."
    )

    serializer_class = s.JobSerializer
    lookup_value_regex = ID

    def get_object(self):
        return get_for(
            downloads.export_jobs_of(self.request.user), self.request.user, Action.VIEW, pk=self.kwargs["pk"]
        )

    def retrieve(self, request, pk=None):
        return Response(jobs.status(self.get_object()))

    @extend_schema(summary=gettext_lazy("Download the job's file"), responses={200: FILE})
    @action(detail=True)
    def file(self, request, pk=None):
        return downloads.job_file_response(self.get_object())
