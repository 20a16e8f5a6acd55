"""Use cases of the owner's decision: the notification with signed links, the approval page's data, queueing a
decision, and executing it exactly once.

Policy (the issue's default, kept): stock is reserved when the customer confirms (in the same transaction that
hands the order over), so approving can never oversell and other customers are never offered reserved cloth.
Approval turns the reservation into a sale; rejection, like cancellation, puts it back.

Executing an approval is one DynamoDB transaction (at most ~20 items for a typical order, far below 100):
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
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chalicelib.domain.errors import DeliveryUncertain, MessageNotSent, NotFound, OutOfStock, StaleOrder
from chalicelib.domain.wording import text
from chalicelib.services.ports import (
    ConversationStorePort,
    CreditCheckPort,
    DeskSettings,
    GstRatesProvider,
    IdempotencyPort,
    InvoiceStorePort,
    MessageSenderPort,
    PdfRendererPort,
    QueuePort,
    VocabularyProvider,
)

MAX_ATTEMPTS = 8
PREFIX = "BB"


class DecisionRefused(Exception):
    """The decision cannot apply (the order is not waiting for the owner); ``reason`` is told to the owner."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ApprovalService:
    def __init__(
        self,
        *,
        store: ConversationStorePort,
        invoices: InvoiceStorePort,
        approvals_queue: QueuePort,
        idempotency: IdempotencyPort,
        sender: MessageSenderPort,
        vocabulary: VocabularyProvider,
        gst_rates: GstRatesProvider,
        render_pdf: PdfRendererPort,
        settings: DeskSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        credit_check: CreditCheckPort | None = None,
    ):
        self._store = store
        self._invoices = invoices
        self._queue = approvals_queue
        self._idempotency = idempotency
        self._sender = sender
        self._vocabulary = vocabulary
        self._gst_rates = gst_rates
        self._render_pdf = render_pdf
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._credit_check = credit_check

    # --- reading -----------------------------------------------------------------------------------------------
    def _load(self, order_id: str):
        from chalicelib.domain.order import Order

        found = self._store.load_order(order_id)
        if found is None:
            raise NotFound(f"no order {order_id}")
        data, version = found
        return Order.from_dict(data), data, version

    def state(self, order_id: str) -> str:
        """The order's state, read consistently (a cheap poll while a decision is applied); raises NotFound."""
        found = self._store.load_order(order_id)
        if found is None:
            raise NotFound(f"no order {order_id}")
        return found[0]["state"]

    def _customer(self, phone: str) -> dict:
        return self._store.customer(phone) or {"phone": phone}

    def draft_invoice(self, order, customer: dict, number: str = "DRAFT", on: date | None = None):
        """The invoice this order would get: one line per batch taken (so each dye lot shows), GST by HSN."""
        from chalicelib.domain.bill import invoice_lines
        from chalicelib.domain.invoice import Invoice, Party

        s = self._settings.supplier
        on = on or self._clock().date()
        # The lines the customer's summary priced (domain/bill.py), so the invoice's total is the payable they saw.
        lines = invoice_lines(order.lines_for_summary, self._vocabulary(), self._gst_rates(), on)
        supplier = Party(
            name=s["name"],
            address_lines=(s["address"],),
            gstin=s["gstin"],
            state_code=s["state_code"],
            phone=s.get("phone", ""),
        )
        recipient = Party(
            name=customer.get("name") or order.customer_name or order.customer_phone,
            gstin=customer.get("gstin"),
            # A walk-in WhatsApp customer with no GSTIN or state on file is taken to be local (intra-state).
            state_code=customer.get("state_code") or (None if customer.get("gstin") else s["state_code"]) or "",
            phone=order.customer_phone,
        )
        days = customer.get("credit_days")
        due = on + timedelta(days=self._settings.credit_days if days is None else int(days))
        return Invoice(number=number, date=on, supplier=supplier, recipient=recipient, lines=tuple(lines), due_date=due)

    def view(self, order_id: str) -> dict:
        """The order as the owner sees it (page and API): lines with batches and dye lots, GST, balance, state."""
        order, data, version = self._load(order_id)
        customer = self._customer(order.customer_phone)
        view = {
            "order_id": order.order_id,
            "state": order.state.value,
            "customer": {
                "phone": order.customer_phone,
                "name": customer.get("name") or order.customer_name,
                "balance": str(Decimal(customer.get("balance_paise", 0)) / 100),
            },
            "lines": [],
            "created_at": order.created_at.isoformat(),
            "updated_at": order.updated_at.isoformat(),
            "invoice": data.get("invoice"),
            "decision": {k: v for k, v in (data.get("decision") or {}).items() if k != "replies"} or None,
        }
        for line in order.lines_for_summary:
            view["lines"].append(
                {
                    "material": line.material,
                    "color": line.color,
                    "meters": str(line.allocation.available_meters),
                    "amount": str(line.allocation.amount),
                    "spans_lots": line.allocation.spans_lots,
                    "batches": [
                        {
                            "batch_id": p.batch_id,
                            "dye_lot": p.dye_lot,
                            "rolls": p.rolls,
                            "meters": str(p.meters),
                            "rate": str(p.price_per_meter),
                        }
                        for p in line.allocation.parts
                    ],
                }
            )
        if order.lines_for_summary:
            totals = self.draft_invoice(order, customer).totals
            view["totals"] = {
                "taxable": str(totals.taxable_value),
                "tax": [{"label": r.label, "amount": str(r.amount)} for r in totals.tax_rows],
                "round_off": str(totals.round_off),
                "grand_total": str(totals.grand_total),
            }
        return view

    def list(self, state: str) -> list[dict]:
        """Orders in ``state``, newest change first, as short rows."""
        from chalicelib.domain.order import Order

        rows = []
        for data in self._store.orders_in_state(state):
            order = Order.from_dict(data)
            rows.append(
                {
                    "order_id": order.order_id,
                    "customer_phone": order.customer_phone,
                    "customer_name": order.customer_name,
                    "state": order.state.value,
                    "lines": len(order.lines_for_summary),
                    "total": str(order.total),
                    "updated_at": order.updated_at.isoformat(),
                }
            )
        return sorted(rows, key=lambda r: r["updated_at"], reverse=True)

    # --- notification and links --------------------------------------------------------------------------------
    def links(self, order_id: str, now: datetime) -> dict[str, str]:
        from chalicelib.domain.links import sign_link

        s = self._settings
        expires = int((now + timedelta(hours=s.link_ttl_hours)).timestamp())
        return {
            action: f"{s.public_base_url}/o/{sign_link(order_id, action, expires, s.link_signing_secret)}"
            for action in ("approve", "reject")
        }

    def owner_notification(self, order, now: datetime):
        """The WhatsApp text to OWNER_PHONE: who, each line with its batches and dye lots, total with GST, the
        customer's outstanding balance, and the Approve and Reject links."""
        from chalicelib.domain.messages import OutboundMessage
        from chalicelib.domain.money import format_inr, format_meters

        customer = self._customer(order.customer_phone)
        invoice = self.draft_invoice(order, customer)
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
        for number, line in enumerate(order.lines_for_summary, 1):
            lots = ", ".join(f"{p.dye_lot or 'no lot'}: {format_meters(p.meters)} m" for p in line.allocation.parts)
            rows.append(
                f"{number}. {line.color} {line.material} {format_meters(line.allocation.available_meters)} m"
                f" = {format_inr(line.allocation.amount)} [{lots}]"
            )
        rows.append("")
        rows.append(text("owner_taxable", "en", amount=format_inr(totals.taxable_value)))
        rows += [f"{r.label}: {format_inr(r.amount)}" for r in totals.tax_rows]
        rows.append(text("owner_total", "en", amount=format_inr(totals.grand_total)))
        if order.requests:  # the customer's words about a discount or a delivery date: the owner answers them
            rows.append(text("owner_requests", "en", requests="; ".join(f'"{said}"' for said in order.requests)))
        balance = Decimal(customer.get("balance_paise", 0)) / 100
        rows.append(text("owner_balance", "en", amount=format_inr(balance)))
        links = self.links(order.order_id, now)
        rows += [
            "",
            text("owner_approve", "en", link=links["approve"]),
            text("owner_reject", "en", link=links["reject"]),
        ]
        return OutboundMessage(to=self._settings.owner_phone, text="\n".join(rows))

    # --- asking for a decision ---------------------------------------------------------------------------------
    def request(self, order_id: str, action: str, source: str, reason: str | None = None) -> None:
        """Queue the owner's decision; the approvals worker executes it exactly once."""
        if action not in ("approve", "reject"):
            raise ValueError(action)
        self._load(order_id)  # NotFound early, so the owner hears it now rather than never
        self._queue.send(
            {
                "order_id": order_id,
                "action": action,
                "reason": (reason or "").strip()[:300] or None,
                "source": source,
                "at": self._clock().isoformat(),
            }
        )

    def open_link(self, token: str) -> tuple:
        """(claims, used) of a genuine, unexpired link; raises a LinkError for a tampered/expired one."""
        from chalicelib.domain.links import verify_link

        claims = verify_link(token, self._settings.link_signing_secret, self._clock().timestamp())
        return claims, self._idempotency.exists(f"link#{claims.nonce}")

    def use_link(self, token: str, action: str, reason: str | None = None):
        """Verify the link for ``action``, spend it (first writer wins) and queue the decision.
        Raises LinkTampered / LinkExpired / WrongAction / LinkUsed; nothing changes then."""
        from chalicelib.domain.links import LinkUsed, verify_link

        now = self._clock().timestamp()
        claims = verify_link(token, self._settings.link_signing_secret, now, action)
        ttl = max(60, claims.expires_at - int(now)) + 86400
        if self._idempotency.claim(f"link#{claims.nonce}", "link", ttl, {"order_id": claims.order_id}) is not None:
            raise LinkUsed("this link was used already")
        try:
            self.request(claims.order_id, action, "link", reason)
        except Exception:
            # Not queued (the queue failed): give the link back, or the owner's retry would find it "used" while
            # nothing was decided.
            self._unspend(claims.nonce)
            raise
        return claims

    def _unspend(self, nonce: str) -> None:
        self._idempotency.release(f"link#{nonce}")

    # --- execution (approvals worker) --------------------------------------------------------------------------
    def execute(self, command: dict) -> str:
        """Apply one queued decision; returns what happened ('approved', 'rejected', 'already', 'refused')."""
        order_id, action = command["order_id"], command["action"]
        for attempt in range(MAX_ATTEMPTS):
            order, data, version = self._load(order_id)
            done = {"approve": "ORDER_COMPLETED", "reject": "ORDER_REJECTED"}[action]
            if order.state.value == done:
                self._after_commit(order_id)
                return "already"
            if order.state.value != "WAITING_OWNER_CONFIRMATION":
                self._tell_owner_refused(order, action)
                return "refused"
            try:
                if action == "approve":
                    self._approve(order, data, version)
                else:
                    self._reject(order, data, version, command.get("reason"))
            except StaleOrder:
                self._sleep(0.02 * (attempt + 1))
                continue
            except OutOfStock:
                self._tell_owner_refused(order, action, "its reserved stock is no longer on the books")
                return "refused"
            self._after_commit(order_id)
            return "approved" if action == "approve" else "rejected"
        raise StaleOrder(f"could not apply {action} to {order_id} after {MAX_ATTEMPTS} attempts")

    def _approve(self, order, data: dict, version: int) -> None:
        from chalicelib.domain import conversation as engine
        from chalicelib.domain.invoice import financial_year, format_invoice_number

        now = self._clock()
        customer = self._customer(order.customer_phone)
        fy = financial_year(now.date())
        seq = self._invoices.current_seq(fy)
        number = format_invoice_number(fy, seq + 1, PREFIX)
        invoice = self.draft_invoice(order, customer, number=number, on=now.date())
        step = engine.owner_decided(order, True, None, now)
        total_paise = int(invoice.totals.grand_total * 100)
        new_data = _decided(step, now, approved=True) | {
            "invoice": {"number": number, "grand_total": str(invoice.totals.grand_total)}
        }
        parts = _parts(order)
        self._invoices.commit_approval(
            order_data=new_data,
            version=version,
            fy=fy,
            seq=seq,
            invoice=invoice.to_dict(),
            parts=parts,
            phone=order.customer_phone,
            balance_paise=int(customer.get("balance_paise", 0)),
            customer_exists=bool(customer.get("last_inbound_at") or customer.get("name")),
            active_order_id=customer.get("active_order_id"),
            total_paise=total_paise,
            at=now.isoformat(),
        )

    def _reject(self, order, data: dict, version: int, reason: str | None) -> None:
        from chalicelib.domain import conversation as engine

        now = self._clock()
        step = engine.owner_decided(order, False, reason, now)
        customer = self._customer(order.customer_phone)
        new_data = _decided(step, now, approved=False, reason=reason)
        parts = _parts(order)
        self._invoices.commit_rejection(
            order_data=new_data,
            version=version,
            parts=parts,
            phone=order.customer_phone,
            active_order_id=customer.get("active_order_id"),
        )

    def _after_commit(self, order_id: str) -> None:
        """Idempotent follow-up of a decided order: invoice PDF on S3, the customer's messages, the owner's note."""
        from chalicelib.domain.messages import Document, OutboundMessage
        from chalicelib.domain.money import format_inr

        order, data, _ = self._load(order_id)
        decision = data.get("decision") or {}
        for index, payload in enumerate(decision.get("replies", [])):
            self._send_payload(payload, f"decided#{order_id}#{index}")
        if order.state.value == "ORDER_COMPLETED":
            number = data["invoice"]["number"]
            key = self._invoices.ensure_pdf(number, self._render)
            link = self._invoices.link(key, self._settings.invoice_url_ttl_seconds)
            total = format_inr(data["invoice"]["grand_total"])
            language = order.language  # the customer reads the invoice message in their own language and script
            caption = text("invoice_caption", language, number=number, total=total)
            if self._settings.upi_vpa:
                from chalicelib.domain.ledger import upi_uri

                upi = upi_uri(self._settings.upi_vpa, self._settings.supplier.get("name", ""), total_of(data), number)
                caption += "\n" + text("invoice_upi", language, upi=upi)
            document = OutboundMessage(
                to=order.customer_phone,
                text=text("invoice_text", language, number=number, total=total),
                document=Document(link=link, filename=f"{number.replace('/', '-')}.pdf", caption=caption),
            )
            self._send(document, f"invoice#{order_id}")
            self._send(
                OutboundMessage(
                    to=self._settings.owner_phone,
                    text=text("owner_approved", "en", id=order_id, number=number, phone=order.customer_phone),
                ),
                f"owner-decided#{order_id}",
            )
        elif order.state.value == "ORDER_REJECTED":
            self._send(
                OutboundMessage(
                    to=self._settings.owner_phone,
                    text=text("owner_rejected", "en", id=order_id),
                ),
                f"owner-decided#{order_id}",
            )

    def _render(self, invoice_data: dict) -> bytes:
        from chalicelib.domain.invoice import Invoice

        return self._render_pdf(Invoice.from_dict(invoice_data))

    def _tell_owner_refused(self, order, action: str, why: str | None = None) -> None:
        from chalicelib.domain.messages import OutboundMessage

        why = why or f"it is {order.state.value.replace('_', ' ').lower()}"
        verb = "approved" if action == "approve" else "rejected"
        self._send(
            OutboundMessage(
                to=self._settings.owner_phone,
                text=text("owner_refused", "en", id=order.order_id, verb=verb, why=why),
            ),
            f"owner-refused#{order.order_id}#{action}#{order.state.value}",
        )

    def _send(self, message, key: str) -> None:
        self._send_payload(message.to_graph_payload(), key)

    def _send_payload(self, payload: dict, key: str) -> None:
        from chalicelib.logs import get_logger

        try:
            self._sender.send_payload(payload, idempotency_key=key)
        except DeliveryUncertain:
            get_logger().warning("decision message delivery uncertain", extra={"key": key})
        except MessageNotSent as exc:
            if exc.retryable:
                raise
            get_logger().warning("decision message not deliverable", extra={"key": key, "code": exc.code})


def total_of(data: dict) -> Decimal:
    return Decimal(data["invoice"]["grand_total"])


def _decided(step, now: datetime, **decision) -> dict:
    """The stored order after the owner's decision, with the replies to send (kept so a retry sends the same)."""
    replies = [m.to_graph_payload() for m in step.replies]
    return step.order.to_dict() | {"decision": {**decision, "at": now.isoformat(), "replies": replies}}


def _parts(order) -> list:
    """Every batch part allocated to the order's lines: what is reserved, and what approval deducts."""
    return [p for line in order.lines_for_summary for p in line.allocation.parts]


def parse_command(body: str) -> dict:
    command = json.loads(body)
    if command.get("action") not in ("approve", "reject") or not command.get("order_id"):
        raise ValueError(f"not an approval command: {body[:200]}")
    return command
