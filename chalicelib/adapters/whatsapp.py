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

The double-send policy (``send(message, idempotency_key)``)
    The outbox is claimed before any request, so each idempotency key names one logical message. The client

    - returns the stored wamid without sending when the key is already ``sent``;
    - sends when its ``claim`` created the record or re-armed a ``failed`` one (a failure is recorded only when the
      message certainly did not go out: Meta answered with an error, or no connection was made);
    - raises ``DeliveryUncertainError`` and does not send when the record is ``pending`` and this call did not claim
      it: another worker is sending it now, or an earlier attempt timed out after the request may have reached Meta.
      A duplicate "order confirmed" costs the trader more than a late one, so the shop errs towards not re-sending.
    - after a read timeout or a dropped connection it leaves the record ``pending`` and raises
      ``DeliveryUncertainError``.

    Every payload carries the key in ``biz_opaque_callback_data``, which Meta echoes in the ``sent``/``delivered``/
    ``read`` status webhooks: the webhook handler calls ``outbox.mark_sent(key, wamid)`` and so settles a pending
    record. A record still pending once status webhooks would long have arrived never reached Meta; a person (or a
    job) may then send again under a new key.
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

from chalicelib.domain.errors import DeliveryUncertain, MessageNotSent, OutsideWindow
from chalicelib.domain.messages import OutboundMessage, mask_phone


class _PowertoolsLog:
    """The process's Powertools Logger (JSON lines), looked up on first use so importing this module stays cheap."""

    def __getattr__(self, name: str):
        from chalicelib.logs import get_logger

        return getattr(get_logger(), name)


logger = _PowertoolsLog()

MAX_DELAY = 5.0  # seconds; a Lambda cannot wait longer between two tries of one reply
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
    """The message may or may not have reached Meta; it is not sent again under the same key.

    Raised after a read timeout or a dropped connection, and when a key is pending from another attempt.
    ``key`` is the idempotency key; the status webhook settles it through ``biz_opaque_callback_data``.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(None, message)
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
    100: InvalidRequestError,
    131008: InvalidRequestError,
    131009: InvalidRequestError,
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


class OutboxPort(Protocol):
    """Remembers each outbound message by idempotency key so a retried send never reaches the customer twice.

    Transitions (an implementation must make ``claim`` atomic, e.g. a DynamoDB condition
    ``attribute_not_exists(pk) OR #status = :failed``):

    ===========  ========  =========================================================================
    call         from      result
    ===========  ========  =========================================================================
    claim        absent    pending, attempts=1, returned with claimed=True
    claim        failed    pending, attempts+1, new payload, error_code cleared, claimed=True
    claim        pending   unchanged, claimed=False (someone else's send, or an uncertain one)
    claim        sent      unchanged, claimed=False
    mark_sent    pending   sent with wamid (also from failed: a late status webhook wins)
    mark_sent    sent      unchanged (the first wamid stays)
    mark_failed  pending   failed with error_code (None when Graph could not be reached)
    mark_failed  sent      unchanged (sent is final)
    ===========  ========  =========================================================================

    ``mark_sent`` and ``mark_failed`` raise ``KeyError`` for a key that was never claimed.
    """

    def claim(self, key: str, to: str, payload: dict) -> OutboxRecord: ...

    def mark_sent(self, key: str, wamid: str) -> None: ...

    def mark_failed(self, key: str, error_code: int | None, message: str) -> None: ...


@dataclass
class InMemoryOutbox:
    """The reference ``OutboxPort``: a dict behind a lock. For unit tests and local runs."""

    records: dict[str, OutboxRecord] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def claim(self, key: str, to: str, payload: dict) -> OutboxRecord:
        with self._lock:
            existing = self.records.get(key)
            if existing is None:
                record = OutboxRecord(key, to, dict(payload), "pending", attempts=1)
            elif existing.status == "failed":
                record = replace(existing, payload=dict(payload), status="pending", attempts=existing.attempts + 1)
                record = replace(record, error_code=None)
            else:
                return replace(existing, claimed=False)
            self.records[key] = record
            return replace(record, claimed=True)

    def mark_sent(self, key: str, wamid: str) -> None:
        with self._lock:
            record = self.records[key]
            if record.status != "sent":
                self.records[key] = replace(record, status="sent", wamid=wamid, error_code=None)

    def mark_failed(self, key: str, error_code: int | None, message: str) -> None:
        with self._lock:
            record = self.records[key]
            if record.status != "sent":
                self.records[key] = replace(record, status="failed", error_code=error_code)

    def get(self, key: str) -> OutboxRecord | None:
        """The stored record for ``key`` (not part of the port; for tests)."""
        with self._lock:
            return self.records.get(key)


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
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._outbox = outbox
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._max_retries = max_retries
        self._backoff = backoff
        self._sleep = sleep
        self._http = http or urllib3.PoolManager(maxsize=4)

    def send(self, message: OutboundMessage, idempotency_key: str) -> str:
        """Send ``message`` once per ``idempotency_key`` and return Meta's message id (``wamid.…``).

        Raises ``DeliveryUncertainError`` when the key is pending from another attempt or this attempt's outcome is
        unknown (nothing is re-sent); ``GraphUnreachableError`` when no connection could be made; otherwise the
        ``WhatsAppError`` subclass for Meta's error code (see the module docstring). The outbox records every outcome
        except the uncertain ones.
        """
        return self.send_payload(message.to_graph_payload(), idempotency_key)

    def send_payload(self, payload: dict, idempotency_key: str) -> str:
        """``send`` for a Graph payload built earlier (``OutboundMessage.to_graph_payload()``), e.g. replies stored
        with a handled message so a retry sends exactly what the first attempt meant to send. Same errors."""
        if not idempotency_key:
            raise ValueError("idempotency_key must not be empty")
        payload = dict(payload)
        to, kind = str(payload.get("to", "")), str(payload.get("type", ""))
        if len(idempotency_key) <= OPAQUE_DATA_MAX:
            payload["biz_opaque_callback_data"] = idempotency_key
        who = mask_phone(to)
        record = self._outbox.claim(idempotency_key, to, payload)
        if record.status == "sent" and record.wamid:
            logger.info("whatsapp: = %s %s already sent as %s (key %s)", who, kind, record.wamid, idempotency_key)
            return record.wamid
        if not record.claimed:
            logger.warning(
                "whatsapp: ? %s key %s is pending from another attempt; not re-sending", who, idempotency_key
            )
            raise DeliveryUncertainError(idempotency_key, "an earlier attempt with this key may have reached Meta")
        try:
            wamid = self._post(payload, idempotency_key)
        except DeliveryUncertainError:
            logger.warning("whatsapp: ? %s %s outcome unknown (key %s); left pending", who, kind, idempotency_key)
            raise
        except WhatsAppError as exc:
            logger.warning("whatsapp: x %s %s failed: %s (key %s)", who, kind, exc, idempotency_key)
            if exc.code is not None:  # Meta answered with a refusal code (not a connection problem)
                from chalicelib import metrics

                metrics.count(metrics.SENDS_REFUSED)
            self._outbox.mark_failed(idempotency_key, exc.code, exc.message)
            raise
        self._outbox.mark_sent(idempotency_key, wamid)
        logger.info("whatsapp: → %s %s sent as %s (key %s)", who, kind, wamid, idempotency_key)
        return wamid

    def _post(self, payload: dict, key: str) -> str:
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


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
