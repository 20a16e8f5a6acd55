"""Use case: receive one WhatsApp webhook POST — verify, record, enqueue, answer fast.

Statuses cost almost nothing: Meta posts sent, delivered and read for every message the shop sends, each a
webhook of its own. ``delivered`` and ``read`` touch no table; ``sent`` is one conditional update that only applies
to an outbox record still pending (its sender died between Graph's answer and its own update); ``failed`` is the
one that does real work (chalicelib.services.delivery) and the only status the message log keeps, with its errors.
The message log is the messages in and out, and their refusals; delivered/read receipts are not kept.

Only a missing or wrong signature (401/403) or a body that is not JSON (400) is refused whole. Everything else is
taken item by item (chalicelib.domain.webhook): a bad message or status is logged with its reason and skipped, its
siblings go on, and the answer is 200 — Meta retries anything else for seven days."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from chalicelib.domain import signature
from chalicelib.domain.errors import MalformedWebhook, SignatureInvalid, SignatureMissing
from chalicelib.domain.webhook import InboundMessage, reduce_envelope
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
    refused: int = 0


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
        delivery=None,
        contacts=None,
    ):
        self._idempotency = idempotency
        self._queue = queue
        self._log = message_log
        self._outbox = outbox
        self._secret = app_secret
        self._ttl = ttl_seconds
        self._logger = logger
        self._clock = clock
        self._delivery = delivery
        self._contacts = contacts

    def receive(self, raw_body: bytes, signature_header: str | None) -> WebhookResult:
        """Raises SignatureMissing / SignatureInvalid before touching any state, MalformedWebhook for a signed
        body that is not Meta's envelope."""
        if not signature_header:
            raise SignatureMissing("X-Hub-Signature-256 is missing")
        if not signature.is_valid(raw_body, signature_header, self._secret):
            raise SignatureInvalid("X-Hub-Signature-256 does not match the body")
        try:
            body = json.loads(raw_body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedWebhook("the body is not JSON") from exc
        batch = reduce_envelope(body if isinstance(body, dict) else {"entry": "not an object"})
        result = WebhookResult(ignored=len(batch.ignored), refused=len(batch.refused))
        for refusal in batch.refused:
            self._warn("webhook item refused", kind=refusal.kind, id=refusal.id, reason=refusal.reason)
        for message in batch.messages:
            if self._enqueue_once(message):
                result.queued += 1
            else:
                result.duplicates += 1
        for message in batch.log_only:
            self._log.record(message.phone, "in", message.wamid, message.type, at=_iso(message.timestamp))
            result.logged += 1
        for change in batch.identity_changes:
            if self._contacts is not None:
                self._contacts.change_identity(change)
            self._log.record(change.contact, "in", change.wamid, change.kind, at=_iso(change.timestamp_hint()))
            result.logged += 1
        for event in batch.template_events:
            if self._delivery is not None:
                self._delivery.template_event(event)
            result.logged += 1
        for status in batch.statuses:
            if status.status == "failed":  # the message log keeps messages and refusals, not every status
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

    def _warn(self, message: str, **extra) -> None:
        if self._logger is not None:
            self._logger.warning(message, extra=extra)

    def _settle_outbox(self, status) -> None:
        """Hand the status to the delivery use case (settle, or handle a refusal by kind)."""
        if self._delivery is not None:
            self._delivery.status(status)
        elif self._outbox is not None and status.callback_data and status.status == "sent":
            self._outbox.settle_pending(status.callback_data, status.wamid)

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
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC).isoformat()
