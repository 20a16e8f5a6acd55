"""A batch's counts set from a stock-taking: one conditional update (the counts and reserved meters we read are
still the counts, so a sale or reservation in between is never overwritten) in one transaction with its audit
entries. ``tables`` has ``BatchRecord`` (dynamo_models.Tables)."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.errors import NotFound
from chalicelib.domain.stock import Batch
from chalicelib.domain.stock_taking import Adjustment, CountsMoved


class DynamoStockTaking:
    def __init__(self, tables):
        self._t = tables

    def read(self, batch_id: str) -> tuple[Batch, Decimal]:
        """The batch and its reserved meters, read consistently; raises NotFound."""
        from pynamodb.exceptions import DoesNotExist

        from chalicelib.adapters.stock_repository import _to_batch

        try:
            record = self._t.BatchRecord.get(batch_id, consistent_read=True)
        except DoesNotExist:
            raise NotFound(f"no batch {batch_id}") from None
        return _to_batch(record), Decimal(record.reserved_meters or 0)

    def apply(self, adjustment: Adjustment, items=()) -> None:
        """Write the counts after ``adjustment`` and ``items`` (labelled transaction items) at once; raises
        CountsMoved when the batch is no longer as it was read."""
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        Batches = self._t.BatchRecord
        a = adjustment
        try:
            with TransactWrite(connection=Batches._get_connection().connection) as tx:
                tx.update(
                    Batches(a.batch_id),
                    actions=[Batches.rolls.set(a.rolls_after), Batches.loose_meters.set(a.loose_after)],
                    condition=(
                        (Batches.rolls == a.rolls_before)
                        & (Batches.loose_meters == a.loose_before)
                        & (Batches.reserved_meters == a.reserved_meters)
                    ),
                )
                for _label, add in items:
                    add(tx)
        except TransactWriteError as exc:
            if getattr(exc, "cause_response_code", "") != "TransactionCanceledException":
                raise
            raise CountsMoved(f"batch {a.batch_id} changed while it was counted") from exc


class InMemoryStockTaking:
    """The same contract over an InMemoryStockRepository (unit tests)."""

    def __init__(self, repository):
        self._repo = repository

    def read(self, batch_id: str) -> tuple[Batch, Decimal]:
        batch = self._repo.get(batch_id)
        if batch is None:
            raise NotFound(f"no batch {batch_id}")
        return batch, self._repo.reserved_meters(batch_id)

    def apply(self, adjustment: Adjustment, items=()) -> None:
        from dataclasses import replace

        a = adjustment
        with self._repo._lock:
            batch = self._repo._batches[a.batch_id]
            if (batch.rolls, batch.loose_meters, self._repo.reserved_meters(a.batch_id)) != (
                a.rolls_before,
                a.loose_before,
                a.reserved_meters,
            ):
                raise CountsMoved(a.batch_id)
            self._repo._batches[a.batch_id] = replace(batch, rolls=a.rolls_after, loose_meters=a.loose_after)
            for _label, add in items:
                add(None)
