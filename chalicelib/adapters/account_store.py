"""Customer accounts in DynamoDB: the ledger, the balance, invoices' settlement and payments, in single transactions.

Where things live (no table of its own, so the template stays as it is):
- customers: balance in paise (every change conditional on the previous value), credit terms, reminder state;
- ledger: one entry per invoice (debit, written by the approval), payment (credit), reversal (debit), credit note
  (credit) and reminder (no amount), each with the balance after it and ``detail`` saying what it is;
- invoices: 'INV#<number>' gains paid_paise / credited_paise (conditional on the value read), 'PAY#<payment id>'
  holds a payment (first writer wins: the idempotency of mode + reference) and when it was reversed.

A failed condition becomes DuplicatePayment (the payment record exists), AlreadyReversed, or StaleAccount (the
balance or an invoice moved: read again and redo).
"""

from __future__ import annotations

import datetime as dt

from chalicelib.domain.errors import AlreadyReversed, DuplicatePayment, StaleAccount
from chalicelib.domain.ledger import Account, Entry, InvoiceState, due_date

INVOICE_PREFIXES = ("INV#",)


def _entry(record) -> Entry:
    detail = dict(record.detail or {})
    kind = detail.get("type") or "invoice"
    on = detail.get("on") or record.at[:10]
    debit = int(record.amount_paise) if record.kind == "debit" else 0
    credit = int(record.amount_paise) if record.kind == "credit" else 0
    return Entry(
        record.at,
        dt.date.fromisoformat(on),
        kind,
        record.reference,
        debit,
        credit,
        int(record.balance_after_paise),
        detail,
    )


def _balance_condition(CustomerRecord, balance_paise: int):
    if balance_paise == 0:
        return CustomerRecord.phone.exists() & (
            CustomerRecord.balance_paise.does_not_exist() | (CustomerRecord.balance_paise == 0)
        )
    return CustomerRecord.balance_paise == balance_paise


def _settle_condition(attribute, value: int):
    return attribute.does_not_exist() | (attribute == value) if value == 0 else attribute == value


