"""The whole local stack: AWS emulator (in a child process of its own), provisioning, seed data, fake Graph API, the
Chalice app, the SQS event source mappings and the scheduler (threads of this process).

Ports and secrets come from environment variables with obviously fake local defaults (see ``DEFAULTS``). Set
DEVSTACK_AWS_ENDPOINT to use an AWS endpoint that is already running (LocalStack) instead of the embedded emulator.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from devstack.emulator import FAKE_CREDENTIALS, Emulator
from devstack.emulator_process import EmulatorProcess

log = logging.getLogger("devstack")

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = ROOT / ".devstack" / "stack.json"
LISTEN_BACKLOG = 128
EMULATOR_STATE_FILE = ROOT / ".devstack" / "emulator-state.pickle"  # `make run` keeps its data here

DEFAULTS = {
    "DEVSTACK_HOST": "127.0.0.1",
    "DEVSTACK_AWS_PORT": "4566",
    "DEVSTACK_APP_PORT": "8000",
    "DEVSTACK_GRAPH_PORT": "8001",
    "RESOURCE_PREFIX": "bharatbiz-local",
    "STAGE": "local",
    "WHATSAPP_VERIFY_TOKEN": "local-verify-token",
    "WHATSAPP_APP_SECRET": "local-app-secret-not-real",
    "WHATSAPP_TOKEN": "local-graph-token-not-real",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
    "WHATSAPP_API_VERSION": "v21.0",
    "OWNER_PHONE": "919800000001",
    "OWNER_API_KEY": "local-owner-key-not-real",
    "LINK_SIGNING_SECRET": "local-link-secret-not-real",
}


def env_value(name: str) -> str:
    return os.environ.get(name) or DEFAULTS[name]


@dataclass
class StackConfig:
    host: str = field(default_factory=lambda: env_value("DEVSTACK_HOST"))
    aws_port: int = field(default_factory=lambda: int(env_value("DEVSTACK_AWS_PORT")))
    app_port: int = field(default_factory=lambda: int(env_value("DEVSTACK_APP_PORT")))
    graph_port: int = field(default_factory=lambda: int(env_value("DEVSTACK_GRAPH_PORT")))
    aws_endpoint: str | None = field(default_factory=lambda: os.environ.get("DEVSTACK_AWS_ENDPOINT") or None)
    prefix: str = field(default_factory=lambda: env_value("RESOURCE_PREFIX"))
    seed: bool = True
    scheduler: bool = True
    status_callbacks: bool = True
    retry_delay: float = 2.0
    write_state: bool = True
    quiet: bool = False  # no per-request lines from the app server (the demo prints its own story)
    workers_per_queue: int = 4  # concurrent pollers per queue, as Lambda scales an SQS mapping (FIFO groups kept)
    emulator_state: Path | None = None  # keep the embedded emulator's data in this file (`make run`); None: fresh
    # The embedded emulator runs in a child process (a core of its own: see emulator_process.py); True keeps it in
    # this one (benchmarks/memory_growth.py counts moto's objects).
    emulator_in_process: bool = False


class Stack:
    def __init__(self, config: StackConfig | None = None):
        self.config = config or StackConfig()
        self.emulator: Emulator | EmulatorProcess | None = None
        self.graph = None
        self.app_server = None
        self.mappings = []
        self.scheduler = None
        self.aws_url = ""
        self.app_url = ""
        self.graph_url = ""
        self._wrote_state = False

    # ------------------------------------------------------------------------------------------------------------
    def start(self) -> Stack:
        c = self.config
        from chalicelib.logs import install_scrubbing

        install_scrubbing()  # no phone number, message id, link token or secret in any log line of the stack
        for key, value in FAKE_CREDENTIALS.items():
            os.environ.setdefault(key, value)
        if c.aws_endpoint:
            self.aws_url = c.aws_endpoint
        else:
            kind = Emulator if c.emulator_in_process else EmulatorProcess
            self.emulator = kind(c.host, c.aws_port, state_file=c.emulator_state).start()
            self.aws_url = self.emulator.url
        self._start_graph()
        self.app_url = f"http://{c.host}:{self._app_port()}"
        self._export_environment()

        import boto3

        from devstack.provision import provision

        session = boto3.session.Session(region_name=os.environ["AWS_DEFAULT_REGION"])
        provision(session, self.aws_url, {"ResourcePrefix": c.prefix})
        from chalicelib import bootstrap

        container = bootstrap.reset()
        if c.seed and not self.restored:  # sample data goes into an empty stack only, never over kept data
            from devstack.seed import seed

            seed(container)
        self._start_app()
        self._sync_templates(container)
        self._start_mappings(container)
        if c.scheduler:
            self._start_scheduler()
        if c.write_state:
            self._write_state()
        return self

    @property
    def restored(self) -> bool:
        """True when the embedded emulator started from the data a previous run kept."""
        return bool(self.emulator and self.emulator.restored)

    def stop(self) -> None:
        if self.scheduler:
            self.scheduler.stop()
        if self.graph:  # first, so no status callback is posted to an app that is going away
            self.graph.stop()
        for mapping in self.mappings:
            mapping.stop()
        if self.app_server:
            self.app_server.shutdown()
            self.app_server.server_close()
        if self.emulator:
            self.emulator.stop()
        if self._wrote_state and STATE_FILE.exists():  # only its own: a stack that failed to start leaves another's
            STATE_FILE.unlink()

    # ------------------------------------------------------------------------------------------------------------
    def _app_port(self) -> int:
        if self.config.app_port:
            return self.config.app_port
        import socket

        with socket.socket() as s:
            s.bind((self.config.host, 0))
            self.config.app_port = s.getsockname()[1]
        return self.config.app_port

    def _start_graph(self) -> None:
        from devstack.fake_graph import FakeGraph

        c = self.config
        webhook_url = f"http://{c.host}:{self._app_port()}/webhook"
        self.graph = FakeGraph(
            host=c.host,
            port=c.graph_port,
            token=env_value("WHATSAPP_TOKEN"),
            app_secret=env_value("WHATSAPP_APP_SECRET"),
            webhook_url=webhook_url,
            status_callbacks=c.status_callbacks,
        )
        self.graph.start()
        self.graph_url = self.graph.url

    def _export_environment(self) -> None:
        env = {name: env_value(name) for name in DEFAULTS if not name.startswith("DEVSTACK_")}
        env.update(
            {
                "AWS_ENDPOINT_URL": self.aws_url,
                "WHATSAPP_API_BASE": self.graph_url,
                "PUBLIC_BASE_URL": self.app_url,
                "RESOURCE_PREFIX": self.config.prefix,
            }
        )
        os.environ.update(env)

    def _start_app(self) -> None:
        from chalice.config import Config
        from chalice.local import create_local_server

        import app as app_module

        config = Config.create(chalice_stage="local")
        server = create_local_server(app_module.app, config, self.config.host, self._app_port())
        server.server.RequestHandlerClass = functools.partial(
            _access_log_handler_class(self.config.quiet), app_object=FunctionUrlFront(server.app_object), config=config
        )
        self.app_server = server.server
        # Chalice's local server keeps http.server's backlog of 5: 20 customers sending at once saw dropped
        # connections and 3-15 s stalls. Listening again on the bound socket raises it (API Gateway has no such limit).
        self.app_server.socket.listen(LISTEN_BACKLOG)
        threading.Thread(target=self.app_server.serve_forever, name="app", daemon=True).start()

    def _sync_templates(self, container) -> None:
        """Every template of chalicelib/templates created on the fake Graph API (approved at once), as
        `devstack templates sync` would on Meta; the statuses are recorded for the app."""
        from devstack.templates import sync

        rows = sync(
            self.graph_url,
            env_value("WHATSAPP_API_VERSION"),
            container.settings.whatsapp_waba_id or "102290129340398",
            env_value("WHATSAPP_TOKEN"),
            self.app_url,
            registry=container.templates,
        )
        log.info("templates: %s", ", ".join(f"{r['name']}/{r['language']} {r['status']}" for r in rows))

    def _start_mappings(self, container) -> None:
        import app as app_module
        from devstack.mapping import QueueMapping
        from devstack.provision import queue_settings

        by_name = {}
        for logical, spec in queue_settings().items():
            by_name[logical] = spec
        for source in app_module.app.event_sources:
            if type(source).__name__ != "SQSEventConfig":
                continue
            url = container.queue_url(source.queue)
            suffix = source.queue.removeprefix(self.config.prefix + "-")
            spec = next((s for lg, s in by_name.items() if _queue_suffix(lg) == suffix), {"visibility_timeout": 60})
            mapping = QueueMapping(
                container.sqs,
                url,
                getattr(app_module, source.name),
                name=source.queue,
                batch_size=source.batch_size,
                visibility_timeout=spec["visibility_timeout"],
                retry_delay=self.config.retry_delay,
                workers=self.config.workers_per_queue,
            ).start()
            self.mappings.append(mapping)
        if self.emulator is not None:  # embedded: told of each send, the pollers need not poll empty queues
            for mapping in self.mappings:
                mapping.notified = True
            self.emulator.on_queue_send(self._wake_mapping)

    def _wake_mapping(self, queue_url: str) -> None:
        name = queue_url.rstrip("/").rsplit("/", 1)[-1]  # a mapping is named after its queue
        for mapping in self.mappings:
            if not name or mapping.name == name:
                mapping.wake()

    def _start_scheduler(self) -> None:
        import app as app_module
        from devstack.scheduler import Scheduler, scheduled_handlers

        self.scheduler = Scheduler(scheduled_handlers(app_module.app)).start()

    def _write_state(self) -> None:
        STATE_FILE.parent.mkdir(exist_ok=True)
        STATE_FILE.write_text(json.dumps(self.describe(), indent=2))
        self._wrote_state = True

    def describe(self) -> dict:
        return {
            "app_url": self.app_url,
            "graph_url": self.graph_url,
            "aws_url": self.aws_url,
            "resource_prefix": self.config.prefix,
            "owner_phone": env_value("OWNER_PHONE"),
            "whatsapp_app_secret": env_value("WHATSAPP_APP_SECRET"),
            "whatsapp_verify_token": env_value("WHATSAPP_VERIFY_TOKEN"),
            "owner_api_key": env_value("OWNER_API_KEY"),
            "phone_number_id": env_value("WHATSAPP_PHONE_NUMBER_ID"),
            "pid": os.getpid(),
        }


class FunctionUrlFront:
    """Serves ``/webhook`` as the deployment does, through the webhook function's URL (app.receive_webhook, payload
    format 2.0), and every other path through the REST API (the Chalice app). Attributes are the app's."""

    def __init__(self, app):
        self._app = app

    def __getattr__(self, name):
        return getattr(self._app, name)

    def __call__(self, event, context):
        if (event.get("requestContext") or {}).get("resourcePath") != "/webhook":
            return self._app(event, context)
        import app as app_module

        answer = app_module.receive_webhook(_function_url_event(event), context)
        return {
            "statusCode": answer["statusCode"],
            "headers": answer.get("headers") or {},
            "multiValueHeaders": {},
            "body": answer.get("body") or "",
        }


