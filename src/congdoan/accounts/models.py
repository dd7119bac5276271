from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdoan.audit.models import ChangeLogged
from congdoan.core.text import fold


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("Officer")
    VIEWER = "viewer", _("Read only")
    CHAIR = "chair", _("Grassroots union chair")


class Action(models.TextChoices):
    VIEW = "view", _("view")
    CHANGE = "change", _("change")
    REORGANISE = "reorganise", _("reorganise")
    MANAGE_USERS = "manage_users", _("manage users")
    VIEW_PERSONAL_DATA = "view_personal_data", _("see personal data in full")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Action.values),
    Role.OFFICER: frozenset({Action.VIEW, Action.CHANGE, Action.REORGANISE, Action.VIEW_PERSONAL_DATA}),
    Role.VIEWER: frozenset({Action.VIEW}),
    # A chair keeps the records of their own CĐCS; the tree itself is the upper level's to change.
    Role.CHAIR: frozenset({Action.VIEW, Action.CHANGE, Action.VIEW_PERSONAL_DATA}),
}


class User(ChangeLogged, AbstractUser):
    """A person who logs in: attached to one unit, whose subtree is all they see and change."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    # The user name and the person's name folded (``core.text.fold``), for the users page's search.
    search_text = models.TextField(editable=False, default="")

    audit_exclude = ("password", "last_login", "search_text")
    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @classmethod
    def narrow_scope(cls, queryset, user):
        """Superusers' accounts stay out of other users' sight, wherever they are attached."""
        return queryset.filter(is_superuser=False)

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.username} {self.get_full_name()}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def can(self, action: str) -> bool:
        if not self.is_active:
            return False
        return self.is_superuser or action in ROLE_ACTIONS.get(self.role, frozenset())


class FailedLogin(models.Model):
    """One refused login; enough of them in a short window lock that user name or address out."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address or '?'} {self.at:%d/%m/%Y %H:%M}"
