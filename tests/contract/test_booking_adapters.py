"""One contract, two implementations: the booking repository, the slot inventory and the
unit of work in memory (what the unit tests trust) and over the Django ORM (what
production runs) must behave alike.

Every test runs once per backend. A backend knows how to put catalogue rows and
customers in place and how to read what was stored *outside* any unit of work, so the
tests see what a later request would see.
"""

import copy
import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest

from adapters.booking.queries import DjangoBookingReader
from adapters.booking.repositories import DjangoBookingRepository
from adapters.booking.unit_of_work import DjangoUnitOfWork
from application.booking.ports import (
    BookingUnitOfWork,
    DuplicateReference,
)
from application.booking.queries import BookingReader
from domain.booking.booking import Booking, BookingLine, BookingStatus, Payment, SeatRequest
from domain.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingHeld,
    PaymentFailed,
    RefundIssued,
)
from domain.booking.payments import (
    PaymentAttempt,
    PaymentEvent,
    PaymentEventKind,
    PaymentStatus,
    ReturnedPayment,
    ReturnReason,
)
from domain.booking.refunds import Refund
from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.fakes.booking import (
    InMemoryBookingRepository,
    InMemoryPaymentInbox,
    InMemoryUnitOfWork,
    SequentialReferences,
)
from tests.fakes.booking_reader import InMemoryBookingReader
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository

NOW = datetime(2030, 6, 1, 9, 0, 0, 123456, tzinfo=UTC)  # microseconds must survive too
HOLD_FOR = timedelta(minutes=15)
FLEXIBLE = CancellationPolicy((RefundTier(48, 100), RefundTier(24, 50)))
STRICT = CancellationPolicy((RefundTier(168, 50),))


class Backend:
    """Stores, a unit of work and one event handler that records what it is given."""

    name: str

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []
        self.references = SequentialReferences()

    def record(self, events: list[DomainEvent], bookings: object) -> None:
        """The one handler of these units of work: it keeps what it is given."""
        self.published.extend(events)

    def uow(self) -> BookingUnitOfWork:
        raise NotImplementedError

    def reader(self) -> BookingReader:
        """The read side over what the units of work stored."""
        raise NotImplementedError

    def listing(
        self,
        *,
        published: bool = True,
        currency: str = "EUR",
        policy: CancellationPolicy = FLEXIBLE,
        title: str = "Harbour walk",
        location: str = "Lisbon",
    ) -> UUID:
        raise NotImplementedError

    def slot(
        self,
        listing_id: UUID,
        *,
        starts_in: timedelta = timedelta(days=3),
        capacity: int = 10,
        price: str = "25.00",
        held: int = 0,
        booked: int = 0,
    ) -> UUID:
        raise NotImplementedError

    def customer(self) -> int:
        raise NotImplementedError

    def counters(self, slot_id: UUID) -> tuple[int, int]:
        """(held, booked) of a slot as stored now."""
        raise NotImplementedError

    def stored(self, reference: str, customer_id: int) -> Booking | None:
        raise NotImplementedError

    def events_delivered(self) -> AbstractContextManager[Any]:
        """A block at whose end committed work has handed its events to the handlers."""
        raise NotImplementedError

    def inbox_row(self, provider: str, event_id: str) -> tuple[str, UUID | None] | None:
        """(outcome, booking id) of a provider event as the inbox holds it now, if at all."""
        raise NotImplementedError