class DynamoAccountStore:
    """Accounts in the tables of ``tables`` (a dynamo_models.Tables)."""

    def __init__(self, tables):
        self._t = tables

    def load(self, phone: str, credit_days_default: int) -> Account | None:
        """The account read consistently; None for a number without a customer record."""
        from pynamodb.exceptions import DoesNotExist

        t = self._t
        CustomerRecord, InvoiceRecord, LedgerEntryRecord = t.CustomerRecord, t.InvoiceRecord, t.LedgerEntryRecord

        try:
            customer = CustomerRecord.get(phone, consistent_read=True)
        except DoesNotExist:
            return None
        entries = [_entry(r) for r in LedgerEntryRecord.query(phone, consistent_read=True)]
        days = None if customer.credit_days is None else int(customer.credit_days)
        invoice_entries = {e.reference: e for e in entries if e.kind == "invoice" and e.debit_paise}
        invoices = []
        if invoice_entries:
            keys = [f"INV#{number}" for number in invoice_entries]
            for record in InvoiceRecord.batch_get(keys, consistent_read=True):
                entry = invoice_entries[record.number]
                data = record.data or {}
                issued_on = dt.date.fromisoformat(data.get("date") or entry.on.isoformat())
                due_on = data.get("due_date")
                invoices.append(
                    InvoiceState(
                        record.number,
                        issued_on,
                        dt.date.fromisoformat(due_on)
                        if due_on
                        else due_date(issued_on, credit_days_default if days is None else days),
                        entry.debit_paise,
                        int(record.paid_paise or 0),
                        int(record.credited_paise or 0),
                    )
                )
        return Account(
            phone=phone,
            name=customer.name,
            language=customer.language or "en",
            balance_paise=int(customer.balance_paise or 0),
            credit_limit_paise=None if customer.credit_limit_paise is None else int(customer.credit_limit_paise),
            credit_days=days,
            reminders_off=bool(customer.reminders_off),
            reminders_undeliverable=customer.reminders_undeliverable,
            last_payment_on=dt.date.fromisoformat(customer.last_payment_on) if customer.last_payment_on else None,
            last_inbound_at=customer.last_inbound_at,
            invoices=tuple(sorted(invoices, key=lambda i: (i.issued_on, i.number))),
            entries=tuple(entries),
        )

    def payment(self, payment_id: str) -> dict | None:
        from pynamodb.exceptions import DoesNotExist

        InvoiceRecord = self._t.InvoiceRecord

        try:
            record = InvoiceRecord.get(f"PAY#{payment_id}", consistent_read=True)
        except DoesNotExist:
            return None
        return dict(record.data) | {"reversed_at": record.reversed_at}

    def record_payment(self, account: Account, payment: dict, allocations: dict[str, int], at: str) -> None:
        """See AccountStorePort.record_payment. Raises DuplicatePayment or StaleAccount."""
        t = self._t
        CustomerRecord, InvoiceRecord, LedgerEntryRecord = t.CustomerRecord, t.InvoiceRecord, t.LedgerEntryRecord
        from chalicelib.adapters.transactions import TransactionCancelled, run_transaction

        pid = payment["payment_id"]
        after = account.balance_paise - payment["amount_paise"]
        record = InvoiceRecord(f"PAY#{pid}", number=pid, data=payment, created_at=at)
        entry = LedgerEntryRecord(
            account.phone,
            f"{at}#{pid}",
            kind="credit",
            amount_paise=payment["amount_paise"],
            balance_after_paise=after,
            reference=pid,
            at=at,
            detail={
                "type": "payment",
                "on": payment["received_on"],
                "mode": payment["mode"],
                "reference": payment["reference"],
                "allocations": allocations,
            },
        )
        customer_actions = [
            CustomerRecord.balance_paise.set(after),
            CustomerRecord.last_payment_on.set(payment["received_on"]),
        ]
        items = [
            ("payment", lambda tx: tx.save(record, condition=InvoiceRecord.invoice_key.does_not_exist())),
            ("ledger", lambda tx: tx.save(entry, condition=LedgerEntryRecord.entry_id.does_not_exist())),
            (
                "customer",
                lambda tx: tx.update(
                    CustomerRecord(account.phone),
                    actions=customer_actions,
                    condition=_balance_condition(CustomerRecord, account.balance_paise),
                ),
            ),
        ]
        items += _settlement_items(InvoiceRecord, account, allocations, sign=1)
        try:
            run_transaction(self._t, items)
        except TransactionCancelled as cancelled:
            if "payment" in cancelled.failed:
                raise DuplicatePayment(pid) from cancelled
            raise StaleAccount(str(cancelled)) from cancelled

    def reverse_payment(self, account: Account, payment: dict, at: str) -> None:
        """See AccountStorePort.reverse_payment. Raises AlreadyReversed or StaleAccount."""
        t = self._t
        CustomerRecord, InvoiceRecord, LedgerEntryRecord = t.CustomerRecord, t.InvoiceRecord, t.LedgerEntryRecord
        from chalicelib.adapters.transactions import TransactionCancelled, run_transaction

        pid = payment["payment_id"]
        after = account.balance_paise + payment["amount_paise"]
        entry = LedgerEntryRecord(
            account.phone,
            f"{at}#REV-{pid}",
            kind="debit",
            amount_paise=payment["amount_paise"],
            balance_after_paise=after,
            reference=pid,
            at=at,
            detail={"type": "reversal", "on": at[:10], "allocations": payment["allocations"]},
        )
        items = [
            (
                "payment",
                lambda tx: tx.update(
                    InvoiceRecord(f"PAY#{pid}"),
                    actions=[InvoiceRecord.reversed_at.set(at)],
                    condition=InvoiceRecord.invoice_key.exists() & InvoiceRecord.reversed_at.does_not_exist(),
                ),
            ),
            ("ledger", lambda tx: tx.save(entry, condition=LedgerEntryRecord.entry_id.does_not_exist())),
            (
                "customer",
                lambda tx: tx.update(
                    CustomerRecord(account.phone),
                    actions=[CustomerRecord.balance_paise.set(after)],
                    condition=_balance_condition(CustomerRecord, account.balance_paise),
                ),
            ),
        ]
        items += _settlement_items(InvoiceRecord, account, payment["allocations"], sign=-1)
        try:
            run_transaction(self._t, items)
        except TransactionCancelled as cancelled:
            if "payment" in cancelled.failed:
                raise AlreadyReversed(pid) from cancelled
            raise StaleAccount(str(cancelled)) from cancelled

    def set_terms(self, phone: str, credit_limit_paise: int | None, credit_days: int | None) -> None:
        CustomerRecord = self._t.CustomerRecord

        actions = [
            CustomerRecord.credit_limit_paise.remove()
            if credit_limit_paise is None
            else CustomerRecord.credit_limit_paise.set(credit_limit_paise),
            CustomerRecord.credit_days.remove() if credit_days is None else CustomerRecord.credit_days.set(credit_days),
        ]
        CustomerRecord(phone).update(actions=actions)

    def set_reminders(self, phone: str, off: bool) -> None:
        CustomerRecord = self._t.CustomerRecord
        CustomerRecord(phone).update(actions=[CustomerRecord.reminders_off.set(off)])

    def record_reminder(self, phone: str, on, stages: dict[str, str], at: str, balance_paise: int) -> None:
        t = self._t
        t.LedgerEntryRecord(
            phone,
            f"{at}#REMINDER",
            kind="note",
            amount_paise=0,
            balance_after_paise=balance_paise,
            reference="reminder",
            at=at,
            detail={"type": "reminder", "on": on.isoformat(), "stages": stages},
        ).save()
        t.CustomerRecord(phone).update(
            actions=[
                t.CustomerRecord.last_reminded_on.set(on.isoformat()),
                t.CustomerRecord.reminders_undeliverable.remove(),
            ]
        )

    def mark_undeliverable(self, phone: str, reason: str) -> None:
        CustomerRecord = self._t.CustomerRecord
        CustomerRecord(phone).update(actions=[CustomerRecord.reminders_undeliverable.set(reason[:200])])

    # --- returns and credit notes ---------------------------------------------------------------------------------
    def invoice_for_return(self, number: str) -> dict | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            record = self._t.InvoiceRecord.get(f"INV#{number}", consistent_read=True)
        except DoesNotExist:
            return None
        data = dict(record.data or {})
        return {
            "invoice": data,
            "phone": (data.get("recipient") or {}).get("phone", ""),
            "order_id": record.order_id,
            "returned": dict(record.returned or {}),
            "credit_notes": int(record.credit_notes or 0),
            "credited_paise": int(record.credited_paise or 0),
        }

    def order_batches(self, order_id: str) -> list[dict]:
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.domain.order import Order

        try:
            record = self._t.OrderRecord.get(order_id, consistent_read=True)
        except DoesNotExist:
            return []
        order = Order.from_dict(dict(record.data))
        return [
            {"batch_id": p.batch_id, "dye_lot": p.dye_lot}
            for line in order.lines_for_summary
            for p in line.allocation.parts
        ]

    def current_credit_note_seq(self, fy: str) -> int:
        from pynamodb.exceptions import DoesNotExist

        try:
            return int(self._t.InvoiceRecord.get(f"CNSEQ#{fy}", consistent_read=True).seq or 0)
        except DoesNotExist:
            return 0

    def record_credit_note(
        self, account, *, note, fy, seq, original, allocation_paise, amount_paise, stock, at
    ) -> None:
        """See ReturnsStorePort.record_credit_note. Raises StaleAccount."""
        from chalicelib.adapters.stock_repository import Movement, movement_items
        from chalicelib.adapters.transactions import TransactionCancelled, run_transaction
        from chalicelib.domain.stock import StockChange

        t = self._t
        CustomerRecord, InvoiceRecord, LedgerEntryRecord = t.CustomerRecord, t.InvoiceRecord, t.LedgerEntryRecord
        number = note["number"]
        after = account.balance_paise - amount_paise
        if seq == 0:
            counter = (
                "counter",
                lambda tx: tx.save(
                    InvoiceRecord(f"CNSEQ#{fy}", seq=1, created_at=at),
                    condition=InvoiceRecord.invoice_key.does_not_exist(),
                ),
            )
        else:
            counter = (
                "counter",
                lambda tx: tx.update(
                    InvoiceRecord(f"CNSEQ#{fy}"),
                    actions=[InvoiceRecord.seq.set(seq + 1)],
                    condition=InvoiceRecord.seq == seq,
                ),
            )
        record = InvoiceRecord(f"CN#{number}", number=number, data=note, created_at=at)
        invoice_actions = [
            InvoiceRecord.returned.set(original["returned_after"]),
            InvoiceRecord.credit_notes.set(original["credit_notes_before"] + 1),
        ]
        if allocation_paise:
            invoice_actions.append(InvoiceRecord.credited_paise.set(original["credited_before"] + allocation_paise))
        invoice_condition = _settle_condition(InvoiceRecord.credit_notes, original["credit_notes_before"]) & (
            _settle_condition(InvoiceRecord.credited_paise, original["credited_before"])
        )
        entry = LedgerEntryRecord(
            account.phone,
            f"{at}#{number}",
            kind="credit",
            amount_paise=amount_paise,
            balance_after_paise=after,
            reference=number,
            at=at,
            detail={
                "type": "credit_note",
                "on": note["date"],
                "invoice": original["number"],
                "allocations": {original["number"]: allocation_paise} if allocation_paise else {},
            },
        )
        items = [
            counter,
            ("credit_note", lambda tx: tx.save(record, condition=InvoiceRecord.invoice_key.does_not_exist())),
            (
                "invoice",
                lambda tx: tx.update(
                    InvoiceRecord(f"INV#{original['number']}"), actions=invoice_actions, condition=invoice_condition
                ),
            ),
            ("ledger", lambda tx: tx.save(entry, condition=LedgerEntryRecord.entry_id.does_not_exist())),
            (
                "customer",
                lambda tx: tx.update(
                    CustomerRecord(account.phone),
                    actions=[CustomerRecord.balance_paise.set(after)],
                    condition=_balance_condition(CustomerRecord, account.balance_paise),
                ),
            ),
        ]
        totals: dict[str, object] = {}
        for batch_id, quantity in stock:
            totals[batch_id] = totals.get(batch_id, 0) + quantity
        items += movement_items(t, [Movement(StockChange(b, loose_added=m)) for b, m in totals.items()])
        try:
            run_transaction(t, items)
        except TransactionCancelled as cancelled:
            raise StaleAccount(str(cancelled)) from cancelled

    def phones_owing(self) -> list[str]:
        CustomerRecord = self._t.CustomerRecord

        return [c.phone for c in CustomerRecord.scan(CustomerRecord.balance_paise > 0)]


def _settlement_items(
    InvoiceRecord,
    account: Account,
    allocations: dict[str, int],
    *,
    sign: int,
    credit: bool = False,
) -> list:
    """Each invoice's paid (or credited) paise moved by its allocation, on the condition it is still as read."""

    read = {i.number: i for i in account.invoices}
    items = []
    for number, paise in allocations.items():
        if not paise:
            continue
        invoice = read[number]
        attribute = InvoiceRecord.credited_paise if credit else InvoiceRecord.paid_paise
        before = invoice.credited_paise if credit else invoice.paid_paise
        items.append(
            (
                f"invoice#{number}",
                lambda tx, a=attribute, b=before, p=paise, n=number: tx.update(
                    InvoiceRecord(f"INV#{n}"), actions=[a.set(b + sign * p)], condition=_settle_condition(a, b)
                ),
            )
        )
    return items
