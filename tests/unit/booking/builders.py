"""Plain builders for the booking tests: slots, listings and bookings at a fixed time."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from domain.booking.booking import Booking, Payment, SeatRequest
from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.money import Money
from tests.factories.domain import build_listing, build_slot

NOW = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
HOLD_FOR = timedelta(minutes=15)
# 100% more than 48 h before the start, 50% more than 24 h before, nothing after.
FLEXIBLE = CancellationPolicy((RefundTier(48, 100), RefundTier(24, 50)))


def a_listing(
    *, currency: str = "EUR", policy: CancellationPolicy = FLEXIBLE, published: bool = True
) -> Listing:
    return build_listing(currency=currency, cancellation_policy=policy, is_published=published)


def a_slot(
    *,
    listing: Listing | None = None,
    starts_in: timedelta = timedelta(days=3),
    capacity: int = 10,
    price: str = "25.00",
    currency: str | None = None,
) -> Slot:
    """A slot starting `starts_in` after NOW, priced in its listing's currency."""
    currency = currency or (listing.currency if listing else "EUR")
    return build_slot(
        listing_id=listing.id if listing else uuid4(),
        starts_at=NOW + starts_in,
        ends_at=NOW + starts_in + timedelta(hours=2),
        capacity=capacity,
        price=Money(Decimal(price), currency),
    )


def hold(
    *lines: tuple[Slot, int],
    now: datetime = NOW,
    customer_id: int = 1,
    reference: str = "PS-AAAAAC",
) -> Booking:
    return Booking.hold(
        id=uuid4(),
        reference=reference,
        customer_id=customer_id,
        requests=[SeatRequest(slot, seats) for slot, seats in lines],
        now=now,
        hold_for=HOLD_FOR,
    )


def payment_for(booking: Booking, amount: Money | None = None) -> Payment:
    return Payment("sandbox", f"pay_{booking.reference}", amount or booking.total)


def by_id(slots: Iterable[Slot]) -> dict[UUID, Slot]:
    return {slot.id: slot for slot in slots}


def policies(
    slots: Iterable[Slot], policy: CancellationPolicy = FLEXIBLE
) -> dict[UUID, CancellationPolicy]:
    return {slot.id: policy for slot in slots}


def counters(*slots: Slot) -> list[tuple[int, int, int]]:
    """(available, held, booked) of each slot, to compare before and after."""
    return [(slot.seats_available, slot.seats_held, slot.seats_booked) for slot in slots]
