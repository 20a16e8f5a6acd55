"""Use case: receive one WhatsApp webhook POST — verify, record, enqueue, answer fast."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pydantic import ValidationError

from chalicelib.domain import signature
from chalicelib.domain.errors import MalformedWebhook, SignatureInvalid, SignatureMissing
from chalicelib.domain.webhook import Envelope, InboundMessage, reduce_envelope
from chalicelib.services.ports import IdempotencyPort, MessageLogPort, QueuePort

# A claim that never reached the queue (the process died in between) is re-enqueued by Meta's next retry once it
# is this old; the FIFO queue's own deduplication on the wamid and the worker's handled# key cover the overlap.
STALE_CLAIM_SECONDS = 30


@dataclass
class WebhookResult:
    queued: int = 0
    duplicates: int = 0
    statuses: int = 0
    logged: int = 0
    ignored: int = 0


class InboundService:
    def __init__(
        self,
        idempotency: IdempotencyPort,
        queue: QueuePort,
        message_log: MessageLogPort,
        app_secret: str,
        ttl_seconds: int,
        outbox=None,
        logger=None,
        clock=time.time,
    ):
        self._idempotency = idempotency
        self._queue = queue
        self._log = message_log
        self._outbox = outbox
        self._secret = app_secret
        self._ttl = ttl_seconds
        self._logger = logger
        self._clock = clock

    def receive(self, raw_body: bytes, signature_header: str | None) -> WebhookResult:
        """Raises SignatureMissing / SignatureInvalid before touching any state, MalformedWebhook for a signed
        body that is not Meta's envelope."""
        if not signature_header:
            raise SignatureMissing("X-Hub-Signature-256 is missing")
        if not signature.is_valid(raw_body, signature_header, self._secret):
            raise SignatureInvalid("X-Hub-Signature-256 does not match the body")
        try:
            envelope = Envelope.model_validate_json(raw_body)
        except ValidationError as exc:
            raise MalformedWebhook(f"not a WhatsApp webhook envelope: {exc.error_count()} errors") from exc

        batch = reduce_envelope(envelope)
        result = WebhookResult(ignored=len(batch.ignored))
        for message in batch.messages:
            if self._enqueue_once(message):
                result.queued += 1
            else:
                result.duplicates += 1
        for message in batch.log_only:
            self._log.record(message.phone, "in", message.wamid, message.type, at=_iso(message.timestamp))
            result.logged += 1
        for status in batch.statuses:
            self._log.record(
                status.recipient,
                "status",
                status.wamid,
                "status",
                status=status.status,
                errors=list(status.errors) or None,
                at=_iso(status.timestamp),
            )
            self._settle_outbox(status)
            result.statuses += 1
        return result

    def _settle_outbox(self, status) -> None:
        """A status echoing our outbox key proves Meta accepted that send: settle a record left pending by a
        timeout, so it is never re-sent and never blocks the conversation."""
        if self._outbox is None or not status.callback_data or status.status not in ("sent", "delivered", "read"):
            return
        try:
            self._outbox.mark_sent(status.callback_data, status.wamid)
        except KeyError:
            pass  # not one of ours (another system's echo), nothing to settle

    def _enqueue_once(self, message: InboundMessage) -> bool:
        """Two AWS calls on the request path: the first-writer-wins claim and the enqueue, nothing else.

        A claim younger than STALE_CLAIM_SECONDS is a duplicate delivery. An older one is enqueued again: Meta only
        redelivers a message whose webhook did not answer 200, so that claim may never have reached the queue (the
        process died in between); the queue's deduplication on the wamid and the worker's ``handled#`` key keep a
        message that did reach it from being handled twice."""
        key = f"wamid#{message.wamid}"
        existing = self._idempotency.claim(key, "webhook-message", self._ttl)
        if existing is not None:
            age = self._clock() - float(existing.get("claimed_epoch", self._clock()))
            if age < STALE_CLAIM_SECONDS:
                return False
        self._queue.send(message.to_dict(), group_id=message.phone, dedup_id=_dedup_id(message.wamid))
        return True


def _dedup_id(wamid: str) -> str:
    """SQS dedup ids allow 128 chars of [A-Za-z0-9!-~]; wamids fit, but hash anything longer to stay safe."""
    if len(wamid) <= 128:
        return wamid
    import hashlib

    return hashlib.sha256(wamid.encode()).hexdigest()


def _iso(epoch: str | None) -> str:
    from datetime import UTC, datetime

    try:
        return datetime.fromtimestamp(int(epoch or 0), UTC).isoformat()
    except (TypeError, ValueError):
        return datetime.now(UTC).isoformat()
