"""The booking ports over dictionaries, with the same behaviour as the Django adapters
(tests/contract holds both to it), including rollback when a unit of work is not
committed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from application.booking.ports import DuplicateReference, StartedPayment
from application.booking.unit_of_work import CollectsEvents, EventHandler
from application.shared.errors import ServiceUnavailable
from domain.booking.booking import Booking, BookingStatus
from domain.booking.payments import PaymentEvent
from domain.booking.reference import ALPHABET
from domain.catalog.policy import CancellationPolicy
from domain.catalog.slot import Slot
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository
from tests.fakes.transaction import InMemoryTransaction


def _copy(booking: Booking) -> Booking:
    """An independent booking without its pending events: new lists, and new payment
    attempts (the only parts changed in place); the frozen values are shared."""
    return attrs.evolve(
        booking,
        attempts=[attrs.evolve(attempt) for attempt in booking.attempts],
        returned=list(booking.returned),
        events=[],
    )


class InMemoryBookingRepository:
    """Stores copies and hands out copies, as a database does: a change is kept only
    when it is saved (and its unit of work commits)."""

    def __init__(self) -> None:
        self.bookings: dict[UUID, Booking] = {}
        self._seen: dict[UUID, Booking] = {}

    def add(self, booking: Booking) -> None:
        if any(stored.reference == booking.reference for stored in self.bookings.values()):
            raise DuplicateReference(booking.reference)
        self.bookings[booking.id] = _copy(booking)
        self._seen[booking.id] = booking

    def save(self, booking: Booking) -> None:
        self.bookings[booking.id] = _copy(booking)
        self._seen[booking.id] = booking

    def get_for_update(self, reference: str, customer_id: int | None) -> Booking | None:
        for stored in self.bookings.values():
            if stored.reference == reference and customer_id in (None, stored.customer_id):
                booking = self._seen[stored.id] = _copy(stored)
                return booking
        return None

    def get_by_id_for_update(self, booking_id: UUID) -> Booking | None:
        stored = self.bookings.get(booking_id)
        if stored is None:
            return None
        booking = self._seen[stored.id] = _copy(stored)
        return booking

    def get_by_payment_for_update(self, payment_id: str) -> Booking | None:
        for stored in self.bookings.values():
            started = any(attempt.payment_id == payment_id for attempt in stored.attempts)
            if started or (stored.payment is not None and stored.payment.payment_id == payment_id):
                booking = self._seen[stored.id] = _copy(stored)
                return booking
        return None

    def lapsed_hold_ids(self, now: datetime, limit: int) -> list[UUID]:
        lapsed = sorted(
            (
                booking
                for booking in self.bookings.values()
                if booking.status is BookingStatus.HELD and booking.expires_at <= now
            ),
            key=lambda booking: (booking.expires_at, str(booking.id)),
        )
        return [booking.id for booking in lapsed[:limit]]

    def seen(self) -> Iterable[Booking]:
        return self._seen.values()

    def forget_seen(self) -> None:
        self._seen = {}


class InMemorySlotInventory:
    def __init__(self, listings: InMemoryListingRepository, slots: InMemorySlotRepository) -> None:
        self._listings = listings
        self._slots = slots

    def lock(self, slot_ids: Iterable[UUID]) -> dict[UUID, Slot]:
        found = {}
        for slot_id in sorted(set(slot_ids), key=str):
            slot = self._slots.slots.get(slot_id)
            if slot is not None:  # a copy: kept only when saved
                listing = self._listings.listings[slot.listing_id]
                found[slot_id] = attrs.evolve(slot, on_sale=listing.is_published)
        return found

    def policies(self, slot_ids: Iterable[UUID]) -> dict[UUID, CancellationPolicy]:
        return {
            slot_id: self._listings.listings[
                self._slots.slots[slot_id].listing_id
            ].cancellation_policy
            for slot_id in slot_ids
        }

    def save(self, slots: Iterable[Slot]) -> None:
        for slot in slots:
            self._slots.slots[slot.id] = attrs.evolve(slot)


class InMemoryPaymentInbox:
    def __init__(self) -> None:
        self.events: dict[tuple[str, str], tuple[PaymentEvent, str, str, UUID | None]] = {}

    def record(self, event: PaymentEvent) -> bool:
        key = (event.provider, event.event_id)
        if key in self.events:
            return False
        self.events[key] = (event, "received", "", None)
        return True

    def resolve(
        self, event: PaymentEvent, outcome: str, note: str = "", booking_id: UUID | None = None
    ) -> None:
        key = (event.provider, event.event_id)
        self.events[key] = (event, outcome, note, booking_id or self.events[key][3])

    def deferred_for(self, provider: str, payment_id: str) -> list[PaymentEvent]:
        return [
            event
            for event, outcome, _, _ in self.events.values()
            if (event.provider, event.payment_id, outcome) == (provider, payment_id, "deferred")
        ]

    def outcome(self, provider: str, event_id: str) -> str:
        return self.events[(provider, event_id)][1]


class InMemoryUnitOfWork(InMemoryTransaction, CollectsEvents):
    """Snapshots the stores on entry and restores them unless `commit()` was called.
    Committing runs the event handlers first, as the Django unit of work does inside its
    transaction: a handler that fails undoes the whole unit. `published` collects the
    events of every committed unit (share one list to watch several units of work)."""

    def __init__(
        self,
        listings: InMemoryListingRepository | None = None,
        slots: InMemorySlotRepository | None = None,
        bookings: InMemoryBookingRepository | None = None,
        inbox: InMemoryPaymentInbox | None = None,
        handlers: Sequence[EventHandler] = (),
        published: list[DomainEvent] | None = None,
    ) -> None:
        super().__init__(handlers)
        self.listings = listings or InMemoryListingRepository()
        self.slot_store = slots or InMemorySlotRepository()
        self.bookings = bookings or InMemoryBookingRepository()
        self.slots = InMemorySlotInventory(self.listings, self.slot_store)
        # Shared like the other stores when given, so several units of work see one inbox.
        self.inbox = inbox if inbox is not None else InMemoryPaymentInbox()
        self.committed = 0
        self.published: list[DomainEvent] = published if published is not None else []

    def seen_bookings(self) -> Iterable[Booking]:
        return self.bookings.seen()

    def _snapshot(self) -> tuple[Any, ...]:
        self.bookings.forget_seen()
        return (
            dict(self.bookings.bookings),
            dict(self.slot_store.slots),
            dict(self.inbox.events),
        )

    def _restore(self, saved: tuple[Any, ...]) -> None:
        self.bookings.bookings, self.slot_store.slots, self.inbox.events = saved
        self.bookings.forget_seen()

    def _finish(self) -> None:
        events = self.handle_new_events()
        self.committed += 1
        self.published.extend(events)
        self.bookings.forget_seen()


class InMemoryPaymentGateway:
    """Records payments and refunds; the same idempotency key returns the first result."""

    name = "fake"

    def __init__(self) -> None:
        self.payments: dict[str, StartedPayment] = {}
        self.refunds: dict[str, tuple[str, Money]] = {}
        self.fail_next = False

    def start_payment(
        self, *, amount: Money, idempotency_key: str, booking_id: UUID, reference: str
    ) -> StartedPayment:
        self._maybe_fail()
        if idempotency_key not in self.payments:
            payment_id = f"pay_{len(self.payments) + 1}"
            self.payments[idempotency_key] = StartedPayment(
                self.name, payment_id, f"https://pay.invalid/{payment_id}"
            )
        return self.payments[idempotency_key]

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ServiceUnavailable("The payment provider did not answer.")

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        self._maybe_fail()
        if idempotency_key not in self.refunds:
            self.refunds[idempotency_key] = (payment_id, amount)
        return f"re_{idempotency_key}"


class SequentialReferences:
    """Predictable references for tests: PS-AAAAAC, PS-AAAAAD, ..."""

    def __init__(self) -> None:
        self._count = 0

    def next_reference(self) -> str:
        self._count += 1
        digits, n = [], self._count
        for _ in range(6):
            n, remainder = divmod(n, len(ALPHABET))
            digits.append(ALPHABET[remainder])
        return "PS-" + "".join(reversed(digits))
