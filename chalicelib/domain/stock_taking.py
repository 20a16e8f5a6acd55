"""Stock-taking: the owner counts a batch (after a count, damage, a cut mistake) and the books follow the count.

What is counted is what is physically in the batch: whole rolls and loose meters, including cloth set aside for
orders that wait for the owner's approval (reserved cloth has left the batch's available ``rolls``/``loose_meters``
on the books but is still on the shelf). So a count can never be below what is reserved: the shop would have
promised cloth it no longer has, and the count is refused (``BelowReserved``).

The books after a count: the reserved meters are taken out of the counted cloth the way allocation takes stock
(whole rolls that fit, then loose meters, then one roll cut, its remainder loose), and what is left is available.
``Adjustment`` holds the before and after counts, which become a stock movement with who and why.

Reasons: count (a periodic stock-taking), damage, cut_loss (a cut mistake or short roll), correction (a typo).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from chalicelib.domain.errors import BadRequest, DomainError
from chalicelib.domain.money import CENTIMETER, meters
from chalicelib.domain.stock import Batch

REASONS = ("count", "damage", "cut_loss", "correction")
MAX_ROLLS = 10_000
MAX_LOOSE_METERS = Decimal(100_000)
MAX_NOTE = 300


class CountsMoved(DomainError):
    """The batch changed between reading it and writing the count (a sale, a reservation, another count)."""


class BelowReserved(BadRequest):
    """The counted cloth is less than what is reserved for waiting orders."""

    def __init__(self, counted: Decimal, reserved: Decimal):
        super().__init__(
            f"the count ({counted} m) is below the {reserved} m reserved for orders waiting for approval; "
            "reject or approve those orders first, or count again"
        )
        self.counted = counted
        self.reserved = reserved


@dataclass(frozen=True)
class StockCount:
    """The owner's count of one batch and why it differs."""

    rolls: int
    loose_meters: Decimal
    reason: str
    note: str | None = None

    @classmethod
    def from_body(cls, body: object) -> StockCount:
        """Parse the owner's JSON; raises ValueError naming what is wrong."""
        if not isinstance(body, dict):
            raise BadRequest("send a JSON object: rolls, loose_meters, reason (count, damage, cut_loss, correction)")
        rolls = body.get("rolls")
        if isinstance(rolls, bool) or not isinstance(rolls, int) or not 0 <= rolls <= MAX_ROLLS:
            raise BadRequest(f"rolls is the number of whole rolls counted, 0 to {MAX_ROLLS:,}")
        loose = _meters(body.get("loose_meters", 0))
        reason = body.get("reason")
        if reason not in REASONS:
            raise BadRequest("reason is one of " + ", ".join(REASONS))
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            raise BadRequest(f"note is text of at most {MAX_NOTE} characters")
        return cls(rolls=rolls, loose_meters=loose, reason=reason, note=(note or "").strip() or None)


def _meters(value: object) -> Decimal:
    reason = f"loose_meters is a number of meters from 0 to {MAX_LOOSE_METERS:,} with at most two decimals"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRequest(reason)
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise BadRequest(reason) from None
    if not amount.is_finite() or not 0 <= amount <= MAX_LOOSE_METERS or amount != amount.quantize(CENTIMETER):
        raise BadRequest(reason)
    return amount.quantize(CENTIMETER)


@dataclass(frozen=True)
class Adjustment:
    """The books of one batch before and after a count."""

    batch_id: str
    reason: str
    note: str | None
    rolls_before: int
    loose_before: Decimal
    rolls_after: int
    loose_after: Decimal
    reserved_meters: Decimal
    meters_per_roll: Decimal

    @property
    def meters_change(self) -> Decimal:
        """Meters gained (+) or lost (-) on the books."""
        before = self.rolls_before * self.meters_per_roll + self.loose_before
        return meters(self.rolls_after * self.meters_per_roll + self.loose_after - before)

    def to_dict(self) -> dict:
        return {
            "batch_id": self.batch_id,
            "reason": self.reason,
            "note": self.note,
            "before": {"rolls": self.rolls_before, "loose_meters": str(self.loose_before)},
            "after": {"rolls": self.rolls_after, "loose_meters": str(self.loose_after)},
            "reserved_meters": str(self.reserved_meters),
            "meters_change": str(self.meters_change),
        }


def adjustment(batch: Batch, reserved: Decimal, count: StockCount) -> Adjustment:
    """The books of ``batch`` after ``count`` (see the module docstring); raises BelowReserved."""
    per_roll = batch.meters_per_roll
    counted = meters(count.rolls * per_roll + count.loose_meters)
    if counted < reserved:
        raise BelowReserved(counted, reserved)
    whole = min(count.rolls, int(reserved // per_roll))
    rest = reserved - whole * per_roll
    rolls, loose = count.rolls - whole, count.loose_meters
    if rest <= loose:
        loose -= rest
    else:  # the loose cloth is all reserved and one more roll was cut for the rest; its remainder is loose
        rest -= loose
        rolls, loose = rolls - 1, per_roll - rest
    return Adjustment(
        batch_id=batch.batch_id,
        reason=count.reason,
        note=count.note,
        rolls_before=batch.rolls,
        loose_before=batch.loose_meters,
        rolls_after=rolls,
        loose_after=meters(loose),
        reserved_meters=reserved,
        meters_per_roll=per_roll,
    )