class MemoryBackend(Backend):
    name = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.listings = InMemoryListingRepository()
        self.slots = InMemorySlotRepository()
        self.bookings = InMemoryBookingRepository()
        self.inbox = InMemoryPaymentInbox()
        self._customers = itertools.count(1)

    def uow(self) -> BookingUnitOfWork:
        return InMemoryUnitOfWork(
            self.listings, self.slots, self.bookings, self.inbox, handlers=[self.record]
        )

    def reader(self) -> BookingReader:
        return InMemoryBookingReader(self.bookings, self.listings, self.slots)

    def listing(
        self,
        *,
        published: bool = True,
        currency: str = "EUR",
        policy: CancellationPolicy = FLEXIBLE,
        title: str = "Harbour walk",
        location: str = "Lisbon",
    ) -> UUID:
        listing = Listing(uuid4(), title, "", location, currency, policy, published)
        self.listings.add(listing)
        return listing.id

    def slot(
        self,
        listing_id: UUID,
        *,
        starts_in: timedelta = timedelta(days=3),
        capacity: int = 10,
        price: str = "25.00",
        held: int = 0,
        booked: int = 0,
    ) -> UUID:
        currency = self.listings.listings[listing_id].currency
        slot = Slot(
            uuid4(),
            listing_id,
            NOW + starts_in,
            NOW + starts_in + timedelta(hours=2),
            capacity,
            Money(price, currency),
            held,
            booked,
        )
        self.slots.add(slot)
        return slot.id

    def customer(self) -> int:
        return next(self._customers)

    def counters(self, slot_id: UUID) -> tuple[int, int]:
        slot = self.slots.slots[slot_id]
        return slot.seats_held, slot.seats_booked

    def stored(self, reference: str, customer_id: int) -> Booking | None:
        return next(
            (
                copy.deepcopy(booking)  # a copy, as a read from a database is
                for booking in self.bookings.bookings.values()
                if (booking.reference, booking.customer_id) == (reference, customer_id)
            ),
            None,
        )

    @contextmanager
    def events_delivered(self) -> Iterator[None]:
        yield  # the in-memory unit of work publishes as it commits

    def inbox_row(self, provider: str, event_id: str) -> tuple[str, UUID | None] | None:
        found = self.inbox.events.get((provider, event_id))
        return (found[1], found[3]) if found else None


class DjangoBackend(Backend):
    name = "django"

    def __init__(self, capture: Callable[..., AbstractContextManager[Any]]) -> None:
        super().__init__()
        self._capture = capture
        self._customers = itertools.count(1)

    def uow(self) -> BookingUnitOfWork:
        return DjangoUnitOfWork(handlers=[self.record])

    def reader(self) -> BookingReader:
        return DjangoBookingReader()

    def listing(
        self,
        *,
        published: bool = True,
        currency: str = "EUR",
        policy: CancellationPolicy = FLEXIBLE,
        title: str = "Harbour walk",
        location: str = "Lisbon",
    ) -> UUID:
        from adapters.catalog import models

        tiers = [
            {"hours_before": tier.hours_before, "refund_percent": tier.refund_percent}
            for tier in policy.tiers
        ]
        row = models.Listing.objects.create(
            title=title,
            location=location,
            currency=currency,
            cancellation_policy=tiers,
            is_published=published,
        )
        return row.id

    def slot(
        self,
        listing_id: UUID,
        *,
        starts_in: timedelta = timedelta(days=3),
        capacity: int = 10,
        price: str = "25.00",
        held: int = 0,
        booked: int = 0,
    ) -> UUID:
        from adapters.catalog import models

        row = models.Slot.objects.create(
            listing_id=listing_id,
            starts_at=NOW + starts_in,
            ends_at=NOW + starts_in + timedelta(hours=2),
            capacity=capacity,
            price_amount=Decimal(price),
            seats_held=held,
            seats_booked=booked,
        )
        return row.id

    def customer(self) -> int:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username=f"customer-{next(self._customers)}")
        return int(user.pk)

    def counters(self, slot_id: UUID) -> tuple[int, int]:
        from adapters.catalog import models

        held, booked = models.Slot.objects.values_list("seats_held", "seats_booked").get(id=slot_id)
        return held, booked

    def stored(self, reference: str, customer_id: int) -> Booking | None:
        return DjangoBookingRepository().get_for_update(reference, customer_id)

    def events_delivered(self) -> AbstractContextManager[Any]:
        # The test runs inside a transaction that never commits, so on_commit callbacks
        # would never run; pytest-django's fixture captures and runs them at the end.
        return self._capture(execute=True)

    def inbox_row(self, provider: str, event_id: str) -> tuple[str, UUID | None] | None:
        from adapters.booking import models

        row = models.ProviderEvent.objects.filter(provider=provider, event_id=event_id).first()
        return (row.outcome, row.booking_id) if row else None


# The mark makes pytest-django create the test database before the test asks for `db`.
BACKENDS = ["memory", pytest.param("django", marks=pytest.mark.django_db)]


def backend_for(request: pytest.FixtureRequest) -> Backend:
    """The backend a fixture parametrized with BACKENDS stands for in this test."""
    if request.param == "django":
        request.getfixturevalue("db")
        return DjangoBackend(request.getfixturevalue("django_capture_on_commit_callbacks"))
    return MemoryBackend()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_for(request)


