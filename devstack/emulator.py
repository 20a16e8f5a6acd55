"""The embedded AWS emulator: moto's server mode on 127.0.0.1, with every request serialised.

moto's threaded server does not keep conditional writes atomic under concurrency: two threads can both read the
old item, both pass the condition and both write (measured: 20 threads x 100 conditional decrements of a stock of
60 gave 61-63 successes). DynamoDB guarantees that a conditional write or a transaction is atomic, and the whole
product relies on it (no overselling, first-writer-wins idempotency). So this server accepts connections on
threads but runs one request at a time through moto, under a single lock, response body included.

Consequence: a request that blocks inside moto blocks everyone. The only such request is an SQS ReceiveMessage
with WaitTimeSeconds > 0, so the lock wrapper caps it to a short poll; devstack's pollers short-poll anyway.

Around moto, under the same lock (see emulator_dynamodb.py and emulator_state.py): expired TTL items are swept once
a minute (and freed memory handed back to the operating system), transactions back up items rather than whole
tables, and, when ``state_file`` is given (``make run``), the state is restored from it at start, saved every
``save_seconds`` when something changed and saved at stop.
Tests and benchmarks give no state file: their emulator starts empty and leaves nothing behind.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from pathlib import Path

log = logging.getLogger("devstack.emulator")

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts anything; obviously not a real key
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_REGION": "ap-south-1",
}


def release_free_memory() -> None:
    """Hand the memory Python has freed back to the operating system (glibc's ``malloc_trim``): a long ``make run``
    allocates and frees many small objects on several threads, and glibc keeps freed pages in per-thread arenas, so
    the process's size creeps up with no live data behind it. Does nothing where there is no glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, looked up once, or None (another C library)."""
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _cache_moto_dispatch() -> None:
    """moto's server recomputes, on every request, facts that never change while it runs: the list of its service
    packages (an os.listdir and ~230 isdir calls, to route a request), a response class's method names
    (inspect.getmembers) and an action's snake_case name. Measured under 20 customers, they took about a third of
    the emulator's time. Cached here, for the life of the process."""
    import functools

    from moto import backends
    from moto.core import responses

    if getattr(backends.list_of_moto_modules, "cached", False):
        return
    modules = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules():
        return modules

    list_of_moto_modules.cached = True
    backends.list_of_moto_modules = list_of_moto_modules
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)
    responses.camelcase_to_underscores = functools.lru_cache(maxsize=4096)(responses.camelcase_to_underscores)


class SerialisedApp:
    """A WSGI middleware that runs the wrapped app one request at a time and drains its body under the lock."""

    def __init__(self, app):
        self._app = app
        self.lock = threading.Lock()
        self.changes = 0  # requests that may have changed state (the saver's "anything new?")
        self.listeners: list = []  # called with the queue's URL after a message was sent to it (see on_queue_send)

    def wrap(self, wrapper) -> None:
        with self.lock:
            self._app = wrapper(self._app)
            return self._app

    def __call__(self, environ, start_response):
        _cap_long_poll(environ)
        operation = _operation(environ)
        queue_url = _queue_url(environ) if operation in _QUEUE_SENDS and self.listeners else ""
        with self.lock:
            captured = {}

            def capture(status, headers, exc_info=None):
                captured["status"], captured["headers"] = status, headers
                return lambda data: None

            iterable = self._app(environ, capture)
            try:
                body = b"".join(iterable)
            finally:
                if hasattr(iterable, "close"):
                    iterable.close()
            if _may_change_state(environ, operation, body):
                self.changes += 1
        if operation in _QUEUE_SENDS and captured["status"].startswith("200"):
            for listener in list(self.listeners):
                listener(queue_url)
        start_response(captured["status"], captured["headers"])
        return [body]


ADMIN_PREFIX = "/_devstack/"

_QUEUE_SENDS = frozenset({"SendMessage", "SendMessageBatch", "ChangeMessageVisibility"})


_READ_PREFIXES = ("Get", "BatchGet", "Describe", "List", "Query", "Scan", "TransactGet")


