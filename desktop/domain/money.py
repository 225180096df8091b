"""Money as whole cents with a currency. Never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_AMOUNT = re.compile(r"^\s*\$?\s*(-)?\s*\$?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$")


class MoneyError(ValueError):
    """An amount that cannot be read as money, or arithmetic across currencies."""


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in the smallest unit of its currency (cents for AUD)."""

    cents: int
    currency: str = "AUD"

    def __post_init__(self) -> None:
        if isinstance(self.cents, bool) or not isinstance(self.cents, int):
            raise MoneyError(f"money must be whole cents, not {self.cents!r}")

    @classmethod
    def zero(cls, currency: str = "AUD") -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str = "AUD") -> Money:
        """Read what a receptionist types: "85", "85.5", "$85.50", "-10.00"."""
        match = _AMOUNT.match(text)
        if not match:
            raise MoneyError(f"“{text.strip()}” is not an amount of money (e.g. 85.00)")
        sign, whole, fraction = match.groups()
        cents = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
        return cls(-cents if sign else cents, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str, currency: str = "AUD") -> Money:
        """From a decimal amount of whole units, rounding half up to the cent."""
        try:
            value = Decimal(amount)
        except InvalidOperation as exc:
            raise MoneyError(f"{amount!r} is not a decimal amount") from exc
        cents = (value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return cls(int(cents), currency)

    def to_decimal(self) -> Decimal:
        return (Decimal(self.cents) / 100).quantize(Decimal("0.01"))

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __mul__(self, times: int) -> Money:
        if isinstance(times, bool) or not isinstance(times, int):
            raise MoneyError("money can only be multiplied by a whole number")
        return Money(self.cents * times, self.currency)

    def is_zero(self) -> bool:
        return self.cents == 0

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, cents = divmod(abs(self.cents), 100)
        return f"{sign}${whole:,}.{cents:02d}"