# ---------------------------------------------------------------- helpers


def hold(
    backend: Backend, customer_id: int, *lines: tuple[UUID, int], now: datetime = NOW
) -> Booking:
    """Hold seats as the HoldSeats use case does, and commit."""
    with backend.uow() as uow:
        slots = uow.slots.lock(slot_id for slot_id, _ in lines)
        booking = Booking.hold(
            id=uuid4(),
            reference=backend.references.next_reference(),
            customer_id=customer_id,
            requests=[SeatRequest(slots[slot_id], seats) for slot_id, seats in lines],
            now=now,
            hold_for=HOLD_FOR,
        )
        uow.slots.save(slots.values())
        uow.bookings.add(booking)
        uow.commit()
    return booking


def a_booking(
    backend: Backend,
    customer_id: int,
    slot_id: UUID,
    *,
    status: BookingStatus = BookingStatus.HELD,
    created_at: datetime = NOW,
    expires_at: datetime | None = None,
) -> Booking:
    """A booking stored as it is, seats untouched: for what the repository reads back."""
    line = BookingLine(slot_id, 1, Money("25.00", "EUR"))
    paid = status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)
    booking = Booking(
        id=uuid4(),
        reference=backend.references.next_reference(),
        customer_id=customer_id,
        lines=(line,),
        status=status,
        created_at=created_at,
        expires_at=expires_at or created_at + HOLD_FOR,
        payment=Payment("sandbox", f"pay_{uuid4().hex}", line.subtotal) if paid else None,
    )
    with backend.uow() as uow:
        uow.bookings.add(booking)
        uow.commit()
    return booking


# ---------------------------------------------------------------- the booking repository


PAYMENT = Payment("sandbox", "pay_123", Money("62.50", "EUR"))


@pytest.mark.parametrize(
    ("status", "payment", "refund"),
    [
        pytest.param(BookingStatus.HELD, None, None, id="held"),
        pytest.param(BookingStatus.EXPIRED, None, None, id="expired"),
        pytest.param(BookingStatus.CONFIRMED, PAYMENT, None, id="confirmed"),
        pytest.param(BookingStatus.CANCELLED, PAYMENT, None, id="cancelled, nothing back"),
        pytest.param(
            BookingStatus.CANCELLED,
            PAYMENT,
            Refund(Money("31.25", "EUR"), 50),
            id="cancelled, refund due",
        ),
        pytest.param(
            BookingStatus.CANCELLED,
            PAYMENT,
            Refund(Money("31.25", "EUR"), 50, "re_123"),
            id="cancelled, refunded",
        ),
    ],
)
def test_an_added_booking_reads_back_whole(
    backend: Backend, status: BookingStatus, payment: Payment | None, refund: Refund | None
) -> None:
    customer = backend.customer()
    listing = backend.listing()
    first, second = backend.slot(listing), backend.slot(listing, price="12.50")
    booking = Booking(
        id=uuid4(),
        reference="PS-7K3F9Q",
        customer_id=customer,
        lines=(
            BookingLine(second, 3, Money("12.50", "EUR")),  # not in slot order: kept as given
            BookingLine(first, 1, Money("25.00", "EUR")),
        ),
        status=status,
        created_at=NOW,
        expires_at=NOW + HOLD_FOR,
        payment=payment,
        refund=refund,
    )
    with backend.uow() as uow:
        uow.bookings.add(booking)
        uow.commit()

    stored = backend.stored("PS-7K3F9Q", customer)

    assert stored == booking
    assert stored is not None
    assert stored.total == Money("62.50", "EUR")
    assert (stored.created_at, stored.expires_at) == (NOW, NOW + HOLD_FOR)


def test_a_yen_booking_reads_back_in_whole_yen(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing(currency="JPY"), price="1253")

    booking = hold(backend, customer, (slot, 2))

    stored = backend.stored(booking.reference, customer)
    assert stored == booking
    assert stored is not None
    assert stored.total == Money("2506", "JPY")
    assert stored.total.amount.as_tuple().exponent == 0


