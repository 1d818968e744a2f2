"""Read replica routing: the catalogue's read-only queries go to `replica`, everything
else to the primary (`default`).

Only code that opts in reads from the replica: the catalogue repositories wrap their
queries in `catalogue_reads()` (`DjangoListingRepository`, `DjangoSlotRepository`,
behind ListListings, GetListing and ListSlots). Routing by model alone would be wrong
here: the admin reads a slot before saving it whole, and a booking reads slots and
listings beside its writes; a replica's lagging copy there would write stale seat
counters back. So, even inside `catalogue_reads()`, the primary answers:
- every write, and every `select_for_update()` (Django routes those as writes);
- any read inside a transaction on the primary (a unit of work's `atomic()` block),
  so a transaction always sees its own writes and its locks hold.

With no `replica` alias configured (`DATABASE_REPLICA_URL` unset) the router says
nothing and every query goes to `default`. The sandbox provider's router comes first
in `DATABASE_ROUTERS`, so its tables stay in their own database.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_catalogue_reads: ContextVar[bool] = ContextVar("catalogue_reads", default=False)


@contextmanager
def catalogue_reads() -> Iterator[None]:
    """Reads in this block may be served by the replica (if one is configured)."""
    token = _catalogue_reads.set(True)
    try:
        yield
    finally:
        _catalogue_reads.reset(token)


def reads_from_replica[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """A repository method whose queries may all be served by the replica."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with catalogue_reads():
            return method(*args, **kwargs)

    return wrapper


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if (
            _catalogue_reads.get()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None  # the primary

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None  # the primary, always

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: rows from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # it follows the primary by replication
