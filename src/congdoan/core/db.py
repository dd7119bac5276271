"""Database helpers that make SQLite and PostgreSQL answer alike."""

from django.db import connection, models, transaction
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


def insert_rows(model: type[models.Model], columns: list[str], rows) -> None:
    """INSERT plain tuples (values ready for the database, in ``columns`` order) into ``model``'s table: for
    bulk writers that would otherwise make a model instance a row (imports, the indicator engine)."""
    names = [model._meta.get_field(name).column for name in columns]
    insert_into_table(model._meta.db_table, names, rows)


def insert_into_table(table: str, columns: list[str], rows) -> None:
    """``insert_rows`` by table and column names (a temporary table has no model). On PostgreSQL through
    COPY, on SQLite one prepared statement for all rows; in the caller's transaction, or in one of its own
    (in autocommit SQLite would commit each row on its own)."""
    quote = connection.ops.quote_name
    table, names = quote(table), ", ".join(quote(column) for column in columns)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor under Django's wrapper: COPY is not part of the DB-API.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            return
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def typed_placeholder(field: models.Field) -> str:
    """A query parameter standing where a value of ``field`` goes, in a SELECT list (INSERT … SELECT):
    PostgreSQL reads a bare parameter there as text, whatever the column it is inserted into; SQLite's
    CAST would turn a date's text into a number, and needs none."""
    if connection.vendor == "postgresql":
        return f"CAST(%s AS {field.db_type(connection)})"
    return "%s"
