"""What an order will cost the customer: the invoice's lines and totals, computed before there is an invoice.

The summary a customer confirms, the hand-over message and the owner's notification all quote these numbers, and the
invoice is drafted from the same ``invoice_lines``, so the amount payable on WhatsApp is the grand total printed on
the invoice (same lines per dye lot, same HSN and GST rate on the same date, same rounding in ``compute_totals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.gst import GstRate, load_seed_rates, rate_for
from chalicelib.domain.invoice import InvoiceLine, InvoiceTotals, compute_totals

DEFAULT_HSN = "5208"  # cotton fabric: a material the catalogue has no HSN for is billed as the invoice does


@dataclass(frozen=True)
class Tax:
    """How to tax an order: the GST rates in force and whether the supply stays in the shop's state."""

    rates: tuple[GstRate, ...] = field(default_factory=tuple)
    intra_state: bool = True

    def rates_or_seed(self) -> tuple[GstRate, ...]:
        return self.rates or _seed_rates()


@cache
def _seed_rates() -> tuple[GstRate, ...]:
    return tuple(load_seed_rates())


def invoice_lines(lines: Iterable, vocabulary: Vocabulary, rates: Iterable[GstRate], on: date) -> list[InvoiceLine]:
    """One invoice line per batch taken (so each dye lot shows), with the HSN of the material and its GST rate."""
    rates = tuple(rates)
    result = []
    for line in lines:
        material = vocabulary.material(line.material)
        color = vocabulary.color(line.color)
        hsn = (material.hsn if material else None) or DEFAULT_HSN
        for part in line.allocation.parts:
            lot = f", dye lot {part.dye_lot}" if part.dye_lot else ""
            result.append(
                InvoiceLine(
                    description=f"{line.material.title()}, {(color.name if color else line.color).title()}{lot}",
                    hsn=hsn,
                    quantity_m=part.meters,
                    rate=part.price_per_meter,
                    gst_rate=rate_for(hsn, on, rates),
                )
            )
    return result


def totals(order, vocabulary: Vocabulary, tax: Tax, on: date) -> InvoiceTotals | None:
    """The invoice totals of what the order's summary gives; None when it gives nothing."""
    lines = invoice_lines(order.lines_for_summary, vocabulary, tax.rates_or_seed(), on)
    if not lines:
        return None
    return compute_totals(tuple(lines), intra_state=tax.intra_state)
