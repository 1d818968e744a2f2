from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from domain.shared.money import CurrencyMismatch, InvalidMoney, Money
from tests.factories.domain import build_money


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("25", "25.00"),
        ("25.1", "25.10"),
        ("0.005", "0.00"),  # half-even: ties go to the even cent
        ("0.015", "0.02"),
        ("0.025", "0.02"),
        ("0.0151", "0.02"),
        ("-0.015", "-0.02"),
        (Decimal("38.499"), "38.50"),
        (7, "7.00"),
    ],
)
def test_amounts_are_rounded_half_even_to_the_cent(amount: object, expected: str) -> None:
    money = Money(amount, "EUR")

    assert str(money.amount) == expected
    assert money.amount == Decimal(expected)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("8500", "8500"), ("8500.00", "8500"), ("8500.5", "8500"), ("8501.5", "8502"), ("0.4", "0")],
)
def test_yen_have_no_minor_unit(amount: str, expected: str) -> None:
    money = Money(amount, "JPY")

    assert str(money.amount) == expected
    assert str(money) == f"{expected} JPY"


def test_the_amount_is_always_a_decimal() -> None:
    assert type(Money(25, "EUR").amount) is Decimal
    assert type(Money("25", "EUR").amount) is Decimal


@pytest.mark.parametrize("amount", [1.5, 0.1, float("nan")])
def test_floats_are_refused(amount: float) -> None:
    with pytest.raises(InvalidMoney, match="float"):
        Money(amount, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["", "twelve", "1,50", "NaN", "Infinity", "-inf", None])
def test_what_is_not_an_amount_is_refused(amount: object) -> None:
    with pytest.raises(InvalidMoney):
        Money(amount, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["XXX", "eur", "", "EURO"])
def test_unknown_currencies_are_refused(currency: str) -> None:
    with pytest.raises(InvalidMoney):
        Money("1.00", currency)


def test_equal_amounts_in_the_same_currency_are_equal() -> None:
    assert Money("25", "EUR") == Money("25.00", "EUR") == Money(Decimal("25.001"), "EUR")
    assert Money("25", "EUR") != Money("25", "USD")
    assert hash(Money("25", "EUR")) == hash(Money("25.00", "EUR"))


def test_money_is_immutable() -> None:
    money = build_money()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        money.amount = Decimal(1)


def test_adding_and_subtracting_stay_in_the_currency() -> None:
    assert Money("10.10", "EUR") + Money("0.95", "EUR") == Money("11.05", "EUR")
    assert Money("10.00", "EUR") - Money("2.5", "EUR") == Money("7.50", "EUR")
    assert Money("1000", "JPY") + Money("500", "JPY") == Money("1500", "JPY")


@pytest.mark.parametrize("operation", [Money.__add__, Money.__sub__])
def test_combining_currencies_is_refused(operation: Callable[[Money, Money], Money]) -> None:
    with pytest.raises(CurrencyMismatch, match=r"EUR.*GBP"):
        operation(Money("1", "EUR"), Money("1", "GBP"))


def test_times_multiplies_exactly() -> None:
    assert Money("38.50", "EUR").times(3) == Money("115.50", "EUR")
    assert Money("0.10", "EUR").times(3).amount == Decimal("0.30")  # no binary float drift
    assert Money("8500", "JPY").times(2) == Money("17000", "JPY")


@pytest.mark.parametrize(
    ("amount", "currency", "percent", "expected"),
    [
        ("25.00", "EUR", 100, "25.00"),
        ("25.00", "EUR", 50, "12.50"),
        ("25.00", "EUR", 0, "0.00"),
        ("0.05", "EUR", 50, "0.02"),  # 0.025 rounds half-even
        ("0.15", "EUR", 50, "0.08"),  # 0.075 rounds half-even
        ("38.50", "EUR", 33, "12.70"),  # 12.705
        ("8500", "JPY", 33, "2805"),
        ("5001", "JPY", 50, "2500"),  # 2500.5
        ("5003", "JPY", 50, "2502"),  # 2501.5
    ],
)
def test_percent_rounds_half_even_to_the_minor_unit(
    amount: str, currency: str, percent: int, expected: str
) -> None:
    result = Money(amount, currency).percent(percent)

    assert str(result.amount) == expected
    assert result.currency == currency


def test_zero_and_sign() -> None:
    assert Money.zero("EUR") == Money("0.00", "EUR")
    assert str(Money.zero("JPY").amount) == "0"
    assert not Money.zero("EUR").is_negative
    assert Money("-0.01", "EUR").is_negative
    assert not Money("-0.001", "EUR").is_negative  # rounds to zero
