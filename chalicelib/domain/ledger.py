"""Customer accounts, pure: amounts in paise, payments allocated to invoices, due dates, status, ageing, statements.

Money here is integer paise (what the customers table and the ledger store); rupees enter through ``parse_amount``
(Decimal, at most two decimals, never a float) and leave through ``from_paise``.

An invoice's status, by its amount due and its due date (first matching row wins):

=============  ===================================================
status         when
=============  ===================================================
paid           nothing is due (payments + credit notes = total)
overdue        something is due and today is after the due date
partly paid    something was paid or credited, the rest not yet due
unpaid         nothing paid, not yet past its due date
=============  ===================================================

Allocation: a payment settles the invoice it names first (if any), then the oldest open invoices (by date, then
number); what is left over stays on the account as an advance (the balance may go below zero). A reversal takes
back exactly what its payment allocated. A credit note settles the invoice it was issued against, up to its due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.money import PAISE, format_inr, from_paise, rupees, to_paise

MODES = ("upi", "cash", "cheque", "neft", "other")
# ₹1 crore: a single payment above this at a cloth shop is a typo (an extra zero), not a payment.
MAX_AMOUNT = Decimal("10000000.00")
DEFAULT_CREDIT_DAYS = 30
MAX_CREDIT_DAYS = 365
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")

# Ageing buckets by days past the due date: (label, first day, last day or None).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("not_due", -(10**6), 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
)


class InvalidAmount(BadRequest):
    """An amount that is not a positive number of rupees with at most two decimals, or absurdly large."""


class InvalidPayment(BadRequest):
    """A payment the owner must correct (unknown mode, missing reference, a date in the future, …)."""


def parse_amount(value: object, *, limit: Decimal = MAX_AMOUNT) -> Decimal:
    """'5000', '5,000.50', '₹5000' or a Decimal -> Decimal rupees; raises InvalidAmount with the reason."""
    if value is None or isinstance(value, bool | float | list | dict):
        raise InvalidAmount(f'amount must be rupees as a string like "5000.00", not {value!r}')
    text = str(value).strip().replace(",", "").removeprefix("₹").removeprefix("Rs.").removeprefix("Rs").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(f"amount {value!r} is not a number of rupees") from None
    if not amount.is_finite():
        raise InvalidAmount(f"amount {value!r} is not a number of rupees")
    if amount <= 0:
        raise InvalidAmount(f"amount must be more than zero, not {value!r}")
    if amount != amount.quantize(PAISE):
        raise InvalidAmount(f"amount {value!r} has more than two decimals; rupees go to the paisa")
    if amount > limit:
        raise InvalidAmount(f"amount {value!r} is more than {format_inr(limit)}: is there an extra zero?")
    return rupees(amount)


def due_date(issued_on: dt.date, credit_days: int | None) -> dt.date:
    return issued_on + dt.timedelta(days=DEFAULT_CREDIT_DAYS if credit_days is None else credit_days)


def today_in_india(now: dt.datetime) -> dt.date:
    return now.astimezone(IST).date()


@dataclass(frozen=True)
class InvoiceState:
    """What a customer owes on one invoice: its total, what payments and credit notes settled, and its due date."""

    number: str
    issued_on: dt.date
    due_on: dt.date
    total_paise: int
    paid_paise: int = 0
    credited_paise: int = 0

    @property
    def due_paise(self) -> int:
        return self.total_paise - self.paid_paise - self.credited_paise

    @property
    def is_open(self) -> bool:
        return self.due_paise > 0

    def days_overdue(self, today: dt.date) -> int:
        return max(0, (today - self.due_on).days) if self.is_open else 0

    def status(self, today: dt.date) -> str:
        if not self.is_open:
            return "paid"
        if today > self.due_on:
            return "overdue"
        if self.paid_paise or self.credited_paise:
            return "partly paid"
        return "unpaid"

    def settled(self, paid: int = 0, credited: int = 0) -> InvoiceState:
        new = InvoiceState(
            self.number,
            self.issued_on,
            self.due_on,
            self.total_paise,
            self.paid_paise + paid,
            self.credited_paise + credited,
        )
        if new.paid_paise < 0 or new.credited_paise < 0 or new.due_paise < 0:
            raise ValueError(f"settling {paid}+{credited} paise would leave {self.number} at {new}")
        return new


def allocate(invoices: list[InvoiceState] | tuple[InvoiceState, ...], amount_paise: int, named: str | None = None):
    """{invoice number: paise} settled by a payment of ``amount_paise``: the named invoice first, then the oldest
    open ones. Raises InvalidPayment when the named invoice is not an open invoice of this customer."""
    open_ = sorted((i for i in invoices if i.is_open), key=lambda i: (i.issued_on, i.number))
    if named:
        first = [i for i in open_ if i.number == named]
        if not first:
            raise InvalidPayment(f"invoice {named} is not an open invoice of this customer")
        open_ = first + [i for i in open_ if i.number != named]
    left, allocations = amount_paise, {}
    for invoice in open_:
        if left <= 0:
            break
        take = min(left, invoice.due_paise)
        allocations[invoice.number] = take
        left -= take
    return allocations


def apply_allocations(invoices, allocations: dict[str, int], sign: int = 1, *, credit: bool = False):
    """The invoices after ``allocations`` (sign -1 takes them back, as a reversal does)."""
    out = []
    for invoice in invoices:
        paise = allocations.get(invoice.number, 0) * sign
        out.append(invoice.settled(credited=paise) if credit else invoice.settled(paid=paise))
    return out


def bucket_of(days_overdue: int, open_and_not_due: bool = False) -> str:
    for label, first, last in BUCKETS:
        if days_overdue >= first and (last is None or days_overdue <= last):
            return label
    raise AssertionError(days_overdue)  # pragma: no cover - the buckets cover every integer


def ageing(invoices, today: dt.date) -> dict[str, int]:
    """Paise due per ageing bucket, by days past each open invoice's due date."""
    buckets = {label: 0 for label, _, _ in BUCKETS}
    for invoice in invoices:
        if invoice.is_open:
            buckets[bucket_of((today - invoice.due_on).days)] += invoice.due_paise
    return buckets


