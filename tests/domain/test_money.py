from decimal import Decimal

import pytest

from desktop.domain.money import Money, MoneyError


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("85", 8500),
        ("85.5", 8550),
        ("$85.50", 8550),
        ("-10.00", -1000),
        (" 0.05 ", 5),
        ("1234.99", 123499),
    ],
)
def test_parse_reads_what_receptionists_type(text: str, cents: int) -> None:
    assert Money.parse(text) == Money(cents)


@pytest.mark.parametrize("text", ["", "abc", "85.555", "1e3", "85,00", "--5"])
def test_parse_refuses_non_amounts_with_a_message(text: str) -> None:
    with pytest.raises(MoneyError, match="not an amount"):
        Money.parse(text)


def test_money_refuses_floats() -> None:
    with pytest.raises(MoneyError):
        Money(85.5)  # type: ignore[arg-type]


def test_arithmetic_and_formatting() -> None:
    total = Money(9000) + Money(4550) - Money(50)
    assert total == Money(13500)
    assert str(total) == "$135.00"
    assert str(Money(-123456)) == "-$1,234.56"
    assert Money(4500) * 10 == Money(45000)


def test_currencies_do_not_mix() -> None:
    with pytest.raises(MoneyError, match="AUD with NZD"):
        Money(100, "AUD") + Money(100, "NZD")


def test_decimal_round_trip_rounds_half_up() -> None:
    assert Money.from_decimal("12.345") == Money(1235)
    assert Money(1235).to_decimal() == Decimal("12.35")
