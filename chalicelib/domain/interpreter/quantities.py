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
    ("cm|cms|centimeter|centimeters|centimetre|centimetres|सेमी|सेंटीमीटर", ("m", Decimal("0.01"))),
)
_CENTIMETERS = Decimal("0.01")


_RANGE_WORDS = frozenset("se to ya or से या".split())


@dataclass(frozen=True)
class WrittenQuantity:
    """A quantity as the customer wrote it: the number, its unit (if any) and where it ends."""

    number: Decimal  # as written: 20 (gaj), 2.5, 150
    unit: Unit | None  # None when the customer wrote no unit
    factor: Decimal  # to meters: 1, or 0.9144 for yards
    each: bool  # "5-5 meter", "das das meter"
    end: int
    range: bool = False  # "10-12 m": no one amount to read
    high: Decimal | None = None  # the upper end of a range

    @property
    def amount(self) -> Decimal:
        return meters(self.number * self.factor)

    @property
    def high_amount(self) -> Decimal | None:
        return meters(self.high * self.factor) if self.high is not None else None


def read_unit(words: Sequence[str], start: int) -> tuple[tuple[Unit, Decimal], int] | None:
    """A unit word alone ("meter", "gaj", "than"): (unit, factor to meters) and the index after it."""
    return _UNITS.match(words, start)


def read_quantity(words: Sequence[str], start: int) -> WrittenQuantity | None:
    """A number and its unit at ``words[start]``; numerals without a unit come back with ``unit`` None."""
    if words[start] == "one" and parse_number(words, start + 1) is not None:
        return None  # "the blue one 30m": a pronoun before the number
    number = parse_number(words, start)
    if number is None or number[0] > LARGEST_QUANTITY:
        return None
    value, index = number
    each = False
    again = parse_number(words, index)
    if again is not None and again[0] == value:  # "5-5 meter", "das das meter": that much of each
        each, index = True, again[1]
    elif again is not None and again[1] - index == 1:  # "10-12 m"
        return _range(words, value, again, upper=value < again[0] <= 2 * value)
    elif index + 1 < len(words) and words[index] in _RANGE_WORDS:  # "15 se 20 m", "15 ya 20 m"
        again = parse_number(words, index + 1)
        if again is not None and value < again[0] <= 2 * value:  # "change 1 to 60m" is no range
            return _range(words, value, again, upper=True)
    unit = _UNITS.match(words, index)
    if unit is not None:
        (name, factor), index = unit
        if name == "m" and factor == 1 and not each:  # "2 meter 50 cm"
            rest = parse_number(words, index)
            cm = _UNITS.match(words, rest[1]) if rest is not None else None
            if rest is not None and cm is not None and cm[0][1] == _CENTIMETERS and rest[0] < 100:
                return WrittenQuantity(value + rest[0] * _CENTIMETERS, name, factor, each, cm[1])
        return WrittenQuantity(value, name, factor, each, index)
    if is_digits(words[start]):
        return WrittenQuantity(value, None, Decimal(1), each, index)
    return None  # "do", "ek" without a unit are words, not quantities


def _range(words: Sequence[str], low: Decimal, high: tuple[Decimal, int], *, upper: bool) -> WrittenQuantity | None:
    unit = _UNITS.match(words, high[1])
    if unit is None and not is_digits(words[high[1] - 1]):
        return None  # "do ya teen" without a unit are words
    (name, factor), end = unit if unit is not None else ((None, Decimal(1)), high[1])
    return WrittenQuantity(low, name, factor, False, end, range=True, high=high[0] if upper else None)
