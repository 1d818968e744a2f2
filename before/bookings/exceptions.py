"""Booking errors that leave as problem details (see before/common/exceptions.py)."""

from before.common.exceptions import Problem


class NotEnoughSeats(Problem):
    title = "Not enough seats left"
    default_code = "not-enough-seats"

    def __init__(self, slot_id, requested, available):
        super().__init__(f"Only {available} seat(s) left in slot {slot_id}; {requested} requested.")


class IllegalTransition(Problem):
    """The booking's status does not allow this step, e.g. cancelling it twice."""

    title = "Not allowed in this status"
    default_code = "illegal-transition"


class NotPayable(IllegalTransition):
    """Checkout of a booking that is not held, or whose hold has lapsed."""

    title = "This booking cannot be paid"
    default_code = "not-payable"
