"""Use case: screen an inbound customer message against the flood limit before the conversation reads it
(the rule is in domain/flood.py).

A message that was already handled (a redelivery) is not counted again and goes on to the conversation, which
re-sends what it owes. A screened-out message is marked handled like any other (``handled#<wamid>``, holding the
"please wait" when there is one), so its redelivery changes nothing and the outbox keeps the notice single.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from chalicelib.domain.errors import DeliveryUncertain, MessageNotSent
from chalicelib.domain.flood import Verdict, please_wait, verdict, window
from chalicelib.domain.messages import OutboundMessage
from chalicelib.domain.webhook import InboundMessage
from chalicelib.services.ports import (
    ConversationStorePort,
    FloodCounterPort,
    IdempotencyPort,
    MessageLogPort,
    MessageSenderPort,
)

HANDLED_TTL_SECONDS = 14 * 86400


class FloodControl:
    def __init__(
        self,
        *,
        counter: FloodCounterPort,
        store: ConversationStorePort,
        idempotency: IdempotencyPort,
        sender: MessageSenderPort,
        message_log: MessageLogPort,
        limit: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._counter = counter
        self._store = store
        self._idempotency = idempotency
        self._sender = sender
        self._log = message_log
        self._limit = limit
        self._clock = clock

    def _sent_at(self, message: InboundMessage) -> datetime:
        """When the customer sent it (Meta's timestamp), so a backlog worked off later still counts by sending."""
        try:
            return datetime.fromtimestamp(int(message.timestamp), UTC)
        except (TypeError, ValueError, OverflowError):
            return self._clock()

    def screen(self, message: InboundMessage) -> bool:
        """True when the message was dealt with here (over the limit); False: let the conversation handle it."""
        if self._limit <= 0 or self._store.handled(message.wamid) is not None:
            return False
        count = self._counter.hit(message.phone, window(self._sent_at(message)))
        decision = verdict(count, self._limit)
        if decision is Verdict.READ:
            return False
        replies = []
        if decision is Verdict.WARN:
            language = (self._store.customer(message.phone) or {}).get("language")
            replies = [OutboundMessage(to=message.phone, text=please_wait(language)).to_graph_payload()]
        outcome = {"replies": replies, "source": "flood", "state": None, "effects": ["FloodLimited"]}
        if self._idempotency.claim(f"handled#{message.wamid}", "handled", HANDLED_TTL_SECONDS, outcome) is not None:
            return False  # handled meanwhile by another delivery: the conversation settles what it owes
        self._log.record(message.phone, "in", message.wamid, message.type, text=message.text)
        for index, payload in enumerate(replies):
            try:
                self._sender.send_payload(payload, idempotency_key=f"reply#{message.wamid}#{index}")
            except DeliveryUncertain:
                pass  # Meta may have it: sending again could double it; the status webhook settles the outbox
            except MessageNotSent as exc:
                if exc.retryable:
                    raise  # the queue retries; the handled key sends this notice then, once
        self._store.mark_delivered(message.wamid)
        return True
