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
from chalicelib.services.ports import (
    ConversationStorePort,
    DeliveryPort,
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
        delivery: DeliveryPort | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
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
        self._delivery = delivery
        self._clock = clock
        self._sleep = sleep

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
        from chalicelib.domain.gst import rate_for
        from chalicelib.domain.invoice import Invoice, InvoiceLine, Party

        s = self._settings.supplier
        on = on or self._clock().date()
        rates = self._gst_rates()
        vocabulary = self._vocabulary()
        lines = []
        for line in order.lines_for_summary:
            material = vocabulary.material(line.material)
            color = vocabulary.color(line.color)
            hsn = (material.hsn if material else None) or "5208"
            for part in line.allocation.parts:
                lot = f", dye lot {part.dye_lot}" if part.dye_lot else ""
                lines.append(
                    InvoiceLine(
                        description=f"{line.material.title()}, {(color.name if color else line.color).title()}{lot}",
                        hsn=hsn,
                        quantity_m=part.meters,
                        rate=part.price_per_meter,
                        gst_rate=rate_for(hsn, on, rates),
                    )
                )
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
        return Invoice(number=number, date=on, supplier=supplier, recipient=recipient, lines=tuple(lines))

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

    def owner_notification(self, order, now: datetime, links: dict[str, str] | None = None):
        """The WhatsApp text to OWNER_PHONE: who, each line with its batches and dye lots, total with GST, the
        customer's outstanding balance, and the Approve and Reject links."""
        return self._owner_notice(order, now, links)[0]

    def owner_notification_payload(self, order, now: datetime) -> dict:
        """The owner's notification as a Graph payload with its ``owner_new_order`` template as the fallback (the
        owner rarely writes to the shop's number, so it is usually outside the 24-hour window): the same order,
        and Approve/Reject URL buttons whose dynamic suffix is the signed token."""
        from chalicelib.templates import template

        links = self.links(order.order_id, now)
        notice, values = self._owner_notice(order, now, links)
        payload = notice.to_graph_payload()
        values |= {action + "_token": links[action].rsplit("/", 1)[1] for action in ("approve", "reject")}
        payload["_fallback"] = template("owner_new_order").payload(self._settings.owner_phone, "en", values)
        payload["_order_id"] = order.order_id
        return payload

    def _owner_notice(self, order, now: datetime, links: dict[str, str] | None):
        from chalicelib.domain.messages import OutboundMessage
        from chalicelib.domain.money import format_inr, format_meters

        customer = self._customer(order.customer_phone)
        invoice = self.draft_invoice(order, customer)
        totals = invoice.totals
        rows = [
            f"🧾 New order {order.order_id} waiting for your approval",
            f"Customer: {invoice.recipient.name} (+{order.customer_phone})",
            "",
        ]
        items = []
        for number, line in enumerate(order.lines_for_summary, 1):
            lots = ", ".join(f"{p.dye_lot or 'no lot'}: {format_meters(p.meters)} m" for p in line.allocation.parts)
            items.append(
                f"{number}. {line.color} {line.material} {format_meters(line.allocation.available_meters)} m"
                f" = {format_inr(line.allocation.amount)} [{lots}]"
            )
        rows += items
        rows.append("")
        rows.append(f"Taxable value: {format_inr(totals.taxable_value)}")
        rows += [f"{r.label}: {format_inr(r.amount)}" for r in totals.tax_rows]
        rows.append(f"Total with GST: {format_inr(totals.grand_total)}")
        balance = Decimal(customer.get("balance_paise", 0)) / 100
        rows.append(f"Customer's outstanding balance: {format_inr(balance)}")
        links = links or self.links(order.order_id, now)
        rows += ["", f"✅ Approve: {links['approve']}", f"❌ Reject: {links['reject']}"]
        values = {
            "order_id": order.order_id,
            "customer": f"{invoice.recipient.name} (+{order.customer_phone})",
            "lines": "; ".join(items),
            "total": format_inr(totals.grand_total),
            "balance": format_inr(balance),
        }
        return OutboundMessage(to=self._settings.owner_phone, text="\n".join(rows)), values

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
        """Idempotent follow-up of a decided order: invoice PDF on S3, the customer's messages, the owner's note
        (which says "sent" only when Meta accepted the invoice, else that it could not be delivered and why)."""
        from chalicelib.domain.money import format_inr
        from chalicelib.templates import template

        order, data, _ = self._load(order_id)
        decision = data.get("decision") or {}
        approved = order.state.value == "ORDER_COMPLETED"
        language = "hi" if order.language == "hi" else "en"
        for index, payload in enumerate(decision.get("replies", [])):
            if index == 0 and "_fallback" not in payload:  # outside the window after a slow decision: the template
                values = {"order_id": order_id, "reason": decision.get("reason") or "-"}
                name = "order_approved" if approved else "order_rejected"
                payload = payload | {"_fallback": template(name).payload(order.customer_phone, language, values)}
            self._send_payload(payload, f"decided#{order_id}#{index}")
        if approved:
            number = data["invoice"]["number"]
            key = self._invoices.ensure_pdf(number, self._render)
            total = format_inr(data["invoice"]["grand_total"])
            sent, why = self._send_invoice(order, number, total, key, language)
            if sent:
                note = f"✅ Order {order_id} approved. Invoice {number} sent to +{order.customer_phone}."
            else:
                note = (
                    f"✅ Order {order_id} approved. ⚠️ Invoice {number} could not be delivered to "
                    f"+{order.customer_phone}: {why}. It is on your attention list."
                )
            self._tell_owner(order_id, note, f"owner-decided#{order_id}")
        elif order.state.value == "ORDER_REJECTED":
            self._tell_owner(
                order_id,
                f"❌ Order {order_id} rejected; the customer was told and the stock released.",
                f"owner-decided#{order_id}",
            )

    def _send_invoice(self, order, number: str, total: str, s3_key: str, language: str) -> tuple[bool, str | None]:
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
            text=f"Tax invoice {number}: {total} including GST",
            document=Document(media_id=media_id, filename=filename, caption=f"Invoice {number}: {total}"),
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

        why = why or f"it is {order.state.value.replace('_', ' ').lower()}"
        verb = "approved" if action == "approve" else "rejected"
        self._tell_owner(
            order.order_id,
            f"⚠️ Order {order.order_id} could not be {verb}: {why}. Nothing was changed.",
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
