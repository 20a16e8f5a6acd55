"""A stand-in for the Gemini API's generateContent endpoint, with scripted answers, fault injection and a request log.

Routes
    ``POST /{version}/models/{model}:generateContent``  checks the API key (header ``x-goog-api-key``, or ``?key=``)
        as Google does: none → 403 ``PERMISSION_DENIED``; a wrong one → 400 ``INVALID_ARGUMENT`` with the
        ``API_KEY_INVALID`` reason (Google answers a wrong key with 400, not 401). A body without ``contents`` → 400.
        Otherwise answers in Google's shape: ``candidates[0].content.parts[0].text`` holds the JSON answer, with
        ``finishReason``, ``usageMetadata`` (token counts estimated at four characters a token), ``modelVersion``
        and ``responseId``. Every request is recorded first, whatever the answer.
    ``GET /_fake/health``   200.

What it answers (tests script it through the Python API)
    ``reply_with(answer)``       queues an answer: a dict is sent as its JSON, a str as it is (malformed JSON too).
    ``fail_next(status, times)`` the next ``times`` requests get Google's error envelope for ``status``
                                 (``{"error": {"code", "message", "status"}}``).
    ``delay_next(seconds, times)`` the next ``times`` requests wait that long before answering (to make a client time
                                 out); their answer is settled on arrival, so a late one never takes a later script.
    With nothing queued it reads the customer's message (the text after the last "Customer message:") with one rule,
    ``<number> <m|meter|roll|than|gaj|yard> <colour> <material>``, so ``make run`` with a fake key gets answers;
    with a "Pending question: slot=quantity" line in the prompt, a bare "20" or "20 m" is an ANSWER to it.

The answer schema is restated here, not imported from the adapter, on purpose: the fake plays Google and the model.

Run standalone: ``python -m devstack.fake_gemini --port 8091 --api-key fake-gemini-key``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import secrets
import signal
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

GENERATE_PATH = re.compile(r"^/(v\d+(?:alpha|beta)?\d*)/models/([^/:]+):generateContent$")
DEFAULT_API_KEY = "fake-gemini-key"

# Google's status names and wording for the errors a test is likely to inject.
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
ERROR_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "You exceeded your current quota, please check your plan and billing details.",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}
UNITS = {
    "m": "m", "mtr": "m", "mtrs": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m", "मीटर": "m",
    "roll": "roll", "rolls": "roll", "than": "roll", "thaan": "roll", "थान": "roll",
    "gaj": "yard", "gaz": "yard", "yard": "yard", "yards": "yard", "गज": "yard",
}  # fmt: skip
ITEM = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")\s+(\S+)\s+([^\s,]+)")


def google_error(status: int, message: str | None = None, details: list | None = None) -> dict:
    """Google's error envelope."""
    error: dict = {
        "code": status,
        "message": message or ERROR_MESSAGES.get(status, "Unknown error."),
        "status": STATUS_NAMES.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def _api_key_invalid() -> dict:
    message = "API key not valid. Please pass a valid API key."
    return google_error(
        400,
        message,
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message},
        ],
    )


@dataclass(frozen=True)
class GeminiRequest:
    """One request received: where it went, with which key, and its JSON body."""

    path: str
    api_version: str
    model: str
    api_key: str | None
    body: dict

    @property
    def system(self) -> str:
        """The text of the system instruction."""
        return _texts(self.body.get("systemInstruction"))

    @property
    def user(self) -> str:
        """The text of every turn in ``contents``."""
        return "\n".join(_texts(content) for content in self.body.get("contents") or [])

    @property
    def prompt(self) -> str:
        """Everything the model is shown: the system instruction, then the turns."""
        return f"{self.system}\n{self.user}".strip()

    @property
    def generation_config(self) -> dict:
        return self.body.get("generationConfig") or {}


def _texts(content: object) -> str:
    if not isinstance(content, dict):
        return ""
    return "\n".join(str(p.get("text", "")) for p in content.get("parts") or [] if isinstance(p, dict))


@dataclass(frozen=True)
class _Reply:
    text: str
    prompt_tokens: int | None = None
    candidates_tokens: int | None = None


@dataclass
class _Script:
    replies: deque = field(default_factory=deque)  # _Reply
    failures: deque = field(default_factory=deque)  # HTTP statuses
    delays: deque = field(default_factory=deque)  # seconds


