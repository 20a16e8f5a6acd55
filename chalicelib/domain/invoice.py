"""GST tax invoices: parties, lines, the CGST/SGST or IGST split, round-off, amount in words and numbering."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from chalicelib.domain.money import meters, rupees, to_decimal

# GST state codes (the first two digits of every GSTIN in that state).
STATE_NAMES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "28": "Andhra Pradesh (before 2014)",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
}

GSTIN_PATTERN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")

# Rule 46(b) of the CGST Rules: at most sixteen characters of letters, digits, "-" and "/".
INVOICE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9/-]{1,16}$")
MAX_INVOICE_NUMBER_LENGTH = 16

RUPEE = Decimal("1")
HUNDRED = Decimal("100")


class InvalidInvoiceNumber(ValueError):
    """An invoice number that GST does not allow (too long, or characters other than letters, digits, - and /)."""


def state_code_from_gstin(gstin: str) -> str:
    """'27AAPFU0939F1ZV' -> '27': a GSTIN starts with the GST code of the state it is registered in."""
    return gstin[:2]


@dataclass(frozen=True)
class State:
    """A state or union territory as GST names it: 'Maharashtra', '27'."""

    name: str
    code: str

    def __post_init__(self) -> None:
        if self.code not in STATE_NAMES:
            raise ValueError(f"unknown GST state code {self.code!r}")

    @classmethod
    def from_code(cls, code: str) -> State:
        return cls(STATE_NAMES.get(code, ""), code)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class Party:
    """The supplier or recipient of an invoice; a registered party's state code comes from its GSTIN."""

    name: str
    address_lines: tuple[str, ...] = ()
    gstin: str | None = None
    state_name: str = ""
    state_code: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "address_lines", tuple(self.address_lines))
        gstin = (self.gstin or "").strip().upper() or None
        if gstin is not None:
            if not GSTIN_PATTERN.match(gstin):
                raise ValueError(f"not a GSTIN: {gstin!r}")
            derived = state_code_from_gstin(gstin)
            if self.state_code and self.state_code != derived:
                raise ValueError(f"state code {self.state_code} does not match GSTIN {gstin}")
            object.__setattr__(self, "state_code", derived)
        object.__setattr__(self, "gstin", gstin)
        if self.state_code not in STATE_NAMES:
            raise ValueError(
                f"{self.name}: a GSTIN or a known 2-digit GST state code is needed, not {self.state_code!r}"
            )
        if not self.state_name:
            object.__setattr__(self, "state_name", STATE_NAMES[self.state_code])

    @property
    def state(self) -> State:
        return State(self.state_name, self.state_code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address_lines": list(self.address_lines),
            "gstin": self.gstin,
            "state_name": self.state_name,
            "state_code": self.state_code,
            "phone": self.phone,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Party:
        return cls(
            name=data["name"],
            address_lines=tuple(data.get("address_lines", ())),
            gstin=data.get("gstin"),
            state_name=data.get("state_name", ""),
            state_code=data.get("state_code", ""),
            phone=data.get("phone", ""),
        )


@dataclass(frozen=True)
class InvoiceLine:
    """Cloth sold on one line: meters at a rate per meter, with the GST percent in force for its HSN."""

    description: str  # "Cotton, Blue, dye lot DL-114"
    hsn: str
    quantity_m: Decimal
    rate: Decimal  # rupees per meter, before GST
    gst_rate: Decimal  # total GST percent, e.g. 5

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity_m", meters(self.quantity_m))
        object.__setattr__(self, "rate", rupees(self.rate))
        object.__setattr__(self, "gst_rate", to_decimal(self.gst_rate))
        if self.quantity_m <= 0:
            raise ValueError(f"a line needs a positive quantity, not {self.quantity_m} m")
        if self.rate < 0:
            raise ValueError(f"a rate cannot be negative: {self.rate}")
        if not self.hsn.isdigit() or len(self.hsn) not in (4, 6, 8):
            raise ValueError(f"an HSN code has 4, 6 or 8 digits, not {self.hsn!r}")

    @property
    def taxable_value(self) -> Decimal:
        return rupees(self.quantity_m * self.rate)

    def to_dict(self) -> dict[str, str]:
        return {
            "description": self.description,
            "hsn": self.hsn,
            "quantity_m": str(self.quantity_m),
            "rate": str(self.rate),
            "gst_rate": str(self.gst_rate),
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> InvoiceLine:
        return cls(
            description=data["description"],
            hsn=data["hsn"],
            quantity_m=to_decimal(data["quantity_m"]),
            rate=to_decimal(data["rate"]),
            gst_rate=to_decimal(data["gst_rate"]),
        )


@dataclass(frozen=True)
class TaxGroup:
    """The taxable value and tax of all lines sharing one HSN and GST rate (the HSN summary of a GST return)."""

    hsn: str
    gst_rate: Decimal
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


@dataclass(frozen=True)
class TaxRow:
    """One tax line under the items: 'CGST', 2.5, ₹123.45."""

    kind: str  # "CGST" | "SGST" | "IGST"
    percent: Decimal
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.kind} {format_percent(self.percent)}%"


@dataclass(frozen=True)
class InvoiceTotals:
    """Everything the invoice adds up to."""

    intra_state: bool
    taxable_value: Decimal
    tax_groups: tuple[TaxGroup, ...]
    tax_rows: tuple[TaxRow, ...]
    subtotal: Decimal  # taxable value + tax, to the paisa
    round_off: Decimal  # to the nearest rupee; negative when rounded down
    grand_total: Decimal

    @property
    def total_tax(self) -> Decimal:
        return sum((row.amount for row in self.tax_rows), Decimal("0.00"))


@dataclass(frozen=True, kw_only=True)
class Invoice:
    """A GST tax invoice; CGST + SGST when the place of supply is the supplier's state, else IGST."""

    number: str
    date: dt.date
    supplier: Party
    recipient: Party
    lines: tuple[InvoiceLine, ...]
    place_of_supply: State | None = None  # defaults to the recipient's state
    due_date: dt.date | None = None  # invoice date + the customer's credit days (printed; ageing counts from it)
    # A credit note (section 34 CGST Act) cites the invoice it corrects: its number and date (Rule 53(1A)).
    original_number: str | None = None
    original_date: dt.date | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.original_number is not None

    def __post_init__(self) -> None:
        validate_invoice_number(self.number)
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.lines:
            raise ValueError("an invoice needs at least one line")
        if self.place_of_supply is None:
            object.__setattr__(self, "place_of_supply", self.recipient.state)

    @property
    def supply_state(self) -> State:
        assert self.place_of_supply is not None  # set in __post_init__
        return self.place_of_supply

    @property
    def intra_state(self) -> bool:
        return self.supplier.state_code == self.supply_state.code

    @cached_property
    def totals(self) -> InvoiceTotals:
        return compute_totals(self.lines, intra_state=self.intra_state)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (Decimals and dates as strings) for storage; totals are recomputed, never stored."""
        return (
            {
                "number": self.number,
                "date": self.date.isoformat(),
                "supplier": self.supplier.to_dict(),
                "recipient": self.recipient.to_dict(),
                "place_of_supply": {"name": self.supply_state.name, "code": self.supply_state.code},
                "lines": [line.to_dict() for line in self.lines],
            }
            | ({"due_date": self.due_date.isoformat()} if self.due_date else {})
            | (
                {"original_number": self.original_number, "original_date": self.original_date.isoformat()}
                if self.original_number and self.original_date
                else {}
            )
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Invoice:
        place = data.get("place_of_supply")
        return cls(
            number=data["number"],
            date=dt.date.fromisoformat(data["date"]),
            supplier=Party.from_dict(data["supplier"]),
            recipient=Party.from_dict(data["recipient"]),
            place_of_supply=State(place["name"], place["code"]) if place else None,
            lines=tuple(InvoiceLine.from_dict(line) for line in data["lines"]),
            due_date=dt.date.fromisoformat(data["due_date"]) if data.get("due_date") else None,
            original_number=data.get("original_number"),
            original_date=dt.date.fromisoformat(data["original_date"]) if data.get("original_date") else None,
        )


def compute_totals(lines: tuple[InvoiceLine, ...], *, intra_state: bool) -> InvoiceTotals:
    """Tax each HSN/rate group on its summed taxable value, so per-line rounding never adds up to a stray paisa."""
    grouped: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.hsn, line.gst_rate)
        grouped[key] = grouped.get(key, Decimal("0.00")) + line.taxable_value

    groups = []
    for (hsn, gst_rate), taxable in grouped.items():
        if intra_state:
            # CGST and SGST are each rounded, so they are always equal, as the GST portal expects.
            half = rupees(taxable * gst_rate / 2 / HUNDRED)
            groups.append(TaxGroup(hsn, gst_rate, taxable, cgst=half, sgst=half, igst=Decimal("0.00")))
        else:
            igst = rupees(taxable * gst_rate / HUNDRED)
            groups.append(TaxGroup(hsn, gst_rate, taxable, cgst=Decimal("0.00"), sgst=Decimal("0.00"), igst=igst))

    rows: list[TaxRow] = []
    for gst_rate in sorted({group.gst_rate for group in groups}):
        at_rate = [group for group in groups if group.gst_rate == gst_rate]
        if intra_state:
            half = gst_rate / 2
            rows.append(TaxRow("CGST", half, sum((g.cgst for g in at_rate), Decimal("0.00"))))
            rows.append(TaxRow("SGST", half, sum((g.sgst for g in at_rate), Decimal("0.00"))))
        else:
            rows.append(TaxRow("IGST", gst_rate, sum((g.igst for g in at_rate), Decimal("0.00"))))

    taxable_value = sum((group.taxable_value for group in groups), Decimal("0.00"))
    subtotal = taxable_value + sum((row.amount for row in rows), Decimal("0.00"))
    grand_total = round_to_rupee(subtotal)
    return InvoiceTotals(
        intra_state=intra_state,
        taxable_value=taxable_value,
        tax_groups=tuple(groups),
        tax_rows=tuple(rows),
        subtotal=subtotal,
        round_off=rupees(grand_total - subtotal),
        grand_total=grand_total,
    )


def round_to_rupee(amount: Decimal) -> Decimal:
    """The nearest whole rupee, halves up: 100.50 -> 101.00, 100.49 -> 100.00."""
    return rupees(amount.quantize(RUPEE, rounding=ROUND_HALF_UP))


def format_percent(percent: Decimal) -> str:
    """2.50 -> '2.5', 5 -> '5'."""
    text = f"{percent:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- numbering ---------------------------------------------------------------------------------------------------


def financial_year(on_date: dt.date) -> str:
    """'25-26' for April 2025 to March 2026: the Indian financial year an invoice series restarts in."""
    start = on_date.year if on_date.month >= 4 else on_date.year - 1
    return f"{start % 100:02d}-{(start + 1) % 100:02d}"


def format_invoice_number(fy: str, seq: int, prefix: str = "BB") -> str:
    """'BB/25-26/00001': prefix, financial year and a serial padded to five digits, at most 16 characters."""
    if seq < 1:
        raise InvalidInvoiceNumber(f"invoice serials start at 1, not {seq}")
    return validate_invoice_number(f"{prefix}/{fy}/{seq:05d}")


def validate_invoice_number(number: str) -> str:
    """Return ``number`` if GST allows it, else raise InvalidInvoiceNumber."""
    if len(number) > MAX_INVOICE_NUMBER_LENGTH:
        raise InvalidInvoiceNumber(f"{number!r} is longer than {MAX_INVOICE_NUMBER_LENGTH} characters")
    if not INVOICE_NUMBER_PATTERN.match(number):
        raise InvalidInvoiceNumber(f"{number!r} may hold only letters, digits, '-' and '/'")
    return number


# --- amount in words ---------------------------------------------------------------------------------------------

_ONES = (
    "Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen Fifteen Sixteen "
    "Seventeen Eighteen Nineteen"
).split()
_TENS = "_ _ Twenty Thirty Forty Fifty Sixty Seventy Eighty Ninety".split()

# Indian grouping: a crore is a hundred lakh, a lakh a hundred thousand; above a crore the count of crores is
# itself read in this system ("One Lakh Crore").
_SCALES = ((10_000_000, "Crore"), (100_000, "Lakh"), (1_000, "Thousand"), (100, "Hundred"))


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _words(n: int) -> str:
    parts = []
    for size, name in _SCALES:
        if n >= size:
            count, n = divmod(n, size)
            parts.append(f"{_words(count)} {name}")
    if n:
        parts.append(_below_hundred(n))
    return " ".join(parts)


def amount_in_words(amount: Decimal) -> str:
    """'Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only' (Indian system)."""
    value = rupees(amount)
    if value < 0:
        raise ValueError(f"an amount in words cannot be negative: {value}")
    whole = int(value)
    paise = int((value - whole) * 100)
    text = "Rupees " + (_words(whole) if whole else "Zero")
    if paise:
        text += f" and {_below_hundred(paise)} {'Paisa' if paise == 1 else 'Paise'}"
    return text + " Only"


def draft_invoice(
    order,
    customer: dict,
    *,
    supplier: dict,
    vocabulary,
    rates: list,
    on: dt.date,
    credit_days: int,
    number: str = "DRAFT",
) -> Invoice:
    """The invoice ``order`` gets: one line per batch taken (so each dye lot shows), GST by the material's HSN on
    ``on``, the shop as ``supplier``, the customer as recipient (a walk-in WhatsApp customer with no GSTIN or state on
    file is taken to be local: intra-state), due after the customer's credit days, else ``credit_days``."""
    from chalicelib.domain.bill import invoice_lines

    # The very lines the customer's summary priced, so the grand total is the amount payable they confirmed.
    lines = invoice_lines(order.lines_for_summary, vocabulary, rates, on)
    shop = Party(
        name=supplier["name"],
        address_lines=(supplier["address"],),
        gstin=supplier["gstin"],
        state_code=supplier["state_code"],
        phone=supplier.get("phone", ""),
    )
    recipient = Party(
        name=customer.get("name") or order.customer_name or order.customer_phone,
        gstin=customer.get("gstin"),
        state_code=customer.get("state_code") or (None if customer.get("gstin") else supplier["state_code"]) or "",
        phone=order.customer_phone,
    )
    days = customer.get("credit_days")
    due = on + dt.timedelta(days=credit_days if days is None else int(days))
    return Invoice(number=number, date=on, supplier=shop, recipient=recipient, lines=tuple(lines), due_date=due)
