"""The ports the use cases depend on, declared once; adapters and in-memory fakes implement them."""

from __future__ import annotations

from typing import Protocol


class IdempotencyPort(Protocol):
    def claim(self, key: str, kind: str, ttl_seconds: int, detail: dict | None = None) -> dict | None:
        """Write ``key`` if nobody has (first writer wins). Returns None when this call won, else the record
        already there (with its 'detail' and 'created_at')."""

    def exists(self, key: str) -> bool:
        """Whether someone has claimed ``key`` (a consistent read; writes nothing)."""

    def update_detail(self, key: str, detail: dict) -> None:
        """Replace the detail of a key this process claimed."""


class QueuePort(Protocol):
    def send(self, body: dict, group_id: str | None = None, dedup_id: str | None = None) -> str:
        """Enqueue one JSON message; FIFO queues need group_id and dedup_id. Returns the message id."""


class MessageLogPort(Protocol):
    def record(
        self,
        phone: str,
        direction: str,
        wamid: str,
        type: str,
        text: str | None = None,
        status: str | None = None,
        errors: list | None = None,
        at: str | None = None,
    ) -> None:
        """Append one inbound/outbound message or delivery status to a customer's log."""

    def history(self, phone: str, limit: int = 50) -> list[dict]:
        """A customer's log, oldest first."""
