"""Many customers holding the last seats at once: nobody gets a seat twice.

Each thread holds through the API on its own database connection, released together.
SQLite serialises writers anyway, so this runs on PostgreSQL only, where the slot rows'
locks (`select_for_update`) are what keeps the count right.
"""

import threading

import pytest
from django.db import connection

from before.conftest import hold, make_customer

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_holds_never_oversell(make_slot):
    slots = [make_slot(capacity=5), make_slot(capacity=5)]
    customers = [make_customer() for _ in range(8)]
    barrier = threading.Barrier(len(customers))
    statuses = []

    def try_to_hold(index, client):
        try:
            barrier.wait(timeout=30)
            # Half the customers ask for the slots in the other order: no deadlock either.
            lines = [(slot, 2) for slot in (slots if index % 2 else slots[::-1])]
            statuses.append(hold(client, *lines).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=try_to_hold, args=(index, client))
        for index, client in enumerate(customers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201, 201] + [409] * 6
    for slot in slots:
        slot.refresh_from_db()
        assert slot.seats_held == 4