def test_saving_keeps_each_step_of_the_booking(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing(), starts_in=timedelta(hours=36))
    booking = hold(backend, customer, (slot, 2))
    payment = Payment("sandbox", "pay_1", Money("50.00", "EUR"))

    with backend.uow() as uow:
        found = uow.bookings.get_for_update(booking.reference, customer)
        assert found is not None
        slots = uow.slots.lock(found.slot_ids)
        found.confirm(payment, slots, NOW)
        uow.slots.save(slots.values())
        uow.bookings.save(found)
        uow.commit()

    confirmed = backend.stored(booking.reference, customer)
    assert confirmed is not None
    assert (confirmed.status, confirmed.payment) == (BookingStatus.CONFIRMED, payment)
    assert backend.counters(slot) == (0, 2)

    with backend.uow() as uow:
        found = uow.bookings.get_for_update(booking.reference, customer)
        assert found is not None
        slots = uow.slots.lock(found.slot_ids)
        found.cancel(slots, uow.slots.policies(found.slot_ids), NOW)
        found.record_refund("re_1", NOW)
        uow.slots.save(slots.values())
        uow.bookings.save(found)
        uow.commit()

    cancelled = backend.stored(booking.reference, customer)
    assert cancelled is not None
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.payment == payment
    assert cancelled.refund == Refund(Money("25.00", "EUR"), 50, "re_1")
    assert cancelled.lines == booking.lines
    assert backend.counters(slot) == (0, 0)


def test_get_sees_only_the_customers_own_booking(backend: Backend) -> None:
    owner, other = backend.customer(), backend.customer()
    booking = a_booking(backend, owner, backend.slot(backend.listing()))

    assert backend.stored(booking.reference, owner) == booking
    assert backend.stored(booking.reference, other) is None
    assert backend.stored("PS-ZZZZZZ", owner) is None


def test_get_for_update_finds_a_customers_booking_or_any_for_an_operator(
    backend: Backend,
) -> None:
    owner, other = backend.customer(), backend.customer()
    booking = a_booking(backend, owner, backend.slot(backend.listing()))

    with backend.uow() as uow:
        assert uow.bookings.get_for_update(booking.reference, owner) == booking
        assert uow.bookings.get_for_update(booking.reference, None) == booking
        assert uow.bookings.get_for_update(booking.reference, other) is None
        assert uow.bookings.get_for_update("PS-ZZZZZZ", None) is None
        assert uow.bookings.get_by_id_for_update(booking.id) == booking
        assert uow.bookings.get_by_id_for_update(uuid4()) is None


def test_lapsed_hold_ids_are_the_held_ones_that_ended_oldest_first(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())

    def ending(minutes: int, status: BookingStatus = BookingStatus.HELD) -> Booking:
        end = NOW + timedelta(minutes=minutes)
        return a_booking(backend, customer, slot, status=status, expires_at=end)

    latest, oldest = ending(0), ending(-30)  # one ends exactly now: it has lapsed
    tied = sorted([ending(-10), ending(-10)], key=lambda booking: str(booking.id))
    ending(1)  # still running
    for status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        ending(-60, status)

    with backend.uow() as uow:
        everything = uow.bookings.lapsed_hold_ids(NOW, 100)
        first_two = uow.bookings.lapsed_hold_ids(NOW, 2)
        earlier = uow.bookings.lapsed_hold_ids(NOW - timedelta(minutes=20), 100)

    assert everything == [oldest.id, tied[0].id, tied[1].id, latest.id]
    assert first_two == [oldest.id, tied[0].id]
    assert earlier == [oldest.id]


# ---------------------------------------------------------------- the slot inventory


def test_lock_returns_the_known_slots_in_id_order_unpublished_ones_off_sale(
    backend: Backend,
) -> None:
    published = backend.listing(currency="USD")
    ids = [backend.slot(published, capacity=8, price="40.00", held=2, booked=3) for _ in range(4)]
    hidden = backend.slot(backend.listing(published=False))

    with backend.uow() as uow:
        slots = uow.slots.lock([*ids, hidden, uuid4(), ids[0]])

    assert list(slots) == sorted([*ids, hidden])
    assert [slots[i].on_sale for i in ids] == [True] * 4
    assert slots[hidden].on_sale is False
    slot = slots[ids[0]]
    assert (slot.id, slot.listing_id) == (ids[0], published)
    assert (slot.starts_at, slot.ends_at) == (
        NOW + timedelta(days=3),
        NOW + timedelta(days=3, hours=2),
    )
    assert (slot.capacity, slot.seats_held, slot.seats_booked) == (8, 2, 3)
    assert slot.price == Money("40.00", "USD")


