"""Use case: handle one inbound customer message from the queue — understand it, run the conversation engine,
commit the result in one transaction, then send the replies.

Order of work, and why:
1. A message already handled (``handled#<wamid>``) is not run again; if its replies did not all go out (the
   worker died after the commit), they are sent now. The outbox keeps each reply single.
2. Load the customer's order with its version, understand the text (deterministic first, Gemini when unsure), run
   the pure engine.
3. Commit: the handled key, the order (version-checked), the customer's active order, and, when the customer
   confirmed (HandOver), the reservation of every allocated batch — all in one DynamoDB transaction. If stock moved
   the reservation fails alone: the engine re-checks the changed lines and that step is committed instead. If the
   order changed under us (a concurrent delivery), load again and redo the step; if the message was handled
   meanwhile, stop.
4. Send the replies (and the owner's notification with its signed links), then mark the message delivered.

Wiring: ``chalicelib/bootstrap.py`` passes the ports below by name (services/ports.py declares them); the unit tests
pass the in-memory fakes of chalicelib/adapters/memory.py (tests/unit/desk.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from chalicelib.domain.errors import AlreadyProcessed, DeliveryUncertain, MessageNotSent, OutOfStock, StaleOrder
from chalicelib.domain.webhook import InboundMessage
from chalicelib.services.ports import (
    ConversationStorePort,
    GstRatesProvider,
    MessageLogPort,
    MessageSenderPort,
    MoneyDeskPort,
    OwnerNotifierPort,
    StockViewsPort,
    UnderstandingPort,
    VocabularyProvider,
)

MAX_ATTEMPTS = 4
NON_ORDER_KEYS = ("invoice", "decision", "reservation")  # kept on the stored order across engine saves


class ConversationService:
    def __init__(
        self,
        *,
        store: ConversationStorePort,
        message_log: MessageLogPort,
        stock: StockViewsPort,
        vocabulary: VocabularyProvider,
        understanding: UnderstandingPort,
        sender: MessageSenderPort,
        owner_notifier: OwnerNotifierPort,
        gst_rates: GstRatesProvider | None = None,
        supplier_state_code: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        money_desk: MoneyDeskPort | None = None,
    ):
        """``gst_rates`` and ``supplier_state_code`` make the summary's GST the invoice's (seed rates and an
        intra-state supply without them)."""
        self._store = store
        self._message_log = message_log
        self._stock = stock
        self._vocabulary = vocabulary
        self._understanding = understanding
        self._sender = sender
        self._owner_notifier = owner_notifier
        self._gst_rates = gst_rates
        self._supplier_state_code = supplier_state_code
        self._clock = clock
        self._sleep = sleep
        self._money_desk = money_desk

    # --- entry point -------------------------------------------------------------------------------------------
    def handle(self, message: InboundMessage) -> None:
        if self._money_desk is not None and self._money_desk.takes(message):
            # The owner's payment desk, a customer's hisaab / STOP / START: answered apart from the order
            # conversation (its sends are keyed by the message id, so a redelivery sends nothing twice).
            if (self._store.handled(message.wamid) or {}).get("delivered"):
                return
            self._message_log.record(message.phone, "in", message.wamid, message.type, text=message.text)
            self._money_desk.handle(message)
            self._store.mark_delivered(message.wamid)
            return
        store = self._store
        outcome = store.handled(message.wamid)
        if outcome is None:
            # Logged once per message, not once per redelivery (a redelivered handled message skips this).
            self._message_log.record(message.phone, "in", message.wamid, message.type, text=message.text)
            self._sender.mark_read(message.wamid)  # read receipts and the typing indicator, in one call
            outcome = self._run(message)
            if outcome is None:  # handled by a concurrent delivery meanwhile
                outcome = store.handled(message.wamid) or {"replies": []}
        if not outcome.get("delivered"):
            if message.truncated:
                self._tell_truncated(message)
            self._deliver(message.wamid, outcome, _phone_for(message))

    def _tell_truncated(self, message: InboundMessage) -> None:
        """A text cut to fit (chalicelib.domain.webhook.TEXT_MAX): the customer is told, in English and Hindi."""
        from chalicelib.domain.messages import OutboundMessage

        note = OutboundMessage(
            to=message.phone,
            text="Your message was very long, so I read only its first part. / आपका संदेश बहुत लंबा था, मैंने पहला हिस्सा पढ़ा।",
        )
        self._sender.send_payload(note.to_graph_payload(), idempotency_key=f"truncated#{message.wamid}")

    # --- the step ----------------------------------------------------------------------------------------------
    def _run(self, message: InboundMessage) -> dict | None:
        from chalicelib.domain import conversation as engine

        store = self._store
        for attempt in range(MAX_ATTEMPTS):
            loaded = store.load(message.phone)
            order = self._order(loaded)
            now = self._clock()
            event, source = self._event(message, order, loaded.customer)
            stock = self._stock.view()
            vocabulary = self._vocabulary()
            others = self._others(message.phone, order)
            tax = self._tax(loaded.customer)
            result = engine.step(order, event, stock, vocabulary, now, _new_order_id, tax=tax, others=others)
            try:
                return self._commit(message, loaded, result, source, stock, vocabulary, now, tax)
            except AlreadyProcessed:
                return None
            except StaleOrder:
                self._sleep(0.05 * (attempt + 1))
        raise StaleOrder(f"gave up after {MAX_ATTEMPTS} attempts on {message.wamid}")

    def _order(self, loaded):
        from chalicelib.domain.order import Order

        return Order.from_dict(loaded.order) if loaded.order else None

    def _event(self, message: InboundMessage, order, customer: dict | None):
        from chalicelib.domain import conversation as engine

        # A customer with no order yet who taps or sends a photo: answer in the language they used last, else English.
        hint = order.language if order is not None else (customer or {}).get("language") or "en"
        if message.type == "tap":
            return engine.TapEvent(message.phone, message.name, message.reply_id or "", hint), "tap"
        if message.type != "text":
            return engine.UnsupportedEvent(message.phone, message.name, message.type, hint), "unsupported"
        text = message.text or ""
        vocabulary = self._vocabulary()
        dialogue = _dialogue(order)
        sources = []

        def read(said, context):
            understood = self._understanding.understand(said, vocabulary, context, dialogue=dialogue)
            sources.append(understood.source)
            return understood.interpretation

        def read_joined(said, context):  # the pending question's known part + the answer: never an LLM call
            sources.append("deterministic")
            return self._understanding.read_deterministic(said, vocabulary, context)

        reading, answering = engine.read_text(order, text, read, read_joined)
        return engine.TextEvent(message.phone, message.name, reading, text, answering), sources[-1]

    def _others(self, phone: str, order) -> list:
        """The customer's other recent orders: those waiting for the owner ("status") and the last completed one
        ("repeat my last order")."""
        from chalicelib.domain.order import Order

        current = order.order_id if order is not None else None
        return [Order.from_dict(d) for d in self._store.recent_orders(phone) if d["order_id"] != current]

    def _tax(self, customer: dict | None):
        """GST as the invoice will charge it: the rates in force, CGST+SGST for a customer in the shop's state."""
        from chalicelib.domain.bill import Tax

        supplier_state = self._supplier_state_code
        customer = customer or {}
        state = customer.get("state_code") or (None if customer.get("gstin") else supplier_state) or ""
        rates = tuple(self._gst_rates()) if self._gst_rates is not None else ()
        return Tax(rates=rates, intra_state=state == supplier_state)

    def _commit(self, message, loaded, result, source, stock, vocabulary, now, tax=None) -> dict:
        from chalicelib.domain import conversation as engine

        store = self._store
        reserve = None
        if any(isinstance(e, engine.HandOver) for e in result.effects):
            reserve = [p for line in result.order.lines_for_summary for p in line.allocation.parts]
        try:
            outcome = self._outcome(result, source, now)
            store.commit(**self._commit_args(message, loaded, result, outcome), reserve_parts=reserve)
            return outcome
        except OutOfStock as moved:
            changed = [
                line.line_id
                for line in result.order.lines_for_summary
                if any(p.batch_id in moved.batch_ids for p in line.allocation.parts)
            ] or [line.line_id for line in result.order.lines_for_summary]
            retry = engine.reservation_failed(result.order, changed, stock, now, vocabulary, tax=tax)
            outcome = self._outcome(retry, source, now)
            store.commit(**self._commit_args(message, loaded, retry, outcome), reserve_parts=None)
            return outcome

    def _commit_args(self, message, loaded, result, outcome) -> dict:
        order = result.order
        previous_active = (loaded.customer or {}).get("active_order_id")
        same_order = loaded.order is not None and order is not None and loaded.order["order_id"] == order.order_id
        order_dict = None
        if order is not None and (result.changed or not same_order):  # a new order is always saved
            order_dict = order.to_dict()
            if same_order:
                order_dict.update({k: loaded.order[k] for k in NON_ORDER_KEYS if k in loaded.order})
        closed = result.closed.to_dict() if result.closed is not None else None
        return {
            "phone": message.phone,
            "name": message.name,
            "wamid": message.wamid,
            "order": order_dict,
            "version": loaded.version if same_order else None,
            "closed": closed,
            "closed_version": loaded.version if closed and loaded.order else None,
            "previous_active": previous_active,
            "active_order_id": order.order_id if order is not None and order.is_active else None,
            "outcome": outcome,
            "language": order.language if order is not None else None,
            "audit": _transitions(message, loaded, order, result.closed),
            # The identifiers Meta gave beside the contact id (a BSUID-keyed customer's phone, username).
            "identity": {"wa_phone": message.wa_phone, "user_id": message.user_id, "username": message.username}
            if message.user_id
            else None,
        }

    def _outcome(self, result, source, now) -> dict:
        """The replies (and owner notification) to send, stored with the handled key so a retry sends the same."""
        from chalicelib.domain import conversation as engine

        replies = [m.to_graph_payload() for m in result.replies]
        if any(isinstance(e, engine.HandOver) for e in result.effects):
            # With the owner_new_order template as fallback: the owner is usually outside the 24-hour window.
            replies.append(self._owner_notifier.owner_notification_payload(result.order, now))
            from chalicelib import metrics

            metrics.count(metrics.ORDERS_HANDED_OVER)
        return {
            "replies": replies,
            "source": source,
            "state": result.order.state.value if result.order is not None else None,
            "effects": [type(e).__name__ for e in result.effects],
        }

    # --- sending -----------------------------------------------------------------------------------------------
    def _deliver(self, wamid: str, outcome: dict, phone_for: tuple[str, str] | None = None) -> None:
        from chalicelib.logs import get_logger, mask_phone

        logger = get_logger()
        for index, payload in enumerate(outcome.get("replies", [])):
            if phone_for and payload.get("to") == phone_for[0]:
                # Meta: send to the phone number when it is known (the BSUID stays the customer's key).
                payload = payload | {"to": phone_for[1]}
            to = payload.get("to", "")
            try:
                sent_wamid = self._sender.send_payload(payload, idempotency_key=f"reply#{wamid}#{index}")
                self._message_log.record(to, "out", sent_wamid, payload.get("type", "text"), text=_text_of(payload))
            except DeliveryUncertain as exc:
                # Unknown outcome: the queue brings the message back and the outbox's lease decides whether to
                # send again (at most one duplicate). Later replies wait, so nothing overtakes this one.
                logger.warning("reply delivery uncertain", extra={"wamid": wamid, "to": mask_phone(to)})
                if exc.retryable:
                    raise
            except MessageNotSent as exc:
                if exc.retryable:
                    raise  # throttled or unreachable: let SQS retry the message; sent replies stay single
                logger.warning(
                    "reply not deliverable",
                    extra={"wamid": wamid, "to": mask_phone(to), "code": exc.code, "reason": str(exc)},
                )
        self._store.mark_delivered(wamid)


