"""The WhatsApp client against the fake Graph API over HTTP: retries, typed errors, the outbox, signed webhooks."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from chalicelib.adapters.whatsapp import (
    AuthError,
    DeliveryUncertainError,
    GraphUnreachableError,
    InMemoryOutbox,
    InvalidRequestError,
    OutsideWindowError,
    ThrottledError,
    WhatsAppClient,
    WhatsAppError,
    parse_graph_error,
)
from chalicelib.domain.messages import Button, Document, OutboundMessage
from devstack.fake_graph import FakeGraph, summarise

pytestmark = pytest.mark.integration

TOKEN = "test-token"
APP_SECRET = "test-app-secret"
VERSION = "v21.0"
PHONE_NUMBER_ID = "106540352242922"
TO = "919812345678"

http = urllib3.PoolManager()


@pytest.fixture(scope="module")
def graph():
    fake = FakeGraph(token=TOKEN, app_secret=APP_SECRET, status_callbacks=False, status_delay=0.01).start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def fresh_graph(graph):
    graph.clear()
    graph.clear_faults()
    graph.status_callbacks, graph.webhook_url = False, None
    graph.user_wrote(TO)  # the customer wrote a minute ago: free-form replies are inside the 24-hour window


@pytest.fixture
def outbox():
    return InMemoryOutbox()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(graph, outbox, sleeps):
    return a_client(graph.url, outbox, sleeps)


def a_client(url, outbox, sleeps, token=TOKEN, timeout=2.0, lease=0.3, **ports):
    def short_sleep(seconds):
        sleeps.append(seconds)
        time.sleep(seconds)

    return WhatsAppClient(
        url,
        VERSION,
        PHONE_NUMBER_ID,
        token,
        outbox,
        timeout=timeout,
        max_retries=3,
        backoff=0.01,
        sleep=short_sleep,
        lease_seconds=lease,
        **ports,
    )


def inject(graph, **fault):
    response = http.request("POST", f"{graph.url}/_fake/faults", json=fault)
    assert response.status == 201, response.data


def a_text(text="Namaste! Your 40 m of sky blue cotton is packed."):
    return OutboundMessage(TO, text)


def eventually(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# --- sending --------------------------------------------------------------------------------------------------------


def test_a_send_returns_metas_wamid_and_graph_records_exactly_one_message(client, graph, outbox):
    wamid = client.send(a_text(), "reply:order-7")

    recorded = graph.messages(to=TO)
    assert wamid.startswith("wamid.")
    assert [m["wamid"] for m in recorded] == [wamid]
    assert recorded[0]["payload"]["text"]["body"] == "Namaste! Your 40 m of sky blue cotton is packed."
    assert outbox.get("reply:order-7").status == "sent"


def test_two_server_errors_are_retried_and_the_message_goes_out_once(client, graph, sleeps):
    inject(graph, to=TO, status=500, times=2)

    wamid = client.send(a_text(), "k-500")

    assert [m["wamid"] for m in graph.messages(to=TO)] == [wamid]
    assert graph.send_attempts(TO) == 3
    assert len(sleeps) == 2


def test_a_rate_limited_send_is_retried(client, graph, sleeps):
    inject(graph, to=TO, status=429, times=1)

    wamid = client.send(a_text(), "k-429")

    assert [m["wamid"] for m in graph.messages(to=TO)] == [wamid]
    assert len(sleeps) == 1


def test_a_bad_request_raises_a_typed_error_without_retrying(client, graph, outbox, sleeps):
    inject(graph, to=TO, status=400, code=131009, times=2)

    with pytest.raises(InvalidRequestError) as raised:
        client.send(a_text(), "k-400")

    assert raised.value.code == 131009 and not raised.value.retryable
    assert graph.send_attempts(TO) == 1 and sleeps == []
    assert graph.messages(to=TO) == []
    assert (outbox.get("k-400").status, outbox.get("k-400").error_code) == ("failed", 131009)


def test_a_customer_silent_for_over_24_hours_raises_outside_window(client, graph):
    inject(graph, to=TO, status=400, code=131047, details="Message failed to send because more than 24 hours")

    with pytest.raises(OutsideWindowError) as raised:
        client.send(a_text(), "k-window")

    assert raised.value.code == 131047
    assert "24 hours" in raised.value.details


def test_a_throttled_send_that_stays_throttled_says_it_can_be_retried_later(client, graph, sleeps):
    inject(graph, to=TO, status=429, code=131056, times=4)

    with pytest.raises(ThrottledError) as raised:
        client.send(a_text(), "k-pair-limit")

    assert raised.value.retryable
    assert graph.send_attempts(TO) == 4 and len(sleeps) == 3


def test_a_wrong_token_raises_auth_error(graph, outbox, sleeps):
    client = a_client(graph.url, outbox, sleeps, token="expired-token")

    with pytest.raises(AuthError) as raised:
        client.send(a_text(), "k-auth")

    assert raised.value.code == 190 and raised.value.http_status == 401
    assert sleeps == []


def test_an_unreachable_graph_raises_after_retrying_and_nothing_is_pending(outbox, sleeps):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{closed.server_address[1]}"
    closed.server_close()

    with pytest.raises(GraphUnreachableError):
        a_client(url, outbox, sleeps).send(a_text(), "k-down")

    assert len(sleeps) == 3
    assert outbox.get("k-down").status == "failed"


# --- the outbox: never twice ----------------------------------------------------------------------------------------


def test_sending_twice_with_the_same_key_sends_once(client, graph):
    first = client.send(a_text(), "reply:order-8")
    second = client.send(a_text(), "reply:order-8")

    assert first == second
    assert len(graph.messages(to=TO)) == 1
    assert graph.send_attempts(TO) == 1


def test_a_send_that_failed_for_sure_goes_out_when_retried_under_the_same_key(client, graph, outbox):
    inject(graph, to=TO, status=503, times=4)
    with pytest.raises(WhatsAppError) as raised:
        client.send(a_text(), "k-later")
    assert raised.value.retryable

    wamid = client.send(a_text(), "k-later")

    assert [m["wamid"] for m in graph.messages(to=TO)] == [wamid]
    assert outbox.get("k-later").attempts == 2


def test_a_timeout_after_meta_got_the_message_is_sent_again_once_after_the_lease(graph, outbox, sleeps):
    inject(graph, to=TO, delay=0.6)
    client = a_client(graph.url, outbox, sleeps, timeout=0.2, lease=0.3)

    with pytest.raises(DeliveryUncertainError) as first:
        client.send(a_text(), "k-slow")
    assert first.value.retryable  # the queue brings the work back
    again = client.send(a_text(), "k-slow")  # waits out the lease, then takes the key over: the one duplicate

    assert again.startswith("wamid.") and client.send(a_text(), "k-slow") == again
    assert outbox.get("k-slow").attempts == 2
    assert eventually(lambda: len(graph.messages(to=TO)) == 2)
    time.sleep(0.2)
    assert graph.send_attempts(TO) == 2


# --- the fake refuses what Meta refuses -----------------------------------------------------------------------------


def graph_payload(**fields):
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, **fields}


def buttons(*titles):
    return {
        "type": "button",
        "body": {"text": "Choose"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{n}", "title": t}} for n, t in enumerate(titles)]},
    }


def list_with_row(title):
    rows = [{"id": "r1", "title": title}]
    return {"type": "list", "body": {"text": "Pick"}, "action": {"button": "Pick", "sections": [{"rows": rows}]}}


@pytest.mark.parametrize(
    ("payload", "code", "hint"),
    [
        (
            graph_payload(type="interactive", interactive=buttons("A much too long button title")),
            131009,
            "Button title",
        ),
        (graph_payload(type="interactive", interactive=buttons("A", "B", "C", "D")), 131009, "buttons count"),
        (
            graph_payload(type="interactive", interactive=list_with_row("A row title of 25 chars!!")),
            131009,
            "Row title",
        ),
        ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}}, 100, "to is required"),
        (graph_payload(text={"body": "hi"}), 100, "type is required"),
        (graph_payload(type="telegram", telegram={}), 100, "Param type must be one of"),
    ],
    ids=["button-title", "four-buttons", "row-title", "no-to", "no-type", "unknown-type"],
)
def test_the_fake_rejects_what_meta_rejects_with_metas_error_shape(graph, payload, code, hint):
    response = http.request(
        "POST",
        f"{graph.url}/{VERSION}/{PHONE_NUMBER_ID}/messages",
        json=payload,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    error = json.loads(response.data)["error"]
    assert response.status == 400
    assert error["code"] == code and error["type"] == "OAuthException" and error["fbtrace_id"]
    assert hint in f"{error['message']} {error.get('error_data', {}).get('details', '')}"
    assert isinstance(parse_graph_error(response.status, response.data), InvalidRequestError)
    assert graph.messages() == []


def test_recorded_messages_are_listed_over_http_after_a_cursor_and_cleared(client, graph):
    client.send(a_text("first"), "k-1")
    client.send(a_text("second"), "k-2")
    first_seq = graph.messages()[0]["seq"]

    listed = json.loads(http.request("GET", f"{graph.url}/_fake/messages?to={TO}&since={first_seq}").data)
    http.request("DELETE", f"{graph.url}/_fake/messages")

    assert [(m["seq"], m["to"], m["type"], m["payload"]["text"]["body"]) for m in listed] == [
        (first_seq + 1, TO, "text", "second")
    ]
    assert {"wamid", "time"} <= listed[0].keys()
    assert graph.messages() == []


def test_summarise_gives_testers_the_text_buttons_and_document():
    confirm = OutboundMessage(TO, "Confirm 40 m?", buttons=(Button("yes:7", "Confirm"),)).to_graph_payload()
    invoice = OutboundMessage(TO, "Invoice", document=Document("https://x.test/i.pdf", "INV-7.pdf")).to_graph_payload()

    assert summarise(confirm) == {
        "to": TO,
        "type": "interactive",
        "text": "Confirm 40 m?",
        "buttons": [{"id": "yes:7", "title": "Confirm"}],
        "list": [],
        "document": None,
    }
    assert summarise(invoice)["document"] == {"link": "https://x.test/i.pdf", "id": None, "filename": "INV-7.pdf"}


# --- status webhooks ------------------------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    """A tiny webhook endpoint that keeps each request's headers and raw body."""
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), raw))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhook", received
    server.shutdown()
    server.server_close()


