"""The members API: thin handlers over the selectors (reads) and the services (writes), with the scope,
filters and masking of the member pages."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
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
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="Tệp .xlsx, .csv hoặc .json")
SORT = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    enum=["name", "-name", "code", "-code"],
    description="Thứ tự: name (tên theo thứ tự tiếng Việt: tên, tên đệm, họ) hoặc code (mã đoàn viên)",
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
        summary="Đoàn viên",
        parameters=[SORT],
        description="Đoàn viên trong phạm vi của người dùng, đang sinh hoạt hoặc tạm dừng (status=all: mọi "
        "trạng thái). Tìm `q` theo tên (có hoặc không dấu), số CCCD/CMND hay mã đoàn viên. Dữ liệu cá nhân "
        "được che một phần.",
    ),
    retrieve=extend_schema(summary="Một đoàn viên (dữ liệu cá nhân che một phần)"),
    create=extend_schema(summary="Kết nạp đoàn viên", responses={201: s.MemberSerializer}),
    update=extend_schema(summary="Sửa thông tin đoàn viên", responses=s.MemberSerializer),
    partial_update=extend_schema(summary="Sửa một phần thông tin đoàn viên", responses=s.MemberSerializer),
)
class MemberViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Sổ đoàn viên: danh sách, hồ sơ, kết nạp, sửa thông tin và các bước sinh hoạt (chuyển, tạm dừng, tiếp
    tục, kết thúc, tiếp nhận, kết nạp lại, gộp hồ sơ trùng). Đơn vị, trạng thái và ngày vào công đoàn chỉ thay
    đổi qua các bước đó."""

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
        summary="Dữ liệu cá nhân đầy đủ của đoàn viên",
        description="Số CCCD/CMND, điện thoại, e-mail, ngày sinh đầy đủ. Chỉ quản trị, cán bộ và chủ tịch "
        "CĐCS của đoàn viên; mỗi lần xem được ghi lại (Nghị định 13/2023/NĐ-CP).",
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, description="Lý do cần xem")],
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
        summary="Các sự kiện sinh hoạt của đoàn viên", responses=s.MemberEventSerializer(many=True)
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def events(self, request, code=None):
        return Response(s.MemberEventSerializer(selectors.events_of(self.get_object()), many=True).data)

    @extend_schema(
        summary="Quá trình sinh hoạt (suy ra từ các sự kiện)", responses=s.MembershipSerializer(many=True)
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
        summary="Chuyển sinh hoạt sang CĐCS khác (trong hoặc ngoài hệ thống)", responses=s.MemberSerializer
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, code=None):
        return self._step(request)

    @extend_schema(summary="Tạm dừng sinh hoạt", responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, code=None):
        return self._step(request)

    @extend_schema(summary="Tiếp tục sinh hoạt", responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, code=None):
        return self._step(request)

    @extend_schema(summary="Kết thúc sinh hoạt: thôi, khai trừ, nghỉ hưu, mất", responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, code=None):
        return self._step(request)

    @extend_schema(summary="Tiếp nhận đoàn viên chuyển đến từ ngoài hệ thống", responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, code=None):
        return self._step(request)

    @extend_schema(summary="Kết nạp lại", responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def readmit(self, request, code=None):
        return self._step(request)

    @extend_schema(
        summary="Gộp hồ sơ trùng vào đoàn viên này",
        description="Sự kiện của cả hai hồ sơ được giữ; hồ sơ trùng được đánh dấu đã gộp và trỏ về "
        "hồ sơ này.",
        responses=s.MemberSerializer,
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, code=None):
        return self._step(request)

    @extend_schema(
        summary="Các cặp hồ sơ có thể trùng",
        description="Theo các quy tắc có trọng số; các cặp đạt ngưỡng, cặp chắc chắn nhất trước "
        "(tối đa 1.000).",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, description="Mã đơn vị (cả các đơn vị trực thuộc)")
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
        summary="Xuất danh sách đã lọc",
        description="Cùng bộ lọc với danh sách. `full=true`: kèm dữ liệu cá nhân đầy đủ (chỉ quản trị và cán "
        "bộ; được ghi nhật ký). Danh sách dài hơn 20.000 người được ghi bằng công việc nền: trả về 202 và "
        "mã công việc (`/member-jobs/{id}/`).",
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
        members, unit = downloads.filtered_members(request.user, query)
        if downloads.is_long(members):
            job = downloads.start_export(user=request.user, query=query, format=format, full=full, unit=unit)
            return Response(jobs.status(job), status=status.HTTP_202_ACCEPTED)
        return downloads.list_response(user=request.user, query=query, format=format, full=full)


@extend_schema_view(
    list=extend_schema(summary="Sự kiện sinh hoạt của đoàn viên"),
    retrieve=extend_schema(summary="Một sự kiện"),
)
class MemberEventViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    """Các sự kiện (kết nạp, chuyển đi/đến, tạm dừng, tiếp tục, thôi, khai trừ, nghỉ hưu, mất…) xảy ra ở các
    đơn vị trong phạm vi của người dùng. Chỉ đọc: sự kiện được ghi qua các bước của đoàn viên."""

    # Newest recorded first: the primary key orders them without sorting a province's events.
    queryset = MemberEvent.objects.select_related("member", "unit", "other_unit").order_by("-id")
    serializer_class = s.MemberEventSerializer
    pagination_class = UncountedPagination
    filterset_class = MemberEventFilterSet
    lookup_value_regex = ID


@extend_schema_view(
    list=extend_schema(summary="Các lần nhập danh sách đoàn viên"),
    retrieve=extend_schema(summary="Một lần nhập: trạng thái và số dòng"),
    create=extend_schema(
        summary="Tải lên danh sách để nhập",
        description="Tệp được đọc bằng công việc nền; theo dõi `/member-imports/{id}/job/`, rồi xem "
        "từng dòng.",
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
    """Nhập danh sách đoàn viên theo từng bước: tải lên → xem trước từng dòng (lỗi, trùng) → quyết định các
    dòng trùng → ghi vào sổ. Chỉ người được sửa đoàn viên của đơn vị."""

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
        summary="Các dòng của lần nhập",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=ImportRow.Status.values)],
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
        return self.get_paginated_response(
            s.ImportRowSerializer(page, many=True, context={"batch": batch}).data
        )

    @extend_schema(summary="Quyết định về các dòng có thể trùng", responses=s.DecidedSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        batch = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = import_services.decide(batch=batch, user=request.user, **serializer.validated_data)
        return Response({"decided": count})

    @extend_schema(summary="Ghi các dòng hợp lệ vào sổ (công việc nền)", responses={202: s.JobSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        batch = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = import_steps.commit(
            batch=batch, user=request.user, skip_undecided=serializer.validated_data["skip_undecided"]
        )
        return Response(jobs.status(job), status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Bỏ lần nhập (không ghi gì)", request=None, responses=s.ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        batch = import_services.discard_batch(batch=self.get_object(), user=request.user)
        return Response(s.ImportBatchSerializer(batch).data)

    @extend_schema(summary="Tiến độ đọc hoặc ghi", responses=s.JobSerializer)
    @action(detail=True)
    def job(self, request, pk=None):
        batch = self.get_object()
        if batch.job is None:
            raise exceptions.NotFound(_("No background job for this import."))
        return Response(jobs.status(batch.job))

    @extend_schema(summary="Các dòng cần sửa (.xlsx), để sửa rồi tải lên lại", responses={200: FILE})
    @action(detail=True)
    def errors(self, request, pk=None):
        batch = self.get_object()
        return downloads.download(
            lambda stream: workbooks.error_report(stream, batch=batch), workbooks.report_name(batch)
        )

    @extend_schema(
        summary="Mẫu danh sách để điền (.xlsx)",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, required=True, description="Mã đơn vị"),
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


@extend_schema_view(retrieve=extend_schema(summary="Một công việc nền của người dùng (xuất danh sách)"))
class MemberJobViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    """Công việc xuất danh sách đoàn viên của chính người dùng: tiến độ, rồi tải tệp (xóa sau khi tải)."""

    serializer_class = s.JobSerializer
    lookup_value_regex = ID

    def get_object(self):
        return get_for(
            downloads.export_jobs_of(self.request.user), self.request.user, Action.VIEW, pk=self.kwargs["pk"]
        )

    def retrieve(self, request, pk=None):
        return Response(jobs.status(self.get_object()))

    @extend_schema(summary="Tải tệp danh sách đã xuất", responses={200: FILE})
    @action(detail=True)
    def file(self, request, pk=None):
        return downloads.job_file_response(self.get_object())
