"""The embedded AWS emulator: moto's server mode on 127.0.0.1, with every request serialised.

moto's threaded server does not keep conditional writes atomic under concurrency: two threads can both read the
old item, both pass the condition and both write (measured: 20 threads x 100 conditional decrements of a stock of
60 gave 61-63 successes). DynamoDB guarantees that a conditional write or a transaction is atomic, and the whole
product relies on it (no overselling, first-writer-wins idempotency). So this server accepts connections on
threads but runs one request at a time through moto, under a single lock, response body included.

Consequence: a request that blocks inside moto blocks everyone. The only such request is an SQS ReceiveMessage
with WaitTimeSeconds > 0, so the lock wrapper caps it to a short poll; devstack's pollers short-poll anyway.
"""

from __future__ import annotations

import json
import logging
import threading

log = logging.getLogger("devstack.emulator")

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts anything; obviously not a real key
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_REGION": "ap-south-1",
}


class SerialisedApp:
    """A WSGI middleware that runs the wrapped app one request at a time and drains its body under the lock."""

    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        _cap_long_poll(environ)
        with self._lock:
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
        start_response(captured["status"], captured["headers"])
        return [body]


def _cap_long_poll(environ) -> None:
    """Turn an SQS long poll (JSON protocol) into a short poll so it cannot hold the lock for seconds."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if not target.endswith("ReceiveMessage"):
        return
    import io

    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        payload = json.loads(raw or b"{}")
        if payload.get("WaitTimeSeconds"):
            payload["WaitTimeSeconds"] = 0
            raw = json.dumps(payload).encode()
    except ValueError:
        pass
    environ["wsgi.input"] = io.BytesIO(raw)
    environ["CONTENT_LENGTH"] = str(len(raw))


class Emulator:
    """moto in server mode, serialised, on host:port (port 0 picks a free one)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Emulator:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call is noise, not a hop
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)
        self._thread.start()
        log.info("emulator: moto (serialised) at %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
