"""Migration operations Django's own do not give."""

from django.db import migrations


class DropFieldIndex(migrations.AlterField):
    """``AlterField`` to ``db_index=False`` that drops the field's single-column index in place.

    Django's ``AlterField`` rebuilds the whole table on SQLite to drop an index; on a change log of millions
    of rows that is minutes of copying for what a ``DROP INDEX`` does at once. The state changes as the
    ``AlterField`` says; the database loses (or, backwards, regains) only the index.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._swap_index(app_label, schema_editor, from_state, drop=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._swap_index(app_label, schema_editor, to_state, drop=False)

    def _swap_index(self, app_label, schema_editor, state, *, drop: bool) -> None:
        model = state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        if drop:
            with schema_editor.connection.cursor() as cursor:
                constraints = schema_editor.connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                )
            for name, details in constraints.items():
                if details["index"] and not details["unique"] and details["columns"] == [field.column]:
                    schema_editor.execute(schema_editor._delete_index_sql(model, name))
        else:
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