def test_lock_of_nothing_known_is_empty(backend: Backend) -> None:
    with backend.uow() as uow:
        assert uow.slots.lock([]) == {}
        assert uow.slots.lock([uuid4()]) == {}


def test_saved_slots_keep_their_seat_counters(backend: Backend) -> None:
    listing = backend.listing()
    first, second = backend.slot(listing), backend.slot(listing, booked=1)

    with backend.uow() as uow:
        slots = uow.slots.lock([first, second])
        slots[first].hold(3)
        slots[second].hold(4)
        slots[second].commit(2)
        uow.slots.save(slots.values())
        uow.commit()

    assert (backend.counters(first), backend.counters(second)) == ((3, 0), (2, 3))


def test_policies_are_the_cancellation_policies_of_the_slots_listings(backend: Backend) -> None:
    flexible = backend.slot(backend.listing(policy=FLEXIBLE))
    strict = backend.slot(backend.listing(policy=STRICT))
    none = backend.slot(backend.listing(policy=CancellationPolicy.non_refundable()))
    every = [flexible, strict, none]

    with backend.uow() as uow:
        before_lock = uow.slots.policies(every)
        uow.slots.lock(every)
        after_lock = uow.slots.policies([strict])

    assert before_lock == {
        flexible: FLEXIBLE,
        strict: STRICT,
        none: CancellationPolicy.non_refundable(),
    }
    assert after_lock == {strict: STRICT}


# ---------------------------------------------------------------- the unit of work


def test_work_left_without_commit_is_rolled_back(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())
    kept = hold(backend, customer, (slot, 1))
    backend.published.clear()

    with backend.events_delivered(), backend.uow() as uow:
        slots = uow.slots.lock([slot])
        dropped = Booking.hold(
            id=uuid4(),
            reference="PS-DDDDDD",
            customer_id=customer,
            requests=[SeatRequest(slots[slot], 4)],
            now=NOW,
            hold_for=HOLD_FOR,
        )
        uow.slots.save(slots.values())
        uow.bookings.add(dropped)
        found = uow.bookings.get_for_update(kept.reference, customer)
        assert found is not None
        found.confirm(Payment("sandbox", "pay_1", found.total), slots, NOW)
        uow.bookings.save(found)

    assert backend.stored("PS-DDDDDD", customer) is None
    still = backend.stored(kept.reference, customer)
    assert still is not None
    assert (still.status, still.payment) == (BookingStatus.HELD, None)
    assert backend.counters(slot) == (1, 0)
    assert backend.published == []


@pytest.mark.parametrize("committed", [False, True], ids=["before commit", "after commit"])
def test_an_exception_inside_rolls_the_work_back(backend: Backend, committed: bool) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())

    def work() -> None:
        with backend.uow() as uow:
            slots = uow.slots.lock([slot])
            booking = Booking.hold(
                id=uuid4(),
                reference="PS-EEEEEE",
                customer_id=customer,
                requests=[SeatRequest(slots[slot], 2)],
                now=NOW,
                hold_for=HOLD_FOR,
            )
            uow.slots.save(slots.values())
            uow.bookings.add(booking)
            if committed:
                uow.commit()
            raise RuntimeError("boom")

    with backend.events_delivered(), pytest.raises(RuntimeError, match="boom"):
        work()

    assert backend.stored("PS-EEEEEE", customer) is None
    assert backend.counters(slot) == (0, 0)
    assert backend.published == []


def test_the_handlers_get_the_events_of_committed_work_inside_it(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing(), starts_in=timedelta(days=10))

    with backend.events_delivered():
        booking = hold(backend, customer, (slot, 2))
        # Already, inside the outermost transaction (here, the test's): what a handler
        # writes commits or rolls back with the booking.
        assert backend.published == [BookingHeld(NOW, booking.id, booking.reference)]

    assert backend.published == [BookingHeld(NOW, booking.id, booking.reference)]
    assert booking.events == []


