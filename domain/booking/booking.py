"""The Booking aggregate: seats in one or more slots, from hold to its end.

```
(new) --hold--> HELD --confirm--> CONFIRMED --cancel--> CANCELLED (refund by policy)
                 |--cancel----------------------------> CANCELLED (nothing to refund)
                 '--expire (hold lapsed)--------------> EXPIRED   (seats released)
```
Every step moves the seats on the slots involved, so a booking and its slots change
together or not at all. Steps record domain events in `events` for the unit of work.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from domain.booking.errors import (
    CannotCancel,
    CannotCheckout,
    CannotConfirm,
    CannotExpire,
    InvalidBookingRequest,
    PaymentMismatch,
)
from domain.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingHeld,
    PaymentFailed,
    PaymentReturned,
    RefundIssued,
)
from domain.booking.payments import (
    Payment,
    PaymentAttempt,
    PaymentDecision,
    PaymentStatus,
    ReturnedPayment,
    ReturnReason,
)
from domain.booking.refunds import Refund, refund_for_line
from domain.catalog.errors import NotEnoughSeats
from domain.catalog.policy import CancellationPolicy
from domain.catalog.slot import Slot
from domain.shared.errors import Fault
from domain.shared.events import DomainEvent
from domain.shared.money import Money

MIN_SEATS_PER_LINE = 1
MAX_SEATS_PER_LINE = 10
MAX_LINES = 5


class BookingStatus(enum.StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@attrs.frozen
class BookingLine:
    slot_id: UUID
    seats: int
    unit_price: Money

    @property
    def subtotal(self) -> Money:
        return self.unit_price.times(self.seats)


@attrs.frozen
class SeatRequest:
    """`seats` seats in `slot`, as asked for by the customer."""

    slot: Slot
    seats: int


@attrs.define
class Booking:
    id: UUID
    reference: str
    customer_id: int
    lines: tuple[BookingLine, ...]
    status: BookingStatus
    created_at: datetime
    expires_at: datetime
    payment: Payment | None = None
    refund: Refund | None = None
    attempts: list[PaymentAttempt] = attrs.field(factory=list)
    returned: list[ReturnedPayment] = attrs.field(factory=list)
    events: list[DomainEvent] = attrs.field(factory=list, eq=False, repr=False)

    @classmethod
    def hold(
        cls,
        *,
        id: UUID,
        reference: str,
        customer_id: int,
        requests: Sequence[SeatRequest],
        now: datetime,
        hold_for: timedelta,
    ) -> Booking:
        """Hold seats in each requested slot for `hold_for`, or refuse the whole request."""
        _check_requests(requests, now)
        # Every slot is checked before any is touched, so a refused request leaves
        # all of them as they were (each slot appears once, so the checks are independent).
        for request in requests:
            if request.seats > request.slot.seats_available:
                raise NotEnoughSeats(request.slot.id, request.seats, request.slot.seats_available)
        for request in requests:
            request.slot.hold(request.seats)
        booking = cls(
            id=id,
            reference=reference,
            customer_id=customer_id,
            lines=tuple(BookingLine(r.slot.id, r.seats, r.slot.price) for r in requests),
            status=BookingStatus.HELD,
            created_at=now,
            expires_at=now + hold_for,
        )
        booking.events.append(BookingHeld(now, id, reference))
        return booking

    def renumber(self, reference: str) -> None:
        """Take another reference: the first was already taken. Only a booking that no
        one has seen yet (just held, unsaved) may be renumbered."""
        self.reference = reference
        self.events = [
            attrs.evolve(event, reference=reference) if isinstance(event, BookingHeld) else event
            for event in self.events
        ]

    @property
    def total(self) -> Money:
        return total_of(self.lines)

    @property
    def slot_ids(self) -> list[UUID]:
        return sorted(line.slot_id for line in self.lines)

    def hold_has_lapsed(self, now: datetime) -> bool:
        return self.status is BookingStatus.HELD and now >= self.expires_at

    def confirm(self, payment: Payment, slots: Mapping[UUID, Slot], now: datetime) -> None:
        """The booking is paid: its held seats become booked."""
        if self.status is not BookingStatus.HELD:
            raise CannotConfirm("confirm", self.reference, self.status)
        if payment.amount != self.total:
            raise PaymentMismatch(
                f"Payment of {payment.amount} does not match booking {self.reference} "
                f"total of {self.total}."
            )
        for line in self.lines:
            slots[line.slot_id].commit(line.seats)
        self.status = BookingStatus.CONFIRMED
        self.payment = payment
        self.events.append(BookingConfirmed(now, self.id, self.reference))

    def cancel(
        self,
        slots: Mapping[UUID, Slot],
        policies: Mapping[UUID, CancellationPolicy],
        now: datetime,
    ) -> Refund | None:
        """Give the seats back; a paid booking earns the refund its slots' policies allow.

        Returns the refund due (to be issued through the payment provider), if any.
        """
        if self.status is BookingStatus.HELD:
            for line in self.lines:
                slots[line.slot_id].release(line.seats)
            refund = None
        elif self.status is BookingStatus.CONFIRMED:
            for line in self.lines:
                slots[line.slot_id].release_booked(line.seats)
            refund = self._refund_due(slots, policies, now)
        else:
            raise CannotCancel("cancel", self.reference, self.status)
        self.status = BookingStatus.CANCELLED
        self.refund = refund
        refunded = refund.amount if refund else None
        self.events.append(BookingCancelled(now, self.id, self.reference, refunded))
        return refund

    def record_refund(self, refund_id: str, now: datetime) -> None:
        """The provider has accepted the refund decided at cancellation."""
        if self.refund is None:
            raise CannotCancel("record a refund for", self.reference, self.status)
        self.refund = attrs.evolve(self.refund, refund_id=refund_id)
        self.events.append(
            RefundIssued(now, self.id, self.reference, self.refund.amount, refund_id)
        )

    # ---- payments

    def pending_attempt(self) -> PaymentAttempt | None:
        """The payment the customer may still complete, so checkout can reuse it."""
        pending = [a for a in self.attempts if a.status is PaymentStatus.PENDING]
        return pending[-1] if pending else None

    def start_payment(self, attempt: PaymentAttempt, now: datetime) -> None:
        """Record a payment started at the provider; only an unlapsed hold can be paid."""
        self.check_payable(now)
        self.attempts.append(attempt)

    def check_payable(self, now: datetime) -> None:
        if self.status is not BookingStatus.HELD or self.hold_has_lapsed(now):
            status = "expired" if self.status is BookingStatus.HELD else self.status
            raise CannotCheckout("pay for", self.reference, status)

    def payment_failed(self, payment_id: str, now: datetime) -> bool:
        """A declined payment leaves the booking held; the customer may try again.

        False when the news is stale: the same payment already succeeded or failed.
        """
        if self.has_applied(payment_id) or any(
            a.payment_id == payment_id and a.status is not PaymentStatus.PENDING
            for a in self.attempts
        ):
            return False
        for attempt in self.attempts:
            if attempt.payment_id == payment_id:
                attempt.status = PaymentStatus.FAILED
        self.events.append(PaymentFailed(now, self.id, self.reference, payment_id))
        return True

    def payment_succeeded(
        self, payment: Payment, slots: Mapping[UUID, Slot], now: datetime
    ) -> PaymentDecision:
        """Decide what a succeeded payment does to this booking.

        - held, right amount: confirmed, its held seats booked;
        - seen before (the confirming payment or one already returned): nothing again;
        - wrong amount or currency: returned in full, booking untouched;
        - booking already paid by another payment: returned in full;
        - hold expired: confirmed again if every seat can be re-held before its slot
          starts, else returned;
        - an id this booking started at *another* provider: not ours, nothing changes;
        - booking cancelled: returned in full.
        """
        if self.has_applied(payment.payment_id):
            return PaymentDecision.ALREADY_APPLIED
        started = [a for a in self.attempts if a.payment_id == payment.payment_id]
        if started and all(a.provider != payment.provider for a in started):
            return PaymentDecision.NOT_OURS  # the id belongs to another provider's payment
        for attempt in self.attempts:
            if attempt.payment_id == payment.payment_id:
                attempt.status = PaymentStatus.SUCCEEDED
        if payment.amount != self.total:
            return self._return(payment, ReturnReason.AMOUNT_MISMATCH, now)
        if self.status is BookingStatus.HELD:
            self.confirm(payment, slots, now)
            return PaymentDecision.CONFIRMED
        if self.status is BookingStatus.CONFIRMED:
            return self._return(payment, ReturnReason.ALREADY_PAID, now)
        if self.status is BookingStatus.EXPIRED:
            if all(
                slots[line.slot_id].seats_available >= line.seats
                and not slots[line.slot_id].has_started(now)
                for line in self.lines
            ):
                for line in self.lines:
                    slots[line.slot_id].hold(line.seats)
                self.status = BookingStatus.HELD
                self.confirm(payment, slots, now)
                return PaymentDecision.CONFIRMED
            return self._return(payment, ReturnReason.SOLD_OUT_AFTER_EXPIRY, now)
        return self._return(payment, ReturnReason.BOOKING_CANCELLED, now)

    def record_return(self, payment_id: str, refund_id: str, now: datetime) -> None:
        """The provider accepted the refund of a returned payment."""
        for index, returned in enumerate(self.returned):
            if returned.payment.payment_id == payment_id:
                self.returned[index] = attrs.evolve(returned, refund_id=refund_id)
                self.events.append(
                    RefundIssued(now, self.id, self.reference, returned.payment.amount, refund_id)
                )

    def knows_refund(self, refund_id: str) -> bool:
        return (self.refund is not None and self.refund.refund_id == refund_id) or any(
            returned.refund_id == refund_id for returned in self.returned
        )

    def has_applied(self, payment_id: str) -> bool:
        """This payment confirmed the booking or was returned: news of it is old."""
        confirmed_by = self.payment.payment_id if self.payment else None
        return payment_id == confirmed_by or any(
            returned.payment.payment_id == payment_id for returned in self.returned
        )

    def _return(self, payment: Payment, reason: ReturnReason, now: datetime) -> PaymentDecision:
        self.returned.append(ReturnedPayment(payment, reason))
        self.events.append(
            PaymentReturned(
                now, self.id, self.reference, payment.payment_id, payment.amount, reason
            )
        )
        return PaymentDecision.RETURNED

    def expire(self, slots: Mapping[UUID, Slot], now: datetime) -> None:
        """The hold lapsed unpaid: the seats go back on sale."""
        if not self.hold_has_lapsed(now):
            raise CannotExpire("expire", self.reference, self.status)
        for line in self.lines:
            slots[line.slot_id].release(line.seats)
        self.status = BookingStatus.EXPIRED
        self.events.append(BookingExpired(now, self.id, self.reference))

    def _refund_due(
        self, slots: Mapping[UUID, Slot], policies: Mapping[UUID, CancellationPolicy], now: datetime
    ) -> Refund | None:
        refunds = [
            refund_for_line(
                line.subtotal, policies[line.slot_id], slots[line.slot_id].starts_at, now
            )
            for line in self.lines
        ]
        amount = sum((money for money, _ in refunds[1:]), start=refunds[0][0])
        if amount.amount == 0:
            return None
        percents = {percent for _, percent in refunds}
        # One tier for every line (the usual case) gives that tier's percent; lines in
        # different tiers report the share of the total that comes back, rounded down.
        percent = (
            percents.pop() if len(percents) == 1 else int(amount.amount * 100 / self.total.amount)
        )
        return Refund(amount, percent)


def total_of(lines: Sequence[BookingLine]) -> Money:
    """What a booking's lines come to: every reader of a booking shows this figure."""
    amounts = [line.subtotal for line in lines]
    return sum(amounts[1:], start=amounts[0])


