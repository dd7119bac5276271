"""Database helpers that make SQLite and PostgreSQL answer alike."""

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models.functions import Collate
from django.dispatch import receiver

from congdoan.core import text


@receiver(connection_created)
def _prepare_sqlite(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_collation("vi", text.compare)
    raw.create_function("vi_fold", 1, text.fold, deterministic=True)


def vi_order(field: str):
    """An expression ordering ``field`` in Vietnamese letter order on either database."""
    from django.db import connection

    return Collate(models.F(field), "vi-x-icu" if connection.vendor == "postgresql" else "vi")


@models.CharField.register_lookup
class Under(models.Lookup):
    """``path__under=P``: the rows whose materialised path starts with P (P itself included).

    Paths are digits only. PostgreSQL answers LIKE 'P%' from the varchar_pattern_ops index Django
    builds for an indexed CharField; SQLite answers the equivalent binary range from its index.
    """

    lookup_name = "under"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} LIKE ({rhs} || '%%')", [*lhs_params, *rhs_params]
        return f"({lhs} >= {rhs} AND {lhs} < ({rhs} || ':'))", [
            *lhs_params,
            *rhs_params,
            *lhs_params,
            *rhs_params,
        ]