def test_events_of_every_booking_the_work_loaded_are_handled(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing(), starts_in=timedelta(days=10))
    first, second = hold(backend, customer, (slot, 1)), hold(backend, customer, (slot, 2))
    backend.published.clear()

    with backend.events_delivered(), backend.uow() as uow:
        one = uow.bookings.get_for_update(first.reference, customer)
        other = uow.bookings.get_by_id_for_update(second.id)
        assert one is not None
        assert other is not None
        slots = uow.slots.lock([slot])
        one.confirm(Payment("sandbox", "pay_1", one.total), slots, NOW)
        other.confirm(Payment("sandbox", "pay_2", other.total), slots, NOW)
        other.cancel(slots, uow.slots.policies([slot]), NOW)
        other.record_refund("re_2", NOW)
        uow.slots.save(slots.values())
        uow.bookings.save(one)
        uow.bookings.save(other)
        uow.commit()

    refund = Money("50.00", "EUR")
    assert sorted(backend.published, key=repr) == sorted(
        [
            BookingConfirmed(NOW, first.id, first.reference),
            BookingConfirmed(NOW, second.id, second.reference),
            BookingCancelled(NOW, second.id, second.reference, refund),
            RefundIssued(NOW, second.id, second.reference, refund, "re_2"),
        ],
        key=repr,
    )
    assert backend.counters(slot) == (0, 1)


def test_only_what_is_saved_is_kept(backend: Backend) -> None:
    """Changing a loaded booking or a locked slot is not enough: `save` stores them."""
    customer = backend.customer()
    slot = backend.slot(backend.listing())
    booking = hold(backend, customer, (slot, 2))

    with backend.uow() as uow:
        found = uow.bookings.get_for_update(booking.reference, customer)
        assert found is not None
        slots = uow.slots.lock([slot])
        found.confirm(Payment("sandbox", "pay_1", found.total), slots, NOW)
        uow.commit()
    read = backend.stored(booking.reference, customer)
    assert read is not None
    read.status = BookingStatus.EXPIRED  # a read is a copy, whatever one does to it

    stored = backend.stored(booking.reference, customer)
    assert stored is not None
    assert (stored.status, stored.payment) == (BookingStatus.HELD, None)
    assert backend.counters(slot) == (2, 0)


def test_a_unit_of_work_can_be_used_again(backend: Backend) -> None:
    slot = backend.slot(backend.listing())
    uow = backend.uow()

    with uow:
        uow.slots.save([_held(uow.slots.lock([slot])[slot], 1)])
    with uow:
        uow.slots.save([_held(uow.slots.lock([slot])[slot], 2)])
        uow.commit()

    assert backend.counters(slot) == (2, 0)


def _held(slot: Slot, seats: int) -> Slot:
    slot.hold(seats)
    return slot


# ---------------------------------------------------------------- payments on the booking


def an_attempt(
    payment_id: str,
    *,
    status: PaymentStatus = PaymentStatus.PENDING,
    amount: str = "50.00",
    at: datetime = NOW,
) -> PaymentAttempt:
    return PaymentAttempt(
        provider="sandbox",
        payment_id=payment_id,
        amount=Money(amount, "EUR"),
        pay_url=f"https://pay.example/{payment_id}",
        status=status,
        created_at=at,
    )


def test_attempts_and_returned_payments_round_trip_through_save(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())
    booking = hold(backend, customer, (slot, 2))  # 50.00 EUR
    first, second = an_attempt("pay_1"), an_attempt("pay_2", at=NOW + timedelta(minutes=1))

    with backend.uow() as uow:
        found = uow.bookings.get_for_update(booking.reference, customer)
        assert found is not None
        found.start_payment(first, NOW)
        uow.bookings.save(found)
        uow.commit()

    stored = backend.stored(booking.reference, customer)
    assert stored is not None
    assert stored.attempts == [first]

    with backend.uow() as uow:
        found = uow.bookings.get_for_update(booking.reference, customer)
        assert found is not None
        found.payment_failed("pay_1", NOW)
        found.start_payment(second, NOW + timedelta(minutes=1))
        uow.bookings.save(found)
        uow.commit()

    stored = backend.stored(booking.reference, customer)
    assert stored is not None
    assert [(a.payment_id, a.status) for a in stored.attempts] == [
        ("pay_1", PaymentStatus.FAILED),
        ("pay_2", PaymentStatus.PENDING),
    ]

    wrong = Payment("sandbox", "pay_2", Money("50.00", "USD"))
    right = Payment("sandbox", "pay_3", Money("50.00", "EUR"))
    twice = Payment("stripe", "pi_4", Money("50.00", "EUR"))
    with backend.uow() as uow:
        found = uow.bookings.get_for_update(booking.reference, customer)
        assert found is not None
        slots = uow.slots.lock(found.slot_ids)
        found.payment_succeeded(wrong, slots, NOW)  # returned: another currency
        found.record_return("pay_2", "re_2", NOW)
        found.payment_succeeded(right, slots, NOW)  # confirms
        found.payment_succeeded(twice, slots, NOW)  # returned: already paid, not yet refunded
        uow.slots.save(slots.values())
        uow.bookings.save(found)
        uow.commit()

    stored = backend.stored(booking.reference, customer)
    assert stored == found
    assert stored is not None
    assert stored.status is BookingStatus.CONFIRMED
    assert stored.payment == right
    assert [(a.payment_id, a.status) for a in stored.attempts] == [
        ("pay_1", PaymentStatus.FAILED),
        ("pay_2", PaymentStatus.SUCCEEDED),
    ]
    assert stored.returned == [
        ReturnedPayment(wrong, ReturnReason.AMOUNT_MISMATCH, "re_2"),
        ReturnedPayment(twice, ReturnReason.ALREADY_PAID),
    ]
    assert backend.counters(slot) == (0, 2)


