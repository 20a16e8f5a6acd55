"""DynamoDB adapters (through PynamoDB) for idempotency keys and the message log.

Failed conditions become domain answers here, never above: a lost first-writer-wins race is returned as the
record that won, not raised as a PynamoDB exception.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import PutError, UpdateError


def _now() -> datetime:
    return datetime.now(UTC)


def is_condition_failure(exc: Exception) -> bool:
    """True when a PynamoDB write failed on its condition (not on throttling or the network)."""
    cause = getattr(exc, "cause_response_code", None)
    return cause in ("ConditionalCheckFailedException", "TransactionCanceledException")


class DynamoIdempotency:
    """First-writer-wins keys with a TTL, in the idempotency table of ``tables`` (a dynamo_models.Tables)."""

    def __init__(self, tables):
        self._t = tables

    def claim(self, key: str, kind: str, ttl_seconds: int, detail: dict | None = None) -> dict | None:
        """Returns None if this call wrote the key, else the existing record. Raises PutError on other failures."""
        ProcessedKey = self._t.ProcessedKey
        now = _now()
        record = ProcessedKey(
            key,
            kind=kind,
            created_at=now.isoformat(),
            detail={**(detail or {}), "claimed_epoch": time.time()},
            expires_at=timedelta(seconds=ttl_seconds),
        )
        try:
            record.save(condition=ProcessedKey.key.does_not_exist())
            return None
        except PutError as exc:
            if not is_condition_failure(exc):
                raise
        existing = ProcessedKey.get(key, consistent_read=True)
        detail = dict(existing.detail or {})
        return {
            "key": key,
            "created_at": existing.created_at,
            "detail": detail,
            "claimed_epoch": detail.get("claimed_epoch", 0),
        }

    def exists(self, key: str) -> bool:
        from pynamodb.exceptions import DoesNotExist

        try:
            self._t.ProcessedKey.get(key, consistent_read=True, attributes_to_get=["key"])
            return True
        except DoesNotExist:
            return False

    def update_detail(self, key: str, detail: dict) -> None:
        ProcessedKey = self._t.ProcessedKey
        try:
            ProcessedKey(key).update(
                actions=[ProcessedKey.detail.set({**detail, "claimed_epoch": time.time()})],
                condition=ProcessedKey.key.exists(),
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise

    def release(self, key: str) -> None:
        """Forget ``key`` so it can be claimed again (a spent link whose decision never reached the queue)."""
        self._t.ProcessedKey(key).delete()


class DynamoMessageLog:
    """Every inbound/outbound message and delivery status of a customer, in time order."""

    def __init__(self, tables, ttl_days: int = 365):
        self._t = tables
        self._ttl = timedelta(days=ttl_days)

    def record(self, phone, direction, wamid, type, text=None, status=None, errors=None, at=None) -> None:
        at = at or _now().isoformat()
        self._t.MessageLogRecord(
            phone or "unknown",
            f"{at}#{direction}#{wamid}#{status or ''}",
            direction=direction,
            wamid=wamid,
            type=type,
            text=text,
            status=status,
            errors=errors,
            expires_at=self._ttl,
        ).save()

    def history(self, phone: str, limit: int = 50) -> list[dict]:
        rows = self._t.MessageLogRecord.query(phone, scan_index_forward=False, limit=limit)
        out = [
            {
                "at": r.at.split("#")[0],
                "direction": r.direction,
                "wamid": r.wamid,
                "type": r.type,
                "text": r.text,
                "status": r.status,
                "errors": r.errors,
            }
            for r in rows
        ]
        return list(reversed(out))

    def count(self, phone: str, direction: str | None = None) -> int:
        return sum(1 for r in self._t.MessageLogRecord.query(phone) if direction is None or r.direction == direction)


class SqsQueue:
    """One SQS queue; FIFO sends carry the customer's phone as group and the wamid as deduplication id."""

    def __init__(self, client, url: str):
        self._client = client
        self._url = url

    def send(self, body: dict, group_id: str | None = None, dedup_id: str | None = None) -> str:
        import json

        args = {"QueueUrl": self._url, "MessageBody": json.dumps(body, ensure_ascii=False)}
        if group_id is not None:
            args["MessageGroupId"] = group_id
        if dedup_id is not None:
            args["MessageDeduplicationId"] = dedup_id
        return self._client.send_message(**args)["MessageId"]
