"""Use case: the owner's count of a batch becomes its books, as a stock movement with who and why, never below
what is reserved (the rules are in domain/stock_taking.py)."""

from __future__ import annotations

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.stock_taking import StockCount, adjustment
from chalicelib.services.ports import AuditTrailPort, StockCountsPort

ADJUSTMENTS = "stock#adjustments"
MAX_ATTEMPTS = 4


class StockTaking:
    def __init__(self, counts: StockCountsPort, audit: AuditTrailPort):
        self._counts = counts
        self._audit = audit

    def adjust(self, batch_id: str, count: StockCount, who: str, via: str, correlation_id: str | None = None) -> dict:
        """Raises NotFound, BelowReserved (the count is less than what waiting orders hold) or CountsMoved (the
        batch kept changing while we wrote)."""
        from chalicelib.domain.stock_taking import CountsMoved

        for attempt in range(MAX_ATTEMPTS):
            batch, reserved = self._counts.read(batch_id)
            change = adjustment(batch, reserved, count)
            entries = [
                AuditEntry(
                    subject=subject,
                    action="stock.adjusted",
                    who=who,
                    via=via,
                    from_state=f"{change.rolls_before} rolls + {change.loose_before} m",
                    to_state=f"{change.rolls_after} rolls + {change.loose_after} m",
                    correlation_id=correlation_id,
                    detail=change.to_dict() | {"material": batch.material, "color": batch.color},
                )
                for subject in (f"batch#{batch_id}", ADJUSTMENTS)
            ]
            try:
                self._counts.apply(change, [self._audit.item(e) for e in entries])
            except CountsMoved:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                continue  # a sale or reservation landed in between: the count still stands, the books moved
            return change.to_dict() | {"at": entries[0].at.isoformat(), "who": who, "via": via}
        raise AssertionError("unreachable")

    def recent(self, limit: int = 50) -> list[dict]:
        """The latest adjustments, newest first (shown with the stock report)."""
        return self._audit.history(ADJUSTMENTS, newest_first=True, limit=limit)
