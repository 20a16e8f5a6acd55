"""The audit trail: who changed what, when, how, from which state to which, under which request.

Every order state transition and every owner action is one appended ``AuditEntry`` (never updated, never deleted),
written in the same transaction as the change it records wherever the change is one transaction.

who / via
    customer / whatsapp        the customer's message or button moved the order
    owner / link               the owner pressed a signed link's button
    owner / api                the owner API (bearer key)
    owner / cli                the devstack command line on the owner's machine
    system / job:<name>        a scheduled job (expiry, reminders) or a worker acting on its own

subject
    ``order#<id>`` (an order's history, shown by GET /owner/orders/{id}), ``batch#<id>`` (a batch's movements),
    ``import#<id>``, ``catalogue``, ``stock#adjustments`` (every count, newest first, for the stock report).

correlation_id
    the request's id: the API request id, the approval command's id, or a hashed WhatsApp message id (never the
    raw wamid, which is the customer's phone number in base64).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

WHO = ("customer", "owner", "system")


@dataclass(frozen=True)
class AuditEntry:
    subject: str
    action: str
    who: str
    via: str
    from_state: str | None = None
    to_state: str | None = None
    correlation_id: str | None = None
    detail: dict = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    entry_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        if self.who not in WHO:
            raise ValueError(f"who is one of {WHO}, not {self.who!r}")

    @property
    def sort_key(self) -> str:
        """Time order, unique: '<iso time>#<entry id>'."""
        return f"{self.at.isoformat()}#{self.entry_id}"

    def to_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "action": self.action,
            "who": self.who,
            "via": self.via,
            "from": self.from_state,
            "to": self.to_state,
            "correlation_id": self.correlation_id,
            "detail": self.detail,
        }


def order_subject(order_id: str) -> str:
    return f"order#{order_id}"


def message_ref(wamid: str | None) -> str | None:
    """A WhatsApp message id as logs and the audit trail show it: 'wamid:' and 12 hex digits of its SHA-256.
    Enough to match a log line to an audit entry; the id itself (base64 of the customer's phone) never appears."""
    if not wamid:
        return None
    return "wamid:" + hashlib.sha256(wamid.encode()).hexdigest()[:12]


def source_of(via: str) -> tuple[str, str]:
    """(who, via) of an approval command's ``source`` ('link', 'api', 'cli', 'whatsapp', 'job:…')."""
    if via in ("link", "api", "cli", "whatsapp-owner"):
        return "owner", via
    if via.startswith("job:") or via == "system":
        return "system", via
    return "owner", via


def order_transitions(
    before: dict | None,
    changed: list[tuple[str, str]],
    who: str,
    via: str,
    correlation_id: str | None,
    detail: dict | None = None,
) -> list[AuditEntry]:
    """Entries for the orders a step moved. ``before`` is the stored order the step started from (or None);
    ``changed`` holds (order_id, state) of every order the step saves. An order whose state did not change gets no
    entry; one the step created goes from None."""
    entries = []
    for order_id, state in changed:
        previous = before["state"] if before and before.get("order_id") == order_id else None
        if previous == state:
            continue
        entries.append(
            AuditEntry(
                subject=order_subject(order_id),
                action="order.created" if previous is None else "order.state",
                who=who,
                via=via,
                from_state=previous,
                to_state=state,
                correlation_id=correlation_id,
                detail=dict(detail or {}),
            )
        )
    return entries
