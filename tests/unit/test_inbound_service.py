"""The webhook use case with in-memory ports: signatures first, then first-writer-wins, then the queue."""

import json
import time

import pytest

from chalicelib.adapters.memory import InMemoryIdempotency, InMemoryMessageLog, InMemoryQueue
from chalicelib.domain.errors import MalformedWebhook, SignatureInvalid, SignatureMissing
from chalicelib.domain.signature import sign
from chalicelib.services.inbound import InboundService
from tests.conftest import SAMPLES

SECRET = "unit-secret"


@pytest.fixture
def world():
    ports = {"idempotency": InMemoryIdempotency(), "queue": InMemoryQueue(), "message_log": InMemoryMessageLog()}
    service = InboundService(app_secret=SECRET, ttl_seconds=3600, **ports)
    return service, ports


def text_body() -> bytes:
    return (SAMPLES / "meta-inbound-text.json").read_bytes()


def test_an_unsigned_post_is_refused_before_anything_is_stored(world):
    service, ports = world
    with pytest.raises(SignatureMissing):
        service.receive(text_body(), None)
    assert ports["queue"].sent == [] and ports["idempotency"].records == {} and ports["message_log"].rows == []


def test_a_wrongly_signed_post_is_refused_before_anything_is_stored(world):
    service, ports = world
    with pytest.raises(SignatureInvalid):
        service.receive(text_body(), sign(text_body(), "not-the-secret"))
    assert ports["queue"].sent == [] and ports["idempotency"].records == {}


def test_a_signed_message_is_queued_under_the_customers_phone_and_its_wamid(world):
    service, ports = world
    result = service.receive(text_body(), sign(text_body(), SECRET))
    assert result.queued == 1
    [sent] = ports["queue"].sent
    assert sent["group_id"] == "16505551234"
    assert sent["dedup_id"] == sent["body"]["wamid"]


def test_the_same_message_delivered_again_is_not_queued_twice(world):
    service, ports = world
    for _ in range(3):
        service.receive(text_body(), sign(text_body(), SECRET))
    assert len(ports["queue"].sent) == 1


def test_a_sent_status_is_never_queued_nor_logged_a_failed_one_is_logged_with_its_errors(world):
    service, ports = world
    body = (SAMPLES / "meta-status-sent.json").read_bytes()
    result = service.receive(body, sign(body, SECRET))
    assert result.statuses == 1 and ports["queue"].sent == [] and ports["message_log"].rows == []

    failed = json.loads(body)
    entry = failed["entry"][0]["changes"][0]["value"]["statuses"][0]
    entry["status"], entry["errors"] = "failed", [{"code": 131026, "title": "Message undeliverable"}]
    raw = json.dumps(failed).encode()
    service.receive(raw, sign(raw, SECRET))
    [row] = ports["message_log"].rows
    assert row["status"] == "failed" and row["errors"][0]["code"] == 131026


def test_a_signed_body_that_is_not_a_webhook_is_refused_with_a_reason_but_not_as_a_whole(world):
    service, ports = world
    body = json.dumps({"entry": "nope"}).encode()
    result = service.receive(body, sign(body, SECRET))
    assert result.refused == 1 and ports["queue"].sent == []


def test_a_signed_body_that_is_not_json_is_refused_whole(world):
    service, _ = world
    body = b"{not json"
    with pytest.raises(MalformedWebhook):
        service.receive(body, sign(body, SECRET))


def test_a_status_echoing_our_outbox_key_settles_a_send_left_pending_by_a_timeout():
    from chalicelib.adapters.whatsapp import InMemoryOutbox

    outbox = InMemoryOutbox()
    outbox.claim("reply#w1#0", "16505551234", {"type": "text"})
    service = InboundService(
        InMemoryIdempotency(), InMemoryQueue(), InMemoryMessageLog(), SECRET, outbox=outbox, ttl_seconds=60
    )
    body = json.loads((SAMPLES / "meta-status-sent.json").read_text())
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] = "reply#w1#0"
    raw = json.dumps(body).encode()
    service.receive(raw, sign(raw, SECRET))
    assert outbox.get("reply#w1#0").status == "sent"


def test_a_redelivery_after_the_claim_went_stale_is_queued_again_as_the_first_may_never_have_reached_the_queue():
    now = [time.time()]  # the in-memory claim stamps real time
    ports = {"idempotency": InMemoryIdempotency(), "queue": InMemoryQueue(), "message_log": InMemoryMessageLog()}
    service = InboundService(app_secret=SECRET, ttl_seconds=3600, clock=lambda: now[0], **ports)
    service.receive(text_body(), sign(text_body(), SECRET))
    now[0] += 31
    service.receive(text_body(), sign(text_body(), SECRET))
    assert [sent["dedup_id"] for sent in ports["queue"].sent] == [ports["queue"].sent[0]["dedup_id"]] * 2
