"""Quantities: a number (see ``numbers``) and its unit, read into meters or rolls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.interpretation import Unit
from chalicelib.domain.interpreter.numbers import is_digits, parse_number
from chalicelib.domain.interpreter.tokens import Phrases, phrases
from chalicelib.domain.money import meters

YARD = Decimal("0.9144")
LARGEST_QUANTITY = Decimal(1_000_000)  # a bigger number is a phone number or a typo, not cloth

_UNITS: Phrases[tuple[Unit, Decimal]] = phrases(
    ("m|mt|mtr|mtrs|meter|meters|metre|metres|miter|mitar|meeter|मीटर|मीटरस|मी|मिटर", ("m", Decimal(1))),
    ("gaj|gaz|gajj|yard|yards|yd|yds|गज|गज़", ("m", YARD)),
    ("than|thaan|thans|thaans|roll|rolls|थान|रोल|रोल्स", ("roll", Decimal(1))),
)


@dataclass(frozen=True)
class WrittenQuantity:
    """A quantity as the customer wrote it: the number, its unit (if any) and where it ends."""

    number: Decimal  # as written: 20 (gaj), 2.5, 150
    unit: Unit | None  # None when the customer wrote no unit
    factor: Decimal  # to meters: 1, or 0.9144 for yards
    each: bool  # "5-5 meter", "das das meter"
    end: int
    range: bool = False  # "10-12 m": no one amount to read

    @property
    def amount(self) -> Decimal:
        return meters(self.number * self.factor)


def read_quantity(words: Sequence[str], start: int) -> WrittenQuantity | None:
    """A number and its unit at ``words[start]``; numerals without a unit come back with ``unit`` None."""
    number = parse_number(words, start)
    if number is None or number[0] > LARGEST_QUANTITY:
        return None
    value, index = number
    each = False
    again = parse_number(words, index)
    if again is not None and again[0] == value:  # "5-5 meter", "das das meter": that much of each
        each, index = True, again[1]
    elif again is not None and again[1] - index == 1:  # "10-12 m"
        unit = _UNITS.match(words, again[1])
        return WrittenQuantity(value, None, Decimal(1), False, unit[1] if unit else again[1], range=True)
    unit = _UNITS.match(words, index)
    if unit is not None:
        (name, factor), index = unit
        return WrittenQuantity(value, name, factor, each, index)
    if is_digits(words[start]):
        return WrittenQuantity(value, None, Decimal(1), each, index)
    return None  # "do", "ek" without a unit are words, not quantities