class FakeGemini:
    """The fake Gemini API on ``host:port`` (port 0 picks a free one; read ``.url`` after ``start()``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_key: str = DEFAULT_API_KEY) -> None:
        self.host, self.port = host, port
        self.api_key = api_key
        self._lock = threading.Lock()
        self._script = _Script()
        self._requests: list[GeminiRequest] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FakeGemini:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._stopping.clear()
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-gemini", daemon=True)
        self._thread.start()
        logger.info("gemini: fake Gemini API on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes requests that are sleeping through a delay
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._server = None

    def __enter__(self) -> FakeGemini:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # scripting, for tests

    def reply_with(
        self, answer: dict | str, prompt_tokens: int | None = None, candidates_tokens: int | None = None
    ) -> None:
        """Queue the model's next answer: a dict is sent as JSON text, a str as it is. The token counts default to
        an estimate of four characters a token."""
        text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        with self._lock:
            self._script.replies.append(_Reply(text, prompt_tokens, candidates_tokens))

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        """The next ``times`` requests get Google's error for ``status``."""
        with self._lock:
            self._script.failures.extend([status] * max(times, 1))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """The next ``times`` requests wait ``seconds`` before answering."""
        with self._lock:
            self._script.delays.extend([seconds] * max(times, 1))

    @property
    def requests(self) -> list[GeminiRequest]:
        """Requests received since the last ``clear``, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self._requests)

    def clear(self) -> None:
        """Forget the requests and everything scripted."""
        with self._lock:
            self._requests = []
            self._script = _Script()

    # the endpoint

    def handle_generate(self, api_version: str, model: str, api_key: str | None, raw: bytes) -> tuple[int, dict]:
        """Answer one ``POST …:generateContent``: (HTTP status, JSON body)."""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        request = GeminiRequest(
            f"/{api_version}/models/{model}:generateContent",
            api_version,
            model,
            api_key,
            body if isinstance(body, dict) else {},
        )
        with self._lock:  # the whole answer is settled on arrival: a late one must not take a later test's script
            self._requests.append(request)
            delay = self._script.delays.popleft() if self._script.delays else 0.0
            status, answer = self._answer(request, body, api_key)
        if delay:
            self._stopping.wait(delay)
        return status, answer

    def _answer(self, request: GeminiRequest, body: object, api_key: str | None) -> tuple[int, dict]:
        """The answer to ``request``, consuming what is scripted (the caller holds the lock)."""
        if not api_key:
            return 403, google_error(
                403,
                "Method doesn't allow unregistered callers (callers without established identity). "
                "Please use API Key or other form of API consumer identity to call this API.",
            )
        if self.api_key and api_key != self.api_key:
            return 400, _api_key_invalid()
        if self._script.failures:
            failure = self._script.failures.popleft()
            return failure, google_error(failure)
        if not isinstance(body, dict) or not body.get("contents"):
            return 400, google_error(400, "* GenerateContentRequest.contents: contents is not specified\n")
        reply = self._script.replies.popleft() if self._script.replies else None
        if reply is None:
            reply = _Reply(json.dumps(rule_based_answer(request.user), ensure_ascii=False))
        return 200, self._response(request, request.model, reply)

    @staticmethod
    def _response(request: GeminiRequest, model: str, reply: _Reply) -> dict:
        prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else max(1, len(request.prompt) // 4)
        answer_tokens = reply.candidates_tokens if reply.candidates_tokens is not None else max(1, len(reply.text) // 4)
        return {
            "candidates": [
                {"content": {"parts": [{"text": reply.text}], "role": "model"}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": answer_tokens,
                "totalTokenCount": prompt_tokens + answer_tokens,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
            },
            "modelVersion": model,
            "responseId": secrets.token_urlsafe(16),
        }


PENDING = re.compile(r"^Pending question: slot=(\w+)", re.MULTILINE)
BARE_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")?\s*")


def rule_based_answer(user_text: str) -> dict:
    """A reading by rules, in the adapter's answer schema: "<n> <unit> <colour> <material>" is an item; with a
    pending question about a quantity, a bare number is its ANSWER; else unknown."""
    message = user_text.rsplit("Customer message:", 1)[-1].strip()
    pending = PENDING.search(user_text.rsplit("Customer message:", 1)[0])
    bare = BARE_NUMBER.fullmatch(message.lower())
    if pending is not None and pending.group(1) == "quantity" and bare is not None:
        unit = UNITS.get(bare.group(2) or "m", "m")
        answer = {"slot": "quantity", "quantity": float(bare.group(1)), "unit": unit, "raw": message}
        return {
            "intent": "ANSWER",
            "language": "en",
            "items": [],
            "decisions": [],
            "questions": [],
            "unclear": [],
            "certain": True,
            "answer": answer,
        }
    items = [
        {"material": material, "color": color, "quantity": float(number), "unit": UNITS[unit], "raw": match.group(0)}
        for match in ITEM.finditer(message.lower())
        for number, unit, color, material in [match.groups()]
    ]
    return {
        "intent": "ORDER" if items else "UNKNOWN",
        "language": "en",
        "items": items,
        "decisions": [],
        "questions": [],
        "unclear": [] if items else [message],
        "certain": bool(items),
    }


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the ``FakeGemini`` set as the class attribute ``fake``."""

    fake: FakeGemini
    server_version = "FakeGemini/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's httpx client expects of Google

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if match := GENERATE_PATH.match(url.path):
            key = self.headers.get("x-goog-api-key") or parse_qs(url.query).get("key", [None])[0]
            self._reply(*self.fake.handle_generate(match.group(1), match.group(2), key, raw))
        else:
            self._reply(404, google_error(404, f"Unsupported path: {url.path}"))

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/_fake/health":
            self._reply(200, {"ok": True})
        else:
            self._reply(404, google_error(404))

    def _reply(self, status: int, body: object) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left: nothing to tell it
            pass

    def log_message(self, format: str, *args: object) -> None:  # tests read the request log, not stderr
        pass


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_GEMINI_PORT", "8091")))
    parser.add_argument("--api-key", default=os.environ.get("GEMINI_API_KEY", DEFAULT_API_KEY))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    fake = FakeGemini(args.host, args.port, args.api_key).start()
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
