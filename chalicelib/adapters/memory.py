"""In-memory implementations of the ports, for unit tests; the same contract tests run them and the DynamoDB ones."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class InMemoryIdempotency:
    def __init__(self):
        self.records: dict[str, dict] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, kind: str, ttl_seconds: int, detail: dict | None = None) -> dict | None:
        with self._lock:
            if key in self.records:
                return dict(self.records[key])
            self.records[key] = {
                "key": key,
                "kind": kind,
                "created_at": datetime.now(UTC).isoformat(),
                "detail": dict(detail or {}),
                "claimed_epoch": time.time(),
            }
            return None

    def exists(self, key: str) -> bool:
        return key in self.records

    def update_detail(self, key: str, detail: dict) -> None:
        with self._lock:
            if key in self.records:
                self.records[key]["detail"] = dict(detail)


class InMemoryQueue:
    def __init__(self):
        self.sent: list[dict] = []

    def send(self, body: dict, group_id: str | None = None, dedup_id: str | None = None) -> str:
        self.sent.append({"body": body, "group_id": group_id, "dedup_id": dedup_id})
        return f"m-{len(self.sent)}"


class InMemoryMessageLog:
    def __init__(self):
        self.rows: list[dict] = []

    def record(self, phone, direction, wamid, type, text=None, status=None, errors=None, at=None) -> None:
        self.rows.append(
            {
                "phone": phone,
                "direction": direction,
                "wamid": wamid,
                "type": type,
                "text": text,
                "status": status,
                "errors": errors,
                "at": at or datetime.now(UTC).isoformat(),
            }
        )

    def history(self, phone: str, limit: int = 50) -> list[dict]:
        return [r for r in self.rows if r["phone"] == phone][-limit:]
