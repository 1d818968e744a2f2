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
from django.db.migrations.operations.base import Operation


class PlainOffPostgres:
    """Runs the concurrent operation (the next class in the MRO) on PostgreSQL and
    `plain`, the same operation without CONCURRENTLY, on any other database."""

    plain: type[Operation]

    def database_forwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *states)
        else:
            self.plain.database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *states)
        else:
            self.plain.database_backwards(self, app_label, schema_editor, *states)

    def describe(self) -> str:
        return f"{self.plain.describe(self)} (concurrently on PostgreSQL)"


class AddIndexConcurrentlyOnPostgres(PlainOffPostgres, AddIndexConcurrently):
    """`AddIndexConcurrently` on PostgreSQL, `AddIndex` on any other database."""

    plain = AddIndex


class RemoveIndexConcurrentlyOnPostgres(PlainOffPostgres, RemoveIndexConcurrently):
    """`RemoveIndexConcurrently` on PostgreSQL, `RemoveIndex` on any other database."""

    plain = RemoveIndex
