"""A stand-in for Lambda's SQS event source mapping: poll a queue, invoke the Chalice handler, delete what succeeded.

Like the real mapping it receives up to the handler's batch size, builds real SQS event records (with
ApproximateReceiveCount, MessageGroupId, …), honours a ReportBatchItemFailures answer, and leaves failed records on
the queue, where the queue's redrive policy (maxReceiveCount in infra/template.json) moves them to the DLQ. One
difference, for watchable local runs: a failed record becomes visible again after ``retry_delay`` seconds instead
of the queue's full visibility timeout.

Like Lambda, a mapping runs several pollers at once (``workers``), each invoking the handler with its own batch.
On a FIFO queue that keeps each message group in order without any bookkeeping here: SQS hands out no message of
a group while an earlier one of that group is in flight (received and neither deleted nor visible again), so two
workers never hold the same customer's messages (the emulator's SQS does the same; see test_mapping.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time

log = logging.getLogger("devstack.mapping")


class LambdaContext:
    """The bits of a Lambda context object that Powertools and Chalice read."""

    def __init__(self, function_name: str, timeout_seconds: int = 60):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:ap-south-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = ""
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.time() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def to_event_record(message: dict, queue_arn: str, region: str) -> dict:
    """One received SQS message as the record Lambda passes to the function."""
    attributes = dict(message.get("Attributes", {}))
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


IDLE_WAIT_NOTIFIED = 1.0  # seconds an idle poller waits for a send before receiving anyway


class QueueMapping:
    """Polls one queue and invokes ``handler(event, context)`` with batches of records."""

    def __init__(
        self,
        sqs,
        queue_url: str,
        handler,
        name: str,
        batch_size: int = 10,
        visibility_timeout: int = 60,
        retry_delay: float = 2.0,
        poll_interval: float = 0.2,
        workers: int = 1,
    ):
        self.sqs, self.queue_url, self.handler, self.name = sqs, queue_url, handler, name
        self.handler_name = getattr(getattr(handler, "func", handler), "__name__", "handler")
        self.batch_size, self.visibility_timeout = batch_size, visibility_timeout
        self.retry_delay, self.poll_interval = retry_delay, poll_interval
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.workers = max(1, workers)
        self.notified = False  # whether wake() is called on every send (then an idle poller waits longer)
        self._activity = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> QueueMapping:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._run, name=f"mapping-{self.name}-{n}", daemon=True)
            for n in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def wake(self) -> None:
        """A message may be waiting: idle pollers receive now."""
        self._activity.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._activity.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.poll_once()
            except Exception:
                log.exception("worker: %s poll failed", self.name)
                handled = 0
            if not handled and not self._stop.is_set():
                # Told of every send: wait for one (a retried record's visibility lapses unannounced, hence the
                # second's cap); otherwise poll every poll_interval.
                if self._activity.wait(IDLE_WAIT_NOTIFIED if self.notified else self.poll_interval):
                    self._activity.clear()

    def poll_once(self) -> int:
        """Receive one batch and invoke the handler; returns how many records were received."""
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            VisibilityTimeout=self.visibility_timeout,
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        region = self.sqs.meta.region_name
        records = [to_event_record(m, self.queue_arn, region) for m in received]
        failed_ids = self._invoke(records)
        done = [r for r in records if r["messageId"] not in failed_ids]
        for record in done:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=record["receiptHandle"])
        for record in records:
            if record["messageId"] in failed_ids:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=record["receiptHandle"],
                    VisibilityTimeout=int(self.retry_delay),
                )
        log.info(
            "worker: %s -> %s: %d record(s), %d ok, %d failed",
            self.name,
            self.handler_name,
            len(records),
            len(done),
            len(failed_ids),
        )
        return len(records)

    def _invoke(self, records: list[dict]) -> set[str]:
        """Call the handler; a ReportBatchItemFailures answer names the failed ids, an exception fails them all."""
        try:
            answer = self.handler({"Records": records}, LambdaContext(self.name))
        except Exception as exc:
            log.warning("worker: %s handler raised %s: the whole batch will be retried", self.name, exc)
            return {r["messageId"] for r in records}
        failures = (answer or {}).get("batchItemFailures", []) if isinstance(answer, dict) else []
        return {f["itemIdentifier"] for f in failures}


def dead_letters(sqs, dlq_url: str) -> list[dict]:
    """Peek at a DLQ's messages without consuming them for long (visibility 0)."""
    messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [json.loads(m["Body"]) if m["Body"].startswith("{") else {"body": m["Body"]} for m in messages]
