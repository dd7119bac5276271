from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A piece of work run in the background (see ``congdoan.core.jobs``), with its progress and result."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=200)  # dotted path of a function marked with @job
    params = models.JSONField(_("parameters"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(_("phase"), max_length=200, blank=True)
    progress = models.PositiveBigIntegerField(_("progress"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    request_id = models.UUIDField(_("request id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The local day a daily task's run is for (``congdoan.core.jobs.daily``), and which attempt of that day
    # it is (a failed run is tried again later that day): unique per task, so that of the processes that
    # start the day's work, or its next attempt, the first wins and the others find the row taken.
    daily_on = models.DateField(_("daily run of"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "daily_on", "attempt"],
                condition=models.Q(daily_on__isnull=False),
                name="core_job_daily_attempt",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_state_display()})"
