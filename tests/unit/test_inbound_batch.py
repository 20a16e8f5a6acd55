"""The inbound SQS handler: partial batch failure that never lets a customer's later message overtake a failed one."""

import json

import pytest

from chalicelib.jobs import sqs


class FailingConversation:
    def __init__(self, failing_wamids):
        self.failing = set(failing_wamids)
        self.handled = []

    def handle(self, message):
        if message.wamid in self.failing:
            raise RuntimeError("WhatsApp throttled")
        self.handled.append(message.wamid)


@pytest.fixture
def conversation(monkeypatch):
    fake = FailingConversation({"w-a1"})
    within_limit = type("FloodControl", (), {"screen": lambda self, message: False})()
    container = type("C", (), {"conversation": fake, "flood_control": within_limit})()
    monkeypatch.setattr("chalicelib.bootstrap.container", lambda: container)
    return fake


def record(n, wamid, phone):
    body = {"wamid": wamid, "phone": phone, "timestamp": "0", "type": "text", "text": "hi"}
    return {
        "messageId": f"m{n}",
        "receiptHandle": f"r{n}",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": phone, "SequenceNumber": str(n)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-south-1:123456789012:q.fifo",
        "awsRegion": "ap-south-1",
    }


def test_a_failed_message_holds_back_its_customers_later_messages_but_not_other_customers(conversation):
    event = {
        "Records": [
            record(1, "w-a1", "911"),
            record(2, "w-b1", "922"),
            record(3, "w-a2", "911"),
            record(4, "w-b2", "922"),
        ]
    }
    result = sqs.process_inbound_batch(event)
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert failed == {"m1", "m3"}
    assert conversation.handled == ["w-b1", "w-b2"]


def test_a_body_that_is_not_a_message_fails_alone(conversation):
    bad = record(1, "x", "933") | {"body": "{not json"}
    result = sqs.process_inbound_batch({"Records": [bad, record(2, "w-b1", "922")]})
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == ["m1"]
    assert conversation.handled == ["w-b1"]
