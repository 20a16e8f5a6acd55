"""A stand-in for graph.facebook.com's WhatsApp endpoints that behaves like Meta, with fault injection and signed
status webhooks.

Meta's rules it enforces (so tests see them rather than assume them)
    - the 24-hour customer service window: a free-form (non-template) send to a user who has not written in 24 hours
      is accepted and then refused with a ``failed`` status webhook, code 131047 (``window="async"``; ``"sync"``
      answers 400 at once instead). The fake learns who wrote from ``POST /_fake/inbound`` (the devstack client
      calls it for every webhook it posts, as Meta knows every message it relays);
    - templates: only templates created through ``/{waba_id}/message_templates`` and APPROVED may be sent, in a
      language they exist in, with as many body parameters as the body has variables (else 132001 / 132000);
      creation approves at once and posts a ``message_template_status_update`` webhook;
    - the per-user pair rate limit, when ``pair_burst`` is set (off by default: the stack's concurrency tests send
      dozens of notifications to the one owner in seconds): more than ``pair_burst`` messages to one user within
      ``pair_window`` seconds answers 400 with 131056, which the client reports as retryable ``ThrottledError``;
    - BSUID recipients: ``recipient`` instead of ``to`` (statuses then carry ``recipient_user_id``);
    - media: ``POST /{version}/{phone_number_id}/media`` (multipart) stores a file and answers its id; a document
      sent by ``id`` must name a stored upload;
    - mark as read with a typing indicator: ``{"status": "read", "message_id", "typing_indicator"}`` answers
      ``{"success": true}`` (``GET /_fake/reads`` lists them).

Routes
    ``POST /{version}/{phone_number_id}/messages``  checks the bearer token (401, code 190), validates the payload as
        Meta does (400 with code 100 or 131009 and Meta's error envelope), records it under a new ``wamid.…`` and
        answers like Meta. Then, unless switched off, posts ``sent``, ``delivered`` and ``read`` status webhooks to
        ``webhook_url``, signed with ``X-Hub-Signature-256``, from a background thread (best effort).
    ``POST /_fake/faults``   ``{"to"?, "kind"?, "status"?, "code"?, "message"?, "details"?, "times": 1, "delay": 0}``:
        the next ``times`` sends (of message type ``kind``) to ``to`` (to anyone when absent) wait ``delay``
        seconds, then fail with ``status``/``code`` (when one is given) or are accepted late (``delay`` alone: a way
        to make a client time out after Meta has the message). ``DELETE /_fake/faults`` clears them.
    ``GET /_fake/messages?to=PHONE&since=SEQ``  the recorded messages with ``seq`` greater than ``since``, as a JSON
        list of ``{"seq", "to", "type", "payload", "wamid", "time", "phone_number_id"}``; ``seq`` keeps growing across
        ``DELETE /_fake/messages`` (which forgets them), so a cursor stays valid.
    ``GET /_fake/health``   200.
    ``POST /_fake/inbound`` ``{"from": PHONE_OR_BSUID, "at"?: epoch}``: that user wrote to the business (opens the
        window). ``POST /_fake/faults`` also takes ``"async": true``: the send is accepted, then refused by a
        ``failed`` status webhook with ``code``.
    ``GET /{version}/{waba_id}/message_templates``, ``POST`` the same: Meta's template management endpoints.
    ``GET /_fake/media/{id}``: the bytes of an upload (what the customer's phone downloads).

Meta's limits are restated here rather than imported from the domain on purpose: the fake plays Meta, so a wrong
limit in ``chalicelib.domain.messages`` shows up as a rejected message in the tests.

Run standalone: ``python -m devstack.fake_graph --port 8089 --webhook-url http://127.0.0.1:8000/webhook``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import logging
import os
import queue
import re
import secrets
import signal
import threading
import time
import urllib.request
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from chalicelib.domain.messages import mask_phone

logger = logging.getLogger(__name__)

SEND_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/messages$")
MEDIA_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/media$")
TEMPLATES_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/message_templates$")
BSUID = re.compile(r"[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}")
RETAINED = 2_000  # sent messages, send attempts and read receipts the fake remembers
MEDIA_RETAINED = 500  # uploaded media (invoice PDFs) it can still serve
WINDOW_SECONDS = 24 * 3600
PHONE = re.compile(r"\+?[0-9]{7,15}")
MESSAGE_TYPES = (
    "audio", "contacts", "document", "image", "interactive", "location", "reaction", "sticker", "template", "text",
    "video",
)  # fmt: skip

# Meta's wording for the codes a test is likely to inject.
ERROR_MESSAGES = {
    4: "(#4) Application request limit reached",
    100: "(#100) Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131026: "Message undeliverable",
    131030: "Recipient phone number not in allowed list",
    131047: "Re-engagement message",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    130472: "User's number is part of an experiment",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}
DEFAULT_CODE_FOR_STATUS = {401: 190, 429: 130429, 500: 131000, 503: 131016}


class GraphRejection(Exception):
    """A send the fake refuses, carrying the HTTP status and Meta's error fields."""

    def __init__(self, status: int, code: int, message: str | None = None, details: str | None = None) -> None:
        super().__init__(f"{status} #{code} {details or message or ''}")
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, "An unknown error occurred")
        self.details = details
        self.injected = False

    def body(self) -> dict:
        """Meta's error envelope."""
        error: dict = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = base64.b64encode(secrets.token_bytes(15)).decode()
        return {"error": error}


