"""Use case: the owner's decision — the notification asking for it, queueing it, and executing it exactly once.

Around it, each seam in its own module: drafting the invoice is pure (domain/invoice.py, fed by
services/drafting.py); what an approval or rejection writes is a domain value (domain/approval.py) that the invoice
store only writes; the owner's read views are services/order_views.py; signing, opening and spending links is
services/links.py.

Policy (the issue's default, kept): stock is reserved when the customer confirms (in the same transaction that
hands the order over), so approving can never oversell and other customers are never offered reserved cloth.
Approval turns the reservation into a sale; rejection, like cancellation, puts it back.

Executing an approval is one transaction (at most ~20 items for a typical order, far below 100):
  (a) each batch: reserved meters leave the books (condition: that much is reserved) and the order's reservation
      record is deleted (condition: it exists);
  (b) the order: WAITING_OWNER_CONFIRMATION -> ORDER_COMPLETED, through its version (loaded while waiting);
  (c) the financial year's counter: seq N -> N+1 (condition: still N), so the series is gapless: a transaction that
      fails takes no number;
  (d) the invoice record 'INV#<number>' (condition: new);
  (e) the ledger debit (condition: new) and the customer's balance B -> B + total (condition: still B).
Double taps, links and the API racing each other, and SQS redelivery all end in one execution: every later attempt
finds the order already decided and only re-runs the after-commit steps, which are idempotent (the PDF key is
deterministic, every WhatsApp send goes through the outbox under a fixed key).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.domain.errors import BadRequest, DeliveryUncertain, MessageNotSent, NotFound, OutOfStock, StaleOrder
from chalicelib.domain.money import from_paise, to_paise
from chalicelib.domain.order import OrderState
from chalicelib.domain.wording import text
from chalicelib.services.ports import (
    ConversationStorePort,
    CreditCheckPort,
    DeliveryPort,
    DeskSettings,
    InvoiceDraftingPort,
    InvoiceStorePort,
    MessageSenderPort,
    PdfRendererPort,
    QueuePort,
)

MAX_ATTEMPTS = 8
# Why a decision found the order no longer waiting: a wording key per state (the rest: "no longer waiting").
REFUSED_BECAUSE = {
    OrderState.ORDER_COMPLETED: "owner_why_approved",
    OrderState.ORDER_REJECTED: "owner_why_rejected",
    OrderState.CANCELLED: "owner_why_cancelled",
    OrderState.EXPIRED: "owner_why_expired",
}
DECIDED = {"approve": OrderState.ORDER_COMPLETED, "reject": OrderState.ORDER_REJECTED}
PREFIX = "BB"


class ApprovalService:
    def __init__(
        self,
        *,
        store: ConversationStorePort,
        invoices: InvoiceStorePort,
        approvals_queue: QueuePort,
        sender: MessageSenderPort,
        draft: InvoiceDraftingPort,
        render_pdf: PdfRendererPort,
        settings: DeskSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        credit_check: CreditCheckPort | None = None,
        delivery: DeliveryPort | None = None,
    ):
        self._store = store
        self._invoices = invoices
        self._queue = approvals_queue
        self._sender = sender
        self._draft = draft
        self._render_pdf = render_pdf
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._credit_check = credit_check
        self._delivery = delivery

    # --- reading -----------------------------------------------------------------------------------------------
    def _load(self, order_id: str):
        from chalicelib.domain.order import Order

        found = self._store.load_order(order_id)
        if found is None:
            raise NotFound(f"no order {order_id}")
        data, version = found
        return Order.from_dict(data), data, version

    def _customer(self, phone: str) -> dict:
        return self._store.customer(phone) or {"phone": phone}

    # --- the owner's notification ----------------------------------------------------------------------------------
    def owner_notification(self, order, now: datetime, links: dict[str, str] | None = None):
        """The WhatsApp text to OWNER_PHONE: who, each line with its batches and dye lots, total with GST, the
        customer's outstanding balance, and the Approve and Reject links."""
        return self._owner_notice(order, now, links)[0]

    def owner_notification_payload(self, order, now: datetime) -> dict:
        """The owner's notification as a Graph payload with its ``owner_new_order`` template as the fallback (the
        owner rarely writes to the shop's number, so it is usually outside the 24-hour window): the same order,
        and Approve/Reject URL buttons whose dynamic suffix is the signed token."""
        from chalicelib.services.links import sign_links
        from chalicelib.templates import template

        links = sign_links(order.order_id, now, self._settings)
        notice, values = self._owner_notice(order, now, links)
        payload = notice.to_graph_payload()
        values |= {action + "_token": links[action].rsplit("/", 1)[1] for action in ("approve", "reject")}
        payload["_fallback"] = template("owner_new_order").payload(self._settings.owner_phone, "en", values)
        payload["_order_id"] = order.order_id
        return payload

    def _owner_notice(self, order, now: datetime, links: dict[str, str] | None):
        from chalicelib.domain.messages import OutboundMessage
        from chalicelib.domain.money import format_inr, format_meters
        from chalicelib.services.links import sign_links

        customer = self._customer(order.customer_phone)
        invoice = self._draft(order, customer)
        totals = invoice.totals
        rows = [
            text("owner_new_order", "en", id=order.order_id),
            text("owner_customer", "en", name=invoice.recipient.name, phone=order.customer_phone),
            "",
        ]
        if self._credit_check is not None:
            # Over the credit limit, or an invoice overdue: said first, so the owner sees it before the lines.
            warnings = self._credit_check(order.customer_phone, totals.grand_total, now)
            rows[1:1] = warnings
        else:
            warnings = []
        items = []
        for number, line in enumerate(order.lines_for_summary, 1):
            lots = ", ".join(f"{p.dye_lot or 'no lot'}: {format_meters(p.meters)} m" for p in line.allocation.parts)
            items.append(
                f"{number}. {line.color} {line.material} {format_meters(line.allocation.available_meters)} m"
                f" = {format_inr(line.allocation.amount)} [{lots}]"
            )
        rows += items
        rows.append("")
        rows.append(text("owner_taxable", "en", amount=format_inr(totals.taxable_value)))
        rows += [f"{r.label}: {format_inr(r.amount)}" for r in totals.tax_rows]
        rows.append(text("owner_total", "en", amount=format_inr(totals.grand_total)))
        if order.requests:  # the customer's words about a discount or a delivery date: the owner answers them
            rows.append(text("owner_requests", "en", requests="; ".join(f'"{said}"' for said in order.requests)))
        balance = from_paise(customer.get("balance_paise", 0))
        rows.append(text("owner_balance", "en", amount=format_inr(balance)))
        links = links or sign_links(order.order_id, now, self._settings)
        rows += [
            "",
            text("owner_approve", "en", link=links["approve"]),
            text("owner_reject", "en", link=links["reject"]),
        ]
        said = "; ".join(f'"{said}"' for said in order.requests)
        requests = [text("owner_requests", "en", requests=said)] if order.requests else []
        values = {
            "order_id": order.order_id,
            # Credit warnings ride with the customer, before the items, as in the free-form text.
            "customer": " · ".join([f"{invoice.recipient.name} (+{order.customer_phone})", *warnings]),
            "lines": "; ".join(items + requests),
            "total": format_inr(totals.grand_total),
            "balance": format_inr(balance),
        }
        return OutboundMessage(to=self._settings.owner_phone, text="\n".join(rows)), values

    # --- asking for a decision ---------------------------------------------------------------------------------
    def request(
        self, order_id: str, action: str, source: str, reason: str | None = None, correlation_id: str | None = None
    ) -> None:
        """Queue the owner's decision; the approvals worker executes it exactly once. ``source`` says how the owner
        decided ('link', 'api', 'cli'); it and ``correlation_id`` go into the audit trail with the decision."""
        import uuid

        if action not in ("approve", "reject"):
            raise BadRequest(f"the action is approve or reject, not {action!r}")
        self._load(order_id)  # NotFound early, so the owner hears it now rather than never
        # FIFO, grouped by order: one order's decisions are executed one at a time in the order they were made, so
        # a reject pressed after an approve can never overtake it on a second worker (first decision wins). Each
        # press is its own message (a fresh deduplication id); the worker turns the later ones into 'already' or
        # 'refused'.
        self._queue.send(
            {
                "order_id": order_id,
                "action": action,
                "reason": (reason or "").strip()[:300] or None,
                "source": source,
                "at": self._clock().isoformat(),
                "correlation_id": correlation_id or uuid.uuid4().hex,
            },
            group_id=order_id,
            dedup_id=uuid.uuid4().hex,
        )

    # --- execution (approvals worker) --------------------------------------------------------------------------
    def execute(self, command: dict) -> str:
        """Apply one queued decision; returns what happened ('approved', 'rejected', 'already', 'refused')."""
        order_id, action = command["order_id"], command["action"]
        for attempt in range(MAX_ATTEMPTS):
            order, data, version = self._load(order_id)
            done = DECIDED[action]
            if order.state == done:
                self._after_commit(order_id)
                return "already"
            if order.state != OrderState.WAITING_OWNER_CONFIRMATION:
                self._tell_owner_refused(order, action)
                return "refused"
            try:
                if action == "approve":
                    self._approve(order, data, version, command)
                else:
                    self._reject(order, data, version, command.get("reason"), command)
            except StaleOrder:
                self._sleep(0.02 * (attempt + 1))
                continue
            except OutOfStock:
                self._tell_owner_refused(order, action, "its reserved stock is no longer on the books")
                return "refused"
            self._after_commit(order_id)
            return "approved" if action == "approve" else "rejected"
        raise StaleOrder(f"could not apply {action} to {order_id} after {MAX_ATTEMPTS} attempts")

    def _approve(self, order, data: dict, version: int, command: dict | None = None) -> None:
        from chalicelib.domain import conversation as engine
        from chalicelib.domain.approval import ApprovalCommit, LedgerEntry, order_parts
        from chalicelib.domain.invoice import financial_year, format_invoice_number

        now = self._clock()
        customer = self._customer(order.customer_phone)
        fy = financial_year(now.date())
        seq = self._invoices.current_seq(fy)
        number = format_invoice_number(fy, seq + 1, PREFIX)
        invoice = self._draft(order, customer, number=number, on=now.date())
        step = engine.owner_decided(order, True, None, now)
        new_data = _decided(step, now, approved=True) | {
            "invoice": {"number": number, "grand_total": str(invoice.totals.grand_total)}
        }
        ledger = LedgerEntry(
            phone=order.customer_phone,
            kind="debit",
            amount_paise=to_paise(invoice.totals.grand_total),
            balance_before_paise=int(customer.get("balance_paise", 0)),
            reference=number,
            at=now.isoformat(),
        )
        self._invoices.commit_approval(
            ApprovalCommit(
                order=new_data,
                version=version,
                fy=fy,
                seq_before=seq,
                invoice=invoice.to_dict(),
                parts=order_parts(order),
                ledger=ledger,
                clears_active=customer.get("active_order_id") == order.order_id,
                audit=tuple(_decision_audit(order, "ORDER_COMPLETED", command or {}, {"invoice": number})),
            )
        )

    def _reject(self, order, data: dict, version: int, reason: str | None, command: dict | None = None) -> None:
        from chalicelib.domain import conversation as engine
        from chalicelib.domain.approval import RejectionCommit, order_parts

        now = self._clock()
        step = engine.owner_decided(order, False, reason, now)
        customer = self._customer(order.customer_phone)
        self._invoices.commit_rejection(
            RejectionCommit(
                order=_decided(step, now, approved=False, reason=reason),
                version=version,
                parts=order_parts(order),
                phone=order.customer_phone,
                clears_active=customer.get("active_order_id") == order.order_id,
                audit=tuple(_decision_audit(order, "ORDER_REJECTED", command or {}, {"reason": reason})),
            )
        )

    def _after_commit(self, order_id: str) -> None:
        """Idempotent follow-up of a decided order: invoice PDF on S3, the customer's messages, the owner's note
        (which says "sent" only when Meta accepted the invoice, else that it could not be delivered and why)."""
        from chalicelib.domain.money import format_inr
        from chalicelib.templates import template

        order, data, _ = self._load(order_id)
        decision = data.get("decision") or {}
        approved = order.state == OrderState.ORDER_COMPLETED
        template_language = "hi" if order.language == "hi" else "en"
        for index, payload in enumerate(decision.get("replies", [])):
            if index == 0 and "_fallback" not in payload:  # outside the window after a slow decision: the template
                values = {"order_id": order_id, "reason": decision.get("reason") or "-"}
                name = "order_approved" if approved else "order_rejected"
                payload = payload | {
                    "_fallback": template(name).payload(order.customer_phone, template_language, values)
                }
            self._send_payload(payload, f"decided#{order_id}#{index}")
        if approved:
            number = data["invoice"]["number"]
            key = self._invoices.ensure_pdf(number, self._render)
            total = format_inr(data["invoice"]["grand_total"])
            language = order.language  # the customer reads the invoice message in their own language and script
            caption = text("invoice_caption", language, number=number, total=total)
            if self._settings.upi_vpa:
                from chalicelib.domain.ledger import upi_uri

                upi = upi_uri(self._settings.upi_vpa, self._settings.supplier.get("name", ""), total_of(data), number)
                caption += "\n" + text("invoice_upi", language, upi=upi)
            body = text("invoice_text", language, number=number, total=total)
            sent, why = self._send_invoice(order, number, total, body, caption, key, template_language)
            if sent:
                note = text("owner_approved", "en", id=order_id, number=number, phone=order.customer_phone)
            else:
                note = (
                    f"✅ Order {order_id} approved. ⚠️ Invoice {number} could not be delivered to "
                    f"+{order.customer_phone}: {why}. It is on your attention list."
                )
            self._tell_owner(order_id, note, f"owner-decided#{order_id}")
        elif order.state == OrderState.ORDER_REJECTED:
            self._tell_owner(order_id, text("owner_rejected", "en", id=order_id), f"owner-decided#{order_id}")

    def _send_invoice(
        self, order, number: str, total: str, body: str, caption: str, s3_key: str, language: str
    ) -> tuple[bool, str | None]:
        """Upload the PDF to WhatsApp's media endpoint and send it by media id (S3 keeps the archive); outside the
        customer's 24-hour window the ``invoice_document`` template carries it as its document header.
        Returns (Meta accepted it, why not)."""
        from chalicelib.domain.delivery import reason_text
        from chalicelib.domain.messages import Document, OutboundMessage
        from chalicelib.templates import template

        filename = f"{number.replace('/', '-')}.pdf"
        try:
            media_id = self._sender.upload_media(self._invoices.pdf(s3_key), "application/pdf", filename)
        except MessageNotSent as exc:
            if exc.retryable:
                raise
            return False, reason_text(exc.code, str(exc))
        document = OutboundMessage(
            to=order.customer_phone,
            text=body,
            document=Document(media_id=media_id, filename=filename, caption=caption),
        )
        payload = document.to_graph_payload()
        payload["_fallback"] = template("invoice_document").payload(
            order.customer_phone,
            language,
            {"invoice_number": number, "order_id": order.order_id, "amount": total},
            document={"id": media_id, "filename": filename},
        )
        payload["_order_id"] = order.order_id
        try:
            self._sender.send_payload(payload, idempotency_key=f"invoice#{order.order_id}")
        except MessageNotSent as exc:
            if exc.retryable:
                raise
            return False, reason_text(exc.code, getattr(exc, "details", None) or str(exc))
        return True, None

    def _tell_owner(self, order_id: str, note: str, key: str) -> None:
        """A note to the owner: free-form inside the owner's window, the ``owner_order_note`` template outside."""
        if self._delivery is not None:
            self._delivery.tell_owner(order_id, note.rstrip("."), key, text=note)
            return
        from chalicelib.domain.messages import OutboundMessage

        self._send(OutboundMessage(to=self._settings.owner_phone, text=note), key)

    def _render(self, invoice_data: dict) -> bytes:
        from chalicelib.domain.invoice import Invoice

        return self._render_pdf(Invoice.from_dict(invoice_data))

    def _tell_owner_refused(self, order, action: str, why: str | None = None) -> None:
        why = why or text(REFUSED_BECAUSE.get(order.state, "owner_why_not_waiting"), "en")
        verb = "approved" if action == "approve" else "rejected"
        self._tell_owner(
            order.order_id,
            text("owner_refused", "en", id=order.order_id, verb=verb, why=why),
            f"owner-refused#{order.order_id}#{action}#{order.state.value}",
        )

    def _send(self, message, key: str) -> None:
        self._send_payload(message.to_graph_payload(), key)

    def _send_payload(self, payload: dict, key: str) -> None:
        from chalicelib.logs import get_logger

        try:
            self._sender.send_payload(payload, idempotency_key=key)
        except DeliveryUncertain as exc:
            get_logger().warning("decision message delivery uncertain", extra={"key": key})
            if exc.retryable:
                raise  # the approvals queue brings it back; the outbox's lease decides whether to send again
        except MessageNotSent as exc:
            if exc.retryable:
                raise
            get_logger().warning("decision message not deliverable", extra={"key": key, "code": exc.code})


