"""The delivery outbox's index is replaced without blocking its writers (PostgreSQL).

Migration `partners.0002` builds `delivery_due_sweep` with CREATE INDEX CONCURRENTLY
and drops the old `delivery_due` with DROP INDEX CONCURRENTLY, in a non-atomic
migration. These tests check what it left behind (a valid partial index in the
catalogue, the old one gone), then replay it while another transaction holds the
table, the situation that turns a plain CREATE INDEX into an outage: the build waits
for that transaction, and with a plain build every insert queues behind it; with the
concurrent build inserts go on.

PostgreSQL only (CONCURRENTLY is PostgreSQL's); on SQLite the operations fall back to
a plain CREATE INDEX, which `makemigrations --check` and every other test exercise.
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from adapters.partners import models
from adapters.platform.migration_operations import (
    AddIndexConcurrentlyOnPostgres,
    RemoveIndexConcurrentlyOnPostgres,
)
from tests.integration.postgres import database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="CREATE INDEX CONCURRENTLY is PostgreSQL's"
    ),
    pytest.mark.django_db(transaction=True),
]

MIGRATION = ("partners", "0002_delivery_due_sweep_concurrently")
LOCK_TIMEOUT = "1s"  # how long an insert may wait for a lock before it counts as blocked


def index(name: str) -> tuple[bool, bool, str] | None:
    """(valid, ready, definition) of an index, from PostgreSQL's catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indisvalid, i.indisready, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname = %s
            """,
            [name],
        )
        row = cursor.fetchone()
    return (row[0], row[1], row[2]) if row else None


def test_the_migration_is_non_atomic_and_concurrent() -> None:
    migration = MigrationLoader(connection).get_migration(*MIGRATION)

    assert migration.atomic is False  # CONCURRENTLY refuses to run inside a transaction
    assert [type(operation) for operation in migration.operations] == [
        AddIndexConcurrentlyOnPostgres,
        RemoveIndexConcurrentlyOnPostgres,
    ]


def test_the_sweep_index_exists_is_valid_and_partial() -> None:
    valid, ready, definition = index("delivery_due_sweep") or (False, False, "missing")

    assert (valid, ready) == (True, True)
    assert definition == (
        "CREATE INDEX delivery_due_sweep ON public.partners_delivery "
        "USING btree (next_attempt_at, id) WHERE ((status)::text = 'pending'::text)"
    )
    assert index("delivery_due") is None  # the index it replaced is gone


# ---------------------------------------------------------------- under a busy table


@pytest.fixture
def subscription() -> models.Subscription:
    partner = models.Partner.objects.create(
        name="Busy partner", api_key_hash=uuid.uuid4().hex * 2, api_key_prefix="pk_busy"
    )
    return models.Subscription.objects.create(
        partner=partner, url="https://partner.example/hook", format="standard-webhooks"
    )


def insert_delivery(db: psycopg.Connection, subscription: models.Subscription) -> None:
    """One outbox insert, as a booking's transaction writes it."""
    db.execute(
        """
        INSERT INTO partners_delivery (id, webhook_id, subscription_id, event_type,
            content_type, body, status, round_starts_at, next_attempt_at, created_at)
        VALUES (%s, %s, %s, 'booking.confirmed', 'application/json', '{}', 'pending', 0,
            now(), now())
        """,
        [uuid.uuid4(), f"msg_{uuid.uuid4().hex}", subscription.id],
    )


@pytest.fixture
def open_writer(subscription: models.Subscription) -> Iterator[psycopg.Connection]:
    """A transaction that has written to the outbox and not committed yet: a booking in
    flight, or a long report. Committed by the test (or at the end)."""
    with closing(psycopg.connect(database_url())) as db:
        insert_delivery(db, subscription)  # psycopg opened a transaction: ROW EXCLUSIVE
        yield db
        db.commit()


def in_background(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()  # this thread's own Django connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def wait_for_waiting(statement: str, timeout: float = 10) -> None:
    """Until a session runs `statement…` and waits (for a lock or another transaction)."""
    deadline = time.monotonic() + timeout
    with closing(psycopg.connect(database_url(), autocommit=True)) as db:
        while True:
            row = db.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE query LIKE %s AND wait_event_type = 'Lock'",
                [f"{statement}%"],
            ).fetchone()
            if row and row[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing waited on {statement!r} within {timeout}s")
            time.sleep(0.05)


def another_insert(subscription: models.Subscription) -> float:
    """An insert from a third session, allowed to wait LOCK_TIMEOUT: its duration."""
    with closing(psycopg.connect(database_url(), autocommit=True)) as db:
        db.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        started = time.monotonic()
        insert_delivery(db, subscription)
        return time.monotonic() - started


def test_a_plain_create_index_would_block_inserts_behind_an_open_transaction(
    open_writer: psycopg.Connection, subscription: models.Subscription
) -> None:
    """The contrast: what the migration avoids."""

    def build() -> None:
        with closing(psycopg.connect(database_url(), autocommit=True)) as db:
            db.execute("CREATE INDEX delivery_plain ON partners_delivery (created_at)")
            db.execute("DROP INDEX delivery_plain")

    thread, errors = in_background(build)
    wait_for_waiting("CREATE INDEX delivery_plain")

    with pytest.raises(psycopg.errors.LockNotAvailable):
        another_insert(subscription)  # queued behind the build's SHARE lock

    open_writer.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors == []


@pytest.fixture
def old_index(subscription: models.Subscription) -> Iterator[None]:
    """The outbox as before the migration (before any writer holds it: going back
    builds `delivery_due` concurrently too); migrated forward again afterwards. The
    subscription is written first, by today's model: going back also drops the columns
    later migrations added to it."""
    call_command("migrate", MIGRATION[0], "0001", verbosity=0)
    try:
        yield
    finally:
        # Forward to the latest, not only to 0002: later migrations of the app are
        # undone by going back to 0001, and the tests after this one need them.
        call_command("migrate", MIGRATION[0], verbosity=0)


def test_the_concurrent_build_lets_inserts_through_while_it_waits(
    old_index: None,
    open_writer: psycopg.Connection,
    subscription: models.Subscription,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert index("delivery_due_sweep") is None
    assert index("delivery_due") is not None

    thread, errors = in_background(lambda: call_command("migrate", *MIGRATION, verbosity=0))
    wait_for_waiting("CREATE INDEX CONCURRENTLY")  # for the writer's transaction to end

    waited = another_insert(subscription)  # not blocked: no SHARE lock is taken

    open_writer.commit()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert errors == []
    assert index("delivery_due_sweep")[:2] == (True, True)  # type: ignore[index]
    assert index("delivery_due") is None
    assert models.Delivery.objects.count() == 2
    with capsys.disabled():
        print(  # noqa: T201
            f"\nconcurrent index build: an insert went through in {waited * 1000:.0f} ms "
            "while the build waited for an open transaction"
        )
