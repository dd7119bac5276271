"""Staging of a member import: the uploaded list (``ImportBatch``) and each of its rows (``ImportRow``).

A batch is read into rows, each with its status and reasons (the preview); the user decides about the
duplicates; committing writes the registry in one transaction. Rows stay afterwards for the error report.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdoan.audit.models import ChangeLogged


class ImportBatch(ChangeLogged):
    class Mode(models.TextChoices):
        ADD = "add", _("Add new members")
        UPDATE = "update", _("Update members (by member code, ID number or passport number)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Reading")
        READY = "ready", _("Ready: check the preview")
        REFUSED = "refused", _("File refused")
        COMMITTED = "committed", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ADD)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), upload_to="member_imports/", blank=True)  # removed once read
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    file_sha256 = models.CharField(_("file fingerprint (SHA-256)"), max_length=64, blank=True, db_index=True)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    legacy_encoding = models.CharField(_("legacy Vietnamese encoding converted"), max_length=10, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    # [{"index": 1, "letter": "B", "header": "Họ và tên", "field": "full_name"}, …] for the columns read
    columns = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True)  # messages about the whole file
    file_error = models.TextField(_("why the file was refused"), blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_error = models.PositiveIntegerField(_("rows with errors"), default=0)
    rows_new = models.PositiveIntegerField(_("new members"), default=0)
    rows_update = models.PositiveIntegerField(_("members to update"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplicates"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("background job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    request_id = models.UUIDField(
        _("request id"), default=uuid.uuid4, editable=False
    )  # the commit's id in the change log

    scope_path_field = "unit__path"
    audit_exclude = ("columns", "notices")

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"


class ImportRow(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New member")
        UPDATE = "update", _("Update")
        UNCHANGED = "unchanged", _("Unchanged")
        DUPLICATE = "duplicate", _("Possible duplicate: decide")
        ERROR = "error", _("Error")

    class Decision(models.TextChoices):
        NONE = "", _("Not decided")
        SKIP = "skip", _("Skip this row")
        CREATE = "create", _("Add as a different person")
        UPDATE = "update", _("Same person: update the registry with this row")

    # No index of their own on the keys: the indexes below lead with the batch, and nothing reads rows by
    # unit or member alone (units and members are ended, not deleted); each index is paid on every row staged.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    row_number = models.PositiveIntegerField(_("row"))  # as Excel numbers it
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    values = models.JSONField(default=list)  # the cells as read, aligned with batch.columns
    data = models.JSONField(default=dict)  # the member fields parsed from them
    errors = models.JSONField(default=list)  # [{"column": header, "message": text}]
    parsed_ok = models.BooleanField(default=True)  # the cells themselves were fine (the registry may differ)
    id_number = models.CharField(max_length=20, blank=True)
    # No index: only the batch's few rows sharing one are grouped (``matching.mark_file_duplicates``).
    passport_number = models.CharField(max_length=20, blank=True)
    person_key = models.CharField(max_length=250, blank=True)  # folded name | birth | unit
    search_name = models.CharField(max_length=120, blank=True)  # folded name, as Member.search_name
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    member_code = models.CharField(max_length=20, blank=True)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    duplicate_of = models.PositiveIntegerField(null=True, blank=True)  # row number of the first occurrence
    reason = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {field: [registry value, file value]}
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [
            models.Index(fields=["batch", "status", "row_number"]),
            models.Index(fields=["batch", "id_number"]),
            models.Index(fields=["batch", "person_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