def test_status_callbacks_arrive_signed_with_the_app_secret_in_order(client, graph, receiver):
    url, received = receiver
    graph.webhook_url, graph.status_callbacks = url, True

    wamid = client.send(a_text(), "reply:order-9")

    def ours():
        return [(headers, raw) for headers, raw in received if wamid.encode() in raw]

    assert eventually(lambda: len(ours()) == 3)
    statuses = []
    for headers, raw in ours():
        expected = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Hub-Signature-256"], expected)
        body = json.loads(raw)
        assert body["object"] == "whatsapp_business_account"
        value = body["entry"][0]["changes"][0]["value"]
        assert value["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
        statuses.append(value["statuses"][0])
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert {s["id"] for s in statuses} == {wamid}
    assert {s["recipient_id"] for s in statuses} == {TO}
    assert {s["biz_opaque_callback_data"] for s in statuses} == {"reply:order-9"}


def test_a_webhook_that_is_down_does_not_stop_the_fake(client, graph):
    graph.webhook_url, graph.status_callbacks = "http://127.0.0.1:9/webhook", True

    client.send(a_text("one"), "k-a")
    second = client.send(a_text("two"), "k-b")

    assert graph.messages(to=TO)[-1]["wamid"] == second


def test_the_fake_enforces_the_pair_rate_limit_as_a_retryable_throttle(graph, outbox, sleeps):
    graph.pair_burst, graph.pair_window = 2, 60.0
    try:
        client = a_client(graph.url, outbox, sleeps)
        client.send(a_text(), "k-1")
        client.send(a_text(), "k-2")
        with pytest.raises(ThrottledError) as refused:
            client.send(a_text(), "k-3")
    finally:
        graph.pair_burst = 0
    assert refused.value.code == 131056 and refused.value.retryable


def test_the_fake_refuses_free_form_outside_the_window_after_accepting_it(graph, outbox, sleeps, receiver):
    url, received = receiver
    graph.webhook_url, graph.status_callbacks = url, True
    stranger = "919800011122"
    client = a_client(graph.url, outbox, sleeps)

    wamid = client.send(OutboundMessage(stranger, "hello"), "k-window")

    def statuses():
        found = []
        for _, raw in received:
            for status in json.loads(raw)["entry"][0]["changes"][0]["value"].get("statuses", []):
                if status["id"] == wamid:
                    found.append(status)
        return found

    assert eventually(lambda: [s["status"] for s in statuses()] == ["sent", "failed"])
    assert statuses()[1]["errors"][0]["code"] == 131047


def test_the_fake_sends_only_approved_templates_with_the_right_parameters(graph, outbox, sleeps):
    from chalicelib.templates import template

    spec = template("order_expired")
    body = json.dumps(spec.create_request("en")).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    created = http.request(
        "POST", f"{graph.url}/{VERSION}/102290129340398/message_templates", body=body, headers=headers
    )
    client = a_client(graph.url, outbox, sleeps)

    sent = client.send_payload(spec.payload(TO, "en", {"order_id": "ORD-1"}), "k-template")
    wrong = spec.payload(TO, "en", {"order_id": "ORD-1"})
    wrong["template"]["components"][0]["parameters"].append({"type": "text", "text": "extra"})
    with pytest.raises(WhatsAppError) as refused:
        client.send_payload(wrong, "k-template-wrong")

    assert json.loads(created.data)["status"] == "APPROVED"
    assert sent.startswith("wamid.") and refused.value.code == 132000
    assert "ORD-1 has expired" in graph.messages(to=TO)[-1]["payload"]["_rendered"]["text"]
