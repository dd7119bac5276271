"""Writing the change log. Signals call these for ordinary saves; bulk services call ``log_many``."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.dispatch import Signal
from django.utils import timezone

from congdoan.audit.context import current
from congdoan.audit.models import ChangeLogged, ObjectChange, PersonalDataAccess
from congdoan.core.db import typed_placeholder

# Sent by ``log_many`` with ``action`` and ``objects``: bulk writes skip the model signals, and what
# derives from the records (the indicators) learns of them here.
bulk_logged = Signal()


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


def snapshot_sql(
    model: type[ChangeLogged], alias: str, *, given: dict[str, str] | None = None
) -> tuple[str, list]:
    """The SQL expression (and its parameters) of the JSON ``audit_snapshot`` makes of a row of ``model``
    read as ``alias``, for change-log rows the database builds itself (``log_selected``). ``given`` holds
    values already encoded for fields whose text SQL would write otherwise than DjangoJSONEncoder (a time);
    other such fields are refused rather than logged differently."""
    given = given or {}
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    parts, params = [], []
    for field in model.audit_fields():
        name = field.attname
        if name in given:
            value, params = "CAST(%s AS text)" if postgres else "%s", [*params, given[name]]
        elif isinstance(field, models.BooleanField) and not postgres:  # SQLite holds booleans as 0 and 1
            value = f"json(CASE WHEN {alias}.{quote(field.column)} THEN 'true' ELSE 'false' END)"
        elif isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.DateTimeField):
            value = f"{alias}.{quote(field.column)}"
        else:
            raise TypeError(f"{model.__name__}.{name}: give its encoded value (a {type(field).__name__})")
        parts.append(f"'{name}', {value}")
    if postgres:
        return f"json_build_object({', '.join(parts)})::jsonb", params
    return f"json_object({', '.join(parts)})", params


# Fields whose value SQL writes into JSON as DjangoJSONEncoder does: text, numbers, keys, dates but not
# times (ISO on both databases), booleans (see snapshot_sql), a file's name.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.ForeignKey,
    models.DateField,
    models.BooleanField,
    models.FileField,
)


def log_selected(
    *,
    action: str,
    model: type[ChangeLogged],
    select: str,
    params: list,
    announce: Iterable[ChangeLogged] = (),
) -> None:
    """``log_many`` for rows the database wrote itself (INSERT … SELECT, the member import), built by it too:
    ``select`` gives, for each object, its ``object_id``, ``unit_id``, ``object_repr`` and ``after`` (the
    snapshot by ``snapshot_sql``). Receivers of ``bulk_logged`` learn of the write from ``announce``:
    instances carrying what they read (for member events their units and dates), which may stand for many
    rows."""
    author = _author()
    field = ObjectChange._meta.get_field
    fixed = {
        "time": timezone.now(),
        "user": author["user"].pk if author["user"] else None,
        "user_name": author["user_name"],
        "request_id": author["request_id"],
        "action": str(action),
        "content_type": ContentType.objects.get_for_model(model, for_concrete_model=True).pk,
    }
    quote = connection.ops.quote_name
    columns = [field(name).column for name in (*fixed, "object_id", "unit", "object_repr", "after")]
    values = ", ".join(typed_placeholder(field(name)) for name in fixed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(ObjectChange._meta.db_table)} ({', '.join(map(quote, columns))}) "
            f"SELECT {values}, q.object_id, q.unit_id, q.object_repr, q.after FROM ({select}) AS q",
            [*(field(name).get_db_prep_save(value, connection) for name, value in fixed.items()), *params],
        )
    bulk_logged.send(sender=ObjectChange, action=action, objects=list(announce))


def log_personal_data_access(
    *, action: str, obj, unit_id: int | None, reason: str = "", detail: str = ""
) -> PersonalDataAccess:
    """Record that the current user saw or took out ``obj``'s personal data in full (who, when, why)."""
    return _log_access(
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj),
        unit_id=unit_id,
        reason=reason,
        detail=detail,
    )


def log_change_opened(change: ObjectChange, *, reason: str) -> PersonalDataAccess:
    """Record that the current user saw the personal data a change holds of its object in full."""
    return _log_access(
        action=PersonalDataAccess.Action.VIEW,
        content_type=change.content_type,
        object_id=change.object_id,
        object_repr=change.object_repr,
        unit_id=change.unit_id,
        reason=reason,
        detail=f"#{change.pk}",
    )


def _log_access(*, content_type, object_id, object_repr: str, reason: str, detail: str, **fields):
    return PersonalDataAccess.objects.create(
        **_author(),
        content_type=content_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        reason=reason[:255],
        detail=detail[:500],
        **fields,
    )
