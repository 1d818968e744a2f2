"""The booking events partners can subscribe to, by their public names."""

from domain.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingEvent,
    BookingExpired,
    BookingHeld,
)

EVENT_TYPES: dict[type[BookingEvent], str] = {
    BookingHeld: "booking.held",
    BookingConfirmed: "booking.confirmed",
    BookingCancelled: "booking.cancelled",
    BookingExpired: "booking.expired",
}
EVENT_TYPE_NAMES = frozenset(EVENT_TYPES.values())
TEST_EVENT_TYPE = "portside.test"  # what "send a test event" sends; not subscribable
