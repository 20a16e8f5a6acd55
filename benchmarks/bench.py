"""`make bench`: the figures issue 14 is judged by, printed in one run on a fresh embedded stack.

Prints, never asserts (shared machines are noisy: read the ratios, which are measured in the same run):

1. webhook ack ÷ floor: POST /webhook answered by the app, against the two calls it cannot avoid (a conditional
   PutItem and a SendMessage, made straight with boto3 on the same emulator);
2. the first message a fresh inbound worker process handles ÷ a warm one, and what the first one loaded;
3. per order, straight and negotiated: AWS calls, DynamoDB units, WhatsApp messages, Lambda invocations, priced
   into $ per 1,000 orders at the prices below (status webhooks' share shown apart);
4. local throughput with 20 customers writing at once;
5. a long run (``--messages``, 5,000 by default): per-message worker time and the process's memory at the start
   and at the end, and what saving the kept state would hold the emulator for.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench.py --messages 1000`` for a shorter long run).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Public on-demand prices, USD, us-east-1 (checked 2025): what the $ figures are computed with.
PRICES = {
    "dynamodb_wru_million": 0.625,
    "dynamodb_rru_million": 0.125,
    "sqs_fifo_requests_million": 0.50,
    "sqs_standard_requests_million": 0.40,
    "s3_put_thousand": 0.005,
    "s3_get_thousand": 0.0004,
    "lambda_requests_million": 0.20,
    "lambda_gb_second": 0.0000166667,
    "api_gateway_rest_requests_million": 3.50,
}
LAMBDA_MEMORY_GB = 0.5  # .chalice/config.json lambda_memory_size
# Requests served by the webhook function's URL (infra/template.json ReceiveWebhookUrl), priced as Lambda only; every
# other request (approval pages, owner API) goes through API Gateway's REST API.
FUNCTION_URL_KINDS = ("webhook", "status")

STRAIGHT = ["20m blue cotton", "tap:confirm"]
NEGOTIATED = [
    "20m blue cotton aur 6m red polyester",
    "tap:alt:L2",
    "tap:pick:L2:polyester:black",
    "tap:confirm",
]
TRAFFIC = ["hello", "20m blue cotton aur 6m red polyester", "tap:alt:L2", "cancel", "status"]


# --- instrumentation -------------------------------------------------------------------------------------------
class Invocations:
    """Lambda-equivalent invocations: API requests (one per HTTP request to the app) and worker batches."""

    def __init__(self):
        self.lock = threading.Lock()
        self.api: list[tuple[str, float]] = []  # (kind, seconds)
        self.worker: list[tuple[str, int, float]] = []  # (queue, records, seconds)
        self.done: dict[str, threading.Event] = {}
        self.per_record: list[float] = []  # inbound worker seconds per record, in order

    def event(self, key: str) -> threading.Event:
        with self.lock:
            return self.done.setdefault(key, threading.Event())

    def finished(self, key: str) -> None:
        """Wake whoever awaits ``key``; keys nobody awaits leave nothing behind (the long run stays flat)."""
        with self.lock:
            waiting = self.done.pop(key, None)
        if waiting is not None:
            waiting.set()


class CountingApp:
    """Stands in for the Chalice app object in the local server: counts and times each API invocation."""

    def __init__(self, app, invocations: Invocations):
        self._app, self._inv = app, invocations

    def __getattr__(self, name):
        return getattr(self._app, name)

    def __call__(self, event, context):
        from benchmarks.meter import set_origin

        body = event.get("body") or b""
        body = body.encode() if isinstance(body, str) else body
        kind = "status" if b'"statuses"' in body else event.get("requestContext", {}).get("resourcePath", "?")
        kind = "webhook" if kind == "/webhook" else ("link" if kind.startswith("/o/") else kind)
        set_origin(kind)
        started = time.perf_counter()
        try:
            return self._app(event, context)
        finally:
            set_origin(None)
            with self._inv.lock:
                self._inv.api.append((kind, time.perf_counter() - started))


def instrument(stack, invocations: Invocations):
    from chalice.config import Config

    from devstack.stack import _access_log_handler_class

    counting = CountingApp(stack.app_server.RequestHandlerClass.keywords["app_object"], invocations)
    stack.app_server.RequestHandlerClass = functools.partial(
        _access_log_handler_class(True), app_object=counting, config=Config.create(chalice_stage="local")
    )
    for mapping in stack.mappings:
        handler, queue = mapping.handler, mapping.name

        def wrapped(event, context, handler=handler, queue=queue):
            from benchmarks.meter import set_origin

            set_origin("worker")
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                set_origin(None)
                seconds = time.perf_counter() - started
                records = event["Records"]
                with invocations.lock:
                    invocations.worker.append((queue, len(records), seconds))
                    if "inbound" in queue:
                        invocations.per_record.extend([seconds / len(records)] * len(records))
                for record in records:
                    body = json.loads(record["body"])
                    invocations.finished(body.get("wamid") or body.get("order_id") or "")

        mapping.handler = wrapped


def bench_stack(**overrides):
    """A fresh embedded stack for a benchmark (free ports, its own prefix, nothing kept, no scheduler, quiet), started.

    The benchmarks' customers write again as soon as they are answered (about 40 messages a minute each), past the
    product's flood limit (CUSTOMER_MESSAGES_PER_MINUTE, 20): with it, most of a long run would be messages
    acknowledged unread, and the figures would measure that shortcut. The limit stays on (every message still
    counts against it), only out of reach; "replies sent" shows every message was answered."""
    from devstack.stack import Stack, StackConfig

    os.environ["CUSTOMER_MESSAGES_PER_MINUTE"] = "1000000"
    settings = {
        "aws_port": 0,
        "app_port": 0,
        "graph_port": 0,
        "prefix": "bharatbiz-bench",
        "scheduler": False,
        "write_state": False,
        "quiet": True,
    }
    return Stack(StackConfig(**(settings | overrides))).start()


# --- talking to the stack --------------------------------------------------------------------------------------
def say(client, invocations, phone: str, text: str, timeout: float = 60) -> None:
    from devstack.client import new_wamid, tap_webhook, text_webhook

    wamid = new_wamid()
    pid = client.info["phone_number_id"]
    if text.startswith("tap:"):
        payload = tap_webhook(phone, text[4:], wamid, phone_number_id=pid)
    else:
        payload = text_webhook(phone, text, wamid, phone_number_id=pid)
    done = invocations.event(wamid)
    from devstack.client import StackNotRunning

    for attempt in range(3):  # an ack slower than the client's 10 s is posted again, as Meta redelivers
        try:
            status, body = client.post_webhook(payload)
            break
        except StackNotRunning:
            if attempt == 2:
                raise
    if status != 200:
        raise RuntimeError(f"webhook answered {status}: {body[:200]!r}")
    if not done.wait(timeout):
        raise TimeoutError(f"{wamid} not handled in {timeout} s")


def settle(stack, invocations, timeout: float = 180) -> None:
    """Wait until every status webhook the fake Graph API owes has been answered (3 per message sent, 2 per one
    refused later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # sent, delivered, read for an accepted message; sent, failed for one accepted and refused later
        owed = sum(2 if m.get("refused") else 3 for m in stack.graph.messages())
        with invocations.lock:
            statuses = sum(1 for kind, _ in invocations.api if kind == "status")
        if statuses >= owed and stack.graph._callbacks.empty():
            return
        time.sleep(0.05)
    print(f"   (status webhooks still owed after {timeout:.0f} s: the figures below include some of them)")


def approve(client, stack, invocations, phone: str, before: int) -> str:
    """The owner opens the Approve link of the newest notification and presses the button."""
    from devstack.client import http

    owner = client.info["owner_phone"]
    notes = [m for m in stack.graph.messages(to=owner, since=before)]
    payload = notes[-1]["payload"]
    if payload.get("_rendered"):  # the owner_new_order template, as the owner sees it (outside the 24-hour window)
        rendered = payload["_rendered"]
        link = next(b["url"] for b in rendered.get("buttons") or [] if b.get("text") == "Approve")
        text = rendered["text"]
    else:  # a free-form notification inside the window
        text = json.dumps(payload, ensure_ascii=False)
        link = re.search(r"Approve: (http\S+?)(?:\\n|\"|\s)", text).group(1)
    order_id = re.search(r"New order (\S+)", text).group(1)
    done = invocations.event(order_id)
    http("GET", link)
    http("POST", link, urlencode({}).encode(), {"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    if not done.wait(60):
        raise TimeoutError(f"approval of {order_id} not handled")
    return order_id


# --- the sections ----------------------------------------------------------------------------------------------
def webhook_ratio(stack, client, aws_url: str, n: int = 120) -> dict:
    import boto3

    from devstack.client import new_wamid, text_webhook

    for mapping in stack.mappings:
        mapping.stop()
    session = boto3.session.Session(region_name=os.environ["AWS_DEFAULT_REGION"])
    ddb = session.client("dynamodb", endpoint_url=aws_url)
    sqs = session.client("sqs", endpoint_url=aws_url)
    floor_queue = sqs.create_queue(
        QueueName="bench-floor.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    )["QueueUrl"]
    table = f"{stack.config.prefix}-idempotency"
    bodies = [
        json.dumps(text_webhook(f"9191{i:08d}", "hello", new_wamid(), phone_number_id=client.info["phone_number_id"]))
        for i in range(n)
    ]
    import http.client
    from urllib.parse import urlsplit

    from chalicelib.domain.signature import sign

    # The ack is timed on a kept-alive connection to the app, as the floor's two calls are to the emulator (boto3's
    # pool): a TCP handshake to the local server is not the webhook's work (on AWS the function URL's front end
    # holds the connection; the Lambda's duration is the ack). Telling the fake Graph API who wrote (Meta's
    # bookkeeping of the 24-hour window) is done before, untimed.
    app = urlsplit(client.info["app_url"])
    connection = http.client.HTTPConnection(app.hostname, app.port, timeout=30)
    secret = client.info["whatsapp_app_secret"]
    acks, floors = [], []
    for i in range(n):  # interleaved, so both see the same machine load
        raw = bodies[i].encode()
        client._tell_graph_who_wrote(raw)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)}
        started = time.perf_counter()
        connection.request("POST", "/webhook", raw, headers)
        answer = connection.getresponse()
        answer.read()
        acks.append(time.perf_counter() - started)
        if answer.status != 200:
            raise RuntimeError(f"webhook answered {answer.status}")
        wamid = f"wamid.FLOOR{i:06d}{time.time_ns()}"
        started = time.perf_counter()
        ddb.put_item(
            TableName=table,
            Item={"key": {"S": f"wamid#{wamid}"}, "kind": {"S": "webhook-message"}},
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": "key"},
        )
        sqs.send_message(
            QueueUrl=floor_queue, MessageBody=bodies[i], MessageGroupId="floor", MessageDeduplicationId=wamid
        )
        floors.append(time.perf_counter() - started)
    connection.close()
    for mapping in stack.mappings:
        mapping.start()
    skip = 20  # warm-up
    ack, floor = statistics.median(acks[skip:]), statistics.median(floors[skip:])
    return {"ack_ms": ack * 1000, "floor_ms": floor * 1000, "ratio": ack / floor}


COLD_WORKER = r"""
import json, os, sys, time
import botocore.session
sessions = []
_init = botocore.session.Session.__init__
def counted(self, *a, **k):
    sessions.append(1)
    _init(self, *a, **k)
botocore.session.Session.__init__ = counted
started = time.perf_counter()
import app
from devstack.mapping import LambdaContext
imported = time.perf_counter() - started

def event(i):
    phone = f"9193{os.getpid() % 1000:03d}{i:05d}"
    body = {"wamid": f"wamid.COLD{os.getpid()}x{i}", "phone": phone, "timestamp": str(int(time.time())),
            "type": "text", "text": "20m blue cotton"}
    return {"Records": [{"messageId": f"m{i}", "receiptHandle": "r", "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": phone, "SentTimestamp": "0"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-south-1:123456789012:x.fifo", "awsRegion": "ap-south-1"}]}

times = []
for i in range(12):
    started = time.perf_counter()
    answer = app.handle_inbound(event(i), LambdaContext("HandleInbound"))
    times.append(time.perf_counter() - started)
    assert not answer.get("batchItemFailures"), answer
heavy = [m for m in ("fpdf", "uharfbuzz", "google.genai", "PIL") if m in sys.modules]
print(json.dumps({"import_s": imported, "first_s": times[0], "warm_s": sorted(times[2:])[len(times[2:]) // 2],
                  "sessions": len(sessions), "heavy": heavy}))
"""


def cold_worker(function_name: str = "") -> dict:
    """A fresh process plays a fresh Lambda: ``import app`` is its init, then it handles records one by one."""
    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": function_name}
    out = subprocess.run(
        [sys.executable, "-c", COLD_WORKER], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_order(stack, client, invocations, meter, script: list[str], phone: str) -> dict:
    settle(stack, invocations)
    before_totals, before_origin = meter.snapshot()
    with invocations.lock:
        api_before, worker_before = len(invocations.api), len(invocations.worker)
    messages_before = len(stack.graph.messages())
    owner_seq = stack.graph.messages()[-1]["seq"] if stack.graph.messages() else 0
    for text in script:
        say(client, invocations, phone, text)
    approve(client, stack, invocations, phone, owner_seq)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the invoice document reaches the customer
        if any(m["type"] == "document" for m in stack.graph.messages(to=phone)):
            break
        time.sleep(0.05)
    settle(stack, invocations)
    totals, by_origin = meter.snapshot()
    totals = totals - before_totals
    from benchmarks.meter import Totals

    status = by_origin.get("status", Totals()) - before_origin.get("status", Totals())
    with invocations.lock:
        api = invocations.api[api_before:]
        worker = invocations.worker[worker_before:]
    return {
        "totals": totals,
        "status_totals": status,
        "api": api,
        "worker": worker,
        "whatsapp": len(stack.graph.messages()) - messages_before,
    }


def price(totals, api: list, worker: list) -> dict:
    """$ of one order (or of a part of it) at PRICES: DynamoDB units, SQS and S3 requests, Lambda invocations and
    GB-seconds (the local durations, at 512 MB), API Gateway requests (not for the webhook's function URL)."""
    sqs = totals.count("sqs.")  # priced as FIFO requests (the dearer of the two)
    s3_put = totals.calls.get("s3.PUT", 0) + totals.calls.get("s3.POST", 0)
    s3_get = totals.calls.get("s3.GET", 0) + totals.calls.get("s3.HEAD", 0)
    gb_seconds = LAMBDA_MEMORY_GB * (sum(s for _, s in api) + sum(s for _, _, s in worker))
    parts = {
        "dynamodb": totals.wru * PRICES["dynamodb_wru_million"] / 1e6
        + totals.rru * PRICES["dynamodb_rru_million"] / 1e6,
        "sqs": sqs * PRICES["sqs_fifo_requests_million"] / 1e6,
        "s3": s3_put * PRICES["s3_put_thousand"] / 1e3 + s3_get * PRICES["s3_get_thousand"] / 1e3,
        "lambda": (len(api) + len(worker)) * PRICES["lambda_requests_million"] / 1e6
        + gb_seconds * PRICES["lambda_gb_second"],
        # Meta's webhooks (messages and statuses) reach the webhook function's URL: no API Gateway charge
        "api_gateway": sum(1 for kind, _ in api if kind not in FUNCTION_URL_KINDS)
        * PRICES["api_gateway_rest_requests_million"]
        / 1e6,
    }
    return {"parts": parts, "total": sum(parts.values())}


def last_seq(stack) -> int:
    """The fake Graph API's count of messages the app sent so far (its ``seq`` keeps counting past what it keeps)."""
    sent = stack.graph.messages()
    return sent[-1]["seq"] if sent else 0


def throughput(stack, client, invocations, customers: int, rounds: int) -> dict:
    errors = []

    def customer(n: int):
        phone = f"9195{n:08d}"
        try:
            for r in range(rounds):
                say(client, invocations, phone, TRAFFIC[r % len(TRAFFIC)], timeout=120)
        except Exception as exc:  # reported, not raised: the figure is what matters
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(customers)]
    sent_before = last_seq(stack)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "replies": last_seq(stack) - sent_before,
        "messages": customers * rounds,
        "seconds": elapsed,
        "per_second": customers * rounds / elapsed,
        "errors": errors,
    }


def memory_reading(stack) -> dict:
    """Live memory of the stack's process (the app, workers, fake Graph API) and of the emulator's (its RSS, of which
    the stored data and the rest)."""
    from devstack.emulator_process import live_rss_mb

    return {"stack": live_rss_mb(), "emulator": stack.emulator.memory()}


def long_run(stack, client, invocations, messages: int, customers: int) -> dict:
    """``messages`` from ``customers``; memory read at the start, after the first window (the first 500 messages, the
    window the per-message time is compared with) and at the end."""
    with invocations.lock:
        start_index = len(invocations.per_record)
    rounds = max(1, messages // customers)
    window = min(500, max(1, customers * rounds // 4))
    first_rounds = max(1, min(rounds - 1, -(-window // customers)))
    readings = {"start": memory_reading(stack)}
    started = time.perf_counter()
    opening = throughput(stack, client, invocations, customers, first_rounds)
    readings["after the first window"] = memory_reading(stack)
    rest = throughput(stack, client, invocations, customers, rounds - first_rounds)
    errors = opening["errors"] + rest["errors"]
    seconds = time.perf_counter() - started
    readings["end"] = memory_reading(stack)
    with invocations.lock:
        times = invocations.per_record[start_index:]
    first, last = statistics.mean(times[:window]), statistics.mean(times[-window:])
    return {
        "messages": len(times),
        "window": window,
        "first_ms": first * 1000,
        "last_ms": last * 1000,
        "ratio": last / first,
        "memory": readings,
        "per_second": customers * rounds / seconds,
        "replies": opening["replies"] + rest["replies"],
        "errors": errors[:3],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages in the long run (default 5000)")
    parser.add_argument("--customers", type=int, default=20)
    args = parser.parse_args(argv)

    import logging

    logging.disable(logging.WARNING)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from benchmarks.meter import RemoteMeter, tag_origin
    from devstack.client import Client

    print(f"make bench: {time.strftime('%Y-%m-%d %H:%M:%S')}, python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    stack = bench_stack()
    meter = RemoteMeter(stack.emulator)
    tag_origin()
    invocations = Invocations()
    instrument(stack, invocations)
    client = Client(info=stack.describe())
    try:
        print("\n1. webhook ack ÷ floor (medians of 100 interleaved requests, workers paused)")
        w = webhook_ratio(stack, client, stack.aws_url)
        print(f"   ack {w['ack_ms']:.1f} ms ÷ floor {w['floor_ms']:.1f} ms (PutItem + SendMessage) = {w['ratio']:.2f}×")
        from benchmarks.meter import Totals

        before = meter.snapshot()[1].get("webhook", Totals())
        say(client, invocations, "919400000001", "hello")
        calls = meter.snapshot()[1]["webhook"] - before
        print(f"   AWS calls on the webhook's path: {calls.count()} ({', '.join(sorted(calls.calls))})")

        print("\n2. inbound worker: first record of a fresh process ÷ a warm one (12 '20m blue cotton' orders)")
        for label, name in (("as the worker's Lambda", "bharatbiz-bench-handle_inbound"), ("unnamed process", "")):
            c = cold_worker(name)
            print(
                f"   {label:22s}: init (import app) {c['import_s'] * 1000:.0f} ms;"
                f" first record {c['first_s'] * 1000:.0f}"
                f" ms ÷ warm {c['warm_s'] * 1000:.0f} ms = {c['first_s'] / c['warm_s']:.1f}×; botocore sessions"
                f" {c['sessions']}; heavy modules loaded: {c['heavy'] or 'none'}"
            )

        print("\n3. per order (customer messages, owner's approval by link, invoice, every status webhook)")
        for name, script, phone in (("straight", STRAIGHT, "919600000001"), ("negotiated", NEGOTIATED, "919600000002")):
            order = one_order(stack, client, invocations, meter, script, phone)
            cost = price(order["totals"], order["api"], order["worker"])
            status_cost = price(order["status_totals"], [a for a in order["api"] if a[0] == "status"], [])
            t = order["totals"]
            kinds = Counter(kind for kind, _ in order["api"])
            print(
                f"   {name:10s}: {t.count()} AWS calls ({t.count('dynamodb')} DynamoDB, {t.count('sqs')} SQS,"
                f" {t.count('s3')} S3), {t.wru:.0f} WRU + {t.rru:.1f} RRU, {order['whatsapp']} WhatsApp messages,"
                f" {len(order['api'])} API requests ({kinds.get('status', 0)} status webhooks),"
                f" {len(order['worker'])} worker invocations"
            )
            print(
                f"   {'':10s}  ${cost['total'] * 1000:.3f} per 1,000 orders ("
                + ", ".join(f"{k} ${v * 1000:.3f}" for k, v in cost["parts"].items())
                + f"); status webhooks: ${status_cost['total'] * 1000:.4f} = {status_cost['total'] / cost['total']:.1%}"
            )
            st = order["status_totals"]
            print(f"   {'':10s}  status webhooks alone: {st.count()} AWS calls, {st.wru:.0f} WRU + {st.rru:.1f} RRU")
            print(f"   {'':10s}  write units by table: {dict(t.wru_by_table.most_common())}")

        print(f"\n4. local throughput, {args.customers} customers writing at once (each waits for its answer)")
        tp = throughput(stack, client, invocations, args.customers, 10)
        print(
            f"   {tp['messages']} messages in {tp['seconds']:.1f} s = {tp['per_second']:.1f} messages/s;"
            f" {tp['replies']} replies sent" + (f"; errors: {tp['errors'][:2]}" if tp["errors"] else "")
        )

        print(f"\n5. long run: {args.messages} messages from {args.customers} customers")
        lr = long_run(stack, client, invocations, args.messages, args.customers)
        print(
            f"   per-message worker time: first {lr['window']} {lr['first_ms']:.1f} ms, last {lr['window']}"
            f" {lr['last_ms']:.1f} ms = {lr['ratio']:.2f}×; {lr['per_second']:.1f} messages/s;"
            f" {lr['replies']} replies sent"
        )
        m = lr["memory"]
        early, end = m["after the first window"], m["end"]
        print(
            "   the stack's process (app, workers, fake Graph API), RSS: "
            + ", ".join(f"{r['stack']:.0f} MB {name}" for name, r in m.items())
            + f"; end ÷ after the first window = {end['stack'] / early['stack']:.2f}×"
            + (f"; errors: {lr['errors']}" if lr["errors"] else "")
        )
        print(
            "   the emulator's process, RSS: "
            + ", ".join(f"{r['emulator']['rss']:.0f} MB" for r in m.values())
            + "; of which stored data: "
            + ", ".join(f"{r['emulator']['stored']:.0f} MB ({r['emulator']['items']} items)" for r in m.values())
        )
        e0, e1 = early["emulator"], end["emulator"]
        per_item = (e1["rss"] - e0["rss"]) / max(1, e1["items"] - e0["items"]) * 1024
        print(
            "     the emulator's rest (moto itself): "
            + ", ".join(f"{r['emulator']['rest']:.0f} MB" for r in m.values())
            + f"; its RSS grew {per_item:.2f} KB per item stored after the first window"
        )
        import tempfile

        state_file = Path(tempfile.mkdtemp()) / "state.pickle"
        held = stack.emulator.save(state_file)
        size = state_file.stat().st_size
        started = time.perf_counter()
        swept = stack.emulator.sweep_expired()
        print(
            f"   keeping the state (make run): saving it held the emulator {held * 1000:.0f} ms"
            f" ({size / 2**20:.1f} MB);"
            f" a TTL sweep {(time.perf_counter() - started) * 1000:.0f} ms ({swept} expired)"
        )
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
