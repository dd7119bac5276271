"""Shared API pieces: business-rule errors from services become 400 answers naming the field."""

from copy import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def as_api_error(
    error: DjangoValidationError, rename: dict[str, str] | None = None
) -> exceptions.ValidationError:
    """The same messages, keyed by field, with Django's "__all__" under DRF's non-field key.

    ``rename`` maps a service's field names to the names the client sent (or to the non-field key).
    """
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    rename = {NON_FIELD_ERRORS: api_settings.NON_FIELD_ERRORS_KEY, **(rename or {})}
    detail: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        detail.setdefault(rename.get(field, field), []).extend(messages)
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)


class CleanModelSerializer(serializers.ModelSerializer):
    """Runs the model's ``full_clean()`` on the would-be object, so the API keeps the rules forms keep.

    ``clean_exclude`` names writable fields the serializer checks itself (a raw password, say).
    """

    clean_exclude: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        candidate = copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        # Fields this serializer cannot set are not the client's to fix; uniqueness is checked by DRF.
        writable = {field.source for field in self.fields.values() if not field.read_only}
        exclude = [
            f.name
            for f in model._meta.concrete_fields
            if f.name not in writable or f.name in self.clean_exclude
        ]
        try:
            candidate.full_clean(exclude=exclude, validate_unique=False)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        return attrs
