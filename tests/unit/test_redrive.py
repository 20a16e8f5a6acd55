"""`devstack redrive --aws` asks SQS to move a dead-letter queue's messages back to the queue they came from."""

import boto3
import pytest
from botocore.stub import Stubber

from devstack.redrive import queue_pairs, redrive_on_aws


def test_every_queue_with_a_dead_letter_queue_can_be_redriven_by_its_short_name():
    pairs = queue_pairs()
    assert pairs["inbound"] == ("inbound.fifo", "inbound-dlq.fifo")
    assert pairs["approvals"] == ("approvals.fifo", "approvals-dlq.fifo")
    assert pairs["imports"] == ("imports", "imports-dlq")


def test_on_aws_the_move_task_goes_from_the_dead_letter_queue_to_its_source():
    sqs = boto3.session.Session(region_name="ap-south-1", aws_access_key_id="x", aws_secret_access_key="x").client(
        "sqs"
    )
    base = "https://sqs.ap-south-1.amazonaws.com/123456789012/"
    arn = "arn:aws:sqs:ap-south-1:123456789012:"
    with Stubber(sqs) as stub:
        for name in ("bharatbiz-dev-approvals-dlq.fifo", "bharatbiz-dev-approvals.fifo"):
            stub.add_response("get_queue_url", {"QueueUrl": base + name}, {"QueueName": name})
            stub.add_response(
                "get_queue_attributes",
                {"Attributes": {"QueueArn": arn + name}},
                {"QueueUrl": base + name, "AttributeNames": ["QueueArn"]},
            )
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "handle-1"},
            {
                "SourceArn": arn + "bharatbiz-dev-approvals-dlq.fifo",
                "DestinationArn": arn + "bharatbiz-dev-approvals.fifo",
            },
        )
        result = redrive_on_aws(sqs, "bharatbiz-dev", "approvals")
    assert result == {
        "task_handle": "handle-1",
        "from": "bharatbiz-dev-approvals-dlq.fifo",
        "to": "bharatbiz-dev-approvals.fifo",
    }


def test_scheduled_jobs_dead_letters_are_not_a_queue_to_redrive():
    with pytest.raises(SystemExit, match="devstack schedule"):
        redrive_on_aws(None, "bharatbiz-dev", "schedules")
