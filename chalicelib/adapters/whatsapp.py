"""The WhatsApp Cloud API client: sends an OutboundMessage at most once through an outbox, and types Meta's errors.

Sending
    ``POST {base_url}/{api_version}/{phone_number_id}/messages`` with a bearer token; Meta answers
    ``{"messages": [{"id": "wamid.…"}]}``. urllib3 with connect and read timeouts; no redirects.

Retries inside one ``send``
    Only where a second request cannot double-send: HTTP 5xx and 429 (Meta answered with an error, so it did not
    accept the message) and failures to connect (the request never left). Exponential backoff with jitter,
    ``Retry-After`` honoured, every sleep capped at ``MAX_DELAY``. Never on other 4xx. Never after a read timeout
    or a dropped connection: the request may have reached Meta, and Meta has no idempotency key for sends.

Errors (``WhatsAppError(code, message, details, retryable)``; ``retryable`` tells a queue whether to try later)
    =========================  =============================  ==========================================================
    class                      Meta codes                     meaning
    =========================  =============================  ==========================================================
    ``OutsideWindowError``     131047                         over 24 hours since the customer last wrote; only an
                                                              approved template may be sent
    ``UndeliverableError``     131026                         the number is not on WhatsApp, or cannot receive it
    ``ThrottledError``         130429, 131056, 80007, 4       rate limits (throughput, per-customer pair, account,
                                                              app); ``retryable``
    ``InvalidRecipientError``  131030, 131021                 recipient not in the test allow-list / is our own number
    ``AuthError``              190, 0, 10                     token expired or invalid, or permission withdrawn
    ``InvalidRequestError``    100, 131008, 131009            a bad or missing parameter: our bug, never retried.
                                                              100 stays here even when it is about ``to``: telling
                                                              those apart would mean matching Meta's prose
    ``GraphUnreachableError``  (none)                         could not connect to Graph at all; ``retryable``
    ``DeliveryUncertainError`` (none)                         the message may or may not have gone out; see below
    ``WhatsAppError``          anything else                  ``retryable`` when HTTP 5xx or 429
    =========================  =============================  ==========================================================

At-least-once, at most one duplicate (``send_payload(payload, idempotency_key)``)
    The outbox is claimed before any request, so each idempotency key names one logical message. The client

    - returns the stored wamid without sending when the key is already ``sent``;
    - sends when its ``claim`` created the record or re-armed a ``failed`` one;
    - when the record is ``pending`` from another attempt with no wamid: waits up to ``lease_seconds`` for it to
      settle (another worker is sending it, or a status webhook will settle it), then takes it over and sends again
      (the claim is a conditional write on ``claimed_at``, so only one taker wins). A worker that died between the
      outbox write and the send is so redeemed on redelivery; one whose request reached Meta before it died costs
      one duplicate. ``max_attempts`` (2) caps that: a key is never sent a third time without a recorded failure;
    - after a read timeout or a dropped connection leaves the record ``pending`` and raises the retryable
      ``DeliveryUncertainError``: the queue brings the work back, and the rule above applies.

    Every payload carries the key in ``biz_opaque_callback_data``, which Meta echoes in status webhooks: ``sent``
    settles a pending record (one conditional update, no read); ``failed`` records the refusal (see below).

The 24-hour window and templates
    A payload may carry ``_fallback``: the approved template to use instead when the recipient is outside WhatsApp's
    24-hour customer service window (a business-initiated message: the owner's notification, an invoice, a
    reminder). Such a send reads the recipient's last inbound time (``WindowPort``) and sends free-form inside the
    window, the template outside it, and nothing when the template is not usable (``TemplatePort``: APPROVED and
    still UTILITY): the record is then failed with code 131047 and put on the owner's attention list. A 131047 in the
    response resends the template once under the same key. Payloads without ``_fallback`` (replies to a message the
    customer just sent) go out as they are. ``_order_id`` names the order a message is about (for the attention
    list). Neither key is ever sent to Meta.

Refusals (see chalicelib.domain.delivery)
    A permanent refusal marks the record failed with Meta's code and reason and puts it on the attention list; an
    auth refusal (190, 10, 200…) also turns health unhealthy (``HealthPort``) and logs why.

Recipients
    ``to`` holds a phone number or a business-scoped user id (``IN.123…``); a BSUID goes to Meta in ``recipient``
    (Meta: "Use ``recipient`` to send to a BSUID"), a phone in ``to``.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError

from chalicelib.domain.delivery import NO_TEMPLATE, reason_text, refusal_kind, window_open
from chalicelib.domain.errors import DeliveryUncertain, MessageNotSent, OutsideWindow
from chalicelib.domain.messages import OutboundMessage, mask_phone
from chalicelib.domain.webhook import is_bsuid


class _PowertoolsLog:
    """The process's Powertools Logger (JSON lines), looked up on first use so importing this module stays cheap."""

    def __getattr__(self, name: str):
        from chalicelib.logs import get_logger

        return getattr(get_logger(), name)


