"""Reading the change log as a given user may: personal data stays masked in lists and for roles that may
not see it; a role that may sees it one change at a time, and each such view is recorded."""

from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_change_opened


def as_seen_by(change: ObjectChange, user, *, listed: bool = False) -> ObjectChange:
    """``change`` itself, or a copy with the model's personal fields masked: in a list (``listed``), and for
    a user who may not see them. Shown in full, they are recorded as viewed (Decree 13/2023/NĐ-CP)."""
    hidden = frozenset(getattr(change.content_type.model_class(), "audit_personal_fields", ()))
    if not hidden:
        return change
    if listed or not user.can(Action.VIEW_PERSONAL_DATA):
        return change.masked(hidden)
    if any(
        key in hidden and value not in (None, "")
        for data in (change.before or {}, change.after or {})
        for key, value in data.items()
    ):
        log_change_opened(change, reason=_("change log"))
    return change
