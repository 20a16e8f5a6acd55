"""GST rates per HSN heading, each with the date it took effect, and the lookup of the rate in force on a date."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from chalicelib.domain.money import to_decimal

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "gst_rates.json"

# Rates are kept for 4-digit headings, but an invoice line may carry a 6- or 8-digit HSN (52081190);
# it takes the rate of its longest known prefix, never shorter than the heading.
HEADING_DIGITS = 4


class GstRateNotFound(LookupError):
    """No GST rate applies to an HSN code on a date."""


class UnknownHsn(GstRateNotFound):
    """The HSN code (nor its heading) is not in the rates table."""

    def __init__(self, hsn: str) -> None:
        super().__init__(f"no GST rate is known for HSN {hsn}")
        self.hsn = hsn


class NoRateInForce(GstRateNotFound):
    """The HSN code is known, but every rate for it took effect after the date."""

    def __init__(self, hsn: str, on_date: date) -> None:
        super().__init__(f"no GST rate for HSN {hsn} was in force on {on_date.isoformat()}")
        self.hsn = hsn
        self.on_date = on_date


@dataclass(frozen=True)
class GstRate:
    """The total GST percent on an HSN heading from ``effective_from`` until a later row replaces it."""

    hsn: str
    rate_percent: Decimal  # 5 means 5%: CGST 2.5 + SGST 2.5, or IGST 5
    effective_from: date
    description: str = ""

    def __post_init__(self) -> None:
        if not (self.hsn.isdigit() and len(self.hsn) in (4, 6, 8)):
            raise ValueError(f"an HSN code has 4, 6 or 8 digits, not {self.hsn!r}")
        rate = to_decimal(self.rate_percent)
        if not Decimal(0) <= rate <= Decimal(100):
            raise ValueError(f"a GST rate is a percent between 0 and 100, not {rate}")
        object.__setattr__(self, "rate_percent", rate)

    def to_dict(self) -> dict[str, str]:
        return {
            "hsn": self.hsn,
            "rate_percent": str(self.rate_percent),
            "effective_from": self.effective_from.isoformat(),
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, row: dict[str, str]) -> GstRate:
        return cls(
            hsn=str(row["hsn"]),
            rate_percent=to_decimal(row["rate_percent"]),
            effective_from=date.fromisoformat(row["effective_from"]),
            description=row.get("description", ""),
        )


def rate_for(hsn: str, on_date: date, rates: Iterable[GstRate]) -> Decimal:
    """The GST percent in force for ``hsn`` on ``on_date``: the latest row whose effective_from is on or before it.

    Raises UnknownHsn when neither the code nor its heading has a rate, and NoRateInForce when every known rate
    for it starts after ``on_date``.
    """
    code = hsn.strip()
    by_code: dict[str, list[GstRate]] = {}
    for rate in rates:
        by_code.setdefault(rate.hsn, []).append(rate)
    for length in range(len(code), HEADING_DIGITS - 1, -1):
        candidates = by_code.get(code[:length])
        if candidates:
            in_force = [rate for rate in candidates if rate.effective_from <= on_date]
            if not in_force:
                raise NoRateInForce(code, on_date)
            return max(in_force, key=lambda rate: rate.effective_from).rate_percent
    raise UnknownHsn(code)


def load_seed_rates(path: Path = SEED_FILE) -> list[GstRate]:
    """Read the seed file of GST rates (the rows later seeded into the rates table)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [GstRate.from_dict(row) for row in data["rates"]]