logger = _PowertoolsLog()

MAX_DELAY = 5.0  # seconds; a Lambda cannot wait longer between two tries of one reply
LEASE_SECONDS = 20.0  # a pending record untouched this long is taken over (its sender died or timed out)
MAX_ATTEMPTS = 2  # the first send and at most one resend of an uncertain one
PRIVATE_KEYS = ("_fallback", "_order_id")
OPAQUE_DATA_MAX = 512  # Meta's limit on biz_opaque_callback_data

OutboxStatus = Literal["pending", "sent", "failed"]


# --- errors ---------------------------------------------------------------------------------------------------------


class WhatsAppError(MessageNotSent):
    """Meta refused a send (or could not be reached). ``code`` is Meta's numeric error code when it gave one."""

    default_retryable = False

    def __init__(
        self,
        code: int | None,
        message: str,
        details: str | None = None,
        retryable: bool | None = None,
        *,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        text = message if code is None else f"#{code} {message}"
        super().__init__(f"{text}: {details}" if details else text)
        self.code = code
        self.message = message
        self.details = details
        self.retryable = self.default_retryable if retryable is None else retryable
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.http_status = http_status


class OutsideWindowError(WhatsAppError, OutsideWindow):
    """131047: more than 24 hours since the customer's last message; only a template can reach them now."""


class UndeliverableError(WhatsAppError):
    """131026: the message cannot be delivered (number not on WhatsApp, old app, or the customer blocked us)."""


class ThrottledError(WhatsAppError):
    """130429, 131056, 80007, 4: a rate limit; worth trying again later."""

    default_retryable = True


class InvalidRecipientError(WhatsAppError):
    """131030 (not in the test number's allow-list), 131021 (the recipient is our own number)."""


class AuthError(WhatsAppError):
    """190, 0, 10: the access token is invalid or expired, or the app lost its permission. Page someone."""


class InvalidRequestError(WhatsAppError):
    """100, 131008, 131009: Meta rejected a parameter of the payload. A bug on our side; never retried."""


class GraphUnreachableError(WhatsAppError):
    """No connection to Graph could be made (refused, DNS, connect timeout); nothing was sent."""

    default_retryable = True


class DeliveryUncertainError(WhatsAppError, DeliveryUncertain):
    """The message may or may not have reached Meta (a read timeout, a dropped connection, or another attempt still
    holding the key). ``retryable``: try the work again later, when the lease rule decides (module docstring).
    ``key`` is the idempotency key; the status webhook settles it through ``biz_opaque_callback_data``.
    """

    default_retryable = True

    def __init__(self, key: str, message: str, retryable: bool = True) -> None:
        super().__init__(None, message, retryable=retryable)
        self.key = key


ERROR_TYPES: dict[int, type[WhatsAppError]] = {
    131047: OutsideWindowError,
    131026: UndeliverableError,
    130429: ThrottledError,
    131056: ThrottledError,
    80007: ThrottledError,
    4: ThrottledError,
    131030: InvalidRecipientError,
    131021: InvalidRecipientError,
    190: AuthError,
    0: AuthError,
    10: AuthError,
    200: AuthError,
    3: AuthError,
    131005: AuthError,
    100: InvalidRequestError,
    131008: InvalidRequestError,
    131009: InvalidRequestError,
    131049: UndeliverableError,
    131048: UndeliverableError,
    130472: UndeliverableError,
    131062: UndeliverableError,
}


def parse_graph_error(http_status: int, body: bytes) -> WhatsAppError:
    """Meta's ``{"error": {"message", "type", "code", "error_subcode", "error_data": {"details"}, "fbtrace_id"}}``
    as a typed ``WhatsAppError``; a body that is not Meta's shape gives a plain one with ``code=None``."""
    retryable_status = http_status >= 500 or http_status == 429
    try:
        error = json.loads(body)["error"]
        code = int(error["code"])
    except (ValueError, KeyError, TypeError):
        snippet = body[:200].decode("utf-8", "replace")
        return WhatsAppError(
            None, f"HTTP {http_status}: {snippet}", retryable=retryable_status, http_status=http_status
        )
    error_type = ERROR_TYPES.get(code, WhatsAppError)
    error_data = error.get("error_data") or {}
    return error_type(
        code,
        str(error.get("message", "")),
        error_data.get("details") if isinstance(error_data, dict) else None,
        None if error_type is not WhatsAppError else retryable_status,
        subcode=error.get("error_subcode"),
        fbtrace_id=error.get("fbtrace_id"),
        http_status=http_status,
    )


# --- the outbox port ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRecord:
    """One idempotency key's send. ``claimed`` is not stored: it says whether the ``claim`` that returned this record
    took ownership of the send (created the record, or re-armed a failed one)."""

    key: str
    to: str
    payload: dict
    status: OutboxStatus
    wamid: str | None = None
    attempts: int = 0
    error_code: int | None = None
    claimed: bool = False
    fallback: dict | None = None  # the template to use outside the 24-hour window
    order_id: str | None = None
    reason: str | None = None
    claimed_at: float = 0.0  # epoch seconds of the last claim (the lease)
    template_sent: bool = False  # the fallback template went out (a later 131047 is not resent again)
    attention: bool = False  # on the owner's attention list (not handled yet)
    failed_at: str | None = None


class OutboxPort(Protocol):
    """Remembers each outbound message by idempotency key so a retried send reaches the customer once (at most twice
    after an uncertain outcome), and keeps what could not be delivered for the owner.

    Transitions (an implementation makes each one a single conditional write):

    ===============  ========================  ================================================================
    call             from                      result
    ===============  ========================  ================================================================
    claim            absent                    pending, attempts=1, claimed_at=now, claimed=True
    claim            failed                    pending, attempts+1, new payload, error cleared, claimed=True
    claim            pending, no wamid, older  pending, attempts+1, claimed_at=now, claimed=True (a takeover)
                     than lease, attempts<max
    claim            otherwise                 unchanged, claimed=False
    mark_sent        pending or failed         sent with wamid (a late status webhook wins over a failure); no-op
                                               on a sent or unknown key (no read)
    mark_failed      pending or sent           failed with code and reason; ``attention`` puts it on the list;
                                               with ``wamid`` (a status webhook) only if it is that message
    set_payload      pending                   the payload actually sent (the fallback template)
    handled          on the list               off the list (the owner dealt with it)
    ===============  ========================  ================================================================

    ``mark_failed`` returns the failed record, or None when it was failed with that code already or is unknown.
    """

    def claim(
        self,
        key: str,
        to: str,
        payload: dict,
        fallback: dict | None = None,
        order_id: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> OutboxRecord: ...

    def mark_sent(self, key: str, wamid: str, template_sent: bool = False) -> None: ...

    def settle_pending(self, key: str, wamid: str) -> None: ...

    def mark_failed(
        self, key: str, error_code: int | None, message: str, attention: bool = False, wamid: str | None = None
    ) -> OutboxRecord | None: ...

    def get(self, key: str) -> OutboxRecord | None: ...


class WindowPort(Protocol):
    def last_inbound(self, contact: str) -> str | None:
        """ISO time of the contact's last message to the shop, or None when they never wrote."""


class TemplatePort(Protocol):
    def usable(self, name: str, language: str) -> bool:
        """Whether the template is APPROVED and still UTILITY in that language."""


class HealthPort(Protocol):
    def unhealthy(self, code: int | None, reason: str) -> None:
        """Record that sends fail for a reason only a person can fix (token, permission)."""


@dataclass
class InMemoryOutbox:
    """The reference ``OutboxPort``: a dict behind a lock. For unit tests and local runs."""

    records: dict[str, OutboxRecord] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def claim(
        self,
        key: str,
        to: str,
        payload: dict,
        fallback: dict | None = None,
        order_id: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> OutboxRecord:
        with self._lock:
            now = self.clock()
            existing = self.records.get(key)
            if existing is None:
                record = OutboxRecord(
                    key, to, dict(payload), "pending", attempts=1, fallback=fallback, order_id=order_id, claimed_at=now
                )
            elif existing.status == "failed":
                record = replace(
                    existing,
                    payload=dict(payload),
                    status="pending",
                    attempts=existing.attempts + 1,
                    error_code=None,
                    reason=None,
                    claimed_at=now,
                    attention=False,
                )
            elif (
                existing.status == "pending"
                and not existing.wamid
                and existing.claimed_at < now - lease_seconds
                and existing.attempts < max_attempts
            ):
                record = replace(existing, attempts=existing.attempts + 1, claimed_at=now)
            else:
                return replace(existing, claimed=False)
            self.records[key] = record
            return replace(record, claimed=True)

    def settle_pending(self, key: str, wamid: str) -> None:
        with self._lock:
            record = self.records.get(key)
            if record is not None and record.status == "pending":
                self.records[key] = replace(record, status="sent", wamid=wamid)

    def mark_sent(self, key: str, wamid: str, template_sent: bool = False) -> None:
        with self._lock:
            record = self.records.get(key)
            if record is not None and record.status != "sent":
                self.records[key] = replace(
                    record,
                    status="sent",
                    wamid=wamid,
                    error_code=None,
                    reason=None,
                    attention=False,
                    template_sent=record.template_sent or template_sent,
                )

    def mark_failed(
        self, key: str, error_code: int | None, message: str, attention: bool = False, wamid: str | None = None
    ) -> OutboxRecord | None:
        with self._lock:
            record = self.records.get(key)
            if record is None or (record.status == "failed" and record.error_code == error_code):
                return None  # already recorded (a repeated status webhook)
            if wamid is not None and record.wamid not in (None, wamid):
                return None  # about an earlier send under this key (e.g. before the template resend)
            record = replace(
                record,
                status="failed",
                error_code=error_code,
                reason=message,
                attention=attention,
                failed_at=_now_iso(),
            )
            self.records[key] = record
            return record

    def get(self, key: str) -> OutboxRecord | None:
        with self._lock:
            return self.records.get(key)

    def attention(self) -> list[OutboxRecord]:
        with self._lock:
            return sorted((r for r in self.records.values() if r.attention), key=lambda r: r.failed_at or "")

    def handled(self, key: str) -> bool:
        with self._lock:
            record = self.records.get(key)
            if record is None or not record.attention:
                return False
            self.records[key] = replace(record, attention=False)
            return True

    def stale_pending(self, older_than_seconds: float, limit: int = 50) -> list[OutboxRecord]:
        with self._lock:
            cutoff = self.clock() - older_than_seconds
            return [
                r for r in self.records.values() if r.status == "pending" and not r.wamid and r.claimed_at < cutoff
            ][:limit]


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


# --- the client -----------------------------------------------------------------------------------------------------


class WhatsAppClient:
    """Sends ``OutboundMessage``s through the Graph API. Build it once (in the composition root) and reuse it."""

    def __init__(
        self,
        base_url: str,
        api_version: str,
        phone_number_id: str,
        token: str,
        outbox: OutboxPort,
        timeout: float = 5.0,
        max_retries: int = 3,
        backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        http: urllib3.PoolManager | None = None,
        window: WindowPort | None = None,
        templates: TemplatePort | None = None,
        health: HealthPort | None = None,
        lease_seconds: float = LEASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        root = f"{base_url.rstrip('/')}/{api_version}/{phone_number_id}"
        self._url = f"{root}/messages"
        self._media_url = f"{root}/media"
        self._token = token
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._outbox = outbox
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._max_retries = max_retries
        self._backoff = backoff
        self._sleep = sleep
        self._http = http or urllib3.PoolManager(maxsize=4)
        self._window = window
        self._templates = templates
        self._health = health
        self._lease = lease_seconds
        self._max_attempts = max_attempts
        self._clock = clock

    def send(self, message: OutboundMessage, idempotency_key: str, fallback: dict | None = None) -> str:
        """Send ``message`` once per ``idempotency_key`` and return Meta's message id (``wamid.…``).

        ``fallback`` is the template payload to use outside the 24-hour window. Raises ``DeliveryUncertainError``
        (retryable) when the outcome is unknown or another attempt holds the key; ``GraphUnreachableError`` when
        no connection could be made; ``OutsideWindowError`` when the recipient is outside the window and no usable
        template was given; otherwise the ``WhatsAppError`` subclass for Meta's code (module docstring).
        """
        payload = message.to_graph_payload()
        if fallback is not None:
            payload["_fallback"] = fallback
        return self.send_payload(payload, idempotency_key)

    def send_payload(self, payload: dict, idempotency_key: str) -> str:
        """``send`` for a Graph payload built earlier (``OutboundMessage.to_graph_payload()``, maybe with
        ``_fallback`` and ``_order_id``), e.g. replies stored with a handled message so a retry sends exactly what
        the first attempt meant to send. Same errors."""
        if not idempotency_key:
            raise ValueError("idempotency_key must not be empty")
        payload = dict(payload)
        fallback, order_id = payload.pop("_fallback", None), payload.pop("_order_id", None)
        to, kind = str(payload.get("to", "")), str(payload.get("type", ""))
        who = mask_phone(to)
        record = self._claim(idempotency_key, to, payload, fallback, order_id)
        if record.status == "sent" and record.wamid:
            logger.info("whatsapp: = %s %s already sent as %s (key %s)", who, kind, record.wamid, idempotency_key)
            return record.wamid
        if not record.claimed:
            logger.warning("whatsapp: ? %s key %s is held by another attempt", who, idempotency_key)
            raise DeliveryUncertainError(
                idempotency_key,
                "another attempt with this key may have reached Meta",
                retryable=record.attempts < self._max_attempts,
            )
        chosen = self._choose(payload, fallback, to, idempotency_key)
        try:
            wamid = self._post(self._addressed(chosen), idempotency_key)
        except DeliveryUncertainError:
            logger.warning("whatsapp: ? %s %s outcome unknown (key %s); left pending", who, kind, idempotency_key)
            raise
        except OutsideWindowError as exc:
            if not fallback or chosen is fallback or not self._template_usable(fallback):
                self._refused(idempotency_key, exc, who, kind)
                raise
            logger.info(
                "whatsapp: ↻ %s outside the 24-hour window; the template instead (key %s)", who, idempotency_key
            )
            chosen = fallback
            try:
                wamid = self._post(self._addressed(fallback), idempotency_key)
            except WhatsAppError as again:
                if not isinstance(again, DeliveryUncertainError):
                    self._refused(idempotency_key, again, who, "template")
                raise
        except WhatsAppError as exc:
            self._refused(idempotency_key, exc, who, kind)
            raise
        self._outbox.mark_sent(idempotency_key, wamid, template_sent=chosen is fallback)
        logger.info("whatsapp: → %s %s sent as %s (key %s)", who, chosen.get("type"), wamid, idempotency_key)
        return wamid

    def resend_as_template(self, key: str) -> str | None:
        """After a ``failed`` 131047 status: send the record's fallback template once under the same key.
        Returns the new wamid, or None when there is no fallback, it went out already, or it is not usable."""
        record = self._outbox.get(key)
        if record is None or not record.fallback or record.template_sent or not self._template_usable(record.fallback):
            return None
        claimed = self._outbox.claim(
            key, record.to, record.fallback, record.fallback, record.order_id, self._lease, self._max_attempts + 1
        )
        if not claimed.claimed:
            return None
        try:
            wamid = self._post(self._addressed(record.fallback), key)
        except DeliveryUncertainError:
            return None
        except WhatsAppError as exc:
            self._refused(key, exc, mask_phone(record.to), "template")
            return None
        self._outbox.mark_sent(key, wamid, template_sent=True)
        return wamid

    def mark_read(self, wamid: str, typing: bool = True) -> bool:
        """Mark an inbound message read and show the typing indicator (one call; Meta dismisses the indicator when
        we answer or after 25 seconds). Best effort: returns False instead of raising."""
        body: dict = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        if typing:
            body["typing_indicator"] = {"type": "text"}
        try:
            response = self._http.request(
                "POST",
                self._url,
                body=json.dumps(body).encode(),
                headers=self._headers,
                timeout=urllib3.Timeout(connect=2.0, read=2.0),
                retries=False,
                redirect=False,
            )
        except HTTPError as exc:
            logger.info("whatsapp: mark-read of %s failed: %s", wamid, type(exc).__name__)
            return False
        return 200 <= response.status < 300

    def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file to ``/{phone_number_id}/media`` (multipart: messaging_product, type, file) and return
        Meta's media id, which a message can send instead of a link (Meta keeps uploads for 30 days).
        Raises the ``WhatsAppError`` for Meta's code, ``GraphUnreachableError`` when no connection was made."""
        fields = {"messaging_product": "whatsapp", "type": mime_type, "file": (filename, data, mime_type)}
        try:
            response = self._http.request(
                "POST",
                self._media_url,
                fields=fields,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=urllib3.Timeout(connect=self._timeout.connect_timeout, read=30.0),
                retries=False,
                redirect=False,
            )
        except ConnectTimeoutError as exc:
            raise GraphUnreachableError(None, f"could not connect to Graph: {exc}") from exc
        except HTTPError as exc:
            raise WhatsAppError(None, f"media upload interrupted: {type(exc).__name__}", retryable=True) from exc
        if not 200 <= response.status < 300:
            error = parse_graph_error(response.status, response.data)
            if isinstance(error, AuthError):
                self._unhealthy(error)
            raise error
        try:
            return str(json.loads(response.data)["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WhatsAppError(None, "media upload answered without an id", retryable=True) from exc

    # --- internals -----------------------------------------------------------------------------------------------
    def _claim(self, key: str, to: str, payload: dict, fallback: dict | None, order_id: str | None) -> OutboxRecord:
        """Claim the key; when another attempt holds it, wait (up to the lease) for it to settle or lapse."""
        deadline = self._clock() + self._lease
        while True:
            record = self._outbox.claim(key, to, payload, fallback, order_id, self._lease, self._max_attempts)
            if record.claimed or record.status != "pending" or record.attempts >= self._max_attempts:
                return record
            if self._clock() >= deadline:
                return record
            self._sleep(min(0.25, max(deadline - self._clock(), 0.01)))

    def _choose(self, payload: dict, fallback: dict | None, to: str, key: str) -> dict:
        """The payload to send: free-form inside the window, the fallback template outside it; raises
        ``OutsideWindowError`` (recorded, on the attention list) when only an unusable template could go."""
        if payload.get("type") == "template":
            if self._template_usable(payload):
                return payload
            error = OutsideWindowError(131047, NO_TEMPLATE, f"template {_template_name(payload)} is not approved")
            self._refused(key, error, mask_phone(to), "template")
            raise error
        if fallback is None or self._window is None:
            return payload
        from datetime import UTC, datetime

        if window_open(self._window.last_inbound(to), datetime.now(UTC)):
            return payload
        if self._template_usable(fallback):
            return fallback
        error = OutsideWindowError(131047, NO_TEMPLATE, f"template {_template_name(fallback)} is not approved")
        self._refused(key, error, mask_phone(to), str(payload.get("type")))
        raise error

    def _template_usable(self, payload: dict) -> bool:
        if self._templates is None:
            return True
        template = payload.get("template") or {}
        return self._templates.usable(str(template.get("name")), str((template.get("language") or {}).get("code")))

    def _refused(self, key: str, exc: WhatsAppError, who: str, kind: str) -> None:
        """Record a refusal on the outbox; a permanent one goes on the attention list."""
        logger.warning(
            "whatsapp: x %s %s refused: %s (key %s)",
            who,
            kind,
            exc,
            key,
            extra={"metric": "WhatsAppSendRefused", "code": exc.code, "kind": refusal_kind(exc.code)},
        )
        if exc.code is not None:  # Meta answered with a refusal code (not a connection problem)
            from chalicelib import metrics

            metrics.count(metrics.SENDS_REFUSED)
        if isinstance(exc, AuthError):
            self._unhealthy(exc)
        permanent = not exc.retryable
        self._outbox.mark_failed(key, exc.code, reason_text(exc.code, exc.details or exc.message), attention=permanent)

    def _unhealthy(self, exc: WhatsAppError) -> None:
        if self._health is not None:
            self._health.unhealthy(exc.code, reason_text(exc.code, exc.message))

    @staticmethod
    def _addressed(payload: dict) -> dict:
        """A BSUID recipient goes in ``recipient``, a phone in ``to``."""
        to = str(payload.get("to", ""))
        if is_bsuid(to):
            payload = {k: v for k, v in payload.items() if k != "to"} | {"recipient": to}
        return payload

    def _post(self, payload: dict, key: str) -> str:
        payload = dict(payload)
        if len(key) <= OPAQUE_DATA_MAX:
            payload["biz_opaque_callback_data"] = key
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        error: WhatsAppError = GraphUnreachableError(None, "no attempt made")
        retry_after: float | None = None
        for attempt in range(self._max_retries + 1):
            if attempt:
                self._sleep(self._delay(attempt, retry_after))
            try:
                response = self._http.request(
                    "POST",
                    self._url,
                    body=body,
                    headers=self._headers,
                    timeout=self._timeout,
                    retries=False,
                    redirect=False,
                )
            except ConnectTimeoutError as exc:  # includes refused connections and DNS failures
                error, retry_after = GraphUnreachableError(None, f"could not connect to Graph: {exc}"), None
                continue
            except HTTPError as exc:  # read timeout, reset, TLS error mid-request: it may have reached Meta
                raise DeliveryUncertainError(key, f"no answer from Graph: {type(exc).__name__}") from exc
            if 200 <= response.status < 300:
                return self._wamid(response.data, key)
            error = parse_graph_error(response.status, response.data)
            if not (response.status >= 500 or response.status == 429):
                raise error
            retry_after = _retry_after(response.headers.get("Retry-After"))
        raise error

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        exponential = self._backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        return min(max(exponential, retry_after or 0.0), MAX_DELAY)

    @staticmethod
    def _wamid(body: bytes, key: str) -> str:
        try:
            return str(json.loads(body)["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            # Meta accepted the request but we cannot tell which message it made: let the status webhook settle it.
            raise DeliveryUncertainError(key, "Graph answered 2xx without a message id") from exc


def _template_name(payload: dict) -> str:
    return str((payload.get("template") or {}).get("name"))


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
