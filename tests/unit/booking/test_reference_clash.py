"""A reference already taken is replaced before anyone sees it."""

from application.booking.hold_seats import HoldLine, HoldSeats, HoldSeatsCommand
from domain.booking.events import BookingHeld
from tests.unit.booking.builders import HOLD_FOR
from tests.unit.booking.shop import Shop


class Repeating:
    """Hands out the given references in order, clashes included."""

    def __init__(self, *references: str) -> None:
        self.references = list(references)

    def next_reference(self) -> str:
        return self.references.pop(0)


def test_a_hold_whose_reference_is_taken_draws_another() -> None:
    shop = Shop()
    slot = shop.slot(capacity=10)
    hold = HoldSeats(
        shop.uow, shop.clock, Repeating("PS-AAAAAA", "PS-AAAAAA", "PS-CCCCCC"), HOLD_FOR
    )
    command = HoldSeatsCommand(customer_id=1, lines=(HoldLine(slot.id, 1),))
    first = hold(command)
    shop.published.clear()

    second = hold(command)

    assert (first.reference, second.reference) == ("PS-AAAAAA", "PS-CCCCCC")
    assert shop.stored(second).reference == "PS-CCCCCC"
    assert shop.published == [BookingHeld(second.created_at, second.id, "PS-CCCCCC")]
    assert shop.stored_slot(slot).seats_held == 2
