"""Stock persistence: the batches table through PynamoDB (its in-memory fake is in adapters/memory.py).

Batches change only through conditional writes:
- import puts a batch only if its id does not exist yet (re-importing a file changes nothing; counts of a batch
  already on the books are never overwritten by a file, because sales since the first import would be undone);
- a stock movement (``StockChange``) is one update ``rolls = rolls + Δr, loose_meters = loose_meters + Δl`` with the
  condition ``rolls >= needed_rolls AND loose_meters >= needed_loose``; several movements go in one transaction, so
  they all happen or none does. A failed condition becomes ``OutOfStock`` naming the batches that refused.

Reserved stock (confirmed by a customer, waiting for the owner) has left ``rolls``/``loose_meters`` and is counted in
``reserved_meters``, so nobody else is offered it.

An import is validated whole before anything is written (a bad row imports nothing), then written in transactions of
up to 100 batches. Should a file of more than 100 batches be interrupted between two transactions, running the same
import again completes it: inserts are idempotent on the batch id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from chalicelib.domain.errors import OutOfStock
from chalicelib.domain.money import meters
from chalicelib.domain.stock import AllocationPart, Batch, StockChange, release_change, stock_change

TRANSACTION_LIMIT = 100  # DynamoDB's items per TransactWriteItems


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int


def _sort_key(first: str, batch: Batch) -> str:
    return f"{first}#{batch.received_on.isoformat()}#{batch.batch_id}"


class DynamoStockRepository:
    """Batches in DynamoDB (the batches table of ``tables``, a dynamo_models.Tables). Queries use the by-material and
    by-color indexes; writes are conditional."""

    def __init__(self, tables):
        self._t = tables

    def get(self, batch_id: str) -> Batch | None:
        from pynamodb.exceptions import DoesNotExist

        BatchRecord = self._t.BatchRecord

        try:
            return _to_batch(BatchRecord.get(batch_id, consistent_read=True))
        except DoesNotExist:
            return None

    def reserved_meters(self, batch_id: str) -> Decimal:
        BatchRecord = self._t.BatchRecord

        return Decimal(BatchRecord.get(batch_id, consistent_read=True).reserved_meters or 0)

    def all_with_reserved(self) -> tuple[list[Batch], dict[str, Decimal]]:
        """Every batch and the meters reserved on each, from one scan (the owner's report)."""
        BatchRecord = self._t.BatchRecord

        records = list(BatchRecord.scan(consistent_read=True))
        reserved = {r.batch_id: Decimal(r.reserved_meters or 0) for r in records}
        return _ordered(_to_batch(r) for r in records), reserved

    def all(self) -> list[Batch]:
        BatchRecord = self._t.BatchRecord

        return _ordered(_to_batch(r) for r in BatchRecord.scan(consistent_read=True))

    def of_material(self, material: str, color: str | None = None) -> list[Batch]:
        BatchRecord = self._t.BatchRecord

        condition = BatchRecord.sort_key.startswith(f"{color}#") if color else None
        return _ordered(_to_batch(r) for r in BatchRecord.by_material.query(material, range_key_condition=condition))

    def of_color(self, color: str) -> list[Batch]:
        BatchRecord = self._t.BatchRecord

        # The colour index shares sort_key with the material index (color#received#id), so it is filtered here.
        return _ordered(_to_batch(r) for r in BatchRecord.by_color.query(color))

    def import_batches(self, batches: list[Batch]) -> ImportResult:
        """Insert the batches that are not on the books yet, in transactions of up to 100; never overwrite."""
        from pynamodb.exceptions import PutError, TransactWriteError
        from pynamodb.transactions import TransactWrite

        BatchRecord = self._t.BatchRecord
        from chalicelib.adapters.dynamo_repos import is_condition_failure

        existing = {r.batch_id for r in BatchRecord.batch_get([b.batch_id for b in batches])} if batches else set()
        new = [b for b in batches if b.batch_id not in existing]
        now = datetime.now(UTC).isoformat()
        for start in range(0, len(new), TRANSACTION_LIMIT):
            chunk = new[start : start + TRANSACTION_LIMIT]
            try:
                with TransactWrite(connection=self._t.connection()) as tx:
                    for batch in chunk:
                        tx.save(_to_record(BatchRecord, batch, now), condition=BatchRecord.batch_id.does_not_exist())
            except TransactWriteError as exc:
                # Another import wrote some of these ids between our read and write: those are unchanged now.
                if getattr(exc, "cause_response_code", "") != "TransactionCanceledException":
                    raise
                for batch in chunk:
                    try:
                        _to_record(BatchRecord, batch, now).save(condition=BatchRecord.batch_id.does_not_exist())
                    except PutError as inner:
                        if not is_condition_failure(inner):
                            raise
                        existing.add(batch.batch_id)
        created = len(batches) - len(existing)
        return ImportResult(created=created, unchanged=len(existing))

    def adjust(self, changes: list[StockChange]) -> None:
        """Apply stock movements in one transaction; raises OutOfStock(batch_ids) if any batch has too little."""
        self._transact([Movement(c) for c in changes])

    def reserve(self, parts: list[AllocationPart]) -> None:
        """Move allocated stock from available to reserved, every batch or none (OutOfStock names the refusers)."""
        self._transact([Movement(stock_change(p), reserved=p.meters) for p in parts])

    def release(self, parts: list[AllocationPart]) -> None:
        """Put reserved stock back on the shelf (rejection, cancellation, expiry), every batch or none."""
        self._transact([Movement(release_change(p), reserved=-p.meters) for p in parts])

    def _transact(self, movements: list[Movement]) -> None:
        from chalicelib.adapters.transactions import TransactionCancelled, run_transaction

        items = movement_items(self._t, merge_movements(movements))
        if not items:
            return
        try:
            run_transaction(self._t, items)
        except TransactionCancelled as cancelled:
            raise OutOfStock("stock moved", cancelled.batch_ids()) from cancelled


def movement_items(tables, merged: list[Movement]) -> list[tuple[str, object]]:
    """One conditional update per batch movement, labelled 'batch#<id>', ready for run_transaction."""
    BatchRecord = tables.BatchRecord

    return [
        (
            f"batch#{m.change.batch_id}",
            lambda tx, m=m: tx.update(
                BatchRecord(m.change.batch_id),
                actions=batch_actions(BatchRecord, m),
                condition=batch_condition(BatchRecord, m),
            ),
        )
        for m in merged
    ]


def reservation_items(tables, order_id: str, parts: list[AllocationPart]) -> list[tuple[str, object]]:
    """Transaction items that reserve an order's allocation: each batch's movement and the order's reservation
    record (first writer wins, so a retried hand-over never reserves twice)."""
    ProcessedKey = tables.ProcessedKey
    record = ProcessedKey(
        f"reservation#{order_id}",
        kind="reservation",
        created_at=datetime.now(UTC).isoformat(),
        detail={"parts": [p.to_dict() for p in parts]},
    )
    items = movement_items(tables, merge_movements([Movement(stock_change(p), reserved=p.meters) for p in parts]))
    return [*items, ("reservation", lambda tx: tx.save(record, condition=ProcessedKey.key.does_not_exist()))]


def release_items(tables, order_id: str, parts: list[AllocationPart]) -> list[tuple[str, object]]:
    """Transaction items that put an order's reserved stock back and forget its reservation record."""
    movements = [Movement(release_change(p), reserved=-p.meters) for p in parts]
    return [*movement_items(tables, merge_movements(movements)), _forget_reservation(tables, order_id)]


def deduction_items(tables, order_id: str, parts: list[AllocationPart]) -> list[tuple[str, object]]:
    """Transaction items that turn an order's reservation into a sale: reserved meters leave the books."""
    movements = [Movement(StockChange(p.batch_id), reserved=-p.meters) for p in parts]
    return [*movement_items(tables, merge_movements(movements)), _forget_reservation(tables, order_id)]


def _forget_reservation(tables, order_id: str) -> tuple[str, object]:
    ProcessedKey = tables.ProcessedKey
    key = ProcessedKey(f"reservation#{order_id}")
    return ("reservation", lambda tx: tx.delete(key, condition=ProcessedKey.key.exists()))


@dataclass(frozen=True)
class Movement:
    """A stock change plus the meters it moves into (+) or out of (-) reservation."""

    change: StockChange
    reserved: Decimal = Decimal(0)


def batch_actions(BatchRecord, m: Movement) -> list:
    """The PynamoDB update actions of one batch movement (also used by the approval transaction)."""
    actions = []
    if m.change.rolls_delta:
        actions.append(BatchRecord.rolls.add(m.change.rolls_delta))
    if m.change.loose_delta:
        actions.append(BatchRecord.loose_meters.add(m.change.loose_delta))
    if m.reserved:
        actions.append(BatchRecord.reserved_meters.add(m.reserved))
    return actions or [BatchRecord.rolls.add(0)]


def batch_condition(BatchRecord, m: Movement):
    """Enough rolls, loose meters and (when taking out of reservation) reserved meters for the movement."""
    condition = (
        BatchRecord.batch_id.exists()
        & (BatchRecord.rolls >= m.change.requires_rolls)
        & (BatchRecord.loose_meters >= m.change.requires_loose)
    )
    if m.reserved < 0:
        condition &= BatchRecord.reserved_meters >= -m.reserved
    return condition


def merge_movements(movements: list[Movement]) -> list[Movement]:
    """One movement per batch (a transaction may not touch an item twice), in batch id order."""
    by_batch: dict[str, Movement] = {}
    for m in movements:
        prev = by_batch.get(m.change.batch_id)
        if prev is None:
            by_batch[m.change.batch_id] = m
            continue
        a, b = prev.change, m.change
        by_batch[a.batch_id] = Movement(
            StockChange(
                batch_id=a.batch_id,
                rolls_removed=a.rolls_removed + b.rolls_removed,
                loose_removed=meters(a.loose_removed + b.loose_removed),
                loose_added=meters(a.loose_added + b.loose_added),
                rolls_added=a.rolls_added + b.rolls_added,
            ),
            reserved=prev.reserved + m.reserved,
        )
    return [by_batch[k] for k in sorted(by_batch)]


def _ordered(batches) -> list[Batch]:
    return sorted(batches, key=lambda b: (b.material, b.color, b.received_on, b.batch_id))


def _to_batch(record) -> Batch:
    return Batch(
        batch_id=record.batch_id,
        material=record.material,
        color=record.color,
        dye_lot=record.dye_lot,
        rolls=int(record.rolls),
        meters_per_roll=meters(record.meters_per_roll),
        loose_meters=meters(record.loose_meters),
        price_per_meter=Decimal(record.price_per_meter).quantize(Decimal("0.01")),
        received_on=date.fromisoformat(record.received_on),
        hsn=record.hsn,
    )


def _to_record(BatchRecord, batch: Batch, imported_at: str):
    return BatchRecord(
        batch.batch_id,
        material=batch.material,
        color=batch.color,
        sort_key=_sort_key(batch.color, batch),
        dye_lot=batch.dye_lot,
        rolls=batch.rolls,
        meters_per_roll=batch.meters_per_roll,
        loose_meters=batch.loose_meters,
        reserved_meters=Decimal(0),
        price_per_meter=batch.price_per_meter,
        received_on=batch.received_on.isoformat(),
        hsn=batch.hsn,
        imported_at=imported_at,
    )
