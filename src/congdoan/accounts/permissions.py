from rest_framework.permissions import SAFE_METHODS, BasePermission

from congdoan.accounts.models import Action


class RolePermission(BasePermission):
    """Logged in, and the role allows reading (safe methods) or changing; rows are scoped by the views.

    A view names what its reads and writes need with ``read_action`` (default view) and ``write_action``
    (default change).
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            action = getattr(view, "read_action", Action.VIEW)
        else:
            action = getattr(view, "write_action", Action.CHANGE)
        return user.can(action)
