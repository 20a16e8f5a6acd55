"""Money and cloth quantities: Decimal rupees quantised to paise, Decimal meters, and Indian-style formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PAISE = Decimal("0.01")
CENTIMETER = Decimal("0.01")


def to_decimal(value: object) -> Decimal:
    """Turn an int, str or Decimal into a Decimal; floats are refused because they cannot hold paise exactly."""
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money or meters; pass a str or Decimal")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def rupees(value: object) -> Decimal:
    """Decimal rupees quantised to paise with ROUND_HALF_UP."""
    return to_decimal(value).quantize(PAISE, rounding=ROUND_HALF_UP)


def from_paise(paise: int) -> Decimal:
    """Integer paise as Decimal rupees with exactly two decimals (290000 -> Decimal('2900.00')): how every amount
    leaves the system in an API answer."""
    return (Decimal(int(paise)) / 100).quantize(PAISE)


def to_paise(amount: object) -> int:
    """Decimal rupees as integer paise, rounded half up."""
    return int(rupees(amount) * 100)


def meters(value: object) -> Decimal:
    """Decimal meters quantised to centimeters (a shop measures no finer)."""
    return to_decimal(value).quantize(CENTIMETER, rounding=ROUND_HALF_UP)


def group_indian(integer_digits: str) -> str:
    """'12345678' -> '1,23,45,678' (the last three digits, then pairs)."""
    if len(integer_digits) <= 3:
        return integer_digits
    head, tail = integer_digits[:-3], integer_digits[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    if head:
        pairs.insert(0, head)
    return ",".join(pairs + [tail])


def format_inr(amount: object, symbol: bool = True) -> str:
    """₹1,23,456.50 — rupees with Indian digit grouping and always two paise digits."""
    value = rupees(amount)
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{abs(value):.2f}".partition(".")
    return f"{sign}{'₹' if symbol else ''}{group_indian(integer)}.{fraction}"


def format_meters(value: object) -> str:
    """20 -> '20', 2.5 -> '2.5', 2.50 -> '2.5': meters without trailing zeros."""
    text = f"{meters(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
