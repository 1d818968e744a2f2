"""Read replica routing: catalogue reads on `replica`, everything else on the primary.

The replica alias points at the test database itself, as a test MIRROR does (set
DATABASE_REPLICA_URL and settings make it one; otherwise the `replica` fixture adds
it for these tests). It is a connection of its own, so `CaptureQueriesContext` on each
alias shows which one a request used. Committed data (`transaction=True`): the
replica's connection sees only what the primary's committed.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from adapters.catalog import models as catalog_models
from adapters.platform.db_router import REPLICA, catalogue_reads
from application.catalog.list_listings import ListListingsQuery
from config.container import container
from outside.payment_sandbox.models import SandboxPayment
from tests.api.customers import make_customer
from tests.factories.orm import SlotRowFactory

CONFIGURED = REPLICA in connections.settings  # DATABASE_REPLICA_URL was set
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup: None) -> Iterator[None]:
    """Without DATABASE_REPLICA_URL, a `replica` alias mirroring the test database, for
    this module (added before each test declares the databases it uses)."""
    if CONFIGURED:
        yield
        return
    primary = connections["default"].settings_dict  # the test database by now
    connections.settings[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": "default"}}
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica() -> Any:
    return connections[REPLICA]


@pytest.fixture
def slot() -> catalog_models.Slot:
    return SlotRowFactory(capacity=10)


def catalogue_sql(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries if "catalog_" in query["sql"]]


def test_catalogue_reads_go_to_the_replica(replica: Any, slot: catalog_models.Slot) -> None:
    client = make_customer().client
    listing = f"/api/v1/listings/{slot.listing_id}/"

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        responses = [client.get(path) for path in ("/api/v1/listings/", listing)]
        responses.append(client.get(f"{listing}slots/", {"from": slot.starts_at.isoformat()}))

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert responses[2].json()["results"][0]["id"] == str(slot.id)
    assert len(catalogue_sql(on_replica)) >= 3  # ListListings, GetListing, ListSlots
    assert catalogue_sql(on_replica) == [query["sql"] for query in on_replica]  # nothing else
    assert catalogue_sql(on_primary) == []  # only the token's lookup, say


def test_a_hold_runs_on_the_primary_only(replica: Any, slot: catalog_models.Slot) -> None:
    client = make_customer().client

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.post(
            "/api/v1/bookings/", {"lines": [{"slot_id": str(slot.id), "seats": 2}]}, format="json"
        )

    assert response.status_code == 201, response.content
    assert list(on_replica) == []
    slot_sql = [sql for sql in catalogue_sql(on_primary) if "catalog_slot" in sql]
    assert any(sql.startswith("UPDATE") for sql in slot_sql)  # the seats, written back
    if connections["default"].vendor == "postgresql":
        assert any("FOR UPDATE" in sql for sql in slot_sql), "the slot is locked there"
    slot.refresh_from_db()
    assert slot.seats_held == 2


def test_inside_a_transaction_even_catalogue_reads_stay_on_the_primary(
    replica: Any, slot: catalog_models.Slot
) -> None:
    with CaptureQueriesContext(replica) as on_replica, transaction.atomic():
        page = container.list_listings()(ListListingsQuery())

    assert [listing.id for listing in page.items] == [slot.listing_id]
    assert list(on_replica) == []


def test_what_the_router_decides(replica: Any) -> None:
    slots = catalog_models.Slot.objects

    assert slots.all().db == "default"  # not a catalogue read: the admin, a booking
    with catalogue_reads():
        assert slots.all().db == REPLICA
        assert slots.select_for_update().db == "default"  # a lock is a write
        assert SandboxPayment.objects.all().db == "sandbox"  # the sandbox's router first
        with transaction.atomic():
            assert slots.all().db == "default"
    assert slots.all().db == "default"


def test_without_a_replica_everything_reads_the_primary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(connections.settings, REPLICA)  # as with DATABASE_REPLICA_URL unset

    with catalogue_reads():
        assert catalog_models.Slot.objects.all().db == "default"