def _decision_audit(order, to_state: str, command: dict, detail: dict) -> list:
    """The owner's decision as an audit entry: who and how (link, API, …) from the queued command."""
    from chalicelib.domain.audit import AuditEntry, order_subject, source_of

    who, via = source_of(command.get("source") or "api")
    return [
        AuditEntry(
            subject=order_subject(order.order_id),
            action="order.approved" if to_state == "ORDER_COMPLETED" else "order.rejected",
            who=who,
            via=via,
            from_state=order.state.value,
            to_state=to_state,
            correlation_id=command.get("correlation_id"),
            detail={k: v for k, v in detail.items() if v} | {"requested_at": command.get("at")},
        )
    ]


def total_of(data: dict) -> Decimal:
    return Decimal(data["invoice"]["grand_total"])


def _decided(step, now: datetime, **decision) -> dict:
    """The stored order after the owner's decision, with the replies to send (kept so a retry sends the same)."""
    replies = [m.to_graph_payload() for m in step.replies]
    return step.order.to_dict() | {"decision": {**decision, "at": now.isoformat(), "replies": replies}}


def parse_command(body: str) -> dict:
    command = json.loads(body)
    if command.get("action") not in ("approve", "reject") or not command.get("order_id"):
        raise ValueError(f"not an approval command: {body[:200]}")
    return command
