"""One DynamoDB transaction of labelled items, and which labels' conditions failed when it was cancelled.

DynamoDB answers a cancelled TransactWriteItems with one reason per item, in request order. PynamoDB sends condition
checks, then deletes, then puts, then updates, whatever order they were added in, so the labels are kept in that
same order; otherwise a failed stock condition would be pinned on another item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Item = tuple[str, Callable[[object], object]]  # (label, adds itself to a transaction)

_SENT = {"condition_check": 0, "delete": 1, "save": 2, "update": 3}


class TransactionCancelled(Exception):
    """Some item's condition failed; nothing was written. ``failed`` holds those items' labels."""

    def __init__(self, failed: list[str]):
        super().__init__(f"conditions failed: {', '.join(failed) or 'conflict'}")
        self.failed = failed

    def batch_ids(self) -> tuple[str, ...]:
        return tuple(label.split("#", 1)[1] for label in self.failed if label.startswith("batch#"))


class _Labelled:
    """A TransactWrite wrapper that remembers each added item's label in request order."""

    def __init__(self, transaction):
        self._transaction = transaction
        self._items: list[tuple[int, int, str]] = []
        self._label = ""

    def label(self, label: str) -> _Labelled:
        self._label = label
        return self

    @property
    def labels(self) -> list[str]:
        return [label for _, _, label in sorted(self._items)]

    def save(self, *args, **kwargs):
        return self._add("save", *args, **kwargs)

    def update(self, *args, **kwargs):
        return self._add("update", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._add("delete", *args, **kwargs)

    def condition_check(self, *args, **kwargs):
        return self._add("condition_check", *args, **kwargs)

    def _add(self, kind: str, *args, **kwargs):
        self._items.append((_SENT[kind], len(self._items), self._label))
        return getattr(self._transaction, kind)(*args, **kwargs)


def run_transaction(tables, items: Iterable[Item]) -> None:
    """Write every item or none, through the connection of ``tables`` (a dynamo_models.Tables). Raises
    TransactionCancelled with the labels whose condition failed; any other failure (throttling, the network)
    propagates as PynamoDB raised it."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    tx = None
    try:
        with TransactWrite(connection=tables.connection()) as transaction:
            tx = _Labelled(transaction)
            for label, add in items:
                add(tx.label(label))
    except TransactWriteError as exc:
        if getattr(exc, "cause_response_code", "") != "TransactionCanceledException":
            raise
        failed = [
            label
            for label, reason in zip(tx.labels if tx else [], exc.cancellation_reasons or [], strict=False)
            if reason is not None and reason.code == "ConditionalCheckFailed"
        ]
        raise TransactionCancelled(failed) from exc
