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


class BackgroundJobSerializer(serializers.Serializer):
    """A job as one user reads it (``JobRow``)."""

    id = serializers.IntegerField(source="job.pk")
    kind = serializers.CharField(source="job.kind", help_text=_("The dotted path of the job's function"))
    label = serializers.CharField(help_text=_("What the job does, in words"))
    state = serializers.ChoiceField(source="job.state", choices=Job.State.choices)
    phase = serializers.CharField()
    progress = serializers.IntegerField()
    total = serializers.IntegerField()
    result = serializers.JSONField(source="job.result", allow_null=True)
    error = serializers.CharField(
        source="readable_error",
        help_text=_("Why it failed: in full (with any traceback) for administrators, the message for others"),
    )
    page = serializers.CharField(allow_null=True, help_text=_("The address of what the job made, if any"))
    user = serializers.CharField(source="job.user.username", allow_null=True)
    unit = serializers.CharField(source="job.unit.code", allow_null=True)
    created_at = serializers.DateTimeField(source="job.created_at")
    started_at = serializers.DateTimeField(source="job.started_at", allow_null=True)
    finished_at = serializers.DateTimeField(source="job.finished_at", allow_null=True)
    daily_on = serializers.DateField(source="job.daily_on", allow_null=True)
    attempt = serializers.IntegerField(source="job.attempt")

    def to_representation(self, job: Job):
        return super().to_representation(JobRow.of(job, self.context["request"].user))


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