@dataclass
class Fault:
    """The next ``times`` sends to ``to`` (anyone if None) wait ``delay`` s, then fail (or pass, without a status)."""

    to: str | None
    status: int | None
    code: int | None
    message: str | None
    details: str | None
    times: int
    delay: float
    asynchronous: bool = False
    kind: str | None = None  # only sends of this message type (e.g. "document", "template")

    def rejection(self) -> GraphRejection | None:
        if self.status is None and self.code is None:
            return None
        status = self.status or 400
        rejection = GraphRejection(
            status, self.code or DEFAULT_CODE_FOR_STATUS.get(status, 100), self.message, self.details
        )
        rejection.injected = True
        return rejection


# --- validation, as Meta does it ------------------------------------------------------------------------------------


def _invalid(details: str) -> GraphRejection:
    return GraphRejection(400, 131009, details=details)


def _required(name: str) -> GraphRejection:
    return GraphRejection(400, 100, f"(#100) The parameter {name} is required.")


def _check_length(value: object, name: str, limit: int, minimum: int = 1) -> None:
    if not isinstance(value, str) or not minimum <= len(value) <= limit:
        raise _invalid(f"{name} length invalid. Min length: {minimum}, Max length: {limit}")


def validate_payload(payload: object) -> None:
    """Raise ``GraphRejection`` for a send body Meta would refuse."""
    if not isinstance(payload, dict):
        raise GraphRejection(400, 100, "(#100) Invalid JSON")
    if payload.get("messaging_product") != "whatsapp":
        raise _required("messaging_product")
    to = payload.get("to")
    recipient = payload.get("recipient")
    if not to and not recipient:
        raise _required("to")
    if to and (not isinstance(to, str) or not PHONE.fullmatch(to)):
        raise GraphRejection(400, 100, details=f"Invalid WhatsApp phone number in 'to': {to!r}")
    if not to and (not isinstance(recipient, str) or not BSUID.fullmatch(recipient)):
        raise GraphRejection(400, 100, details=f"Invalid business-scoped user id in 'recipient': {recipient!r}")
    kind = payload.get("type")
    if not kind:
        raise _required("type")
    if kind not in MESSAGE_TYPES:
        choices = ", ".join(t.upper() for t in MESSAGE_TYPES)
        raise GraphRejection(400, 100, f'(#100) Param type must be one of {{{choices}}} - got "{kind}".')
    body = payload.get(kind)
    if not isinstance(body, dict):
        raise _required(kind)
    opaque = payload.get("biz_opaque_callback_data")
    if opaque is not None and (not isinstance(opaque, str) or len(opaque) > 512):
        raise GraphRejection(400, 100, "(#100) Param biz_opaque_callback_data must be at most 512 characters long.")
    {"text": _validate_text, "interactive": _validate_interactive, "document": _validate_document}.get(
        kind, lambda _body: None
    )(body)


def _validate_text(text: dict) -> None:
    body = text.get("body")
    if not isinstance(body, str) or not body:
        raise _required("text['body']")
    if len(body) > 4096:
        raise GraphRejection(400, 100, "(#100) Param text['body'] must be at most 4096 characters long.")


