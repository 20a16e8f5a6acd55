"""The audit trail in DynamoDB: entries appended in the same transaction as the change they record (``audit_item``),
or on their own (``append``) where the change is not one transaction; and a subject's history, oldest first.

``tables`` is anything with an ``AuditRecord`` model bound to the stage's audit table (dynamo_models.Tables).
"""

from __future__ import annotations

from chalicelib.domain.audit import AuditEntry


def _record(tables, entry: AuditEntry):
    return tables.AuditRecord(
        entry.subject,
        entry.sort_key,
        action=entry.action,
        who=entry.who,
        via=entry.via,
        from_state=entry.from_state,
        to_state=entry.to_state,
        correlation_id=entry.correlation_id,
        detail=entry.detail or None,
        at=entry.at.isoformat(),
    )


def audit_item(tables, entry: AuditEntry) -> tuple[str, object]:
    """A labelled transaction item (see adapters/transactions.py) that appends ``entry``; its sort key is unique,
    so the condition only guards against a clash of two entries in the same microsecond with the same random id."""
    record = _record(tables, entry)
    return ("audit", lambda tx: tx.save(record, condition=tables.AuditRecord.entry.does_not_exist()))


def _entry_dict(record) -> dict:
    return {
        "at": record.at,
        "action": record.action,
        "who": record.who,
        "via": record.via,
        "from": record.from_state,
        "to": record.to_state,
        "correlation_id": record.correlation_id,
        "detail": dict(record.detail or {}),
    }


class DynamoAuditTrail:
    def __init__(self, tables):
        self._t = tables

    def item(self, entry: AuditEntry) -> tuple[str, object]:
        return audit_item(self._t, entry)

    def append(self, *entries: AuditEntry) -> None:
        """Append entries that do not belong to a transaction (one PutItem each)."""
        for entry in entries:
            _record(self._t, entry).save()

    def history(self, subject: str, newest_first: bool = False, limit: int | None = None) -> list[dict]:
        rows = self._t.AuditRecord.query(subject, scan_index_forward=not newest_first, limit=limit)
        return [_entry_dict(r) for r in rows]


class InMemoryAuditTrail:
    """The same contract in a list (unit tests)."""

    def __init__(self):
        self.entries: list[AuditEntry] = []

    def item(self, entry: AuditEntry) -> tuple[str, object]:
        return ("audit", lambda tx: self.entries.append(entry))

    def append(self, *entries: AuditEntry) -> None:
        self.entries.extend(entries)

    def history(self, subject: str, newest_first: bool = False, limit: int | None = None) -> list[dict]:
        found = sorted((e for e in self.entries if e.subject == subject), key=lambda e: e.sort_key)
        found = list(reversed(found)) if newest_first else found
        return [e.to_dict() for e in found[:limit]]
