"""Use case: handle one inbound customer message from the queue (log it, answer it)."""

from __future__ import annotations

from chalicelib.domain.webhook import InboundMessage

ACK_TEXT = "Namaste! We received your message and will reply shortly. / आपका संदेश मिल गया है।"
HANDLED_TTL_SECONDS = 14 * 86400


class ConversationService:
    def __init__(self, container):
        self._c = container

    def handle(self, message: InboundMessage) -> None:
        from chalicelib.domain.messages import OutboundMessage

        self._c.message_log.record(message.phone, "in", message.wamid, message.type, text=message.text)
        reply = OutboundMessage(to=message.phone, text=ACK_TEXT)
        wamid = self._c.whatsapp.send(reply, idempotency_key=f"reply#{message.wamid}#0")
        self._c.message_log.record(message.phone, "out", wamid, "text", text=reply.text)
        self._c.idempotency.claim(f"handled#{message.wamid}", "handled", HANDLED_TTL_SECONDS)
