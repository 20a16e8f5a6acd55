"""A stand-in for graph.facebook.com's WhatsApp send endpoint, with fault injection and signed status webhooks.

Routes
    ``POST /{version}/{phone_number_id}/messages``  checks the bearer token (401, code 190), validates the payload as
        Meta does (400 with code 100 or 131009 and Meta's error envelope), records it under a new ``wamid.…`` and
        answers like Meta. Then, unless switched off, posts ``sent``, ``delivered`` and ``read`` status webhooks to
        ``webhook_url``, signed with ``X-Hub-Signature-256``, from a background thread (best effort).
    ``POST /_fake/faults``   ``{"to"?, "status"?, "code"?, "message"?, "details"?, "times": 1, "delay": 0}``: the next
        ``times`` sends to ``to`` (to anyone when absent) wait ``delay`` seconds, then fail with ``status``/``code``
        (when one is given) or are accepted late (``delay`` alone: a way to make a client time out after Meta has the
        message). ``DELETE /_fake/faults`` clears them.
    ``GET /_fake/messages?to=PHONE&since=SEQ``  the recorded messages with ``seq`` greater than ``since``, as a JSON
        list of ``{"seq", "to", "type", "payload", "wamid", "time", "phone_number_id"}``; ``seq`` keeps growing across
        ``DELETE /_fake/messages`` (which forgets them), so a cursor stays valid.
    ``GET /_fake/health``   200.

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
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from chalicelib.domain.messages import mask_phone

logger = logging.getLogger(__name__)

SEND_PATH = re.compile(r"^/(v\d+\.\d+)/([^/]+)/messages$")
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
    if not to:
        raise _required("to")
    if not isinstance(to, str) or not PHONE.fullmatch(to):
        raise GraphRejection(400, 100, details=f"Invalid WhatsApp phone number in 'to': {to!r}")
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
        summary["document"] = {"link": document.get("link"), "filename": document.get("filename")}
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
    ) -> None:
        self.host, self.port = host, port
        self.token, self.app_secret = token, app_secret
        self.webhook_url = webhook_url
        self.status_callbacks = status_callbacks
        self.status_delay = status_delay
        self.waba_id, self.display_phone_number = waba_id, display_phone_number
        self._lock = threading.Lock()
        self._messages: list[dict] = []
        self._faults: list[Fault] = []
        self._attempts: list[str] = []
        self._seq = 0
        self._server: ThreadingHTTPServer | None = None
        self._callbacks: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []

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
            count, self._messages = len(self._messages), []
            self._attempts = []
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
    ) -> None:
        """Make the next ``times`` sends to ``to`` fail (see the module docstring)."""
        with self._lock:
            self._faults.append(
                Fault(to.lstrip("+") if to else None, status, code, message, details, max(times, 1), delay)
            )

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
        to = str(payload.get("to", "")).lstrip("+") if isinstance(payload, dict) else ""
        with self._lock:
            self._attempts.append(to)
        try:
            if not hmac.compare_digest(authorization or "", f"Bearer {self.token}"):
                raise GraphRejection(401, 190)
            self._apply_fault(to)
            validate_payload(payload)
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
        assert isinstance(payload, dict)
        record = self._record(phone_number_id, payload)
        logger.info("graph: → %s %s %s", mask_phone(record["to"]), record["type"], _preview(payload))
        if self.status_callbacks:
            self._callbacks.put(record)
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": payload["to"], "wa_id": record["to"]}],
            "messages": [{"id": record["wamid"]}],
        }

    def _apply_fault(self, to: str) -> None:
        with self._lock:
            fault = next((f for f in self._faults if f.to in (None, to)), None)
            if fault is None:
                return
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        if fault.delay:
            time.sleep(fault.delay)
        rejection = fault.rejection()
        if rejection is not None:
            raise rejection

    def _record(self, phone_number_id: str, payload: dict) -> dict:
        to = payload["to"].lstrip("+")
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
        entry: dict = {
            "id": record["wamid"],
            "status": status,
            "timestamp": str(now),
            "recipient_id": record["to"],
            "conversation": conversation,
            "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
        }
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
            for index, status in enumerate(("sent", "delivered", "read")):
                if index and self.status_delay:
                    time.sleep(self.status_delay)
                self._post_webhook(record, status)

    def _post_webhook(self, record: dict, status: str) -> None:
        url = self.webhook_url
        if not url or not self.status_callbacks:
            return
        raw = json.dumps(self.status_webhook(record, status), separators=(",", ":")).encode()
        request = urllib.request.Request(url, data=raw, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", "facebookexternalua")
        request.add_header("X-Hub-Signature-256", sign(raw, self.app_secret))
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                logger.info("graph: ↩ %s %s → webhook %s", status, record["wamid"], response.status)
        except Exception as exc:  # best effort: a webhook that is down must not stop the fake
            logger.warning("graph: ↩ %s %s → webhook failed: %s", status, record["wamid"], exc)


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the ``FakeGraph`` set as the class attribute ``fake``."""

    fake: FakeGraph
    server_version = "FakeGraph/1.0"

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if match := SEND_PATH.match(path):
            self._reply(*self.fake.handle_send(match.group(2), self.headers.get("Authorization"), raw))
        elif path == "/_fake/faults":
            self._add_fault(raw)
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
        else:
            self._reply(404, {"error": f"no route {url.path}"})

    def do_DELETE(self) -> None:
        path = urlsplit(self.path).path
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
            fields = {k: spec[k] for k in ("to", "status", "code", "times", "message", "details", "delay") if k in spec}
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
