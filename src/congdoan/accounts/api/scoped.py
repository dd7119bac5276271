"""API building blocks that put every read and write through the one scope (``congdoan.accounts.scope``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict


class InUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record is still in use and cannot be deleted.")
    default_code = "in_use"


class SuperuserWrites(BasePermission):
    """Shared reference data (unit types…): everyone reads, only a superuser changes it."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_superuser)


class ProtectedDeleteMixin:
    """Deleting a record others still point to answers 409 with what holds it, never a 500."""

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as error:
            holders = getattr(error, "protected_objects", None) or error.restricted_objects
            names = ", ".join(sorted({str(obj) for obj in list(holders)[:3]}))
            raise InUse(
                _("This record is still in use (by %(objects)s) and cannot be deleted.") % {"objects": names}
            ) from None


class ScopedViewSetMixin(ProtectedDeleteMixin):
    # Lists show the user's subtree; one object is fetched with ``get_for`` for the action at hand.
    # Reads need ``read_action``. ``write_actions`` maps a viewset action ("create", "move", …) to the
    # ``Action`` it needs; other writes need ``default_write_action``. ``RolePermission`` checks the role
    # before the view runs, and ``get_object`` checks the same action on the object: 404 outside the
    # subtree, 403 when the object is visible but the role may not do this to it.
    # (Comments, not a docstring: the API docs show the docstrings of the viewsets, which are Vietnamese.)

    read_action: str = Action.VIEW
    default_write_action: str = Action.CHANGE
    write_actions: dict[str, str] = {}

    @property
    def write_action(self) -> str:
        return self.write_actions.get(self.action, self.default_write_action)

    @property
    def object_action(self) -> str:
        return self.read_action if self.request.method in SAFE_METHODS else self.write_action

    def base_queryset(self):
        """Every row of the model the viewset serves, before scope."""
        return self.queryset.all()

    def get_queryset(self):
        return restrict(self.base_queryset(), self.request.user, self.read_action)

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        try:
            obj = get_for(
                self.base_queryset(), self.request.user, self.object_action, **{self.lookup_field: value}
            )
        except (TypeError, ValueError, DjangoValidationError):
            raise Http404 from None  # a malformed key names nothing
        self.check_object_permissions(self.request, obj)
        return obj

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()


class ScopedRelatedField(serializers.SlugRelatedField):
    """A reference, by code or id, to an object the requesting user may ``action``; others do not exist."""

    default_error_messages = {
        "does_not_exist": _("“{value}” was not found among the records of your unit."),
        "invalid": _("Invalid value."),
    }

    def __init__(self, *, action: str = Action.CHANGE, **kwargs):
        self.action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return restrict(super().get_queryset(), getattr(request, "user", None), self.action)
