"""What the partner context does when bookings change: its reactions to booking
events, which the booking unit of work runs inside its transaction, just before it
commits (application/booking/unit_of_work.py). The container passes these to the
booking unit of work; a new reaction to a booking event is added here."""

from application.booking.unit_of_work import EventHandler
from application.partners.record_partner_events import RecordPartnerEvents


def booking_event_handlers(record_partner_events: RecordPartnerEvents) -> list[EventHandler]:
    """The outbox: each event a partner subscribed to becomes a delivery row."""
    return [record_partner_events]
