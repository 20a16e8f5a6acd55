"""Use cases of a stock import that is all or nothing at any size: validate every row, stage the import under its
idempotency key, apply it (inline when it fits one transaction, else on the imports queue), and report its outcome.

The import's id is its idempotency key: the caller's ``Idempotency-Key`` when given (a retry of the request
returns the same import and applies nothing twice; the same key with other rows is refused, ``ImportConflict``),
else a fresh id. Without a key, sending the same sheet again is a second import that finds every batch already on
the books (batch ids are hashes of the batch key) and changes nothing. How an import is applied across the
100-item transaction limit and survives a crash midway is described in adapters/stock_imports.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.errors import BadRequest, NotFound
from chalicelib.domain.stock_import import parse_stock_csv, parse_stock_rows
from chalicelib.services.ports import AuditTrailPort, QueuePort, StockImportStorePort, VocabularyProvider

KEY = re.compile(r"[A-Za-z0-9_.:-]{8,80}")
INLINE_CHUNKS = 1  # an import of one chunk is applied before the answer; anything larger is queued


class ImportConflict(BadRequest):
    """The idempotency key was used for an import of other rows."""


class StockImports:
    def __init__(
        self,
        imports: StockImportStorePort,
        queue: QueuePort,
        audit: AuditTrailPort,
        vocabulary: VocabularyProvider,
        has_gst_rate=None,
    ):
        self._imports = imports
        self._queue = queue  # the imports queue
        self._audit = audit
        self._vocabulary = vocabulary
        self._has_gst_rate = has_gst_rate

    def submit_rows(self, rows: object, key: str | None, who: str, via: str, correlation_id: str | None = None):
        """Validate and stage a JSON list of rows; raises BadRequest (not a list, a bad key), StockImportError
        (every bad row with its number) or ImportConflict before anything is written. Returns (record, queued)."""
        if not isinstance(rows, list):
            raise BadRequest("send a JSON list of batch rows")
        batches = parse_stock_rows(rows, self._vocabulary(), self._has_gst_rate)
        return self._submit(batches, key, who, via, correlation_id, inline=False)

    def submit_csv(self, text: str, who: str, via: str, correlation_id: str | None = None):
        """A CSV sheet, applied before returning whatever its size (the command line waits for it)."""
        batches = parse_stock_csv(text, self._vocabulary(), self._has_gst_rate)
        return self._submit(batches, None, who, via, correlation_id, inline=True)[0]

    def _submit(self, batches, key, who, via, correlation_id, inline: bool):
        if key is not None and not KEY.fullmatch(key):
            raise BadRequest("Idempotency-Key is 8 to 80 letters, digits, '_', '-', '.' or ':'")
        fingerprint = hashlib.sha256(
            json.dumps(sorted((b.to_dict() for b in batches), key=lambda b: b["batch_id"])).encode()
        ).hexdigest()
        import_id = key or f"imp-{uuid.uuid4().hex[:20]}"
        record = self._imports.stage(import_id, fingerprint, batches, who, via, correlation_id)
        if record["fingerprint"] != fingerprint:
            raise ImportConflict(f"Idempotency-Key {import_id} was used for an import of other rows")
        if record["state"] == "applied":
            return record, False
        if inline or record["chunks"] <= INLINE_CHUNKS:
            return self.apply(import_id), False
        self._queue.send({"import_id": import_id})
        return record, True

    def apply(self, import_id: str) -> dict:
        """Apply what is left of a staged import (the imports worker, or inline); idempotent and resumable."""
        record = self._imports.find(import_id)
        if record is None:
            raise NotFound(f"no stock import {import_id}")
        entry = AuditEntry(
            subject=f"import#{import_id}",
            action="stock.imported",
            who=record["who"] or "owner",
            via=record["via"] or "api",
            from_state="queued",
            to_state="applied",
            correlation_id=record["correlation_id"],
            detail={"rows": record["rows"]},
        )
        return self._imports.apply(import_id, last_items=[self._audit.item(entry)])

    def status(self, import_id: str) -> dict:
        record = self._imports.find(import_id)
        if record is None:
            raise NotFound(f"no stock import {import_id}")
        return {k: v for k, v in record.items() if k != "fingerprint"}