def check_line_count(lines: int) -> None:
    """A booking has 1 to MAX_LINES lines."""
    if not 1 <= lines <= MAX_LINES:
        raise InvalidBookingRequest(
            f"A booking has 1 to {MAX_LINES} lines.",
            Fault("lines", f"Give 1 to {MAX_LINES} lines."),
        )


def _check_requests(requests: Sequence[SeatRequest], now: datetime) -> None:
    """The rules a new booking's lines must meet, reported per line as field errors."""
    check_line_count(len(requests))
    faults: list[Fault] = []
    seen: set[UUID] = set()
    for index, request in enumerate(requests):
        if not MIN_SEATS_PER_LINE <= request.seats <= MAX_SEATS_PER_LINE:
            faults.append(
                Fault(
                    "seats",
                    f"Book {MIN_SEATS_PER_LINE} to {MAX_SEATS_PER_LINE} seats per slot.",
                    line=index,
                )
            )
        if not request.slot.on_sale:
            faults.append(unknown_slot(index))
        elif request.slot.id in seen:
            faults.append(
                Fault("slot", "Each slot appears once; ask for more seats instead.", line=index)
            )
        elif request.slot.has_started(now):
            faults.append(Fault("slot", "This slot has already started.", line=index))
        seen.add(request.slot.id)
    currencies = {request.slot.price.currency for request in requests}
    if len(currencies) > 1:
        faults.append(
            Fault("lines", f"All slots of a booking share one currency, not {sorted(currencies)}.")
        )
    if faults:
        raise InvalidBookingRequest("The booking request breaks the booking rules.", *faults)


def unknown_slot(line: int) -> Fault:
    """The fault of a line whose slot does not exist or is not on sale: one message for
    both, so a caller cannot tell an unpublished slot from a missing one."""
    return Fault("slot", "No bookable slot has this id.", line=line)
