"""The whole local stack: a signed webhook travels to the queue, the worker and back out through the fake Graph API."""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from devstack.client import new_wamid, text_webhook
from tests.conftest import SAMPLES
from tests.e2e.approval_helpers import drain

pytestmark = pytest.mark.e2e


def queued_count(aws, queue="InboundQueue") -> int:
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    attributes = sqs.get_queue_attributes(QueueUrl=aws.resources[queue], AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_a_customer_message_gets_a_whatsapp_reply(client, phone):
    replies = client.send(phone, "hello")
    assert replies, "nothing was sent back"
    assert all(r["to"] == phone for r in replies)
    assert replies[0]["payload"]["type"] in ("text", "interactive")


def test_an_unsigned_webhook_is_refused_and_nothing_is_stored_or_queued(client, phone, aws):
    from chalicelib.bootstrap import container

    wamid = new_wamid()
    status, _ = client.post_webhook(text_webhook(phone, "hello", wamid), signature=None)
    assert status == 401
    status, _ = client.post_webhook(text_webhook(phone, "hello", wamid), signature="sha256=" + "0" * 64)
    assert status == 403  # refused before anything is written or queued: there is nothing to wait for
    assert container().idempotency.claim(f"wamid#{wamid}", "probe", 60) is None  # nobody had claimed it
    assert container().message_log.history(phone) == []
    assert client.messages(to=phone) == []


def test_the_same_webhook_posted_five_times_at_once_is_queued_and_answered_once(client, phone, aws):
    wamid = new_wamid()
    body = json.dumps(text_webhook(phone, "hello", wamid)).encode()
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: client.post_webhook(body), range(5)))
    assert [status for status, _ in answers] == [200] * 5
    queued = sum(json.loads(body_)["queued"] for _, body_ in answers)
    assert queued == 1
    deadline = time.time() + 20
    while time.time() < deadline and not client.handled(wamid):
        time.sleep(0.2)
    drain(aws, "InboundQueue")  # nothing else left to answer: any second reply would have been sent by now
    assert len(client.messages(to=phone)) == 1


def all_samples():
    bodies = [
        ("meta-inbound-text", (SAMPLES / "meta-inbound-text.json").read_text()),
        ("meta-status-sent", (SAMPLES / "meta-status-sent.json").read_text()),
    ]
    for path in sorted((SAMPLES / "pywa").glob("*.json")):
        for case, body in json.loads(path.read_text()).items():
            bodies.append((f"{path.stem}/{case}", json.dumps(body)))
    return bodies


def test_every_whatsapp_sample_is_accepted_and_none_lands_in_a_dead_letter_queue(client, aws):
    for name, body in all_samples():
        status, answer = client.post_webhook(body.encode())
        assert status == 200, f"{name}: {status} {answer!r}"
    deadline = time.time() + 30
    while time.time() < deadline and queued_count(aws) > 0:
        time.sleep(0.3)
    assert queued_count(aws) == 0
    assert queued_count(aws, "InboundDeadLetterQueue") == 0


def test_a_record_that_always_fails_reaches_the_dlq_and_its_batch_mates_are_processed_once(stack, aws, client):
    """Poison and good records in one batch: the good ones are answered exactly once, the poison is redriven."""
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    mapping = next(m for m in stack.mappings if m.name.endswith("inbound.fifo"))
    mapping.stop()
    try:
        good = []
        poison_group = "919999000001"
        sqs.send_message(
            QueueUrl=aws.resources["InboundQueue"],
            MessageBody="{not json",
            MessageGroupId=poison_group,
            MessageDeduplicationId=new_wamid()[-40:],
        )
        for _ in range(2):
            phone = "9199" + uuid.uuid4().hex[:8].translate(str.maketrans("abcdef", "123456"))
            wamid = new_wamid()
            body = {"wamid": wamid, "phone": phone, "timestamp": "0", "type": "text", "text": "hello"}
            sqs.send_message(
                QueueUrl=aws.resources["InboundQueue"],
                MessageBody=json.dumps(body),
                MessageGroupId=phone,
                MessageDeduplicationId=wamid[-60:],
            )
            good.append((phone, wamid))
        max_receive = 3
        for _ in range(max_receive * 10):
            mapping.poll_once()
            if queued_count(aws, "InboundDeadLetterQueue") >= 1 and queued_count(aws) == 0:
                break
            time.sleep(mapping.retry_delay + 0.1)
        assert queued_count(aws, "InboundDeadLetterQueue") == 1
        dead = sqs.receive_message(QueueUrl=aws.resources["InboundDeadLetterQueue"], AttributeNames=["All"])
        assert dead["Messages"][0]["Body"] == "{not json"
        # The DLQ is shared by the session: take the poison out, so no later test finds it there.
        sqs.delete_message(
            QueueUrl=aws.resources["InboundDeadLetterQueue"], ReceiptHandle=dead["Messages"][0]["ReceiptHandle"]
        )
        for phone, wamid in good:
            assert client.handled(wamid)
            assert len(client.messages(to=phone)) == 1
    finally:
        stack.mappings.remove(mapping)
        from devstack.mapping import QueueMapping

        stack.mappings.append(
            QueueMapping(
                mapping.sqs,
                mapping.queue_url,
                mapping.handler,
                mapping.name,
                batch_size=mapping.batch_size,
                retry_delay=mapping.retry_delay,
            ).start()
        )
