# Written by hand: how to change an index on a busy table without blocking its writers.
#
# The delivery outbox takes an insert with every booking change and an update with every
# delivery attempt. A plain CREATE INDEX would hold a SHARE lock on it for the whole
# build, and every booking would wait. So on PostgreSQL:
# - the new index is built with CREATE INDEX CONCURRENTLY: writes go on meanwhile;
# - the old one is dropped with DROP INDEX CONCURRENTLY, once the new one is valid;
# - neither may run inside a transaction, hence `atomic = False`: each statement
#   commits on its own. If the build fails half-way, PostgreSQL leaves an INVALID
#   index behind: drop it (DROP INDEX CONCURRENTLY IF EXISTS delivery_due_sweep) and
#   migrate again. See docs/operations.md, "Migrations without downtime".
# On SQLite the same operations run as a plain CREATE INDEX and DROP INDEX.

from django.db import migrations, models

from adapters.platform.migration_operations import (
    AddIndexConcurrentlyOnPostgres,
    RemoveIndexConcurrentlyOnPostgres,
)


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('partners', '0001_initial'),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name='delivery',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'id'], name='delivery_due_sweep'),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name='delivery',
            name='delivery_due',
        ),
    ]
