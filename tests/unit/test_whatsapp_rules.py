"""The WhatsApp client and the delivery use case on in-memory ports: the 24-hour window picks free-form or template,
refusals are handled by kind, statuses settle the outbox with at most one write, BSUIDs go in ``recipient``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.whatsapp import InMemoryOutbox, OutsideWindowError, UndeliverableError, WhatsAppClient
from chalicelib.domain.delivery import refusal_kind, window_open
from chalicelib.domain.messages import OutboundMessage
from chalicelib.domain.webhook import StatusUpdate
from chalicelib.services.delivery import DeliveryService
from chalicelib.templates import template

OWNER = "919800000001"
CUSTOMER = "919812345678"


@dataclass
class Response:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        return json.dumps(self.body).encode()


class Graph:
    """Answers like Meta: each send gets a wamid unless a refusal is queued for the next one."""

    def __init__(self):
        self.sent: list[dict] = []
        self.refusals: list[tuple[int, int]] = []

    def request(self, method, url, body=None, **kwargs):
        payload = json.loads(body)
        if self.refusals:
            status, code = self.refusals.pop(0)
            return Response(status, {"error": {"code": code, "message": f"#{code}"}})
        self.sent.append(payload)
        return Response(200, {"messages": [{"id": f"wamid.graph{len(self.sent)}"}]})


class Window:
    def __init__(self, **last):
        self.last = last

    def last_inbound(self, contact):
        return self.last.get(contact)


class Templates:
    def __init__(self, usable=True):
        self.is_usable = usable

    def usable(self, name, language):
        return self.is_usable


class Health:
    def __init__(self):
        self.problems = []

    def unhealthy(self, code, reason):
        self.problems.append((code, reason))


def world(last_inbound=None, usable=True):
    graph, outbox, health = Graph(), InMemoryOutbox(), Health()
    window = Window(**({CUSTOMER: last_inbound} if last_inbound else {}))
    client = WhatsAppClient(
        "http://graph.test",
        "v21.0",
        "1",
        "token",
        outbox,
        http=graph,
        sleep=lambda s: None,
        window=window,
        templates=Templates(usable),
        health=health,
    )
    return client, graph, outbox, health


def reply_with_fallback(to=CUSTOMER) -> dict:
    payload = OutboundMessage(to=to, text="Your order ORD-1 is approved").to_graph_payload()
    payload["_fallback"] = template("order_approved").payload(to, "en", {"order_id": "ORD-1"})
    payload["_order_id"] = "ORD-1"
    return payload


def hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def test_inside_the_window_the_message_goes_free_form():
    client, graph, _, _ = world(last_inbound=hours_ago(2))
    client.send_payload(reply_with_fallback(), "decided#ORD-1#0")
    assert [p["type"] for p in graph.sent] == ["text"]
    assert "_fallback" not in graph.sent[0] and "_order_id" not in graph.sent[0]


def test_outside_the_window_the_approved_template_goes_instead():
    client, graph, outbox, _ = world(last_inbound=hours_ago(25))
    client.send_payload(reply_with_fallback(), "decided#ORD-1#0")
    assert [(p["type"], p["template"]["name"]) for p in graph.sent] == [("template", "order_approved")]
    assert outbox.get("decided#ORD-1#0").template_sent


def test_outside_the_window_without_a_usable_template_nothing_is_sent_and_the_owner_sees_why():
    client, graph, outbox, _ = world(last_inbound=hours_ago(25), usable=False)
    with pytest.raises(OutsideWindowError):
        client.send_payload(reply_with_fallback(), "decided#ORD-1#0")
    record = outbox.get("decided#ORD-1#0")
    assert graph.sent == []
    assert (record.status, record.error_code, record.attention, record.order_id) == ("failed", 131047, True, "ORD-1")


def test_a_reply_without_fallback_is_sent_free_form_without_reading_the_window():
    client, graph, _, _ = world(last_inbound=None)
    client.send(OutboundMessage(to=CUSTOMER, text="hello"), "reply#w#0")
    assert [p["type"] for p in graph.sent] == ["text"]


def test_a_131047_in_the_response_resends_the_template_once_under_the_same_key():
    client, graph, outbox, _ = world(last_inbound=hours_ago(1))
    graph.refusals.append((400, 131047))
    wamid = client.send_payload(reply_with_fallback(), "decided#ORD-1#0")
    assert [p["type"] for p in graph.sent] == ["template"]
    assert outbox.get("decided#ORD-1#0").wamid == wamid


def test_an_expired_token_turns_health_red_and_the_message_waits_on_the_attention_list():
    client, graph, outbox, health = world(last_inbound=hours_ago(1))
    graph.refusals.append((401, 190))
    with pytest.raises(Exception):
        client.send(OutboundMessage(to=CUSTOMER, text="hello"), "reply#w#0")
    assert health.problems and health.problems[0][0] == 190
    assert outbox.get("reply#w#0").attention


def test_an_undeliverable_number_is_recorded_with_its_reason():
    client, graph, outbox, _ = world(last_inbound=hours_ago(1))
    graph.refusals.append((400, 131026))
    with pytest.raises(UndeliverableError):
        client.send(OutboundMessage(to=CUSTOMER, text="hello"), "reply#w#0")
    record = outbox.get("reply#w#0")
    assert record.error_code == 131026 and "cannot receive" in record.reason and record.attention


def test_a_bsuid_recipient_goes_in_recipient_not_to():
    client, graph, _, _ = world()
    client.send(OutboundMessage(to="IN.1502576394655843", text="hello"), "reply#w#0")
    assert graph.sent[0]["recipient"] == "IN.1502576394655843" and "to" not in graph.sent[0]


# --- the delivery use case ----------------------------------------------------------------------------------------
class CountingOutbox(InMemoryOutbox):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def mark_sent(self, *args, **kwargs):
        self.writes += 1
        return super().mark_sent(*args, **kwargs)

    def settle_pending(self, *args, **kwargs):
        self.writes += 1
        return super().settle_pending(*args, **kwargs)

    def mark_failed(self, *args, **kwargs):
        self.writes += 1
        return super().mark_failed(*args, **kwargs)


def status(kind: str, key: str, code: int | None = None) -> StatusUpdate:
    errors = ({"code": code, "title": "refused"},) if code else ()
    return StatusUpdate("wamid.1", kind, CUSTOMER, "1700000000", errors, key)


def delivery(last_inbound=None):
    client, graph, _, health = world(last_inbound=last_inbound)
    outbox = CountingOutbox()
    client._outbox = outbox
    return DeliveryService(outbox, client, health=health, owner_phone=OWNER), outbox, graph, health


def test_delivered_and_read_statuses_write_nothing_and_sent_settles_with_one_write():
    service, outbox, _, _ = delivery()
    outbox.claim("reply#w#0", CUSTOMER, {"type": "text"})
    outbox.writes = 0

    service.status(status("sent", "reply#w#0"))
    service.status(status("delivered", "reply#w#0"))
    service.status(status("read", "reply#w#0"))

    assert outbox.writes == 1 and outbox.get("reply#w#0").status == "sent"


def test_a_131047_reported_later_resends_the_template_once():
    service, outbox, graph, _ = delivery(last_inbound=hours_ago(1))
    fallback = template("order_approved").payload(CUSTOMER, "en", {"order_id": "ORD-1"})
    outbox.claim("decided#ORD-1#0", CUSTOMER, {"type": "text"}, fallback=fallback)
    outbox.mark_sent("decided#ORD-1#0", "wamid.1")

    first = service.status(status("failed", "decided#ORD-1#0", 131047))
    second = service.status(status("failed", "decided#ORD-1#0", 131047))

    assert (first, second) == ("resent as template", "already recorded")  # Meta repeats webhooks
    assert [p["type"] for p in graph.sent] == ["template"]
    assert outbox.get("decided#ORD-1#0").status == "sent"


def test_an_invoice_refused_later_is_on_the_attention_list_and_the_owner_is_told():
    service, outbox, graph, _ = delivery()
    outbox.claim("invoice#ORD-7", CUSTOMER, {"type": "document"}, order_id="ORD-7")
    outbox.mark_sent("invoice#ORD-7", "wamid.1")

    service.status(status("failed", "invoice#ORD-7", 131026))

    (item,) = service.attention()
    assert (item["order_id"], item["code"]) == ("ORD-7", 131026)
    assert graph.sent[0]["to"] == OWNER and graph.sent[0]["type"] == "template"
    assert "could not be delivered" in json.dumps(graph.sent[0], ensure_ascii=False)
    assert service.handled("invoice#ORD-7") and service.attention() == []


def test_a_permission_failure_reported_later_turns_health_red():
    service, outbox, _, health = delivery()
    outbox.claim("reply#w#0", CUSTOMER, {"type": "text"})
    service.status(status("failed", "reply#w#0", 10))
    assert health.problems and health.problems[0][0] == 10


def test_the_sweep_resends_a_send_whose_worker_died_and_only_once():
    service, outbox, graph, _ = delivery()
    outbox.clock = lambda: 0.0  # claimed at the epoch: long ago
    outbox.claim("reply#w#0", CUSTOMER, OutboundMessage(to=CUSTOMER, text="hello").to_graph_payload())
    outbox.clock = __import__("time").time

    assert service.sweep(older_than_seconds=60) == {"resent": 1, "failed": 0, "skipped": 0}
    assert service.sweep(older_than_seconds=60) == {"resent": 0, "failed": 0, "skipped": 0}
    assert len(graph.sent) == 1 and outbox.get("reply#w#0").attempts == 2


@pytest.mark.parametrize(
    "code,kind",
    [(131047, "window"), (131026, "undeliverable"), (131049, "undeliverable"), (130472, "undeliverable"),
     (131056, "undeliverable"), (190, "auth"), (10, "auth"), (200, "auth"), (130429, "throttled"), (1, "other")],
)  # fmt: skip
def test_each_refusal_code_has_its_kind(code, kind):
    assert refusal_kind(code) == kind


def test_the_window_is_24_hours_from_the_last_inbound_message():
    now = datetime.now(UTC)
    assert window_open((now - timedelta(hours=23, minutes=59)).isoformat(), now)
    assert not window_open((now - timedelta(hours=24, minutes=1)).isoformat(), now)
    assert not window_open(None, now)