def test_an_added_booking_keeps_its_attempts_and_returned_payments(backend: Backend) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())
    booking = Booking(
        id=uuid4(),
        reference="PS-7K3F9Q",
        customer_id=customer,
        lines=(BookingLine(slot, 2, Money("25.00", "EUR")),),
        status=BookingStatus.HELD,
        created_at=NOW,
        expires_at=NOW + HOLD_FOR,
        attempts=[
            an_attempt("pay_1", status=PaymentStatus.FAILED),
            an_attempt("pay_2", status=PaymentStatus.SUCCEEDED, at=NOW + timedelta(seconds=1)),
        ],
        returned=[
            ReturnedPayment(
                Payment("sandbox", "pay_2", Money("49.00", "EUR")),
                ReturnReason.AMOUNT_MISMATCH,
                "re_2",
            )
        ],
    )

    with backend.uow() as uow:
        uow.bookings.add(booking)
        uow.commit()

    assert backend.stored("PS-7K3F9Q", customer) == booking


def test_get_by_payment_for_update_finds_the_booking_a_payment_started_for_or_confirmed(
    backend: Backend,
) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())
    started = hold(backend, customer, (slot, 2))
    with backend.uow() as uow:
        found = uow.bookings.get_for_update(started.reference, customer)
        assert found is not None
        found.start_payment(an_attempt("pay_started"), NOW)
        uow.bookings.save(found)
        uow.commit()
    confirmed = a_booking(backend, customer, slot, status=BookingStatus.CONFIRMED)
    assert confirmed.payment is not None
    a_booking(backend, customer, slot)  # held, no payment of any kind
    backend.published.clear()

    with backend.events_delivered(), backend.uow() as uow:
        by_attempt = uow.bookings.get_by_payment_for_update("pay_started")
        by_payment = uow.bookings.get_by_payment_for_update(confirmed.payment.payment_id)
        assert uow.bookings.get_by_payment_for_update("pay_unknown") is None
        assert uow.bookings.get_by_payment_for_update("") is None  # never "any unpaid one"
        assert by_attempt is not None
        assert by_attempt.id == started.id
        assert by_attempt.attempts == [an_attempt("pay_started")]
        assert by_payment == confirmed
        # What it finds takes part in the work: its events are collected.
        by_attempt.payment_failed("pay_started", NOW)
        uow.bookings.save(by_attempt)
        uow.commit()

    assert backend.published == [PaymentFailed(NOW, started.id, started.reference, "pay_started")]


# ---------------------------------------------------------------- the payment inbox


def an_event(
    payment_id: str = "pay_1",
    *,
    event_id: str = "evt_1",
    provider: str = "sandbox",
    kind: PaymentEventKind | None = PaymentEventKind.REFUND_SUCCEEDED,
    booking_id: UUID | None = None,
) -> PaymentEvent:
    refund = kind is PaymentEventKind.REFUND_SUCCEEDED
    return PaymentEvent(
        provider=provider,
        event_id=event_id,
        kind=kind,
        payment_id=payment_id,
        amount=Money("62.50", "EUR") if kind else None,
        booking_id=booking_id,
        occurred_at=NOW,
        refund_id=f"re_{event_id}" if refund else None,
    )


