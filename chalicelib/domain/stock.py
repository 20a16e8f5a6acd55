"""Stock batches and the allocation of an order line to them: dye lots, whole rolls, loose meters and cuts.

Vocabulary
    A *batch* is cloth of one material and colour received on one day: ``rolls`` whole rolls of
    ``meters_per_roll`` each, plus ``loose_meters`` already cut from opened rolls. A *dye lot* is every batch with
    the same ``dye_lot`` label (the same lot may arrive twice); a batch without a label is a lot of its own.
    Cloth from two dye lots can differ in shade, so a customer must be told when a line spans lots. A batch's
    loose meters are treated as one length the shop can measure from (the books do not track each piece).

Allocation policy (``allocate``), in the order the rules apply
    1. Only batches of the line's material and colour count. A line in meters must be at least
       ``min_cut_meters``; a shorter one raises ``LineBelowMinimumCut`` so the reply can quote the minimum rather
       than silently rounding the customer's order up.
    2. What a lot can give ("capacity"): for a meter line, its whole rolls' meters plus its *offered* loose
       meters; for a roll line, its whole rolls only (a roll line is filled with whole rolls, never with cut cloth,
       and its meters are rolls x that batch's meters_per_roll).
    3. One dye lot if any lot can serve the whole line: the oldest such lot (FIFO by the oldest ``received_on``
       among its batches that have something to give, then that batch's id). Old stock moves first because it
       fades and ties up money.
    4. Otherwise combine lots, fewest lots first (``spans_lots=True`` so the reply warns about shade). Among the
       combinations with that fewest number, the one that comes first in FIFO order. The chosen lots are used
       oldest first, each drained completely except the newest, which supplies the rest (however short).
    5. If all matching stock together cannot serve the line, the allocation is PARTIAL_AVAILABLE and gives
       everything that can be given (every lot, oldest first); with nothing to give it is OUT_OF_STOCK.
    6. Inside a lot, batches are taken oldest first (then by batch_id) in three passes:
       a. whole rolls, as many as fit in what is still needed (so 60 m from 40 m rolls takes one roll). A whole
          roll is what a wholesale customer wants and what the shop handles with least labour;
       b. then loose meters, which clears the shelf of remnants before opening anything;
       c. only then cut one roll, from the oldest batch that still has one; the roll's remainder becomes loose
          meters of that batch. (60 m from 40 m rolls with 17 m loose: 1 roll + 17 m loose + 3 m cut from a new
          roll, leaving 37 m loose.) Passes a and b guarantee that at most one roll is ever opened per line.
       Batches of one lot with different roll lengths are taken greedily in that order, not packed optimally.
    7. Never more than a batch has: every part's ``stock_change`` has preconditions the batch satisfies.

Minimum cut (``AllocationPolicy.min_cut_meters``, default 0.5 m), chosen the way a shop counter works
    - A line in meters shorter than the minimum is refused with ``LineBelowMinimumCut`` (rule 1).
    - Loose stock shorter than the minimum is a remnant: it stays on the books but is never offered or counted as
      available (nobody sells a 0.3 m leftover as stock).
    - No cut leaves a remnant: when cutting from loose stock or from an opened roll would leave a piece shorter
      than the minimum, that short end goes out with the customer's piece free of charge (``offcut_meters``). The
      customer is billed exactly the meters ordered; the stock loses the offcut too, so allocation never creates one.
    - Inside a longer line a piece may be shorter than the minimum (40.2 m = a 40 m roll + 0.2 m cut): the
      customer buys the line, not the pieces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import groupby

from chalicelib.domain.errors import OutOfStock
from chalicelib.domain.money import CENTIMETER, PAISE, meters, rupees

UNIT_METERS = "m"
UNIT_ROLLS = "roll"
ZERO = Decimal("0")


class InventoryStatus(StrEnum):
    """How much of an order line the stock can give."""

    FULL_AVAILABLE = "FULL_AVAILABLE"
    PARTIAL_AVAILABLE = "PARTIAL_AVAILABLE"
    OUT_OF_STOCK = "OUT_OF_STOCK"


class LineBelowMinimumCut(ValueError):
    """A line in meters asks for less than the shop cuts."""

    def __init__(self, requested: Decimal, minimum: Decimal):
        super().__init__(f"the shop cuts at least {minimum} m; {requested} m was asked")
        self.requested = requested
        self.minimum = minimum


@dataclass(frozen=True)
class AllocationPolicy:
    """Knobs of the allocation policy described in the module docstring."""

    min_cut_meters: Decimal = Decimal("0.5")


DEFAULT_POLICY = AllocationPolicy()


def _require_decimal(name: str, value: object, step: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value != value.quantize(step):
        raise ValueError(f"{name} must be a finite amount in steps of {step}, got {value}")


@dataclass(frozen=True)
class Batch:
    """Cloth of one material, colour and dye lot received on one day."""

    batch_id: str
    material: str
    color: str
    dye_lot: str | None
    rolls: int
    meters_per_roll: Decimal
    loose_meters: Decimal
    price_per_meter: Decimal
    received_on: date
    hsn: str

    def __post_init__(self) -> None:
        if isinstance(self.rolls, bool) or not isinstance(self.rolls, int) or self.rolls < 0:
            raise ValueError(f"rolls must be a whole number >= 0, got {self.rolls!r}")
        _require_decimal("meters_per_roll", self.meters_per_roll, CENTIMETER)
        _require_decimal("loose_meters", self.loose_meters, CENTIMETER)
        _require_decimal("price_per_meter", self.price_per_meter, PAISE)
        if self.meters_per_roll <= 0:
            raise ValueError(f"meters_per_roll must be greater than 0, got {self.meters_per_roll}")
        if self.loose_meters < 0 or self.price_per_meter < 0:
            raise ValueError("loose_meters and price_per_meter cannot be negative")

    @property
    def total_meters(self) -> Decimal:
        """Every meter on the books, remnants included."""
        return meters(self.rolls * self.meters_per_roll + self.loose_meters)

    @property
    def value(self) -> Decimal:
        """What the batch is worth at its price, in rupees."""
        return rupees(self.total_meters * self.price_per_meter)

    def offered_loose(self, policy: AllocationPolicy = DEFAULT_POLICY) -> Decimal:
        """Loose meters the shop will sell; a remnant shorter than the minimum cut is not offered."""
        return self.loose_meters if self.loose_meters >= policy.min_cut_meters else ZERO

    def available_meters(self, policy: AllocationPolicy = DEFAULT_POLICY) -> Decimal:
        """Meters an order in meters can get from this batch."""
        return meters(self.rolls * self.meters_per_roll + self.offered_loose(policy))

    def to_dict(self) -> dict:
        return {
            "batch_id": self.batch_id,
            "material": self.material,
            "color": self.color,
            "dye_lot": self.dye_lot,
            "rolls": self.rolls,
            "meters_per_roll": str(self.meters_per_roll),
            "loose_meters": str(self.loose_meters),
            "price_per_meter": str(self.price_per_meter),
            "received_on": self.received_on.isoformat(),
            "hsn": self.hsn,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Batch:
        return cls(
            batch_id=data["batch_id"],
            material=data["material"],
            color=data["color"],
            dye_lot=data.get("dye_lot"),
            rolls=int(data["rolls"]),
            meters_per_roll=meters(data["meters_per_roll"]),
            loose_meters=meters(data["loose_meters"]),
            price_per_meter=rupees(data["price_per_meter"]),
            received_on=date.fromisoformat(data["received_on"]),
            hsn=data["hsn"],
        )


@dataclass(frozen=True)
class LineRequest:
    """One order line as the allocation sees it: so much of a material and colour, in meters or whole rolls."""

    material: str
    color: str
    quantity: Decimal
    unit: str = UNIT_METERS

    def __post_init__(self) -> None:
        if self.unit not in (UNIT_METERS, UNIT_ROLLS):
            raise ValueError(f"unit must be {UNIT_METERS!r} or {UNIT_ROLLS!r}, got {self.unit!r}")
        _require_decimal("quantity", self.quantity, CENTIMETER if self.unit == UNIT_METERS else Decimal(1))
        if self.quantity <= 0:
            raise ValueError(f"quantity must be greater than 0, got {self.quantity}")

    @property
    def in_rolls(self) -> bool:
        return self.unit == UNIT_ROLLS


@dataclass(frozen=True)
class AllocationPart:
    """What one batch gives to a line: whole rolls, loose meters and at most one opened roll."""

    batch_id: str
    dye_lot: str | None
    meters_per_roll: Decimal
    rolls: int  # whole rolls handed over
    loose_meters: Decimal  # taken from the batch's existing loose stock
    cut_rolls: int  # rolls opened; their remainder becomes loose stock
    cut_meters: Decimal  # meters cut from the opened rolls
    offcut_meters: Decimal  # short end given free: from the opened roll if one was cut, else from the loose stock
    price_per_meter: Decimal

    @property
    def meters(self) -> Decimal:
        return meters(self.rolls * self.meters_per_roll + self.loose_meters + self.cut_meters)

    @property
    def amount(self) -> Decimal:
        return rupees(self.meters * self.price_per_meter)

    def to_dict(self) -> dict:
        return {
            "batch_id": self.batch_id,
            "dye_lot": self.dye_lot,
            "meters_per_roll": str(self.meters_per_roll),
            "rolls": self.rolls,
            "loose_meters": str(self.loose_meters),
            "cut_rolls": self.cut_rolls,
            "cut_meters": str(self.cut_meters),
            "offcut_meters": str(self.offcut_meters),
            "meters": str(self.meters),
            "price_per_meter": str(self.price_per_meter),
            "amount": str(self.amount),
        }

    @classmethod
    def from_dict(cls, data: dict) -> AllocationPart:
        # meters and amount are derived, so a stored copy cannot disagree with the parts it was computed from.
        return cls(
            batch_id=data["batch_id"],
            dye_lot=data.get("dye_lot"),
            meters_per_roll=meters(data["meters_per_roll"]),
            rolls=int(data["rolls"]),
            loose_meters=meters(data["loose_meters"]),
            cut_rolls=int(data["cut_rolls"]),
            cut_meters=meters(data["cut_meters"]),
            offcut_meters=meters(data.get("offcut_meters", "0")),
            price_per_meter=rupees(data["price_per_meter"]),
        )


@dataclass(frozen=True)
class Allocation:
    """The answer to one line: its status, what can be given and from which batches."""

    material: str
    color: str
    unit: str
    requested_quantity: Decimal
    status: InventoryStatus
    requested_meters: Decimal | None  # None for a roll line that cannot be filled: its meters depend on the rolls
    available_meters: Decimal
    spans_lots: bool
    parts: tuple[AllocationPart, ...]

    @property
    def available_quantity(self) -> Decimal:
        """What can be given, in the line's unit (meters or whole rolls)."""
        if self.unit == UNIT_ROLLS:
            return Decimal(sum(part.rolls for part in self.parts))
        return self.available_meters

    @property
    def amount(self) -> Decimal:
        return rupees(sum((part.amount for part in self.parts), ZERO))

    @property
    def dye_lots(self) -> list[str | None]:
        """The lots used, in the order they are used (a None lot is an unlabelled batch)."""
        return list(dict.fromkeys(part.dye_lot for part in self.parts))

    def to_dict(self) -> dict:
        return {
            "material": self.material,
            "color": self.color,
            "unit": self.unit,
            "requested_quantity": str(self.requested_quantity),
            "status": self.status.value,
            "requested_meters": None if self.requested_meters is None else str(self.requested_meters),
            "available_meters": str(self.available_meters),
            "spans_lots": self.spans_lots,
            "parts": [part.to_dict() for part in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Allocation:
        requested = data.get("requested_meters")
        return cls(
            material=data["material"],
            color=data["color"],
            unit=data["unit"],
            requested_quantity=Decimal(data["requested_quantity"]),
            status=InventoryStatus(data["status"]),
            requested_meters=None if requested is None else meters(requested),
            available_meters=meters(data["available_meters"]),
            spans_lots=bool(data["spans_lots"]),
            parts=tuple(AllocationPart.from_dict(part) for part in data["parts"]),
        )


@dataclass
class _Take:
    """A part being built while a lot is filled."""

    batch: Batch
    rolls: int = 0
    loose: Decimal = ZERO
    cut_rolls: int = 0
    cut: Decimal = ZERO
    offcut: Decimal = ZERO

    def is_empty(self) -> bool:
        return self.rolls == 0 and self.loose == 0 and self.cut_rolls == 0

    def to_part(self) -> AllocationPart:
        return AllocationPart(
            batch_id=self.batch.batch_id,
            dye_lot=self.batch.dye_lot,
            meters_per_roll=self.batch.meters_per_roll,
            rolls=self.rolls,
            loose_meters=meters(self.loose),
            cut_rolls=self.cut_rolls,
            cut_meters=meters(self.cut),
            offcut_meters=meters(self.offcut),
            price_per_meter=self.batch.price_per_meter,
        )


def _fifo_key(batch: Batch) -> tuple[date, str]:
    return (batch.received_on, batch.batch_id)


def _lot_key(batch: Batch) -> str:
    # An unlabelled batch is a lot of its own; the prefix keeps it apart from a label that happens to match an id.
    return f"lot:{batch.dye_lot}" if batch.dye_lot is not None else f"batch:{batch.batch_id}"


def _capacity(batch: Batch, line: LineRequest, policy: AllocationPolicy) -> Decimal:
    """What a batch can give the line, in the line's unit."""
    return Decimal(batch.rolls) if line.in_rolls else batch.available_meters(policy)


def _lots(line: LineRequest, batches: Iterable[Batch], policy: AllocationPolicy) -> list[list[Batch]]:
    """Matching batches with something to give, grouped into dye lots; lots and their batches in FIFO order."""
    matching = [
        b for b in batches if b.material == line.material and b.color == line.color and _capacity(b, line, policy) > 0
    ]
    grouped = [sorted(group, key=_fifo_key) for _, group in groupby(sorted(matching, key=_lot_key), key=_lot_key)]
    return sorted(grouped, key=lambda lot: _fifo_key(lot[0]))


def _choose_lots(capacities: list[Decimal], need: Decimal) -> list[int]:
    """Indexes of the fewest lots that together serve ``need``; among those, the first combination in FIFO order.

    The fewest count comes from the largest lots; then each slot takes the oldest lot that still leaves a way to
    complete the combination with the largest of the later lots.
    """
    largest_first = sorted(capacities, reverse=True)
    running, count = ZERO, 0
    while running < need:
        running += largest_first[count]
        count += 1
    chosen: list[int] = []
    total, start = ZERO, 0
    for slot in range(count):
        still_to_choose = count - slot - 1
        for index in range(start, len(capacities)):
            best_rest = sum(sorted(capacities[index + 1 :], reverse=True)[:still_to_choose], ZERO)
            if total + capacities[index] + best_rest >= need:
                chosen.append(index)
                total += capacities[index]
                start = index + 1
                break
    return chosen


def _fill_lot(lot: list[Batch], need: Decimal, line: LineRequest, policy: AllocationPolicy) -> list[_Take]:
    """Take ``need`` (at most the lot's capacity) from one lot: whole rolls, then loose meters, then one cut."""
    takes = [_Take(batch) for batch in lot]
    if line.in_rolls:
        remaining = int(need)
        for take in takes:
            take.rolls = min(take.batch.rolls, remaining)
            remaining -= take.rolls
        return [take for take in takes if not take.is_empty()]

    remaining = need
    for take in takes:
        take.rolls = min(take.batch.rolls, int(remaining // take.batch.meters_per_roll))
        remaining -= take.rolls * take.batch.meters_per_roll
    for take in takes:
        if remaining <= 0:
            break
        offered = take.batch.offered_loose(policy)
        take.loose = min(offered, remaining)
        remaining -= take.loose
        left = offered - take.loose
        if 0 < left < policy.min_cut_meters:
            take.offcut = left
    if remaining > 0:
        # Passes a and b leave less than one roll of every batch that still has rolls, so one cut is enough.
        take = next(t for t in takes if t.batch.rolls > t.rolls)
        take.cut_rolls, take.cut = 1, remaining
        left = take.batch.meters_per_roll - remaining
        if 0 < left < policy.min_cut_meters:
            take.offcut = left
    return [take for take in takes if not take.is_empty()]


def allocate(line: LineRequest, batches: Iterable[Batch], policy: AllocationPolicy = DEFAULT_POLICY) -> Allocation:
    """Decide which batches fill ``line`` under the policy in the module docstring.

    Raises LineBelowMinimumCut for a meter line shorter than ``policy.min_cut_meters``.
    """
    if not line.in_rolls and line.quantity < policy.min_cut_meters:
        raise LineBelowMinimumCut(line.quantity, policy.min_cut_meters)
    lots = _lots(line, batches, policy)
    capacities = [sum((_capacity(b, line, policy) for b in lot), ZERO) for lot in lots]
    need = line.quantity
    if sum(capacities, ZERO) >= need:
        status = InventoryStatus.FULL_AVAILABLE
        chosen = _choose_lots(capacities, need)
    else:
        status = InventoryStatus.PARTIAL_AVAILABLE if lots else InventoryStatus.OUT_OF_STOCK
        chosen = list(range(len(lots)))
    takes: list[_Take] = []
    remaining = need
    for index in chosen:
        share = min(remaining, capacities[index])
        takes.extend(_fill_lot(lots[index], share, line, policy))
        remaining -= share
    parts = tuple(take.to_part() for take in takes)
    given = meters(sum((part.meters for part in parts), ZERO))
    if line.in_rolls:
        requested = given if status is InventoryStatus.FULL_AVAILABLE else None
    else:
        requested = meters(need)
    return Allocation(
        material=line.material,
        color=line.color,
        unit=line.unit,
        requested_quantity=line.quantity,
        status=status,
        requested_meters=requested,
        available_meters=given,
        spans_lots=len(chosen) > 1,
        parts=parts,
    )


@dataclass(frozen=True)
class StockChange:
    """One batch's stock movement, shaped for a single conditional update.

    A DynamoDB adapter writes ``SET rolls = rolls + :rolls_delta, loose_meters = loose_meters + :loose_delta``
    with ``ConditionExpression rolls >= :requires_rolls AND loose_meters >= :requires_loose`` and maps a failed
    condition to ``OutOfStock``.
    """

    batch_id: str
    rolls_removed: int = 0
    loose_removed: Decimal = ZERO
    loose_added: Decimal = ZERO
    rolls_added: int = 0

    @property
    def rolls_delta(self) -> int:
        return self.rolls_added - self.rolls_removed

    @property
    def loose_delta(self) -> Decimal:
        return meters(self.loose_added - self.loose_removed)

    @property
    def requires_rolls(self) -> int:
        return self.rolls_removed

    @property
    def requires_loose(self) -> Decimal:
        return self.loose_removed


def stock_change(part: AllocationPart) -> StockChange:
    """The exact movement that taking ``part`` makes: rolls handed over or opened, loose used, cut remainder added."""
    from_loose = part.loose_meters + (part.offcut_meters if part.cut_rolls == 0 else ZERO)
    from_cut = part.cut_meters + (part.offcut_meters if part.cut_rolls else ZERO)
    return StockChange(
        batch_id=part.batch_id,
        rolls_removed=part.rolls + part.cut_rolls,
        loose_removed=meters(from_loose),
        loose_added=meters(part.cut_rolls * part.meters_per_roll - from_cut),
    )


def release_change(part: AllocationPart) -> StockChange:
    """The movement that puts ``part`` back on the shelf (a cancelled order).

    Whole rolls go back as rolls; everything measured out comes back as loose meters, because an opened roll cannot
    be rolled up as whole again. The offcut is not returned: it was never sellable stock.
    """
    return StockChange(
        batch_id=part.batch_id,
        rolls_added=part.rolls,
        loose_added=meters(part.loose_meters + part.cut_meters),
    )


def apply_change(batch: Batch, change: StockChange) -> Batch:
    """The batch after ``change``; raises OutOfStock when the batch cannot satisfy the change's preconditions."""
    if change.batch_id != batch.batch_id:
        raise ValueError(f"change for batch {change.batch_id} applied to batch {batch.batch_id}")
    if batch.rolls < change.requires_rolls or batch.loose_meters < change.requires_loose:
        raise OutOfStock(f"batch {batch.batch_id} no longer has the stock this allocation takes", (batch.batch_id,))
    return dataclasses.replace(
        batch,
        rolls=batch.rolls + change.rolls_delta,
        loose_meters=meters(batch.loose_meters + change.loose_delta),
    )


def apply_allocation(batch: Batch, part: AllocationPart) -> Batch:
    """The batch after ``part`` is taken from it; raises OutOfStock if it no longer holds that much."""
    return apply_change(batch, stock_change(part))


SAME_MATERIAL = "same material"
SAME_COLOUR = "same colour"


@dataclass(frozen=True)
class Alternative:
    """Another material or colour that can fill the whole line.

    ``price_per_meter`` is the price of the first lot the line would be cut from; ``amount`` is the exact price of
    the whole line from that stock (it differs from quantity x price only if the line would span lots).
    """

    material: str
    color: str
    available_meters: Decimal
    price_per_meter: Decimal
    amount: Decimal
    reason: str  # SAME_MATERIAL or SAME_COLOUR

    def to_dict(self) -> dict:
        return {
            "material": self.material,
            "color": self.color,
            "available_meters": str(self.available_meters),
            "price_per_meter": str(self.price_per_meter),
            "amount": str(self.amount),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Alternative:
        return cls(
            material=data["material"],
            color=data["color"],
            available_meters=meters(data["available_meters"]),
            price_per_meter=rupees(data["price_per_meter"]),
            amount=rupees(data["amount"]),
            reason=data["reason"],
        )


def _kinship(color: str, asked: str) -> int:
    """How many words two colour names share: a shade and its base colour are kin, red and blue are not."""
    return len(set(color.split()) & set(asked.split()))


def alternatives(
    line: LineRequest, batches: Iterable[Batch], policy: AllocationPolicy = DEFAULT_POLICY, limit: int = 3
) -> list[Alternative]:
    """Up to ``limit`` other kinds of cloth that can fill the whole line, to offer when it is short.

    Order: first the same material in other colours, then the same colour in other materials (a customer who
    asked for red polyester usually cares more about the fabric than the shade); within each group the most
    meters in stock first (the surest offer), then by name so the list is stable. Only kinds that can fill the
    whole line under the allocation policy are offered. Raises LineBelowMinimumCut like ``allocate``.
    """
    stock = list(batches)
    kinds = {(b.material, b.color) for b in stock} - {(line.material, line.color)}
    groups = (
        (SAME_MATERIAL, sorted(color for material, color in kinds if material == line.material), True),
        (SAME_COLOUR, sorted(material for material, color in kinds if color == line.color), False),
    )
    found: list[Alternative] = []
    for reason, names, vary_color in groups:
        offers = []
        for name in names:
            material, color = (line.material, name) if vary_color else (name, line.color)
            candidate = dataclasses.replace(line, material=material, color=color)
            allocation = allocate(candidate, stock, policy)
            if allocation.status is not InventoryStatus.FULL_AVAILABLE:
                continue
            available = meters(
                sum((b.available_meters(policy) for b in stock if (b.material, b.color) == (material, color)), ZERO)
            )
            offers.append(
                Alternative(
                    material=material,
                    color=color,
                    available_meters=available,
                    price_per_meter=allocation.parts[0].price_per_meter,
                    amount=allocation.amount,
                    reason=reason,
                )
            )
        # Nearest shades first ("green" for "light green", "navy blue" for "dark blue"), then the most meters; names
        # were visited in order and the sort is stable, so equal stock stays in name order.
        found.extend(sorted(offers, key=lambda alt: (-_kinship(alt.color, line.color), -alt.available_meters)))
    return found[:limit]