@dataclass(frozen=True)
class Entry:
    """One ledger line: a debit (invoice, reversal) or credit (payment, credit note), with the balance after it."""

    at: str  # ISO time it was recorded
    on: dt.date  # the day it counts on a statement (invoice date, day received)
    kind: str  # invoice | payment | reversal | credit_note | reminder
    reference: str
    debit_paise: int = 0
    credit_paise: int = 0
    balance_after_paise: int = 0
    detail: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Statement:
    opening_paise: int
    entries: tuple[Entry, ...]  # with running balances
    closing_paise: int
    start: dt.date | None
    end: dt.date | None


def statement(entries: list[Entry] | tuple[Entry, ...], start: dt.date | None, end: dt.date | None) -> Statement:
    """Entries between ``start`` and ``end`` (inclusive) with a running balance from the opening balance."""
    money = [e for e in entries if e.debit_paise or e.credit_paise]
    money.sort(key=lambda e: (e.on, e.at))
    opening = sum(e.debit_paise - e.credit_paise for e in money if start is not None and e.on < start)
    running, shown = opening, []
    for entry in money:
        if (start is not None and entry.on < start) or (end is not None and entry.on > end):
            continue
        running += entry.debit_paise - entry.credit_paise
        shown.append(
            Entry(entry.at, entry.on, entry.kind, entry.reference, entry.debit_paise, entry.credit_paise, running)
        )
    return Statement(opening, tuple(shown), running, start, end)


def upi_uri(vpa: str, payee: str, amount: Decimal, note: str) -> str:
    """The UPI deep link (NPCI's 'upi://pay' URI) for paying ``amount`` to ``vpa``, with ``note`` as the remark."""
    from urllib.parse import quote

    return (
        f"upi://pay?pa={quote(vpa, safe='@.')}&pn={quote(payee, safe='')}"
        f"&am={rupees(amount):f}&tn={quote(note, safe='')}&cu=INR"
    )


@dataclass(frozen=True)
class Account:
    """A customer's account as read from the store: terms, balance, invoices with what is due, and the ledger."""

    phone: str
    name: str | None = None
    language: str = "en"
    balance_paise: int = 0
    credit_limit_paise: int | None = None
    credit_days: int | None = None
    reminders_off: bool = False
    reminders_undeliverable: str | None = None
    last_payment_on: dt.date | None = None
    last_inbound_at: str | None = None
    invoices: tuple[InvoiceState, ...] = ()
    entries: tuple[Entry, ...] = ()

    @property
    def open_invoices(self) -> tuple[InvoiceState, ...]:
        return tuple(sorted((i for i in self.invoices if i.is_open), key=lambda i: (i.issued_on, i.number)))

    @property
    def debits_paise(self) -> int:
        return sum(e.debit_paise for e in self.entries)

    @property
    def credits_paise(self) -> int:
        return sum(e.credit_paise for e in self.entries)

    def overdue(self, today: dt.date) -> tuple[InvoiceState, ...]:
        return tuple(i for i in self.open_invoices if i.status(today) == "overdue")


