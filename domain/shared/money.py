"""Money: a Decimal amount in one ISO 4217 currency. No floats, ever."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import attrs

from domain.shared.errors import DomainError

# Minor units of the currencies Portside sells in (ISO 4217). Extend as the shop grows.
MINOR_UNITS: dict[str, int] = {
    "AUD": 2,
    "CAD": 2,
    "CHF": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "NOK": 2,
    "PLN": 2,
    "SEK": 2,
    "USD": 2,
}


class CurrencyMismatch(DomainError):
    """Two amounts in different currencies were combined."""


class InvalidMoney(DomainError):
    """An amount or currency that cannot be money."""


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise InvalidMoney("Money never takes a float; pass a Decimal or a string.")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise InvalidMoney(f"{value!r} is not an amount of money.") from error
    if not amount.is_finite():
        raise InvalidMoney(f"{value!r} is not an amount of money.")
    return amount


def _check_currency(_instance: object, _attribute: object, code: str) -> None:
    if code not in MINOR_UNITS:
        raise InvalidMoney(f"{code!r} is not a currency Portside sells in.")


@attrs.frozen
class Money:
    """An amount rounded to its currency's minor unit, e.g. `Money("25.00", "EUR")`."""

    amount: Decimal = attrs.field(converter=_to_decimal)
    currency: str = attrs.field(validator=_check_currency)

    def __attrs_post_init__(self) -> None:
        exponent = Decimal(1).scaleb(-MINOR_UNITS[self.currency])
        try:
            rounded = self.amount.quantize(exponent, ROUND_HALF_EVEN)
        except InvalidOperation as error:  # more digits than Decimal's context holds
            raise InvalidMoney(f"{self.amount} is too large an amount.") from error
        object.__setattr__(self, "amount", rounded)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, factor: int) -> Money:
        return Money(self.amount * factor, self.currency)

    def percent(self, percent: int) -> Money:
        """`percent` per cent of this amount, rounded half-even to the minor unit."""
        return Money(self.amount * percent / 100, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