def _validate_document(document: dict) -> None:
    link = document.get("link")
    if not link and not document.get("id"):
        raise _required("document['link']")
    if link and document.get("id"):
        raise _invalid("document takes a link or an id, not both")
    if link and not str(link).startswith(("https://", "http://")):
        raise GraphRejection(400, 100, details=f"document link is not a URL: {str(link)[:40]!r}")
    if len(document.get("caption", "")) > 1024:
        raise _invalid("Caption length invalid. Min length: 0, Max length: 1024")


def _validate_interactive(interactive: dict) -> None:
    kind = interactive.get("type")
    if kind not in ("button", "list"):
        raise _invalid(f"Interactive type {kind!r} is not supported by the fake (button, list)")
    body = interactive.get("body")
    if not isinstance(body, dict):
        raise _required("interactive['body']")
    _check_length(body.get("text"), "Body text", 1024)
    header = interactive.get("header")
    if header is not None:
        _check_length(header.get("text") if isinstance(header, dict) else None, "Header text", 60)
    footer = interactive.get("footer")
    if footer is not None:
        _check_length(footer.get("text") if isinstance(footer, dict) else None, "Footer text", 60)
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise _required("interactive['action']")
    (_validate_buttons if kind == "button" else _validate_list)(action)


def _validate_buttons(action: dict) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise _invalid("Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3")
    ids, titles = set(), set()
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) and button.get("type") == "reply" else None
        if not isinstance(reply, dict):
            raise _invalid('Each button must be {"type": "reply", "reply": {"id", "title"}}')
        _check_length(reply.get("id"), "Button id", 256)
        _check_length(reply.get("title"), "Button title", 20)
        if reply["id"] in ids or reply["title"] in titles:
            raise _invalid("Button id and title must be unique")
        ids.add(reply["id"])
        titles.add(reply["title"])


def _validate_list(action: dict) -> None:
    _check_length(action.get("button"), "Button text", 20)
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise _invalid("Invalid sections count. Min allowed sections: 1, Max allowed sections: 10")
    rows = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list) or not section["rows"]:
            raise _invalid("Each section needs at least one row")
        if len(sections) > 1:
            _check_length(section.get("title"), "Section title", 24)
        rows.extend(section["rows"])
    if len(rows) > 10:
        raise _invalid(f"Total row count exceed max allowed count: 10 (got {len(rows)})")
    ids = set()
    for row in rows:
        if not isinstance(row, dict):
            raise _invalid("Each row must be an object with id and title")
        _check_length(row.get("id"), "Row id", 200)
        _check_length(row.get("title"), "Row title", 24)
        if "description" in row:
            _check_length(row["description"], "Row description", 72, minimum=0)
        if row["id"] in ids:
            raise _invalid("Row id must be unique")
        ids.add(row["id"])


# --- tester-facing helpers ------------------------------------------------------------------------------------------


def summarise(payload: dict) -> dict:
    """A recorded Graph payload in the shape a tester reads: to, type, text, buttons, list rows, document."""
    kind = payload.get("type")
    summary: dict = {"to": payload.get("to"), "type": kind, "text": "", "buttons": [], "list": [], "document": None}
    if kind == "text":
        summary["text"] = payload.get("text", {}).get("body", "")
    elif kind == "interactive":
        interactive = payload.get("interactive", {})
        action = interactive.get("action", {})
        summary["text"] = interactive.get("body", {}).get("text", "")
        summary["buttons"] = [
            {"id": b["reply"]["id"], "title": b["reply"]["title"]} for b in action.get("buttons", []) if "reply" in b
        ]
        summary["list"] = [
            {key: row[key] for key in ("id", "title", "description") if key in row}
            for section in action.get("sections", [])
            for row in section.get("rows", [])
        ]
    elif kind == "document":
        document = payload.get("document", {})
        summary["text"] = document.get("caption", "")
        summary["document"] = {
            "link": document.get("link"),
            "id": document.get("id"),
            "filename": document.get("filename"),
        }
    elif kind == "template":
        rendered = payload.get("_rendered") or {}
        summary["text"] = rendered.get("text", "")
        summary["buttons"] = [{"id": b.get("url", ""), "title": b.get("text", "")} for b in rendered.get("buttons", [])]
        summary["document"] = rendered.get("document")
        summary["template"] = (payload.get("template") or {}).get("name")
    return summary