def test_the_inbox_records_an_event_id_once_per_provider(backend: Backend) -> None:
    event = an_event()

    with backend.uow() as uow:
        assert uow.inbox.record(event) is True
        assert uow.inbox.record(event) is False
        uow.commit()
    with backend.uow() as uow:
        assert uow.inbox.record(event) is False  # in later work too
        assert uow.inbox.record(attrs.evolve(event, payment_id="pay_2")) is False  # the id decides
        assert uow.inbox.record(attrs.evolve(event, provider="stripe")) is True
        uow.commit()

    assert backend.inbox_row("sandbox", "evt_1") == ("received", None)
    assert backend.inbox_row("stripe", "evt_1") == ("received", None)


def test_resolve_files_an_outcome_and_deferred_for_lists_what_waits(backend: Backend) -> None:
    customer = backend.customer()
    booking = a_booking(backend, customer, backend.slot(backend.listing()))
    waiting = an_event("pay_1", event_id="evt_1", booking_id=booking.id)
    also_waiting = an_event("pay_1", event_id="evt_2")
    elsewhere = an_event("pay_2", event_id="evt_3")
    other_provider = an_event("pay_1", event_id="evt_6", provider="stripe")
    applied = an_event("pay_1", event_id="evt_4", kind=PaymentEventKind.PAYMENT_SUCCEEDED)
    ignored = an_event("pay_1", event_id="evt_5", kind=None)

    with backend.uow() as uow:
        for event in (waiting, also_waiting, elsewhere, other_provider, applied, ignored):
            uow.inbox.record(event)
        uow.inbox.resolve(waiting, "deferred", "Waiting for the payment.", booking.id)
        uow.inbox.resolve(also_waiting, "deferred")
        uow.inbox.resolve(elsewhere, "deferred")
        uow.inbox.resolve(other_provider, "deferred")
        uow.inbox.resolve(applied, "confirmed", "", booking.id)
        uow.inbox.resolve(ignored, "ignored")
        uow.commit()

    with backend.uow() as uow:
        assert uow.inbox.deferred_for("sandbox", "pay_1") == [waiting, also_waiting]  # in order
        assert uow.inbox.deferred_for("sandbox", "pay_2") == [elsewhere]
        assert uow.inbox.deferred_for("stripe", "pay_1") == [other_provider]
        assert uow.inbox.deferred_for("sandbox", "pay_3") == []
        uow.inbox.resolve(waiting, "refund_settled")  # no booking given: the known one stays
        uow.inbox.resolve(also_waiting, "unmatched", "A refund Portside did not ask for.")
        assert uow.inbox.deferred_for("sandbox", "pay_1") == []
        uow.commit()

    assert backend.inbox_row("sandbox", "evt_1") == ("refund_settled", booking.id)
    assert backend.inbox_row("sandbox", "evt_2") == ("unmatched", None)
    assert backend.inbox_row("sandbox", "evt_4") == ("confirmed", booking.id)
    assert backend.inbox_row("sandbox", "evt_5") == ("ignored", None)
    assert backend.inbox_row("sandbox", "evt_6") is None


@pytest.mark.parametrize("failing", [False, True], ids=["left without commit", "an exception"])
def test_a_rolled_back_unit_of_work_forgets_the_inbox_row(backend: Backend, failing: bool) -> None:
    event = an_event()

    def work() -> None:
        with backend.uow() as uow:
            assert uow.inbox.record(event) is True
            uow.inbox.resolve(event, "returned")
            if failing:
                uow.commit()
                raise RuntimeError("the provider failed")

    if failing:
        with pytest.raises(RuntimeError):
            work()
    else:
        work()

    assert backend.inbox_row("sandbox", "evt_1") is None
    with backend.uow() as uow:
        assert uow.inbox.record(event) is True  # the provider's retry is new
        uow.commit()
    assert backend.inbox_row("sandbox", "evt_1") == ("received", None)


def test_adding_a_booking_with_a_taken_reference_raises_and_spoils_nothing(
    backend: Backend,
) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing())
    first = a_booking(backend, customer, slot)
    clash = attrs.evolve(first, id=uuid4(), events=[])

    with backend.uow() as uow:
        with pytest.raises(DuplicateReference):
            uow.bookings.add(clash)
        clash.renumber("PS-CCCCCC")
        uow.bookings.add(clash)  # the unit of work goes on after the clash
        uow.commit()

    with backend.uow() as uow:
        assert uow.bookings.get_for_update("PS-CCCCCC", customer) is not None
