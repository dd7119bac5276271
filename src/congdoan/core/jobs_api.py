"""Background jobs in the API: read-only, the same filters and scope as the jobs page."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.core.filtersets import JobFilterSet
from congdoan.core.job_selectors import JobRow
from congdoan.core.models import Job


class BackgroundJobSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(help_text=_("What the job does, in words"))
    progress = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    phase = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(
        help_text=_("Why it failed: in full (with any traceback) for administrators, the message for others")
    )
    page = serializers.SerializerMethodField(
        help_text=_("The address of what the job made, if it has a page")
    )
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "state",
            "phase",
            "progress",
            "total",
            "result",
            "error",
            "page",
            "user",
            "unit",
            "created_at",
            "started_at",
            "finished_at",
            "daily_on",
            "attempt",
        ]

    def _row(self, job: Job) -> JobRow:
        rows = self.context.setdefault("job_rows", {})
        if job.pk not in rows:
            rows[job.pk] = JobRow.of(job, self.context["request"].user)
        return rows[job.pk]

    def get_label(self, job) -> str:
        return self._row(job).label

    def get_progress(self, job) -> int:
        return self._row(job).progress

    def get_total(self, job) -> int:
        return self._row(job).total

    def get_phase(self, job) -> str:
        return self._row(job).phase

    def get_error(self, job) -> str:
        row = self._row(job)
        return row.full_error or row.error

    def get_page(self, job) -> str | None:
        return self._row(job).page


@extend_schema_view(
    list=extend_schema(summary=_("Background jobs")), retrieve=extend_schema(summary=_("One job"))
)
class JobViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = _(
        "The background jobs of the user's unit (imports, exports, card sheets, duplicate searches), newest "
        "first: what, its state and progress, who asked, and why it failed."
    )

    queryset = Job.objects.select_related("user", "unit").order_by("-created_at", "-pk")
    serializer_class = BackgroundJobSerializer
    filterset_class = JobFilterSet
    lookup_value_regex = "[0-9]+"


router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")

app_name = "core-api"
urlpatterns = router.urls
