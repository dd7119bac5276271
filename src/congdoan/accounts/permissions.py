from rest_framework.permissions import SAFE_METHODS, BasePermission

from congdoan.accounts.models import Action


class RolePermission(BasePermission):
    """Logged in, and the role allows reading (safe methods) or changing; rows are scoped by the views."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        action = Action.VIEW if request.method in SAFE_METHODS else getattr(view, "write_action", Action.CHANGE)
        return user.can(action)