def _function_url_event(event: dict) -> dict:
    """The function URL event (payload format 2.0) a REST API (v1) event from Chalice's local server stands for."""
    context = event.get("requestContext") or {}
    query = dict(event.get("queryStringParameters") or {})
    for name, values in (event.get("multiValueQueryStringParameters") or {}).items():
        query[name] = values[-1] if isinstance(values, list) and values else values
    path = context.get("path") or event.get("path") or "/webhook"
    method = event.get("httpMethod") or context.get("httpMethod") or ""
    body = event.get("body")
    binary = body is not None and not isinstance(body, str)
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in query.items()),
        "headers": {k.lower(): v for k, v in (event.get("headers") or {}).items()},
        "queryStringParameters": query or None,
        "requestContext": {"http": {"method": method, "path": path}, "requestId": context.get("requestId", "")},
        "body": base64.b64encode(body).decode() if binary else body,
        "isBase64Encoded": binary or bool(event.get("isBase64Encoded")),
    }


def _access_log_handler_class(quiet: bool):
    """The app server's request handler, its access log going through logging (so it is scrubbed: an approval
    link's path is a working token) at INFO, or at DEBUG when the stack is quiet."""
    from chalice.local import ChaliceRequestHandler

    level = logging.DEBUG if quiet else logging.INFO
    access = logging.getLogger("devstack.access")

    class AccessLog(ChaliceRequestHandler):
        # No Nagle delay: on a kept-alive connection the response's body waited for the client's delayed ACK of
        # its headers (~40 ms a request, measured).
        disable_nagle_algorithm = True

        def log_message(self, format, *args):
            access.log(level, "app: %s", format % args)

    return AccessLog


def _queue_suffix(logical: str) -> str:
    from devstack.provision import load_template

    name = load_template()["Resources"][logical]["Properties"]["QueueName"]["Fn::Sub"]
    return name.replace("${ResourcePrefix}-", "")
