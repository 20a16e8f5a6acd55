"""The ports of the money use cases (accounts, payments, credit notes), declared once; the DynamoDB
adapter (adapters/account_store.py) and the in-memory fake (tests/unit/fake_accounts.py) implement them."""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.ledger import Account


class AccountStorePort(Protocol):
    def load(self, phone: str, credit_days_default: int) -> Account | None:
        """The customer's account read consistently, or None for a number that is not a customer."""

    def payment(self, payment_id: str) -> dict | None:
        """A recorded payment ({payment_id, phone, amount_paise, mode, reference, received_on, allocations, at,
        reversed_at}) or None."""

    def record_payment(self, account: Account, payment: dict, allocations: dict[str, int], at: str) -> None:
        """One transaction: the payment (new), its ledger credit, the balance (still ``account.balance_paise``) and
        each invoice's settlement (still as read). Raises DuplicatePayment or StaleAccount; nothing is written then."""

    def reverse_payment(self, account: Account, payment: dict, at: str) -> None:
        """One transaction: the payment marked reversed (once), a ledger debit, the balance, the allocations taken
        back. Raises AlreadyReversed or StaleAccount; nothing is written then."""

    def set_terms(self, phone: str, credit_limit_paise: int | None, credit_days: int | None) -> None:
        """Set (or, with None, clear) a customer's credit limit and credit days."""

    def phones_owing(self) -> list[str]:
        """Customers whose balance is above zero."""

    def set_reminders(self, phone: str, off: bool) -> None:
        """Opt the customer out of (or back into) payment reminders."""

    def record_reminder(self, phone: str, on, stages: dict[str, str], at: str, balance_paise: int) -> None:
        """A reminder entry (no amount) on the customer's ledger: the day, and the stage sent per invoice."""

    def mark_undeliverable(self, phone: str, reason: str) -> None:
        """Remember that reminders cannot reach this customer (for the owner's list)."""


class ReturnsStorePort(Protocol):
    def invoice_for_return(self, number: str) -> dict | None:
        """{"invoice": Invoice dict, "phone", "order_id", "returned": {line: meters str}, "credit_notes": int}
        or None for an unknown invoice number."""

    def order_batches(self, order_id: str) -> list[dict]:
        """The batches the order's invoice lines came from, in invoice-line order: [{"batch_id", "dye_lot"}]."""

    def current_credit_note_seq(self, fy: str) -> int:
        """The last credit note serial of financial year ``fy`` (0 before the first)."""

    def record_credit_note(
        self,
        account,
        *,
        note: dict,
        fy: str,
        seq: int,
        original: dict,
        allocation_paise: int,
        amount_paise: int,
        stock: list[tuple[str, object]],
        at: str,
    ) -> None:
        """One transaction: the credit note series seq -> seq+1 (condition: still seq), the credit note (new), the
        invoice's returned meters and credited paise (condition: as read), each batch's loose meters back, the
        ledger credit and the balance (condition: still as read). Raises StaleAccount; nothing is written then."""


class DocumentStorePort(Protocol):
    def put_pdf(self, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        """Store a PDF under ``key`` (encrypted at rest; the same key overwrites, never duplicates)."""

    def link(self, key: str, ttl_seconds: int) -> str:
        """A time-limited https link to the stored document."""
