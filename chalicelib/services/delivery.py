"""Use case: no message is lost without trace. Settles the outbox from status webhooks, handles Meta's refusals by
kind (resend as template, record, page someone), keeps the owner's attention list, records template statuses, and
sweeps sends left pending by a worker that died.

Refusal handling (codes in chalicelib.domain.delivery):
- window (131047) reported after acceptance: the record's fallback template is sent once under the same key;
  without one (or once it went out) the message goes on the attention list;
- undeliverable / blocked / spam / anything else: recorded (code, reason, time) and on the attention list;
- auth (190, 10, 200…): health turns unhealthy and a log line with ``metric`` says why; on the list too.
An undeliverable invoice is also told to the owner (``owner_order_note``), so nothing says "sent" for it.
"""

from __future__ import annotations

from chalicelib.domain.delivery import reason_text, refusal_kind
from chalicelib.domain.errors import MessageNotSent
from chalicelib.domain.webhook import StatusUpdate, TemplateEvent

SWEEP_AFTER_SECONDS = 180  # a pending send with no wamid this old lost its sender (Lambda timeouts are 60 s)
ORDER_KEY_PREFIXES = ("invoice#", "owner-decided#", "decided#", "owner-refused#")


def order_of(key: str) -> str | None:
    """The order id an outbox key is about (``invoice#ORD-…``), if it names one."""
    for prefix in ORDER_KEY_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :].split("#", 1)[0] or None
    return None


class DeliveryService:
    def __init__(self, outbox, whatsapp, templates=None, health=None, owner_phone: str = "", logger=None):
        self._outbox = outbox
        self._whatsapp = whatsapp
        self._templates = templates
        self._health = health
        self._owner = owner_phone
        self._logger = logger

    # --- status webhooks ---------------------------------------------------------------------------------------
    def status(self, status: StatusUpdate) -> str:
        """Apply one status to its outbox record: ``sent`` settles a record still pending (one conditional update,
        no read; its sender normally settled it already); ``delivered``/``read`` write nothing; ``failed`` is
        handled by kind.
        Returns what was done."""
        key = status.callback_data
        if not key:
            return "not ours"
        if status.status == "sent":
            self._outbox.settle_pending(key, status.wamid)
            return "settled"
        if status.status != "failed":
            return "logged"
        code, reason = status.error_code, reason_text(status.error_code, status.error_reason)
        kind = refusal_kind(code)
        record = self._outbox.mark_failed(key, code, reason, attention=kind != "window", wamid=status.wamid)
        if record is None:
            return "already recorded"
        self._log("whatsapp send failed after acceptance", key=key, code=code, kind=kind, reason=reason)
        if kind == "window":
            if self._whatsapp.resend_as_template(key):
                return "resent as template"
            self._outbox.mark_failed(
                key, code, reason + "; no approved template could be sent", attention=True, wamid=status.wamid
            )
        if kind == "auth" and self._health is not None:
            self._health.unhealthy(code, reason)
        if key.startswith("invoice#"):
            self._tell_owner_undelivered(key, record.to, reason)
        return "recorded"

    def _tell_owner_undelivered(self, key: str, to: str, reason: str) -> None:
        order_id = order_of(key) or "?"
        self.tell_owner(
            order_id,
            f"the invoice could not be delivered to +{to}: {reason}. It is on your attention list",
            f"owner-undelivered#{key}",
        )

    def tell_owner(self, order_id: str, note: str, key: str, text: str | None = None) -> str | None:
        """A note about an order to the owner: ``text`` (default "Order … update: <note>.") inside the window, the
        ``owner_order_note`` template with ``note`` outside it. Returns the wamid, or None when it could not be sent
        (then it is on the attention list)."""
        from chalicelib.domain.messages import OutboundMessage
        from chalicelib.templates import template

        text = text or f"Order {order_id} update: {note}."
        payload = OutboundMessage(to=self._owner, text=text).to_graph_payload()
        payload["_fallback"] = template("owner_order_note").payload(
            self._owner, "en", {"order_id": order_id, "note": note}
        )
        payload["_order_id"] = order_id
        try:
            return self._whatsapp.send_payload(payload, key)
        except MessageNotSent as exc:
            if exc.retryable:
                raise
            return None

    # --- template webhooks -------------------------------------------------------------------------------------
    def template_event(self, event: TemplateEvent) -> None:
        if self._templates is None:
            return
        self._templates.record(event.name, event.language, status=event.status, category=event.category)
        self._log("template status", template=event.name, language=event.language, status=event.status)

    # --- the owner's attention list ----------------------------------------------------------------------------
    def attention(self) -> list[dict]:
        """Undelivered messages, oldest first: key, order, recipient, reason, code and time."""
        return [
            {
                "key": r.key,
                "order_id": r.order_id or order_of(r.key),
                "to": r.to,
                "type": (r.payload or {}).get("type"),
                "reason": r.reason,
                "code": r.error_code,
                "failed_at": r.failed_at,
            }
            for r in self._outbox.attention()
        ]

    def handled(self, key: str) -> bool:
        """The owner dealt with it: off the list. False when it was not on the list."""
        return self._outbox.handled(key)

    # --- the sweep ---------------------------------------------------------------------------------------------
    def sweep(self, older_than_seconds: float = SWEEP_AFTER_SECONDS) -> dict:
        """Re-send every pending record older than ``older_than_seconds`` that has no wamid (its worker died
        between the outbox write and the send, or never heard back). The lease in the client's claim keeps it to
        one taker; ``MAX_ATTEMPTS`` keeps it to one duplicate at most."""
        counts = {"resent": 0, "failed": 0, "skipped": 0}
        for record in self._outbox.stale_pending(older_than_seconds):
            payload = dict(record.payload)
            if record.fallback:
                payload["_fallback"] = record.fallback
            if record.order_id:
                payload["_order_id"] = record.order_id
            try:
                self._whatsapp.send_payload(payload, record.key)
                counts["resent"] += 1
            except MessageNotSent as exc:
                counts["failed" if not exc.retryable else "skipped"] += 1
        self._log("outbox sweep", **counts)
        return counts

    def _log(self, message: str, **extra) -> None:
        if self._logger is not None:
            self._logger.info(message, extra=extra)
