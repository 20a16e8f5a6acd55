"""`python -m devstack redrive QUEUE`: move a dead-letter queue's messages back to the queue they came from.

Safe because every consumer is idempotent (a decision applies once, a customer message is handled once, replies go
through the outbox). Locally (the running stack, or --endpoint) the messages are moved one by one: sent to the
source queue (a FIFO one keeps its message group; the dead-letter message id becomes the deduplication id, as SQS's
own redrive does), then deleted from the dead-letter queue. With --aws, SQS itself moves them: StartMessageMoveTask
from the dead-letter queue to its source queue.

QUEUE is the source queue's short name as in infra/template.json (inbound, approvals). The scheduled jobs' dead
letters are events, not queue messages: run the job again with `python -m devstack schedule NAME`.
"""

from __future__ import annotations

import json
import sys

from devstack.provision import load_template


def queue_pairs(template: dict | None = None) -> dict[str, tuple[str, str]]:
    """{short name: (source queue name suffix, dead-letter queue name suffix)} from the template's redrive policies."""
    template = template or load_template()
    resources = template["Resources"]
    pairs = {}
    for spec in resources.values():
        props = spec.get("Properties", {})
        if spec.get("Type") == "AWS::SQS::Queue" and "RedrivePolicy" in props:
            dlq = resources[props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]]["Properties"]
            source = props["QueueName"]["Fn::Sub"].replace("${ResourcePrefix}-", "")
            pairs[source.removesuffix(".fifo")] = (
                source,
                dlq["QueueName"]["Fn::Sub"].replace("${ResourcePrefix}-", ""),
            )
    return pairs


def _names(prefix: str, queue: str) -> tuple[str, str]:
    pairs = queue_pairs()
    if queue not in pairs:
        hint = (
            " (scheduled jobs: run them again with `python -m devstack schedule NAME`)" if "schedule" in queue else ""
        )
        raise SystemExit(f"no dead-letter queue for {queue!r}; there are: {', '.join(sorted(pairs))}{hint}")
    source, dlq = pairs[queue]
    return f"{prefix}-{source}", f"{prefix}-{dlq}"


def redrive_locally(sqs, prefix: str, queue: str) -> int:
    """Move every message of ``queue``'s dead-letter queue back to it; return how many moved."""
    source_name, dlq_name = _names(prefix, queue)
    source = sqs.get_queue_url(QueueName=source_name)["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
    fifo = source_name.endswith(".fifo")
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return moved
        for message in messages:
            send = {"QueueUrl": source, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                send["MessageAttributes"] = message["MessageAttributes"]
            if fifo:
                send["MessageGroupId"] = message["Attributes"]["MessageGroupId"]
                send["MessageDeduplicationId"] = message["MessageId"]
            sqs.send_message(**send)
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            moved += 1


def redrive_on_aws(sqs, prefix: str, queue: str) -> dict:
    """Start SQS's own move task from the dead-letter queue back to its source; return the task handle and count."""
    source_name, dlq_name = _names(prefix, queue)

    def arn(name):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    dlq_arn, source_arn = arn(dlq_name), arn(source_name)
    task = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=source_arn)
    return {"task_handle": task["TaskHandle"], "from": dlq_name, "to": source_name}


def main(args) -> int:
    import os

    import boto3

    if args.aws:
        prefix = args.prefix or f"bharatbiz-{args.stage}"
        sqs = boto3.session.Session().client("sqs")
        result = redrive_on_aws(sqs, prefix, args.queue)
        print(json.dumps(result))
        print(
            "SQS moves the messages in the background; watch with "
            f"`aws sqs list-message-move-tasks --source-arn <{result['from']} ARN>`.",
            file=sys.stderr,
        )
        return 0
    from devstack.emulator import FAKE_CREDENTIALS

    for key, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    endpoint, prefix = args.endpoint, args.prefix
    if not endpoint or not prefix:
        from devstack.client import stack_info

        info = stack_info()
        endpoint, prefix = endpoint or info["aws_url"], prefix or info["resource_prefix"]
    sqs = boto3.session.Session(region_name=os.environ["AWS_DEFAULT_REGION"]).client("sqs", endpoint_url=endpoint)
    moved = redrive_locally(sqs, prefix, args.queue)
    print(json.dumps({"moved": moved, "queue": args.queue}))
    return 0
