"""The one scope every read goes through: the user's unit subtree, narrowed by what the role may do."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action


def restrict(queryset: QuerySet, user, action: str = Action.VIEW, path_field: str | None = None) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``: those under the user's unit.

    Models name the path that places them in the tree as ``scope_path_field`` ("path" for units,
    "unit__path" for things that belong to a unit); a model may narrow further with a classmethod
    ``narrow_scope(queryset, user)`` (accounts: a superuser's account is no one else's business).
    """
    if user is None or not user.is_authenticated or not user.can(action):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.unit_id is None:
        return queryset.none()
    field = path_field or queryset.model.scope_path_field
    queryset = queryset.filter(**{f"{field}__under": user.unit.path})
    narrow = getattr(queryset.model, "narrow_scope", None)
    return narrow(queryset, user) if narrow else queryset


def get_for(queryset: QuerySet, user, action: str = Action.VIEW, **lookup):
    """One object the user may act on: 404 when out of sight, 403 when visible but not theirs to change."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        if action != Action.VIEW and restrict(queryset, user, Action.VIEW).filter(**lookup).exists():
            raise PermissionDenied(_("Your role does not allow this change.")) from None
        raise Http404(_("Not found, or outside your unit.")) from None
