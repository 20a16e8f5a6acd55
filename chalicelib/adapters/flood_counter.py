"""Per-customer, per-minute message counters for flood control: one atomic ADD on an item of the idempotency table
('flood#<phone>#<minute>', expiring after two minutes). ``tables`` has ``ProcessedKey`` (dynamo_models.Tables)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

EXPIRY = timedelta(minutes=2)


class DynamoFloodCounter:
    def __init__(self, tables):
        self._t = tables

    def hit(self, phone: str, window: str) -> int:
        """Count one more message of ``phone`` in ``window``; returns the count including this one."""
        ProcessedKey = self._t.ProcessedKey
        record = ProcessedKey(f"flood#{phone}#{window}")
        record.update(
            actions=[
                ProcessedKey.hits.add(1),
                ProcessedKey.kind.set("flood"),
                ProcessedKey.created_at.set(datetime.now(UTC).isoformat()),
                ProcessedKey.expires_at.set(EXPIRY),
            ]
        )
        return int(record.hits)


class InMemoryFloodCounter:
    def __init__(self):
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def hit(self, phone: str, window: str) -> int:
        with self._lock:
            self._counts[(phone, window)] = self._counts.get((phone, window), 0) + 1
            return self._counts[(phone, window)]
