"""What the booking use cases need from the outside world."""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol
from uuid import UUID

import attrs

from application.shared.ports import UnitOfWork
from domain.booking.booking import Booking
from domain.booking.payments import PaymentEvent
from domain.catalog.policy import CancellationPolicy
from domain.catalog.slot import Slot
from domain.shared.money import Money


class DuplicateReference(Exception):
    """`BookingRepository.add` was given a reference another booking has."""


class BookingRepository(Protocol):
    def add(self, booking: Booking) -> None:
        """Store a new booking; raises DuplicateReference if its reference is taken."""
        ...

    def save(self, booking: Booking) -> None:
        """Store a changed booking (its status, payment and refund; lines never change)."""
        ...

    def get_for_update(self, reference: str, customer_id: int | None) -> Booking | None:
        """The booking, locked until the unit of work ends; None if missing or not the
        customer's. `customer_id=None` is an operator acting for any customer."""
        ...

    def get_by_id_for_update(self, booking_id: UUID) -> Booking | None: ...

    def get_by_payment_for_update(self, payment_id: str) -> Booking | None:
        """The booking a payment was started for (or confirmed by), locked."""
        ...

    def lapsed_hold_ids(self, now: datetime, limit: int) -> list[UUID]:
        """Ids of held bookings whose hold ended at or before `now`, oldest first."""
        ...

    def seen(self) -> Iterable[Booking]:
        """Bookings loaded or added in this unit of work, for collecting their events."""
        ...


class SlotInventory(Protocol):
    """The seats of bookable slots, locked while a unit of work moves them."""

    def lock(self, slot_ids: Iterable[UUID]) -> dict[UUID, Slot]:
        """The slots among `slot_ids` that exist (unknown ids are left out), locked in
        ascending id order so that concurrent bookings over the same slots never
        deadlock. A slot whose listing is unpublished comes back with `on_sale=False`."""
        ...

    def policies(self, slot_ids: Iterable[UUID]) -> dict[UUID, CancellationPolicy]:
        """The cancellation policy of each slot's listing."""
        ...

    def save(self, slots: Iterable[Slot]) -> None: ...


class PaymentInbox(Protocol):
    """Every provider event, recorded once, in the same transaction as its effect."""

    def record(self, event: PaymentEvent) -> bool:
        """Store the event; False if this provider sent this event id before."""
        ...

    def resolve(
        self, event: PaymentEvent, outcome: str, note: str = "", booking_id: UUID | None = None
    ) -> None:
        """Say what became of the event (applied, ignored, deferred, unmatched, ...) and
        which booking it concerned."""
        ...

    def deferred_for(self, provider: str, payment_id: str) -> list[PaymentEvent]:
        """Events set aside until the payment they depend on has been applied."""
        ...


class BookingUnitOfWork(UnitOfWork, Protocol):
    """Commits atomically; just before, its event handlers run (unit_of_work.py)."""

    bookings: BookingRepository
    slots: SlotInventory
    inbox: PaymentInbox


class ReferenceGenerator(Protocol):
    def next_reference(self) -> str:
        """A fresh `PS-XXXXXX` reference."""
        ...


@attrs.frozen
class StartedPayment:
    provider: str
    payment_id: str
    pay_url: str


class PaymentGateway(Protocol):
    """The payment provider: start a payment, refund one. Adapters: sandbox, Stripe."""

    name: str

    def start_payment(
        self, *, amount: Money, idempotency_key: str, booking_id: UUID, reference: str
    ) -> StartedPayment:
        """Create a payment the customer completes at `pay_url`; the same key returns
        the same payment."""
        ...

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        """Refund `amount` of a payment; the same key never refunds twice. Returns the
        provider's refund id."""
        ...