def _operation(environ) -> str:
    """The API operation of a JSON-protocol request (DynamoDB, SQS), '' for REST ones (S3)."""
    return environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]


def _may_change_state(environ, operation: str, body: bytes) -> bool:
    if operation == "ReceiveMessage":
        return b'"Messages"' in body  # an empty poll changes nothing; a delivery changes receive counts
    if operation:
        return not operation.startswith(_READ_PREFIXES)
    return environ.get("REQUEST_METHOD") not in ("GET", "HEAD")


def _json_body(environ) -> tuple[bytes, dict]:
    """A JSON-protocol request's raw body and its parsed object ({} when it is not a JSON object); the body is put
    back for moto to read."""
    import io

    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        parsed = {}
    return raw, parsed if isinstance(parsed, dict) else {}


def _queue_url(environ) -> str:
    """The QueueUrl of a JSON-protocol SQS request."""
    return str(_json_body(environ)[1].get("QueueUrl") or "")


def _cap_long_poll(environ) -> None:
    """Turn an SQS long poll (JSON protocol) into a short poll so it cannot hold the lock for seconds."""
    if not environ.get("HTTP_X_AMZ_TARGET", "").endswith("ReceiveMessage"):
        return
    import io

    _, payload = _json_body(environ)
    if payload.get("WaitTimeSeconds"):
        raw = json.dumps(payload | {"WaitTimeSeconds": 0}).encode()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))


def _keep_alive(handler_class):
    """moto's request handler (werkzeug's, with moto's environ) answering on kept-alive connections, without Nagle's
    delay. werkzeug's own ``run_wsgi`` closes every connection (it drains the socket after each response, which would
    eat the next request): measured under 20 customers, the stack opened about 20 connections to the emulator per
    customer message, each a TCP handshake, a name lookup and a server thread. This ``run_wsgi`` reads the request's
    body whole, runs the app, and answers with a Content-Length, so the connection is ready for the next request."""

    class KeepAlive(handler_class):
        disable_nagle_algorithm = True

        def run_wsgi(self):
            if self.headers.get("Expect", "").lower().strip() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            environ = self.make_environ()
            _read_body(environ)
            captured = {}

            def start_response(status, headers, exc_info=None):
                captured["status"], captured["headers"] = status, headers
                return lambda data: None

            try:
                iterable = self.server.app(environ, start_response)
                try:
                    body = b"".join(iterable)
                finally:
                    if hasattr(iterable, "close"):
                        iterable.close()
                code, _, reason = captured["status"].partition(" ")
                code, headers = int(code), captured["headers"]
            except Exception:
                log.exception("emulator: a request failed")
                self.close_connection = True
                code, reason, headers, body = 500, "Internal Server Error", [], b"internal error"
            self.send_response(code, reason)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            if self.command == "HEAD" or code in (204, 304) or 100 <= code < 200:
                body = b""
                length = next((v for k, v in headers if k.lower() == "content-length"), None)
                if length is not None and self.command == "HEAD":
                    self.send_header("Content-Length", length)
            else:
                self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if body:
                self.wfile.write(body)

    return KeepAlive


def _read_body(environ) -> None:
    """Read the request's body whole (Content-Length, or to the end of a chunked one) into memory."""
    import io

    stream = environ.get("wsgi.input")
    if stream is None or isinstance(stream, io.BytesIO):
        return
    if environ.get("wsgi.input_terminated"):
        raw = stream.read()
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = stream.read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)


