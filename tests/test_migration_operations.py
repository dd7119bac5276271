"""``DropFieldIndex`` drops only the field's own index, in place, and gives it back when migrating back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TABLE = "audit_objectchange"


def _single_column_indexes(column: str) -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, details in constraints.items()
        if details["index"] and not details["unique"] and details["columns"] == [column]
    ]


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_drop_field_index_forwards_and_back():
    rows_before = _table_rows()
    assert _single_column_indexes("content_type_id") == []
    assert _single_column_indexes("unit_id") == []
    try:
        _migrate(("audit", "0002_personaldataaccess"))
        assert len(_single_column_indexes("content_type_id")) == 1
        assert len(_single_column_indexes("unit_id")) == 1
    finally:
        _migrate(("audit", "0003_fk_indexes_covered"))
    assert _single_column_indexes("content_type_id") == []
    assert _single_column_indexes("unit_id") == []
    # The indexes that serve the reads stay, and no change was lost on the way.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    columns = [details["columns"] for details in constraints.values() if details["index"]]
    assert ["content_type_id", "object_id"] in columns
    assert ["unit_id", "time"] in columns
    assert _table_rows() == rows_before


def _table_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return cursor.fetchone()[0]
