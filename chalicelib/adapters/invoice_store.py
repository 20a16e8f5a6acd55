"""Invoices, the gapless invoice series, the ledger and the owner's decisions, written in single transactions."""

from __future__ import annotations

from chalicelib.domain.approval import ApprovalCommit, RejectionCommit
from chalicelib.domain.errors import OutOfStock, StaleOrder


class DynamoInvoiceStore:
    """Invoices and decisions in the tables of ``tables`` (a dynamo_models.Tables); PDFs in ``bucket`` through
    ``s3_client``."""

    def __init__(self, tables, s3_client, bucket: str):
        self._t = tables
        self._s3 = s3_client
        self._bucket = bucket

    def current_seq(self, fy: str) -> int:
        """The last number issued in financial year ``fy`` (0 before the first)."""
        from pynamodb.exceptions import DoesNotExist

        try:
            return int(self._t.InvoiceRecord.get(f"SEQ#{fy}", consistent_read=True).seq or 0)
        except DoesNotExist:
            return 0

    def commit_approval(self, commit: ApprovalCommit) -> None:
        """Write an approval in one transaction: deduction, order state, next invoice number, invoice, ledger entry,
        new balance. Raises StaleOrder when any condition failed because something moved (retry with fresh reads),
        OutOfStock when the reservation is not there any more."""
        from chalicelib.adapters.conversation_store import _order_record
        from chalicelib.adapters.stock_repository import deduction_items

        t = self._t
        CustomerRecord, InvoiceRecord, LedgerEntryRecord = t.CustomerRecord, t.InvoiceRecord, t.LedgerEntryRecord
        order_id, number, fy, seq, at = commit.order_id, commit.number, commit.fy, commit.seq_before, commit.ledger.at
        items = [("order", lambda tx: tx.save(_order_record(t, commit.order, commit.version)))]
        if seq == 0:
            counter = InvoiceRecord(f"SEQ#{fy}", seq=1, created_at=at)
            items.append(("counter", lambda tx: tx.save(counter, condition=InvoiceRecord.invoice_key.does_not_exist())))
        else:
            counter = InvoiceRecord(f"SEQ#{fy}")
            items.append(
                (
                    "counter",
                    lambda tx: tx.update(
                        counter, actions=[InvoiceRecord.seq.set(seq + 1)], condition=InvoiceRecord.seq == seq
                    ),
                )
            )
        record = InvoiceRecord(f"INV#{number}", order_id=order_id, number=number, data=commit.invoice, created_at=at)
        items.append(("invoice", lambda tx: tx.save(record, condition=InvoiceRecord.invoice_key.does_not_exist())))
        items += deduction_items(t, order_id, list(commit.parts))
        ledger = commit.ledger
        entry = LedgerEntryRecord(
            ledger.phone,
            ledger.entry_id,
            kind=ledger.kind,
            amount_paise=ledger.amount_paise,
            balance_after_paise=ledger.balance_after_paise,
            reference=ledger.reference,
            at=at,
        )
        items.append(("ledger", lambda tx: tx.save(entry, condition=LedgerEntryRecord.entry_id.does_not_exist())))
        before = ledger.balance_before_paise
        actions = [CustomerRecord.balance_paise.set(ledger.balance_after_paise)]
        condition = (
            (CustomerRecord.balance_paise == before)
            if before
            else (CustomerRecord.balance_paise.does_not_exist() | (CustomerRecord.balance_paise == 0))
        )
        if commit.clears_active:
            actions.append(CustomerRecord.active_order_id.remove())
            condition &= CustomerRecord.active_order_id == order_id
        customer = CustomerRecord(ledger.phone)
        items.append(("customer", lambda tx: tx.update(customer, actions=actions, condition=condition)))
        _transact(t, items + _audit_items(t, commit.audit))

    def commit_rejection(self, commit: RejectionCommit) -> None:
        """Write a rejection in one transaction: order rejected, reserved stock back on the shelf, the customer free
        to order again. Raises StaleOrder / OutOfStock like commit_approval."""
        from chalicelib.adapters.conversation_store import _order_record
        from chalicelib.adapters.stock_repository import release_items

        t = self._t
        CustomerRecord = t.CustomerRecord
        items = [("order", lambda tx: tx.save(_order_record(t, commit.order, commit.version)))]
        items += release_items(t, commit.order_id, list(commit.parts))
        if commit.clears_active:
            items.append(
                (
                    "customer",
                    lambda tx: tx.update(
                        CustomerRecord(commit.phone),
                        actions=[CustomerRecord.active_order_id.remove()],
                        condition=CustomerRecord.active_order_id == commit.order_id,
                    ),
                )
            )
        _transact(t, items + _audit_items(t, commit.audit))

    def ensure_pdf(self, number: str, render) -> str:
        """The invoice's PDF on S3 under a deterministic key (a retry overwrites, never duplicates), SSE on."""
        InvoiceRecord = self._t.InvoiceRecord
        record = InvoiceRecord.get(f"INV#{number}", consistent_read=True)
        key = f"invoices/{number.replace('/', '-')}.pdf"
        if record.s3_key:
            return record.s3_key
        pdf = render(record.data)
        self._s3.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=pdf,
            ContentType="application/pdf",
            ServerSideEncryption="AES256",
            Metadata={"invoice-number": number, "order-id": record.order_id or ""},
        )
        record.update(actions=[InvoiceRecord.s3_key.set(key)])
        return key

    def pdf(self, key: str) -> bytes:
        """The stored PDF's bytes (sent to WhatsApp's media endpoint; S3 keeps the archive)."""
        return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def link(self, key: str, ttl_seconds: int) -> str:
        """A time-limited URL of the PDF at ``key`` (what the customer's WhatsApp document points at)."""
        return self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=ttl_seconds
        )

    def invoices_of(self, order_id: str) -> list[dict]:
        return [{"number": r.number, "s3_key": r.s3_key} for r in self._t.InvoiceRecord.by_order.query(order_id)]


def _audit_items(tables, audit) -> list:
    from chalicelib.adapters.audit_trail import audit_item

    return [audit_item(tables, entry) for entry in audit]


def _transact(tables, items) -> None:
    """Run the items; a failed reservation is OutOfStock (the owner is told), anything else moved is StaleOrder."""
    from chalicelib.adapters.transactions import TransactionCancelled, run_transaction

    try:
        run_transaction(tables, items)
    except TransactionCancelled as cancelled:
        failed = cancelled.failed
        if failed and all(label.startswith("batch#") or label == "reservation" for label in failed):
            raise OutOfStock("the reservation is not there", cancelled.batch_ids()) from cancelled
        raise StaleOrder(str(cancelled)) from cancelled