class Emulator:
    """moto in server mode, serialised, on host:port (port 0 picks a free one)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: Path | None = None,
        save_seconds: float = 30,
        ttl_sweep_seconds: float = 60,
    ):
        self.host, self.port = host, port
        self.state_file = state_file
        self.save_seconds, self.ttl_sweep_seconds = save_seconds, ttl_sweep_seconds
        self.restored = False  # True when the state came from state_file
        self._app: SerialisedApp | None = None
        self._server = None
        self._thread = None
        self._housekeeper = None
        self._stopping = threading.Event()
        self._saved_changes = 0
        self.admin = None  # a WSGI app for the paths under ADMIN_PREFIX (the child process's control; see below)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Emulator:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from devstack.emulator_dynamodb import (
            install_bounded_deleted_handles,
            install_fast_item_responses,
            install_index_query_shortcut,
            install_item_level_rollback,
            install_untracked_items,
        )

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call is noise, not a hop
        install_item_level_rollback()
        install_index_query_shortcut()
        install_fast_item_responses()
        install_untracked_items()
        install_bounded_deleted_handles()
        _cache_moto_dispatch()
        self._app = SerialisedApp(DomainDispatcherApplication(create_backend_app))
        if self.state_file is not None:
            self._restore()
        self._server = make_server(
            self.host, self.port, self._front, threaded=True, request_handler=_keep_alive(MotoRequestHandler)
        )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)
        self._thread.start()
        self._stopping.clear()
        self._housekeeper = threading.Thread(target=self._housekeeping, name="emulator-housekeeping", daemon=True)
        self._housekeeper.start()
        log.info("emulator: moto (serialised) at %s%s", self.url, " (state restored)" if self.restored else "")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._stopping.set()
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._housekeeper.join(timeout=5)
            self._server = None
            if self.state_file is not None:
                self.save()

    def _front(self, environ, start_response):
        """moto, or the control endpoints (no AWS path starts with ADMIN_PREFIX: bucket names cannot hold "_")."""
        if self.admin is not None and environ.get("PATH_INFO", "").startswith(ADMIN_PREFIX):
            return self.admin(environ, start_response)
        return self._app(environ, start_response)

    def on_queue_send(self, listener) -> None:
        """Call ``listener(queue_url)`` after every message sent to a queue (or made visible again): the local SQS
        mapping waits on this instead of polling empty queues several times a second, as Lambda's long polling
        does."""
        self._app.listeners.append(listener)

    def wrap_backend(self, wrapper) -> None:
        """Put a WSGI middleware around moto, inside the request lock (benchmarks count calls and units with it);
        returns the middleware."""
        return self._app.wrap(wrapper)

    # --- state and housekeeping, always under the request lock ----------------------------------------------------
    def sweep_expired(self, now: float | None = None) -> int:
        """Delete the items past their TTL now (DynamoDB does it in the background; so does the housekeeper)."""
        from devstack.emulator_dynamodb import sweep_expired

        with self._app.lock:
            return sweep_expired(now)

    def save(self, path: Path | None = None) -> float:
        """Write the whole state to ``path`` (default ``state_file``) if anything changed since the last save;
        returns the seconds the request lock was held for it (0 when nothing was saved)."""
        from devstack import emulator_state

        path = path or self.state_file
        with self._app.lock:
            if self._app.changes == self._saved_changes and path.exists():
                return 0.0
            started = time.perf_counter()
            data = emulator_state.capture()
            self._saved_changes = self._app.changes
            held = time.perf_counter() - started
        emulator_state.save(path, data)
        log.debug("emulator: state saved (%d bytes, lock held %.0f ms)", len(data), held * 1000)
        return held

    def _restore(self) -> None:
        from devstack import emulator_state

        if not self.state_file.exists():
            return
        with self._app.lock:
            emulator_state.restore(self.state_file.read_bytes())
        self.restored = True

    def _housekeeping(self) -> None:
        next_sweep = time.monotonic() + self.ttl_sweep_seconds
        next_save = time.monotonic() + self.save_seconds
        while not self._stopping.wait(1.0):
            now = time.monotonic()
            try:
                if now >= next_sweep:
                    next_sweep = now + self.ttl_sweep_seconds
                    swept = self.sweep_expired()
                    if swept:
                        log.debug("emulator: %d expired item(s) deleted", swept)
                    release_free_memory()
                if self.state_file is not None and now >= next_save:
                    next_save = now + self.save_seconds
                    self.save()
            except Exception:
                log.exception("emulator: housekeeping failed")
