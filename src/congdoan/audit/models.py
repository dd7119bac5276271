import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeLogged(models.Model):
    """Every save and delete of a subclass is written to the change log by signals.

    ``audit_unit_id`` names the unit a change belongs to, so the log can be read per unit and scoped.
    """

    audit_exclude: tuple[str, ...] = ()
    # Fields the change log shows masked to users who may not see personal data (Decree 13/2023/NĐ-CP).
    audit_personal_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def audit_unit_id(self) -> int | None:
        return getattr(self, "unit_id", None)

    @classmethod
    def audit_fields(cls) -> list[models.Field]:
        """The fields a snapshot holds: every concrete field but ``audit_exclude``."""
        return [f for f in cls._meta.concrete_fields if f.name not in cls.audit_exclude]

    def audit_snapshot(self) -> dict:
        data = {}
        for f in self.audit_fields():
            value = getattr(self, f.attname)
            if isinstance(f, models.FileField):
                value = value.name if value else ""
            data[f.attname] = value
        return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


PERSONAL_MASK = "•••"


class ObjectChangeQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Entry(models.Model):
    """What the change log and the personal-data log share: who, when, in which request, on which object."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), db_index=True)
    # No index of its own: each log's Meta leads an index with it (one index less to write a change).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=255)

    objects = ObjectChangeQuerySet.as_manager()

    scope_path_field = "unit__path"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class ObjectChange(Entry):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        db_constraint=False,
        db_index=False,  # the (unit, time) index below serves reads by unit
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["unit", "time"]),
        ]

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field whose value changed."""
        before, after = self.before or {}, self.after or {}
        return [
            (key, before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]

    def masked(self, hidden: frozenset[str]) -> "ObjectChange":
        """This change with the ``hidden`` fields' values replaced by a mask (an unsaved copy)."""

        def mask(data):
            if data is None:
                return None
            return {
                key: PERSONAL_MASK if key in hidden and value not in (None, "") else value
                for key, value in data.items()
            }

        copy = ObjectChange(**{f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields})
        copy.before, copy.after = mask(self.before), mask(self.after)
        return copy


class PersonalDataAccess(Entry):
    """Someone saw or took out personal data in full (ID number, phone, birth date…): Decree 13/2023/NĐ-CP
    asks that such processing be recorded. One row per opening of a full record or export of a full list; its
    object is the record opened (a member), or for a list the unit whose list it was."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EDIT = "edit", _("Opened for editing")
        EXPORT = "export", _("Exported")
        PRINT = "print", _("Printed")

    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)  # format, rows, filters of an export

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]
