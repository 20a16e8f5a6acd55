"""An in-memory AccountStorePort with the same conditions as the DynamoDB adapter (each write all or nothing)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from chalicelib.domain.errors import AlreadyReversed, DuplicatePayment, StaleAccount
from chalicelib.domain.ledger import Account, Entry, InvoiceState, due_date


class FakeAccounts:
    def __init__(self):
        self.customers: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}  # number -> {phone, issued_on, due_on, total, paid, credited}
        self.payments: dict[str, dict] = {}
        self.entries: dict[str, list[Entry]] = {}
        self.writes = 0
        self.orders: dict[str, list[dict]] = {}  # order id -> batches of its invoice lines
        self.loose: dict[str, Decimal] = {}  # batch id -> loose meters (what returns put back)
        self.credit_notes: dict[str, dict] = {}
        self.cn_seq: dict[str, int] = {}

    # --- builders (what approvals and the conversation write in the real store) ----------------------------------
    def add_customer(self, phone: str, language: str = "en", name: str | None = None, **fields) -> None:
        self.customers[phone] = {"balance_paise": 0, "language": language, "name": name} | fields

    def add_invoice(
        self,
        phone: str,
        number: str,
        issued_on: dt.date,
        total_paise: int | None = None,
        at: str | None = None,
        invoice=None,
        batches: list[dict] | None = None,
    ):
        """What an approval commits: the invoice and its ledger debit, the balance up. With ``invoice`` (an
        Invoice) its grand total is the amount, and ``batches`` are where its lines came from."""
        if invoice is not None:
            total_paise = int(invoice.totals.grand_total * 100)
        customer = self.customers[phone]
        customer["balance_paise"] += total_paise
        self.invoices[number] = {
            "phone": phone,
            "issued_on": issued_on,
            "due_on": None,
            "total": total_paise,
            "paid": 0,
            "credited": 0,
            "data": invoice.to_dict() if invoice is not None else None,
            "order_id": f"ORD-{number}",
            "returned": {},
            "credit_notes": 0,
        }
        self.orders[f"ORD-{number}"] = batches or []
        at = at or f"{issued_on.isoformat()}T06:00:00+00:00"
        self.entries.setdefault(phone, []).append(
            Entry(
                at, issued_on, "invoice", number, debit_paise=total_paise, balance_after_paise=customer["balance_paise"]
            )
        )

    # --- the port ----------------------------------------------------------------------------------------------
    def load(self, phone: str, credit_days_default: int) -> Account | None:
        customer = self.customers.get(phone)
        if customer is None:
            return None
        days = customer.get("credit_days")
        invoices = tuple(
            InvoiceState(
                number,
                i["issued_on"],
                i["due_on"] or due_date(i["issued_on"], credit_days_default if days is None else days),
                i["total"],
                i["paid"],
                i["credited"],
            )
            for number, i in self.invoices.items()
            if i["phone"] == phone
        )
        return Account(
            phone=phone,
            name=customer.get("name"),
            language=customer.get("language") or "en",
            balance_paise=customer["balance_paise"],
            credit_limit_paise=customer.get("credit_limit_paise"),
            credit_days=days,
            reminders_off=bool(customer.get("reminders_off")),
            reminders_undeliverable=customer.get("undeliverable"),
            last_payment_on=customer.get("last_payment_on"),
            invoices=invoices,
            entries=tuple(self.entries.get(phone, ())),
        )

    def payment(self, payment_id: str) -> dict | None:
        found = self.payments.get(payment_id)
        return copy.deepcopy(found) if found else None

    def record_payment(self, account: Account, payment: dict, allocations: dict[str, int], at: str) -> None:
        if payment["payment_id"] in self.payments:
            raise DuplicatePayment(payment["payment_id"])
        self._check(account, allocations)
        customer = self.customers[account.phone]
        customer["balance_paise"] -= payment["amount_paise"]
        customer["last_payment_on"] = dt.date.fromisoformat(payment["received_on"])
        for number, paise in allocations.items():
            self.invoices[number]["paid"] += paise
        self.payments[payment["payment_id"]] = copy.deepcopy(payment)
        self.entries.setdefault(account.phone, []).append(
            Entry(
                at,
                dt.date.fromisoformat(payment["received_on"]),
                "payment",
                payment["payment_id"],
                credit_paise=payment["amount_paise"],
                balance_after_paise=customer["balance_paise"],
            )
        )
        self.writes += 1

    def reverse_payment(self, account: Account, payment: dict, at: str) -> None:
        stored = self.payments[payment["payment_id"]]
        if stored.get("reversed_at"):
            raise AlreadyReversed(payment["payment_id"])
        self._check(account, {})
        for number, paise in stored["allocations"].items():
            if self.invoices[number]["paid"] < paise:
                raise StaleAccount(number)
        customer = self.customers[account.phone]
        customer["balance_paise"] += stored["amount_paise"]
        for number, paise in stored["allocations"].items():
            self.invoices[number]["paid"] -= paise
        stored["reversed_at"] = at
        self.entries.setdefault(account.phone, []).append(
            Entry(
                at,
                dt.date.fromisoformat(at[:10]),
                "reversal",
                payment["payment_id"],
                debit_paise=stored["amount_paise"],
                balance_after_paise=customer["balance_paise"],
            )
        )
        self.writes += 1

    def set_terms(self, phone: str, credit_limit_paise: int | None, credit_days: int | None) -> None:
        customer = self.customers.setdefault(phone, {"balance_paise": 0, "language": "en"})
        customer["credit_limit_paise"] = credit_limit_paise
        customer["credit_days"] = credit_days

    def set_reminders(self, phone: str, off: bool) -> None:
        self.customers.setdefault(phone, {"balance_paise": 0, "language": "en"})["reminders_off"] = off

    def record_reminder(self, phone: str, on, stages: dict[str, str], at: str, balance_paise: int) -> None:
        self.entries.setdefault(phone, []).append(
            Entry(at, on, "reminder", "reminder", 0, 0, balance_paise, {"type": "reminder", "stages": dict(stages)})
        )
        self.customers[phone].pop("undeliverable", None)

    def mark_undeliverable(self, phone: str, reason: str) -> None:
        self.customers[phone]["undeliverable"] = reason

    def invoice_for_return(self, number: str) -> dict | None:
        found = self.invoices.get(number)
        if found is None or found["data"] is None:
            return None
        return {
            "invoice": copy.deepcopy(found["data"]),
            "phone": found["phone"],
            "order_id": found["order_id"],
            "returned": dict(found["returned"]),
            "credit_notes": found["credit_notes"],
            "credited_paise": found["credited"],
        }

    def order_batches(self, order_id: str) -> list[dict]:
        return list(self.orders.get(order_id, []))

    def current_credit_note_seq(self, fy: str) -> int:
        return self.cn_seq.get(fy, 0)

    def record_credit_note(self, account, *, note, fy, seq, original, allocation_paise, amount_paise, stock, at):
        invoice = self.invoices[original["number"]]
        if self.cn_seq.get(fy, 0) != seq or invoice["credit_notes"] != original["credit_notes_before"]:
            raise StaleAccount("a credit note was issued meanwhile")
        if invoice["credited"] != original["credited_before"]:
            raise StaleAccount("the invoice moved")
        if self.customers[account.phone]["balance_paise"] != account.balance_paise:
            raise StaleAccount("balance moved")
        if invoice["paid"] + invoice["credited"] + allocation_paise > invoice["total"]:
            raise StaleAccount("would over-settle")
        self.cn_seq[fy] = seq + 1
        self.credit_notes[note["number"]] = copy.deepcopy(note)
        invoice["returned"] = dict(original["returned_after"])
        invoice["credit_notes"] += 1
        invoice["credited"] += allocation_paise
        for batch_id, quantity in stock:
            self.loose[batch_id] = self.loose.get(batch_id, Decimal(0)) + quantity
        customer = self.customers[account.phone]
        customer["balance_paise"] -= amount_paise
        self.entries.setdefault(account.phone, []).append(
            Entry(
                at,
                dt.date.fromisoformat(note["date"]),
                "credit_note",
                note["number"],
                credit_paise=amount_paise,
                balance_after_paise=customer["balance_paise"],
                detail={"invoice": original["number"]},
            )
        )
        self.writes += 1

    def phones_owing(self) -> list[str]:
        return [phone for phone, c in self.customers.items() if c["balance_paise"] > 0]

    # --- the conditions the database checks ----------------------------------------------------------------------
    def _check(self, account: Account, allocations: dict[str, int]) -> None:
        if self.customers[account.phone]["balance_paise"] != account.balance_paise:
            raise StaleAccount("balance moved")
        read = {i.number: i for i in account.invoices}
        for number in allocations:
            now = self.invoices[number]
            if (now["paid"], now["credited"]) != (read[number].paid_paise, read[number].credited_paise):
                raise StaleAccount(f"{number} moved")
            if now["paid"] + now["credited"] + allocations[number] > now["total"]:
                raise StaleAccount(f"{number} would be over-settled")


class FakeSender:
    """Sends once per idempotency key (as the outbox does); numbers in ``undeliverable`` fail like Meta's 131026."""

    def __init__(self, undeliverable=(), outside_window=()):
        self.sent, self.keys, self.templates = [], set(), []
        self.undeliverable, self.outside_window = set(undeliverable), set(outside_window)

    def send(self, message, idempotency_key: str, fallback: dict | None = None) -> str:
        """Like the WhatsApp sender: outside the 24-hour window the ``fallback`` template goes instead, if given."""
        from chalicelib.adapters.whatsapp import OutsideWindowError, UndeliverableError

        if message.to in self.undeliverable:
            raise UndeliverableError(131026, "Message undeliverable", None, False)
        if message.to in self.outside_window and fallback is None:
            raise OutsideWindowError(131047, "Re-engagement message", None, False)
        if idempotency_key not in self.keys:
            self.keys.add(idempotency_key)
            if message.to in self.outside_window:
                self.templates.append(fallback)
            else:
                self.sent.append(message)
        return "wamid.fake"

    def texts_to(self, phone: str) -> list[str]:
        return [m.text for m in self.sent if m.to == phone]


class FakeDocuments:
    def __init__(self):
        self.stored: dict[str, bytes] = {}

    def put_pdf(self, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        self.stored[key] = body

    def link(self, key: str, ttl_seconds: int) -> str:
        return f"https://documents.example/{key}?ttl={ttl_seconds}"
