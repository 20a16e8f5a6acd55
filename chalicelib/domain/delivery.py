"""What a refused WhatsApp send means and what the shop does about it; the 24-hour customer service window.

Meta reports a refusal either in the send response or later in a ``failed`` status webhook (its docs: "Cloud API
errors are returned either synchronously as a Graph API response, asynchronously via Webhook, or sometimes through
both"). Either way the code decides the handling, never the prose:

============  ==============================================  ===============================================
kind          codes                                           handling
============  ==============================================  ===============================================
window        131047 (more than 24 h since the user wrote)     resend once as the message's approved template
undeliverable 131026 (not on WhatsApp / old app / blocked us), recorded on the outbox record and put on the
              131049 (Meta chose not to deliver), 131048      owner's attention list
              (spam rate limit), 131056 (pair rate limit, when
              reported after acceptance), 130472 (experiment),
              131021, 131030, 131062 (BSUID not supported),
              131050 (user stopped marketing messages)
auth          190 (token), 0, 3, 10, 200 (permission),        health turns unhealthy, a log line and metric
              131005 (access denied), 131031 (account locked) say why; on the attention list too
throttled     130429, 80007, 4, 131056 (answered at once)     retried (queue redelivery)
other         anything else                                   recorded and on the attention list
============  ==============================================  ===============================================
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

WINDOW = timedelta(hours=24)

WINDOW_CODES = frozenset({131047})
UNDELIVERABLE_CODES = frozenset({131026, 131049, 131048, 131056, 130472, 131021, 131030, 131062, 131050})
AUTH_CODES = frozenset({190, 0, 3, 10, 200, 131005, 131031})
THROTTLE_CODES = frozenset({130429, 80007, 4})

# Short reasons the owner reads ("Invoice … could not be delivered: <reason>").
REASONS = {
    131047: "the customer has not written in 24 hours and no approved template could be used",
    131026: "the number cannot receive WhatsApp messages (not on WhatsApp, an old app, or it blocked the shop)",
    131049: "WhatsApp chose not to deliver it",
    131048: "WhatsApp limited the shop's number for spam reports",
    131056: "too many messages to this customer in a short time",
    130472: "the customer's number is part of a WhatsApp experiment",
    131021: "it was addressed to the shop's own number",
    131030: "the number is not in the test number's allowed list",
    131062: "this message cannot be sent to a username-only customer",
    131050: "the customer stopped receiving these messages",
    190: "the shop's WhatsApp access token has expired or is invalid",
    10: "the app lost its WhatsApp permission",
    200: "the app lost its WhatsApp permission",
    131005: "access to WhatsApp was denied",
    131031: "the shop's WhatsApp account is locked",
}
NO_TEMPLATE = "the recipient has not written in 24 hours and no approved template exists for this message"


def refusal_kind(code: int | None) -> str:
    """``window``, ``undeliverable``, ``auth``, ``throttled`` or ``other`` for Meta's error code."""
    if code in WINDOW_CODES:
        return "window"
    if code in UNDELIVERABLE_CODES:
        return "undeliverable"
    if code in AUTH_CODES:
        return "auth"
    if code in THROTTLE_CODES:
        return "throttled"
    return "other"


def reason_text(code: int | None, detail: str | None = None) -> str:
    """The reason as the owner reads it, with Meta's code in brackets."""
    text = REASONS.get(code) if code is not None else None
    text = text or (detail or "WhatsApp refused it")
    return f"{text} ({code})" if code is not None else text


def window_open(last_inbound_at: str | None, now: datetime) -> bool:
    """Whether a free-form message may go to someone whose last message came at ``last_inbound_at`` (ISO time)."""
    if not last_inbound_at:
        return False
    try:
        last = datetime.fromisoformat(last_inbound_at)
    except ValueError:
        return False
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return now - last < WINDOW
