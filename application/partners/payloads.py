"""What partners are told about a booking: the same data in every format."""

from typing import Any

from domain.booking.booking import Booking
from domain.shared.money import Money


def money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


def booking_data(booking: Booking) -> dict[str, Any]:
    refund = booking.refund
    return {
        "reference": booking.reference,
        "status": booking.status.value,
        "lines": [
            {
                "slot_id": str(line.slot_id),
                "seats": line.seats,
                "unit_price": money(line.unit_price),
            }
            for line in booking.lines
        ],
        "total": money(booking.total),
        "refund": None if refund is None else {**money(refund.amount), "percent": refund.percent},
    }
