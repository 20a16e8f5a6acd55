"""Returns and GST credit notes, pure: what may be returned, the credit note it makes, its series and deadline.

Rules followed:
- Section 34(1) CGST Act: goods returned by the recipient are credited by a credit note. Section 34(2), as amended
  by the Finance Act 2022 (in force 1 October 2022): it must be declared "not later than the thirtieth day of
  November following the end of the financial year in which such supply was made, or the date of furnishing of the
  relevant annual return, whichever is earlier". We refuse a return after 30 November following the financial year
  of the invoice, or after the annual return date when the shop gives it (ANNUAL_RETURN_FILED_ON, optional).
- Rule 53(1A) CGST Rules: a credit note carries its own consecutive serial number (unique in the financial year,
  at most 16 characters: 'CN/26-27/00001'), its date, the supplier's and recipient's details, the number and date
  of the invoice it corrects, the taxable value, rate and amount of tax credited.
- Never more is returned than was sold, per invoice line (one line per batch and dye lot), counting earlier returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.invoice import Invoice, InvoiceLine, financial_year, format_invoice_number
from chalicelib.domain.money import format_meters, meters

PREFIX = "CN"


class ReturnRefused(BadRequest):
    """A return that cannot be credited; ``reason`` says why (more than sold, past the statutory deadline, …)."""


@dataclass(frozen=True)
class ReturnLine:
    line: int  # 1-based line number on the invoice (each line is one batch and dye lot)
    meters: Decimal


def credit_note_number(fy: str, seq: int) -> str:
    return format_invoice_number(fy, seq, PREFIX)


def deadline(invoice_date: dt.date, annual_return_filed_on: dt.date | None = None) -> dt.date:
    """The last day a credit note for a supply on ``invoice_date`` may be issued (section 34(2) CGST Act)."""
    fy_start = invoice_date.year if invoice_date.month >= 4 else invoice_date.year - 1
    last = dt.date(fy_start + 1, 11, 30)
    if annual_return_filed_on is not None and annual_return_filed_on >= dt.date(fy_start + 1, 4, 1):
        last = min(last, annual_return_filed_on)
    return last


def parse_return(body: object) -> list[ReturnLine]:
    """{"lines": [{"line": 1, "meters": "2.5"}, …]} -> ReturnLines; raises ReturnRefused saying what is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("lines"), list) or not body["lines"]:
        raise ReturnRefused('send {"lines": [{"line": <invoice line number>, "meters": "2.5"}]}')
    out: dict[int, Decimal] = {}
    for item in body["lines"]:
        if not isinstance(item, dict):
            raise ReturnRefused("each returned line needs 'line' and 'meters'")
        try:
            number = int(str(item.get("line")))
            quantity = meters(str(item.get("meters")))
        except (ValueError, ArithmeticError):
            raise ReturnRefused(f"not a line number and meters: {item!r}") from None
        if isinstance(item.get("meters"), float):
            raise ReturnRefused('meters must be a string like "2.5"')
        if quantity <= 0:
            raise ReturnRefused(f"line {number}: meters returned must be more than zero")
        out[number] = out.get(number, Decimal(0)) + quantity
    return [ReturnLine(n, m) for n, m in sorted(out.items())]


def credit_note(
    invoice: Invoice,
    returned_before: dict[int, Decimal],
    lines: list[ReturnLine],
    number: str,
    on: dt.date,
    annual_return_filed_on: dt.date | None = None,
) -> Invoice:
    """The credit note for returning ``lines`` of ``invoice``: the returned meters at the invoice's rates and GST.
    Raises ReturnRefused (past the deadline, an unknown line, more than was sold)."""
    last = deadline(invoice.date, annual_return_filed_on)
    if on > last:
        raise ReturnRefused(
            f"invoice {invoice.number} of {invoice.date:%d-%m-%Y} can no longer be credited: section 34(2) of the "
            f"CGST Act allows credit notes for supplies of financial year {financial_year(invoice.date)} only "
            f"until {last:%d-%m-%Y}"
        )
    credited = []
    for item in lines:
        if not 1 <= item.line <= len(invoice.lines):
            raise ReturnRefused(f"invoice {invoice.number} has no line {item.line}")
        sold = invoice.lines[item.line - 1]
        left = sold.quantity_m - returned_before.get(item.line, Decimal(0))
        if item.meters > left:
            raise ReturnRefused(
                f"line {item.line} ({sold.description}): {format_meters(item.meters)} m is more than the "
                f"{format_meters(left)} m sold and not yet returned"
            )
        credited.append(InvoiceLine(sold.description, sold.hsn, item.meters, sold.rate, sold.gst_rate))
    return Invoice(
        number=number,
        date=on,
        supplier=invoice.supplier,
        recipient=invoice.recipient,
        lines=tuple(credited),
        place_of_supply=invoice.place_of_supply,
        original_number=invoice.number,
        original_date=invoice.date,
    )
