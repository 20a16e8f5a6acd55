"""Stock imports through an import record, so an import of any size is applied wholly, exactly once.

An import is staged, then applied:

stage
    the validated batches are written as chunks ('chunk#00001'…, 98 batches each) and then the record ('record',
    state 'queued', condition: no record yet). The record's id is the import's idempotency key, so staging the
    same import twice stages it once; the record is written last, so a record always has all its chunks.
apply (resumable)
    chunk n is one DynamoDB transaction: every batch of it that is not on the books yet (condition: no such batch
    id, so counts already on the books are never overwritten) and the record's progress ``chunks_done = n``
    (condition: ``chunks_done = n - 1``). 98 batches + the record + an audit entry on the last chunk stay within
    DynamoDB's 100 items per transaction. A worker killed between two chunks leaves the record saying how far it
    got; the queue's retry (or anyone calling apply again) continues from there, and a chunk never applies twice.
    The last chunk's transaction also sets state 'applied'.

``tables`` is anything with ``ImportRecord`` and ``BatchRecord`` models bound to the stage (dynamo_models.Tables).
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.stock import Batch

CHUNK = 98
RECORD = "record"
MAX_CHUNK_ATTEMPTS = 6


def _chunk_part(n: int) -> str:
    return f"chunk#{n:05d}"


def _record_dict(record) -> dict:
    return {
        "import_id": record.import_id,
        "state": record.state,
        "rows": int(record.rows or 0),
        "chunks": int(record.chunks or 0),
        "chunks_done": int(record.chunks_done or 0),
        "created": int(record.created or 0),
        "unchanged": int(record.unchanged or 0),
        "fingerprint": record.fingerprint,
        "who": record.who,
        "via": record.via,
        "correlation_id": record.correlation_id,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


class DynamoStockImports:
    def __init__(self, tables):
        self._t = tables

    def find(self, import_id: str) -> dict | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            return _record_dict(self._t.ImportRecord.get(import_id, RECORD, consistent_read=True))
        except DoesNotExist:
            return None

    def stage(self, import_id: str, fingerprint: str, batches: list[Batch], who: str, via: str, correlation_id):
        """Write the chunks, then the record; returns the record (the one already there if the id was staged)."""
        from pynamodb.exceptions import PutError

        from chalicelib.adapters.dynamo_repos import is_condition_failure

        Record = self._t.ImportRecord
        existing = self.find(import_id)
        if existing is not None:
            return existing
        chunks = [batches[i : i + CHUNK] for i in range(0, len(batches), CHUNK)]
        with Record.batch_write() as writer:
            for n, chunk in enumerate(chunks, start=1):
                writer.save(Record(import_id, _chunk_part(n), batches=[b.to_dict() for b in chunk]))
        now = datetime.now(UTC).isoformat()
        record = Record(
            import_id,
            RECORD,
            state="queued",
            fingerprint=fingerprint,
            rows=len(batches),
            chunks=len(chunks),
            chunks_done=0,
            created=0,
            unchanged=0,
            who=who,
            via=via,
            correlation_id=correlation_id,
            created_at=now,
            updated_at=now,
        )
        try:
            record.save(condition=Record.part.does_not_exist())
        except PutError as exc:
            if not is_condition_failure(exc):
                raise
        return self.find(import_id)

    def apply(self, import_id: str, last_items=()) -> dict:
        """Apply the remaining chunks, each in one transaction; ``last_items`` (labelled transaction items, e.g. an
        audit entry) join the last chunk's transaction. Returns the record; raises KeyError for an unknown id."""
        while True:
            record = self.find(import_id)
            if record is None:
                raise KeyError(import_id)
            if record["state"] == "applied":
                return record
            n = record["chunks_done"] + 1
            if record["chunks"] == 0:
                self._apply_chunk(record, 0, [], last_items)
                continue
            self._apply_chunk(record, n, self._chunk(import_id, n), last_items if n == record["chunks"] else ())

    def _chunk(self, import_id: str, n: int) -> list[Batch]:
        item = self._t.ImportRecord.get(import_id, _chunk_part(n), consistent_read=True)
        return [Batch.from_dict(b) for b in item.batches]

    def _apply_chunk(self, record: dict, n: int, chunk: list[Batch], extra_items) -> None:
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        from chalicelib.adapters.stock_repository import _to_record  # the one mapping of a batch to its item

        Batches, Record = self._t.BatchRecord, self._t.ImportRecord
        for _ in range(MAX_CHUNK_ATTEMPTS):
            ids = [b.batch_id for b in chunk]
            on_books = {r.batch_id for r in Batches.batch_get(ids, attributes_to_get=["batch_id"])} if ids else set()
            new = [b for b in chunk if b.batch_id not in on_books]
            now = datetime.now(UTC).isoformat()
            last = max(n, 0) >= record["chunks"]
            actions = [
                Record.chunks_done.set(max(n, 0)),
                Record.created.add(len(new)),
                Record.unchanged.add(len(chunk) - len(new)),
                Record.updated_at.set(now),
            ]
            if last:
                actions.append(Record.state.set("applied"))
            try:
                with TransactWrite(connection=Record._get_connection().connection) as tx:
                    for batch in new:
                        tx.save(_to_record(Batches, batch, now), condition=Batches.batch_id.does_not_exist())
                    tx.update(
                        Record(record["import_id"], RECORD),
                        actions=actions,
                        condition=(Record.chunks_done == record["chunks_done"]) & (Record.state == "queued"),
                    )
                    for _label, add in extra_items if last else ():
                        add(tx)
                return
            except TransactWriteError as exc:
                if getattr(exc, "cause_response_code", "") != "TransactionCanceledException":
                    raise
                now_record = self.find(record["import_id"])
                if now_record is None or now_record["chunks_done"] != record["chunks_done"]:
                    return  # another worker applied this chunk meanwhile; the caller reads the record again
                # a concurrent import put one of these batch ids between our read and write: read again
        raise RuntimeError(f"chunk {n} of import {record['import_id']} kept conflicting")
