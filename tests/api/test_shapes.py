"""Output serializers built once and shared (`adapters.api.shapes`): the same JSON as a
serializer built per response, with nothing of one response left in the next, from
any number of threads at once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from adapters.api.shapes import shaped, shaped_many
from adapters.booking.serializers import BookingSerializer
from domain.booking.booking import Booking
from tests.unit.booking.builders import NOW, a_slot, by_id, hold, payment_for, policies


def a_refunded_booking() -> Booking:
    slot = a_slot(starts_in=timedelta(days=5))
    booking = hold((slot, 2), reference="PS-REFUND")
    booking.confirm(payment_for(booking), by_id([slot]), NOW)
    booking.cancel(by_id([slot]), policies([slot]), NOW)
    assert booking.refund is not None
    return booking


def a_held_booking(reference: str = "PS-HELD2") -> Booking:
    return hold((a_slot(), 1), reference=reference)


def test_the_same_json_as_a_serializer_built_for_the_response() -> None:
    for booking in (a_refunded_booking(), a_held_booking(), a_refunded_booking()):
        assert shaped(BookingSerializer, booking) == BookingSerializer(booking).data


def test_nothing_of_one_response_is_left_in_the_next() -> None:
    refunded, held = a_refunded_booking(), a_held_booking()

    first = shaped(BookingSerializer, refunded)
    second = shaped(BookingSerializer, held)

    assert "refund" in first
    assert "refund" not in second
    assert (first["reference"], second["reference"]) == ("PS-REFUND", "PS-HELD2")
    assert first is not second


def test_many_is_each_item_shaped() -> None:
    bookings = [a_refunded_booking(), a_held_booking()]

    assert shaped_many(BookingSerializer, bookings) == [
        shaped(BookingSerializer, booking) for booking in bookings
    ]
    assert shaped_many(BookingSerializer, []) == []


def test_threads_shaping_at_once_each_get_their_own_booking() -> None:
    bookings = [a_held_booking(f"PS-T{number:05d}") for number in range(200)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda booking: shaped(BookingSerializer, booking), bookings))

    assert [result["reference"] for result in results] == [b.reference for b in bookings]
