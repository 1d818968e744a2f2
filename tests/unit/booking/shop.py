"""A shop over the in-memory adapters, with every booking use case wired to it."""

import itertools
from datetime import timedelta
from uuid import UUID

from application.booking.cancel_booking import CancelBooking, CancelBookingCommand
from application.booking.checkout import Checkout, CheckoutCommand, CheckoutResult
from application.booking.expire_holds import ExpireHolds, ExpireHoldsCommand, ExpireHoldsResult
from application.booking.handle_payment_event import (
    HandlePaymentEvent,
    HandlePaymentEventResult,
)
from application.booking.hold_seats import HoldLine, HoldSeats, HoldSeatsCommand
from application.booking.ports import StartedPayment
from application.booking.queries import GetBooking, ListBookings
from domain.booking.booking import Booking
from domain.booking.payments import Payment, PaymentEvent, PaymentEventKind
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.confirm import confirm_in
from tests.fakes.booking import (
    InMemoryBookingRepository,
    InMemoryPaymentGateway,
    InMemoryUnitOfWork,
    SequentialReferences,
)
from tests.fakes.booking_reader import InMemoryBookingReader
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository
from tests.fakes.clock import FixedClock
from tests.unit.booking.builders import HOLD_FOR, NOW, a_listing, a_slot, payment_for


class RecordingGateway(InMemoryPaymentGateway):
    """The in-memory provider, also noting every call made to it (failed ones too), so a
    test can tell one call from two calls with the same idempotency key."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []  # (method, idempotency key)

    def start_payment(
        self, *, amount: Money, idempotency_key: str, booking_id: UUID, reference: str
    ) -> StartedPayment:
        self.calls.append(("start_payment", idempotency_key))
        return super().start_payment(
            amount=amount,
            idempotency_key=idempotency_key,
            booking_id=booking_id,
            reference=reference,
        )

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        self.calls.append(("refund", idempotency_key))
        return super().refund(payment_id, amount, idempotency_key)


class Shop:
    """The stores, the fakes and the use cases of one test."""

    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.listings = InMemoryListingRepository()
        self.slot_store = InMemorySlotRepository()
        self.bookings = InMemoryBookingRepository()
        self.published: list[DomainEvent] = []  # the events of every committed unit of work
        self.uow = InMemoryUnitOfWork(
            self.listings, self.slot_store, self.bookings, published=self.published
        )
        self.payments = RecordingGateway()
        self.references = SequentialReferences()
        self.hold_seats = HoldSeats(self.uow, self.clock, self.references, HOLD_FOR)
        reader = InMemoryBookingReader(self.bookings, self.listings, self.slot_store)
        self.get_booking = GetBooking(reader)
        self.list_bookings = ListBookings(reader)
        self.cancel_booking = CancelBooking(self.uow, self.payments, self.clock)
        self.expire_holds = ExpireHolds(self.uow, self.clock)
        self.checkout_booking = Checkout(self.uow, self.payments, self.clock)
        self.handle_payment_event = HandlePaymentEvent(self.uow, self.payments, self.clock)
        self._event_ids = itertools.count(1)

    def listing(self, **kwargs: object) -> Listing:
        listing = a_listing(**kwargs)  # type: ignore[arg-type]
        self.listings.add(listing)
        return listing

    def slot(self, listing: Listing | None = None, **kwargs: object) -> Slot:
        slot = a_slot(listing=listing or self.listing(), **kwargs)  # type: ignore[arg-type]
        self.slot_store.add(slot)
        return slot

    def stored_slot(self, slot: Slot) -> Slot:
        """The slot as the store holds it now (a rollback replaces the stored objects)."""
        return self.slot_store.slots[slot.id]

    def stored(self, booking: Booking) -> Booking:
        return self.bookings.bookings[booking.id]

    def hold(self, *lines: tuple[Slot, int], customer_id: int = 1) -> Booking:
        command = HoldSeatsCommand(
            customer_id, tuple(HoldLine(slot.id, seats) for slot, seats in lines)
        )
        return self.hold_seats(command)

    def confirm(self, booking: Booking, payment: Payment | None = None) -> Booking:
        payment = payment or payment_for(booking)
        return confirm_in(self.uow, booking.id, payment, self.clock.now())

    def cancel(self, booking: Booking, customer_id: int | None = 1) -> Booking:
        return self.cancel_booking(CancelBookingCommand(booking.reference, customer_id))

    def expire(self, batch_size: int = 500) -> ExpireHoldsResult:
        return self.expire_holds(ExpireHoldsCommand(batch_size))

    def wait(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    # ---- payments

    def checkout(self, booking: Booking, customer_id: int | None = None) -> CheckoutResult:
        """Check out as the booking's customer, or as `customer_id` if given."""
        asker = booking.customer_id if customer_id is None else customer_id
        return self.checkout_booking(CheckoutCommand(booking.reference, asker))

    def event(
        self,
        kind: PaymentEventKind | None,
        payment_id: str,
        *,
        amount: Money | None = None,
        booking: Booking | None = None,
        refund_id: str | None = None,
        event_id: str | None = None,
    ) -> PaymentEvent:
        """A provider event as the webhook adapter hands it over, with a fresh event id
        unless given one; `booking` puts its id in the event's metadata."""
        return PaymentEvent(
            provider=self.payments.name,
            event_id=event_id or f"evt_{next(self._event_ids)}",
            kind=kind,
            payment_id=payment_id,
            amount=amount,
            booking_id=booking.id if booking else None,
            occurred_at=self.clock.now(),
            refund_id=refund_id,
        )

    def succeeded(
        self, payment_id: str, amount: Money, *, booking: Booking | None = None
    ) -> PaymentEvent:
        return self.event(
            PaymentEventKind.PAYMENT_SUCCEEDED, payment_id, amount=amount, booking=booking
        )

    def failed(self, payment_id: str, *, booking: Booking | None = None) -> PaymentEvent:
        return self.event(PaymentEventKind.PAYMENT_FAILED, payment_id, booking=booking)

    def refunded(self, payment_id: str, refund_id: str, amount: Money) -> PaymentEvent:
        return self.event(
            PaymentEventKind.REFUND_SUCCEEDED, payment_id, amount=amount, refund_id=refund_id
        )

    def deliver(self, event: PaymentEvent) -> HandlePaymentEventResult:
        return self.handle_payment_event(event)

    def pay(self, booking: Booking) -> HandlePaymentEventResult:
        """Check out and have the provider report the payment of the full total."""
        started = self.checkout(booking)
        return self.deliver(self.succeeded(started.payment_id, started.amount))

    def outcome(self, event: PaymentEvent) -> str | None:
        """What the inbox says became of the event; None if it holds no such event."""
        found = self.uow.inbox.events.get((event.provider, event.event_id))
        return found[1] if found else None

    def note(self, event: PaymentEvent) -> str:
        return self.uow.inbox.events[(event.provider, event.event_id)][2]
