"""Migration operations that keep a busy table writable on PostgreSQL.

`CREATE INDEX CONCURRENTLY` builds an index without the `SHARE` lock a plain
`CREATE INDEX` holds for the whole build (which blocks every insert and update of the
table meanwhile). It exists only on PostgreSQL and cannot run inside a transaction,
so a migration using these operations sets `atomic = False`. Elsewhere (SQLite, the
embedded default, where no table is busy) they fall back to the plain operation, so
one migration serves both databases.
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations import AddIndex, RemoveIndex


def _concurrently(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """`AddIndexConcurrently` on PostgreSQL, `AddIndex` on any other database."""

    def describe(self) -> str:
        return f"{AddIndex.describe(self)} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if _concurrently(schema_editor):
            super().database_forwards(app_label, schema_editor, *states)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if _concurrently(schema_editor):
            super().database_backwards(app_label, schema_editor, *states)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, *states)


class RemoveIndexConcurrentlyOnPostgres(RemoveIndexConcurrently):
    """`RemoveIndexConcurrently` on PostgreSQL, `RemoveIndex` on any other database."""

    def describe(self) -> str:
        return f"{RemoveIndex.describe(self)} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if _concurrently(schema_editor):
            super().database_forwards(app_label, schema_editor, *states)
        else:
            RemoveIndex.database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if _concurrently(schema_editor):
            super().database_backwards(app_label, schema_editor, *states)
        else:
            RemoveIndex.database_backwards(self, app_label, schema_editor, *states)
