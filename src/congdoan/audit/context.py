"""Who is changing things, under which request id: set per web request, per command, per job."""

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChangeContext:
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    actor: object | None = None
    request: object | None = None

    @property
    def user(self):
        """The acting user; for a web request read late, as DRF authenticates tokens inside the view."""
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_current: ContextVar[ChangeContext | None] = ContextVar("congdoan_change_context", default=None)


def current() -> ChangeContext:
    """The context in force; outside any request or command each change gets an id of its own."""
    return _current.get() or ChangeContext()


@contextlib.contextmanager
def change_context(*, user=None, request=None, request_id: uuid.UUID | None = None):
    """Group every change made inside under one request id (a command, a job, a bulk operation)."""
    token = _current.set(ChangeContext(request_id=request_id or uuid.uuid4(), actor=user, request=request))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
