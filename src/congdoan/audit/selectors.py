"""Reading the change log as a given user may: personal data stays masked for roles that may not see it."""

from congdoan.accounts.models import Action
from congdoan.audit.models import ObjectChange


def as_seen_by(change: ObjectChange, user) -> ObjectChange:
    """``change`` itself, or a copy with the model's personal fields masked when ``user`` may not see them."""
    hidden = getattr(change.content_type.model_class(), "audit_personal_fields", ())
    if not hidden or user.can(Action.VIEW_PERSONAL_DATA):
        return change
    return change.masked(frozenset(hidden))
