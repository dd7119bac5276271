"""Writing the change log. Signals call these for ordinary saves; bulk services call ``log_many``."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.dispatch import Signal
from django.utils import timezone

from congdoan.audit.context import current
from congdoan.audit.models import ChangeLogged, ObjectChange, PersonalDataAccess
from congdoan.core.db import insert_rows

# Sent by ``log_many`` with ``action`` and ``objects``: bulk writes skip the model signals, and what
# derives from the records (the indicators) learns of them here.
bulk_logged = Signal()

# One encoder for the snapshots of ``log_rows`` (json.dumps with options builds a new one each call).
_encode_snapshot = DjangoJSONEncoder(ensure_ascii=False).encode


def _author() -> dict:
    """Who writes, from the change context: an ObjectChange's or a PersonalDataAccess's first fields."""
    context = current()
    user = context.user
    return {"user": user, "user_name": user.get_username() if user else "", "request_id": context.request_id}


def _build(action: str, obj: ChangeLogged, before: dict | None, after: dict | None) -> ObjectChange:
    return ObjectChange(
        **_author(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:255],
        unit_id=obj.audit_unit_id,
        before=before,
        after=after,
    )


def log_change(*, action: str, obj: ChangeLogged, before: dict | None = None) -> ObjectChange:
    after = None if action == ObjectChange.Action.DELETE else obj.audit_snapshot()
    change = _build(action, obj, before, after)
    change.save()
    return change


def log_many(
    *, action: str, objects: Iterable[ChangeLogged], befores: Iterable[dict | None] | None = None
) -> int:
    """One change row per object, all under the current request id, written in one bulk insert."""
    objects = list(objects)
    befores = list(befores) if befores is not None else [None] * len(objects)
    rows = [
        _build(action, obj, before, None if action == ObjectChange.Action.DELETE else obj.audit_snapshot())
        for obj, before in zip(objects, befores, strict=True)
    ]
    ObjectChange.objects.bulk_create(rows, batch_size=1000)
    bulk_logged.send(sender=ObjectChange, action=action, objects=objects)
    return len(rows)


def log_rows(
    *,
    action: str,
    model: type[ChangeLogged],
    rows: Iterable[tuple[int, int | None, str, dict]],
    announce: Iterable[ChangeLogged] = (),
) -> int:
    """``log_many`` for rows written in SQL without model instances (the member import): each row is
    (object id, unit id, repr, snapshot after), the snapshot as ``audit_snapshot`` makes it. Receivers of
    ``bulk_logged`` learn of the write from ``announce``: instances carrying what they read (for member
    events their units and dates), which may stand for many rows."""
    author = _author()
    prepared = {
        name: ObjectChange._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in (("time", timezone.now()), ("request_id", author["request_id"]))
    }
    fixed = (
        prepared["time"],
        author["user"].pk if author["user"] else None,
        author["user_name"],
        prepared["request_id"],
        str(action),  # plain text: psycopg's COPY writes an Enum by its name
        ContentType.objects.get_for_model(model, for_concrete_model=True).pk,
    )
    written = [
        (*fixed, object_id, text[:255], unit_id, _encode_snapshot(after))
        for object_id, unit_id, text, after in rows
    ]
    columns = ["time", "user", "user_name", "request_id", "action", "content_type", "object_id"]
    insert_rows(ObjectChange, [*columns, "object_repr", "unit", "after"], written)
    bulk_logged.send(sender=ObjectChange, action=action, objects=list(announce))
    return len(written)


def log_personal_data_access(
    *, action: str, obj, unit_id: int | None, reason: str = "", detail: str = ""
) -> PersonalDataAccess:
    """Record that the current user saw or took out ``obj``'s personal data in full (who, when, why)."""
    return PersonalDataAccess.objects.create(
        **_author(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:255],
        unit_id=unit_id,
        reason=reason[:255],
        detail=detail[:500],
    )