def new_wamid(to: str) -> str:
    """A message id shaped like Meta's: ``wamid.`` + base64 of a small envelope holding the number and a random id."""
    digits = to.lstrip("+").encode()
    token = secrets.token_hex(9).upper().encode()
    raw = b"\x1c\x18" + bytes([len(digits)]) + digits + b"\x15\x02\x00\x11\x18" + bytes([len(token)]) + token + b"\x00"
    return "wamid." + base64.b64encode(raw).decode()


def sign(raw_body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends: ``sha256=`` + HMAC-SHA256 hex of the raw bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def _preview(payload: dict) -> str:
    summary = summarise(payload)
    text = " ".join(summary["text"].split())
    text = f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"'
    if summary["buttons"]:
        text += " [" + " | ".join(b["title"] for b in summary["buttons"]) + "]"
    if summary["list"]:
        text += f" ({len(summary['list'])} rows)"
    if summary["document"]:
        text = f"{summary['document']['filename']} {text}"
    return text


# --- the server -----------------------------------------------------------------------------------------------------


class _GraphServer(ThreadingHTTPServer):
    request_queue_size = 128  # http.server's default backlog of 5 drops connections when 20 customers send at once
    daemon_threads = True


class FakeGraph:
    """The fake Graph API on ``host:port`` (port 0 picks a free one; read ``.url`` after ``start()``)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "devstack-token",
        app_secret: str = "devstack-app-secret",
        webhook_url: str | None = None,
        status_callbacks: bool = True,
        status_delay: float = 0.05,
        waba_id: str = "102290129340398",
        display_phone_number: str = "15550783881",
        window: str = "async",
        pair_burst: int = 0,
        pair_window: float = 60.0,
    ) -> None:
        self.host, self.port = host, port
        self.token, self.app_secret = token, app_secret
        self.webhook_url = webhook_url
        self.status_callbacks = status_callbacks
        self.status_delay = status_delay
        self.waba_id, self.display_phone_number = waba_id, display_phone_number
        self._lock = threading.Lock()
        # What the fake remembers is a record for tests and the CLI, not a store: the newest RETAINED of each kind,
        # so a stack driven for hours keeps flat memory (Meta keeps none of it for us either).
        self._messages: deque[dict] = deque(maxlen=RETAINED)
        self._faults: list[Fault] = []
        self._attempts: deque[str] = deque(maxlen=RETAINED)
        self._seq = 0
        self._server: ThreadingHTTPServer | None = None
        self._callbacks: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self.window = window  # "async" (Meta's way), "sync" or "off"
        self.pair_burst, self.pair_window = pair_burst, pair_window
        self._inbound: dict[str, float] = {}  # user -> epoch of their last message to the business
        self._recent: dict[str, list[float]] = {}  # user -> epochs of recent sends (pair rate limit)
        self._templates: dict[tuple[str, str], dict] = {}  # (name, language) -> Meta's template object
        self._media: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # id -> (mime type, bytes), newest last
        self._reads: deque[dict] = deque(maxlen=RETAINED)

    # lifecycle

    def start(self) -> FakeGraph:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _GraphServer((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="fake-graph", daemon=True),
            threading.Thread(target=self._deliver_callbacks, name="fake-graph-webhooks", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        logger.info("graph: fake Graph API on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._callbacks.put(None)
        for thread in self._threads:
            thread.join(timeout=2)
        self._server = None

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # state, for tests and the devstack CLI

    def messages(self, to: str | None = None, since: int = 0) -> list[dict]:
        """Recorded (accepted) messages, oldest first, optionally for one number and after a ``seq``."""
        with self._lock:
            return [
                json.loads(json.dumps(m))
                for m in self._messages
                if m["seq"] > since and (to is None or m["to"] == to.lstrip("+"))
            ]

    def clear(self) -> int:
        """Forget the recorded messages (``seq`` keeps counting); returns how many there were."""
        with self._lock:
            count = len(self._messages)
            self._messages.clear()
            self._attempts.clear()
            return count

    def send_attempts(self, to: str | None = None) -> int:
        """How many send requests arrived (accepted, rejected or faulted) since the last ``clear``."""
        with self._lock:
            return sum(1 for who in self._attempts if to is None or who == to.lstrip("+"))

    def add_fault(
        self,
        to: str | None = None,
        status: int | None = None,
        code: int | None = None,
        times: int = 1,
        message: str | None = None,
        details: str | None = None,
        delay: float = 0.0,
        asynchronous: bool = False,
        kind: str | None = None,
    ) -> None:
        """Make the next ``times`` sends to ``to`` fail (see the module docstring); ``asynchronous``: accept them,
        then post a ``failed`` status webhook with ``code``."""
        with self._lock:
            self._faults.append(
                Fault(
                    to.lstrip("+") if to else None,
                    status,
                    code,
                    message,
                    details,
                    max(times, 1),
                    delay,
                    asynchronous,
                    kind,
                )
            )

    # what Meta knows: who wrote when, templates, media

    def user_wrote(self, user: str, at: float | None = None) -> None:
        """``user`` (a phone or a BSUID) sent the business a message: their 24-hour window opens."""
        with self._lock:
            self._inbound[user.lstrip("+")] = time.time() if at is None else at

    def window_open(self, user: str) -> bool:
        with self._lock:
            last = self._inbound.get(user)
        return last is not None and time.time() - last < WINDOW_SECONDS

    def reads(self) -> list[dict]:
        with self._lock:
            return list(self._reads)

    def templates(self) -> list[dict]:
        with self._lock:
            return [dict(t) for t in self._templates.values()]

    def set_template_status(self, name: str, language: str, status: str) -> None:
        """Change a template's status (as Meta's review would) and post the status webhook."""
        with self._lock:
            template = self._templates[(name, language)]
            template["status"] = status
        self._post_template_webhook(template)

    def create_template(self, waba_id: str, authorization: str | None, raw: bytes) -> tuple[int, dict]:
        """``POST /{waba_id}/message_templates``: create (or replace) one language of a template; approved at once."""
        if not hmac.compare_digest(authorization or "", f"Bearer {self.token}"):
            return 401, GraphRejection(401, 190).body()
        try:
            body = json.loads(raw)
            name, language, category = body["name"], body["language"], body["category"]
            components = list(body["components"])
        except (ValueError, KeyError, TypeError):
            return 400, GraphRejection(400, 100, "(#100) name, language, category and components are required").body()
        if not re.fullmatch(r"[a-z0-9_]{1,512}", str(name)):
            return 400, GraphRejection(400, 100, "(#100) Invalid parameter", "template name").body()
        with self._lock:
            existing = self._templates.get((name, language))
            template = {
                "id": existing["id"] if existing else str(secrets.randbelow(10**15)),
                "name": name,
                "language": language,
                "category": category,
                "components": components,
                "status": "APPROVED",
            }
            self._templates[(name, language)] = template
        self._post_template_webhook(template)
        return 200, {"id": template["id"], "status": template["status"], "category": category}

    def upload_media(self, authorization: str | None, content_type: str, raw: bytes) -> tuple[int, dict]:
        """``POST /{phone_number_id}/media`` (multipart/form-data with messaging_product, type and file)."""
        if not hmac.compare_digest(authorization or "", f"Bearer {self.token}"):
            return 401, GraphRejection(401, 190).body()
        fields = _multipart(content_type, raw)
        if fields.get("messaging_product", (None, b""))[1] != b"whatsapp" or "file" not in fields:
            return 400, GraphRejection(400, 100, "(#100) messaging_product and file are required").body()
        mime = fields.get("type", (None, b"application/octet-stream"))[1].decode()
        media_id = str(secrets.randbelow(10**15))
        with self._lock:
            self._media[media_id] = (mime, fields["file"][1])
            while len(self._media) > MEDIA_RETAINED:
                self._media.popitem(last=False)
        return 200, {"id": media_id}

    def media(self, media_id: str) -> tuple[str, bytes] | None:
        with self._lock:
            return self._media.get(media_id)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = []

    # the send endpoint

    def handle_send(self, phone_number_id: str, authorization: str | None, raw: bytes) -> tuple[int, dict]:
        """Answer one ``POST …/messages``: (HTTP status, JSON body)."""
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and payload.get("status") == "read" and "message_id" in payload:
            return self._mark_read(authorization, payload)
        to = ""
        if isinstance(payload, dict):
            to = str(payload.get("to") or payload.get("recipient") or "").lstrip("+")
        with self._lock:
            self._attempts.append(to)
        refuse_later: GraphRejection | None = None
        try:
            if not hmac.compare_digest(authorization or "", f"Bearer {self.token}"):
                raise GraphRejection(401, 190)
            fault = self._apply_fault(to, payload.get("type") if isinstance(payload, dict) else None)
            if fault is not None:
                refuse_later = fault
            validate_payload(payload)
            assert isinstance(payload, dict)
            if payload["type"] == "template":
                payload = dict(payload) | {"_rendered": self._render_template(payload["template"])}
            if payload["type"] == "document" and payload["document"].get("id"):
                if self.media(str(payload["document"]["id"])) is None:
                    raise GraphRejection(400, 131053, details="Media upload error: unknown media id")
            self._check_pair_rate(to)
            if refuse_later is None and payload["type"] != "template" and not self.window_open(to):
                if self.window == "sync":
                    raise GraphRejection(
                        400,
                        131047,
                        details="Message failed to send because more than 24 hours "
                        "have passed since the customer last replied to this number.",
                    )
                if self.window == "async":
                    refuse_later = GraphRejection(
                        400,
                        131047,
                        details="Message failed to send because more than "
                        "24 hours have passed since the customer last replied to this number.",
                    )
        except GraphRejection as rejection:
            why = rejection.details or rejection.message
            logger.info(
                "graph: ✗ %s %s #%s %s%s",
                mask_phone(to),
                rejection.status,
                rejection.code,
                why,
                " (injected fault)" if rejection.injected else "",
            )
            return rejection.status, rejection.body()
        record = self._record(phone_number_id, payload, to)
        if refuse_later is not None:
            record["refused"] = {
                "code": refuse_later.code,
                "title": refuse_later.message,
                "details": refuse_later.details,
            }
            logger.info(
                "graph: → %s %s accepted, to be refused: #%s", mask_phone(to), record["type"], refuse_later.code
            )
        else:
            logger.info("graph: → %s %s %s", mask_phone(record["to"]), record["type"], _preview(payload))
        if self.status_callbacks:
            self._callbacks.put(record)
        contact = {"input": to, "user_id": to} if BSUID.fullmatch(to) else {"input": payload.get("to"), "wa_id": to}
        return 200, {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": record["wamid"]}]}

    def _mark_read(self, authorization: str | None, payload: dict) -> tuple[int, dict]:
        if not hmac.compare_digest(authorization or "", f"Bearer {self.token}"):
            return 401, GraphRejection(401, 190).body()
        with self._lock:
            self._reads.append({"message_id": payload["message_id"], "typing": "typing_indicator" in payload})
        return 200, {"success": True}

    def _render_template(self, template: object) -> dict:
        """What the user sees for a template send (raises 132001/132000 as Meta does for a bad one)."""
        if not isinstance(template, dict) or not isinstance(template.get("name"), str):
            raise _required("template['name']")
        language = (template.get("language") or {}).get("code")
        with self._lock:
            known = self._templates.get((template["name"], language))
        if known is None or known.get("status") != "APPROVED":
            raise GraphRejection(
                400, 132001, details=f"template name ({template['name']}) does not exist in {language}"
            )
        sent = {c.get("type"): c for c in template.get("components") or [] if isinstance(c, dict)}
        body = next((c for c in known["components"] if c.get("type") == "BODY"), {"text": ""})
        values = [str(p.get("text", "")) for p in (sent.get("body") or {}).get("parameters", [])]
        variables = sorted({int(n) for n in re.findall(r"\{\{(\d+)\}\}", body["text"])})
        if len(values) != len(variables):
            raise GraphRejection(400, 132000, details=f"body needs {len(variables)} parameters, got {len(values)}")
        for value in values:
            if re.search(r"[\n\t]| {5,}", value):
                raise GraphRejection(
                    400,
                    132018,
                    details="Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
                )
        text = body["text"]
        for number, value in enumerate(values, 1):
            text = text.replace("{{" + str(number) + "}}", value)
        buttons = []
        definitions = next((c.get("buttons", []) for c in known["components"] if c.get("type") == "BUTTONS"), [])
        suffixes = {
            int(c.get("index", 0)): (c.get("parameters") or [{}])[0].get("text", "")
            for c in template.get("components") or []
            if isinstance(c, dict) and c.get("type") == "button"
        }
        for index, definition in enumerate(definitions):
            url = definition.get("url", "")
            if "{{1}}" in url:
                if index not in suffixes:
                    raise GraphRejection(400, 132000, details=f"button {index} needs its URL parameter")
                url = url.replace("{{1}}", suffixes[index])
            buttons.append({"type": definition.get("type"), "text": definition.get("text"), "url": url})
        header = next((c for c in known["components"] if c.get("type") == "HEADER"), None)
        document = None
        if header and header.get("format") == "DOCUMENT":
            parameters = (sent.get("header") or {}).get("parameters") or []
            document = (parameters[0].get("document") if parameters else None) or None
            if not document:
                raise GraphRejection(400, 132012, details="the template's document header needs a document parameter")
            if document.get("id") and self.media(str(document["id"])) is None:
                raise GraphRejection(400, 131053, details="Media upload error: unknown media id")
        return {"text": text, "buttons": buttons, "document": document}

    def _check_pair_rate(self, to: str) -> None:
        if not self.pair_burst:
            return
        now = time.time()
        with self._lock:
            recent = [t for t in self._recent.get(to, []) if now - t < self.pair_window]
            if len(recent) >= self.pair_burst:
                self._recent[to] = recent
                raise GraphRejection(400, 131056)
            recent.append(now)
            self._recent[to] = recent

    def _apply_fault(self, to: str, kind: str | None = None) -> GraphRejection | None:
        """Raise an injected synchronous refusal; return an asynchronous one (accepted now, refused later)."""
        with self._lock:
            fault = next((f for f in self._faults if f.to in (None, to) and f.kind in (None, kind)), None)
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        if fault.delay:
            time.sleep(fault.delay)
        rejection = fault.rejection()
        if rejection is not None and fault.asynchronous:
            return rejection
        if rejection is not None:
            raise rejection
        return None

    def _record(self, phone_number_id: str, payload: dict, to: str) -> dict:
        with self._lock:
            self._seq += 1
            record = {
                "seq": self._seq,
                "to": to,
                "type": payload["type"],
                "payload": payload,
                "wamid": new_wamid(to),
                "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "phone_number_id": phone_number_id,
            }
            self._messages.append(record)
        return record

    # status webhooks

    def status_webhook(self, record: dict, status: str) -> dict:
        """Meta's ``statuses[]`` webhook body for one recorded message."""
        now = int(time.time())
        conversation: dict = {"id": hashlib.md5(record["to"].encode(), usedforsecurity=False).hexdigest()}
        if status == "sent":
            conversation["expiration_timestamp"] = str(now + 86400)
        conversation["origin"] = {"type": "service"}
        entry: dict = {"id": record["wamid"], "status": status, "timestamp": str(now)}
        entry["recipient_user_id" if BSUID.fullmatch(record["to"]) else "recipient_id"] = record["to"]
        if status == "failed":
            refused = record.get("refused") or {}
            entry["errors"] = [
                {
                    "code": refused.get("code"),
                    "title": refused.get("title"),
                    "message": refused.get("title"),
                    "error_data": {"details": refused.get("details") or refused.get("title")},
                }
            ]
        else:
            entry["conversation"] = conversation
            entry["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
        opaque = record["payload"].get("biz_opaque_callback_data")
        if opaque is not None:
            entry["biz_opaque_callback_data"] = opaque
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_phone_number,
                "phone_number_id": record["phone_number_id"],
            },
            "statuses": [entry],
        }
        change = {"value": value, "field": "messages"}
        return {"object": "whatsapp_business_account", "entry": [{"id": self.waba_id, "changes": [change]}]}

    def _deliver_callbacks(self) -> None:
        while (record := self._callbacks.get()) is not None:
            statuses = ("sent", "failed") if record.get("refused") else ("sent", "delivered", "read")
            for index, status in enumerate(statuses):
                if index and self.status_delay:
                    time.sleep(self.status_delay)
                self._post_webhook(record, status)

    def _post_template_webhook(self, template: dict) -> None:
        """Meta's ``message_template_status_update`` for a template (best effort, from the caller's thread)."""
        value = {
            "event": template["status"],
            "message_template_id": int(template["id"]),
            "message_template_name": template["name"],
            "message_template_language": template["language"],
            "reason": "NONE",
            "message_template_category": template["category"],
        }
        change = {"value": value, "field": "message_template_status_update"}
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "time": int(time.time()), "changes": [change]}],
        }
        self._post_body(body, f"template {template['name']}/{template['language']} {template['status']}")

    def _post_webhook(self, record: dict, status: str) -> None:
        self._post_body(self.status_webhook(record, status), f"{status} {record['wamid']}")

    def _post_body(self, body: dict, what: str) -> None:
        url = self.webhook_url
        if not url or not self.status_callbacks:
            return
        raw = json.dumps(body, separators=(",", ":")).encode()
        request = urllib.request.Request(url, data=raw, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", "facebookexternalua")
        request.add_header("X-Hub-Signature-256", sign(raw, self.app_secret))
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                logger.info("graph: ↩ %s → webhook %s", what, response.status)
        except Exception as exc:  # best effort: a webhook that is down must not stop the fake
            logger.warning("graph: ↩ %s → webhook failed: %s", what, exc)


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the ``FakeGraph`` set as the class attribute ``fake``."""

    fake: FakeGraph
    server_version = "FakeGraph/1.0"
    # Kept-alive connections, as graph.facebook.com keeps them (the app's urllib3 pool reuses them): every answer
    # has a Content-Length and every request's body is read whole.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        authorization = self.headers.get("Authorization")
        if match := SEND_PATH.match(path):
            self._reply(*self.fake.handle_send(match.group(2), authorization, raw))
        elif match := MEDIA_PATH.match(path):
            self._reply(*self.fake.upload_media(authorization, self.headers.get("Content-Type", ""), raw))
        elif match := TEMPLATES_PATH.match(path):
            self._reply(*self.fake.create_template(match.group(2), authorization, raw))
        elif path == "/_fake/faults":
            self._add_fault(raw)
        elif path == "/_fake/inbound":
            try:
                spec = json.loads(raw)
                self.fake.user_wrote(str(spec["from"]), spec.get("at"))
            except (ValueError, KeyError, TypeError) as exc:
                self._reply(400, {"error": f"bad inbound: {exc}"})
                return
            self._reply(201, {"ok": True})
        else:
            self._reply(400, GraphRejection(400, 100, f"Unsupported post request: {path}").body())

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_fake/messages":
            query = parse_qs(url.query)
            since = int(query.get("since", ["0"])[0] or 0)
            self._reply(200, self.fake.messages(to=query.get("to", [None])[0], since=since))
        elif url.path == "/_fake/health":
            self._reply(200, {"ok": True})
        elif url.path == "/_fake/reads":
            self._reply(200, self.fake.reads())
        elif url.path.startswith("/_fake/media/"):
            found = self.fake.media(url.path.rsplit("/", 1)[1])
            if found is None:
                self._reply(404, {"error": "no such media"})
                return
            mime, data = found
            self.send_response(200)
            self.send_header("Content-Type", mime)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif TEMPLATES_PATH.match(url.path):
            self._reply(200, {"data": self.fake.templates()})
        else:
            self._reply(404, {"error": f"no route {url.path}"})

    def do_DELETE(self) -> None:
        path = urlsplit(self.path).path
        self.rfile.read(int(self.headers.get("Content-Length") or 0))  # none expected; read so the next request parses
        if path == "/_fake/messages":
            self._reply(200, {"cleared": self.fake.clear()})
        elif path == "/_fake/faults":
            self.fake.clear_faults()
            self._reply(200, {"cleared": True})
        else:
            self._reply(404, {"error": f"no route {path}"})

    def _add_fault(self, raw: bytes) -> None:
        try:
            spec = json.loads(raw)
            names = ("to", "status", "code", "times", "message", "details", "delay", "kind")
            fields = {k: spec[k] for k in names if k in spec}
            if spec.get("async"):
                fields["asynchronous"] = True
            if not {"status", "code", "delay"} & fields.keys():
                raise ValueError("a fault needs status, code or delay")
            self.fake.add_fault(**fields)
        except (ValueError, TypeError, AttributeError) as exc:
            self._reply(400, {"error": f"bad fault: {exc}"})
            return
        self._reply(201, {"ok": True})

    def _reply(self, status: int, body: object) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:  # the fake logs its own one-liners
        pass


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_GRAPH_PORT", "8089")))
    parser.add_argument("--token", default=os.environ.get("WHATSAPP_TOKEN", "devstack-token"))
    parser.add_argument("--app-secret", default=os.environ.get("WHATSAPP_APP_SECRET", "devstack-app-secret"))
    parser.add_argument("--webhook-url", default=os.environ.get("FAKE_GRAPH_WEBHOOK_URL"))
    parser.add_argument("--no-status-callbacks", action="store_true", help="do not post sent/delivered/read webhooks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    fake = FakeGraph(
        args.host, args.port, args.token, args.app_secret, args.webhook_url, not args.no_status_callbacks
    ).start()
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()


def _multipart(content_type: str, raw: bytes) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a multipart/form-data body: name -> (filename, bytes)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields
