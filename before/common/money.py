"""Money helpers: amounts are Decimals rounded to their currency's minor unit."""

from decimal import ROUND_HALF_EVEN, Decimal

# Minor units of the currencies the shop sells in (ISO 4217).
MINOR_UNITS = {
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
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-even to the currency's minor unit: 8500.00 JPY is 8500."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-MINOR_UNITS[currency]), ROUND_HALF_EVEN)


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """`{"amount": "25.00", "currency": "EUR"}`: the amount as a decimal string."""
    return {"amount": str(round_amount(amount, currency)), "currency": currency}
