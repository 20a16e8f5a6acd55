"""The local SQS event source mapping runs several workers per queue, as Lambda does, and keeps each FIFO message
group in order: no two workers ever hold messages of the same group at once."""

import json
import threading
import time
import uuid
from collections import defaultdict

import pytest

pytestmark = pytest.mark.integration

GROUPS = 4
PER_GROUP = 8


def test_workers_run_side_by_side_and_each_fifo_group_is_handled_in_order_by_one_worker_at_a_time(aws):
    from devstack.mapping import QueueMapping

    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    url = sqs.create_queue(
        QueueName=f"mapping-{uuid.uuid4().hex[:12]}.fifo",
        Attributes={"FifoQueue": "true", "VisibilityTimeout": "30"},
    )["QueueUrl"]
    for n in range(PER_GROUP):
        for group in range(GROUPS):
            sqs.send_message(
                QueueUrl=url,
                MessageBody=json.dumps({"group": group, "n": n}),
                MessageGroupId=f"customer-{group}",
                MessageDeduplicationId=f"{group}-{n}",
            )

    handled = defaultdict(list)
    in_flight: dict[int, str] = {}
    overlaps, threads = [], set()
    lock = threading.Lock()
    someone_else_handled = threading.Event()
    first_batch = threading.Lock()

    def handler(event, context):
        me = threading.current_thread().name
        bodies = [json.loads(r["body"]) for r in event["Records"]]
        with lock:
            threads.add(me)
            for group in {b["group"] for b in bodies}:
                if in_flight.get(group) not in (None, me):
                    overlaps.append(group)
                in_flight[group] = me
        if first_batch.acquire(blocking=False):
            someone_else_handled.wait(timeout=10)  # holds its batch until another worker has handled one
        else:
            someone_else_handled.set()
        with lock:
            for body in bodies:
                handled[body["group"]].append(body["n"])
            for group in {b["group"] for b in bodies}:
                in_flight.pop(group, None)
        return {"batchItemFailures": []}

    mapping = QueueMapping(sqs, url, handler, name="mapping-test", batch_size=2, workers=3, poll_interval=0.05)
    mapping.start()
    try:
        deadline = time.monotonic() + 30
        while sum(map(len, handled.values())) < GROUPS * PER_GROUP and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        mapping.stop()

    assert someone_else_handled.is_set()
    assert len(threads) > 1
    assert overlaps == []
    assert {group: ns for group, ns in handled.items()} == {g: list(range(PER_GROUP)) for g in range(GROUPS)}
