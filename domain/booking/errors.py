"""Errors of the booking context, each named for the rule it guards."""

from domain.shared.errors import Conflict, InvalidInput, NotFound


class BookingNotFound(NotFound):
    """No booking with this reference belongs to the asker."""


class InvalidBookingRequest(InvalidInput):
    """Seats, lines or slots that a booking cannot be made of."""


class IllegalTransition(Conflict):
    """The booking's status does not allow this step."""

    def __init__(self, action: str, reference: str, status: str) -> None:
        super().__init__(f"Cannot {action} booking {reference}: it is {status}.")
        self.action = action
        self.status = status


class CannotConfirm(IllegalTransition):
    """Only a held booking can be confirmed."""


class CannotCancel(IllegalTransition):
    """Only a held or confirmed booking can be cancelled."""


class CannotCheckout(IllegalTransition):
    """Only a held booking whose hold has not lapsed can be paid."""


class CannotExpire(IllegalTransition):
    """Only a held booking whose hold has lapsed can expire."""


class PaymentMismatch(Conflict):
    """A payment whose amount or currency is not the booking's total."""
