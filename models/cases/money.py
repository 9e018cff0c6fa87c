"""Money as decimal strings outside, whole hundredths inside."""

from decimal import Decimal

import pycountry


def to_hundredths(amount: str) -> int:
    """``"25000.5"`` → ``2500050``. The string's shape is checked when the body is read."""
    return int(Decimal(amount) * 100)


def from_hundredths(hundredths: int) -> str:
    return f"{Decimal(hundredths) / 100:.2f}"


def is_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None