def payment_id(phone: str, mode: str, reference: str) -> str:
    """The same customer, mode and reference always name the same payment (that is the idempotency)."""
    import hashlib

    digest = hashlib.sha256(f"{phone}|{mode}|{normal_reference(reference)}".encode()).hexdigest()
    return f"PAY-{digest[:10].upper()}"


def normal_reference(reference: str) -> str:
    return "".join(reference.split()).upper()


@dataclass(frozen=True)
class PaymentCommand:
    """A payment the owner reports: amount, how it came, its reference (UTR, cheque no.), the day, an invoice."""

    amount: Decimal
    mode: str
    reference: str
    received_on: dt.date
    invoice: str | None = None

    @property
    def amount_paise(self) -> int:
        return to_paise(self.amount)


def parse_payment(body: object, today: dt.date) -> PaymentCommand:
    """The owner's JSON body as a PaymentCommand; raises InvalidAmount / InvalidPayment with what to correct.

    A cash (or 'other') payment may come without a reference; then the day and amount stand in for it, so the same
    cash payment posted twice is still one payment (two equal cash payments on one day need a receipt number)."""
    if not isinstance(body, dict):
        raise InvalidPayment('send a JSON object: {"amount": "5000.00", "mode": "upi", "reference": "…"}')
    amount = parse_amount(body.get("amount"))
    mode = str(body.get("mode") or "").strip().lower()
    if mode not in MODES:
        raise InvalidPayment(f"mode must be one of {', '.join(MODES)}, not {body.get('mode')!r}")
    received = body.get("received_on")
    try:
        received_on = dt.date.fromisoformat(str(received)) if received else today
    except ValueError:
        raise InvalidPayment(f"received_on must be a date YYYY-MM-DD, not {received!r}") from None
    if received_on > today:
        raise InvalidPayment(f"received_on {received_on} is in the future")
    reference = " ".join(str(body.get("reference") or "").split())
    if len(reference) > 64:
        raise InvalidPayment("reference is longer than 64 characters")
    if not reference:
        if mode not in ("cash", "other"):
            raise InvalidPayment(f"a {mode} payment needs its reference (UTR or cheque number)")
        reference = f"{mode.upper()}-{received_on:%Y%m%d}-{amount}"
    invoice = str(body.get("invoice") or "").strip() or None
    return PaymentCommand(amount, mode, reference, received_on, invoice)


def credit_warnings(account: Account, order_total_paise: int, today: dt.date) -> list[str]:
    """What the owner must see before approving: the credit limit crossed by this order (by how much) and overdue
    invoices (how much, how late). English: the owner's notification is in English."""
    warnings = []
    limit = account.credit_limit_paise
    after = account.balance_paise + order_total_paise
    if limit is not None and after > limit:
        warnings.append(
            f"⚠️ OVER CREDIT LIMIT: balance {format_inr(from_paise(account.balance_paise))} + this order "
            f"{format_inr(from_paise(order_total_paise))} = {format_inr(from_paise(after))}, "
            f"limit {format_inr(from_paise(limit))} (over by {format_inr(from_paise(after - limit))})"
        )
    overdue = account.overdue(today)
    if overdue:
        worst = max(overdue, key=lambda i: i.days_overdue(today))
        warnings.append(
            f"⚠️ OVERDUE: {format_inr(from_paise(sum(i.due_paise for i in overdue)))} on {len(overdue)} "
            f"invoice{'s' if len(overdue) > 1 else ''}, oldest {worst.number} {worst.days_overdue(today)} days late"
        )
    return warnings


@dataclass(frozen=True)
class StatementDocument:
    """Everything a statement PDF shows: who, the period, opening balance, entries with running balance, closing
    balance, the open invoices and (with a UPI id) the link to pay what is owed."""

    supplier: object  # invoice.Party
    customer_name: str
    customer_phone: str
    issued_on: dt.date
    statement: Statement
    open_invoices: tuple[InvoiceState, ...] = ()
    upi: str | None = None

    @property
    def number(self) -> str:
        return f"SOA-{self.customer_phone[-4:]}-{self.issued_on:%Y%m%d}"


def describe_entry(entry: Entry) -> str:
    """The owner's English name of a ledger entry on a statement."""
    names = {
        "invoice": "Invoice {r}",
        "payment": "Payment received {r}",
        "reversal": "Payment reversed {r}",
        "credit_note": "Credit note {r}",
    }
    text = names.get(entry.kind, "{r}").format(r=entry.reference)
    detail = entry.detail or {}
    if entry.kind == "payment" and detail.get("mode"):
        text += f" ({detail['mode'].upper()} {detail.get('reference', '')})".rstrip()
        text = text.replace(" )", ")")
    if entry.kind == "credit_note" and detail.get("invoice"):
        text += f" against {detail['invoice']}"
    return text
