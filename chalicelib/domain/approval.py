"""The owner's decision as values: what approving or rejecting an order writes, computed here and only written by
the adapter (one transaction each).

Approving writes, all or nothing:
  (a) each batch: the order's reserved meters leave the books, and its reservation record is deleted;
  (b) the order after the decision (WAITING_OWNER_CONFIRMATION -> ORDER_COMPLETED), through its version;
  (c) the financial year's counter: seq N -> N+1 (gapless: a transaction that fails takes no number);
  (d) the invoice, under its number;
  (e) the ledger debit, and the customer's balance: before -> after (condition: still before).
Rejecting writes the order (ORDER_REJECTED) and puts the reserved stock back, forgetting the reservation record.
Either frees the customer to order again when this was their active order.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.stock import AllocationPart


@dataclass(frozen=True)
class LedgerEntry:
    """One debit (an invoice) or credit (a payment) on a customer's account, with the balance around it (paise)."""

    phone: str
    kind: str  # "debit" | "credit"
    amount_paise: int
    balance_before_paise: int
    reference: str
    at: str

    @property
    def balance_after_paise(self) -> int:
        sign = 1 if self.kind == "debit" else -1
        return self.balance_before_paise + sign * self.amount_paise

    @property
    def entry_id(self) -> str:
        return f"{self.at}#{self.reference}"


@dataclass(frozen=True)
class ApprovalCommit:
    """Everything an approval writes. ``seq_before`` is the counter as read (the invoice takes seq_before + 1)."""

    order: dict  # the stored order after the decision (state, decision with its replies, invoice summary)
    version: int  # the order's version as loaded
    fy: str
    seq_before: int
    invoice: dict  # Invoice.to_dict()
    parts: tuple[AllocationPart, ...]  # what was reserved, now sold
    ledger: LedgerEntry
    clears_active: bool  # the order is the customer's active order: forget it

    @property
    def order_id(self) -> str:
        return self.order["order_id"]

    @property
    def number(self) -> str:
        return self.invoice["number"]


@dataclass(frozen=True)
class RejectionCommit:
    """Everything a rejection writes: the order, and its reservation put back."""

    order: dict
    version: int
    parts: tuple[AllocationPart, ...]
    phone: str
    clears_active: bool

    @property
    def order_id(self) -> str:
        return self.order["order_id"]


def order_parts(order) -> tuple[AllocationPart, ...]:
    """Every batch part allocated to the order's lines: what is reserved, and what approval deducts."""
    return tuple(p for line in order.lines_for_summary for p in line.allocation.parts)