def _transitions(message, loaded, order, closed) -> list:
    """The audit entries of the orders this message moved (appended in the same transaction as the step)."""
    from chalicelib.domain.audit import message_ref, order_transitions

    changed = [(o.order_id, o.state.value) for o in (closed, order) if o is not None]
    return order_transitions(loaded.order, changed, "customer", "whatsapp", message_ref(message.wamid))


def _dialogue(order):
    """What an LLM reader is told of the conversation: the question pending and the last message the bot sent."""
    from chalicelib.services.understanding import Dialogue

    if order is None or not order.is_active:
        return None
    question = order.pending[0] if order.pending else None
    return Dialogue(
        pending=question.for_reading(None) if question is not None else None,
        asked=question.known if question is not None else "",
        last_message=order.last_reply,
    )


def _new_order_id() -> str:
    """Time-ordered and short enough to read out: 'ORD-20261122-3F9A1C'."""
    return f"ORD-{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"


def _text_of(payload: dict) -> str | None:
    kind = payload.get("type")
    if kind == "text":
        return payload["text"]["body"]
    if kind == "interactive":
        return payload["interactive"]["body"]["text"]
    if kind == "document":
        return payload["document"].get("caption")
    return None


def _phone_for(message: InboundMessage) -> tuple[str, str] | None:
    """(contact id, phone) when the customer is keyed by a BSUID but Meta also gave the phone, else None."""
    if message.user_id and message.wa_phone and message.phone != message.wa_phone:
        return message.phone, message.wa_phone
    return None
