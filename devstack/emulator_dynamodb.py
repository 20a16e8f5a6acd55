"""What the embedded emulator does as DynamoDB and SQS do, where moto 5.2 does not: TTL expiry, transactions and
index queries whose cost does not grow with the size of the table, and memory that grows with the data kept, not with
the traffic served.

- **TTL.** moto records a table's TimeToLiveSpecification but never deletes anything, so idempotency keys, message
  logs and outbox records pile up for as long as the stack runs. ``sweep_expired`` deletes the items whose TTL
  attribute (epoch seconds) is in the past, as DynamoDB's background process does, including its one exception:
  a value more than five years in the past is not treated as an expiry time (DynamoDB ignores such items).
- **Transactions.** moto's TransactWriteItems deep-copies every table a transaction names before applying it, so
  that it can put the copies back if the transaction is cancelled: a one-item transaction on a table of 50,000 items
  copies 50,000 items. ``install_item_level_rollback`` keeps moto's transaction code (conditions, error reasons,
  ordering) and replaces only that backup: the items the transaction names are copied, the tables are not, and a
  cancelled transaction puts those items back.
- **Index queries.** moto answers a query on a global secondary index by listing and sorting every item of the table
  (``Table.all_items``) and then keeping those with the index's key: a customer's latest order cost a sort of all
  orders. ``install_index_query_shortcut`` hands moto's query code only the items carrying the queried key values
  (found with one pass over the table, no sort); moto's own matching, ordering and paging then run unchanged.
- **Memory.** moto remembers every Item and Message object it ever made (``install_untracked_items``) and every
  receipt handle a queue ever deleted (``install_bounded_deleted_handles``); neither is data, and both grew with
  every message served.

All act on moto's in-process backends; the emulator calls them under its request lock.
"""

from __future__ import annotations

import copy as _copy
import json
import time
from collections import OrderedDict

FIVE_YEARS_SECONDS = 5 * 365 * 86400


def tables():
    """Every DynamoDB table moto holds in this process, in every account and region."""
    from moto.backends import get_backend

    for regions in get_backend("dynamodb").values():
        for backend in regions.values():
            yield from backend.tables.values()


def sweep_expired(now: float | None = None) -> int:
    """Delete every item past its TTL in every table with TTL enabled; returns how many were deleted."""
    now = time.time() if now is None else now
    deleted = 0
    for table in tables():
        ttl = table.ttl or {}
        if ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName"):
            deleted += _sweep_table(table, ttl["AttributeName"], now)
    return deleted


def _sweep_table(table, attribute: str, now: float) -> int:
    expired = []
    for value in table.items.values():
        for item in value.values() if table.range_key_attr else (value,):
            if _is_expired(item.attrs.get(attribute), now):
                expired.append((item.hash_key, item.range_key))
    for hash_key, range_key in expired:
        table.delete_item(hash_key, range_key)
    return len(expired)


def _is_expired(value, now: float) -> bool:
    if value is None or value.type != "N":
        return False  # DynamoDB only expires items whose TTL attribute is a number
    try:
        at = float(value.value)
    except (TypeError, ValueError):
        return False
    return now - FIVE_YEARS_SECONDS <= at < now


class _TablesNotCopied:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend during one transaction: "copying" a table
    returns the table itself (so moto's whole-table backup costs nothing and its restore is a no-op), everything
    else is copied as before."""

    @staticmethod
    def deepcopy(value, memo=None):
        from moto.dynamodb.models.table import Table

        if isinstance(value, Table):
            return value
        return _copy.deepcopy(value, memo)

    def __getattr__(self, name):
        return getattr(_copy, name)


def install_item_level_rollback() -> None:
    """Make moto's TransactWriteItems back up the items it names instead of whole tables (idempotent)."""
    from moto.dynamodb import models

    backend_class = models.DynamoDBBackend
    if getattr(backend_class.transact_write_items, "item_level_rollback", False):
        return
    original = backend_class.transact_write_items

    def transact_write_items(self, transact_items):
        undo = _backup_items(self, transact_items)
        real_copy, models.copy = models.copy, _TablesNotCopied()
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(undo):
                _put_back(table, hash_key, range_key, item)
            raise
        finally:
            models.copy = real_copy

    transact_write_items.item_level_rollback = True
    backend_class.transact_write_items = transact_write_items


def _backup_items(backend, transact_items) -> list[tuple]:
    """(table, hash key, range key, a copy of the item or None) for each item the transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    undo = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName") or "")
            if table is None:
                continue
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            if not key or table.hash_key_attr not in key:
                continue  # moto rejects it before changing anything
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in key:
                    continue
                range_key = DynamoType(key[table.range_key_attr])
            current = table.get_item(hash_key, range_key)
            undo.append((table, hash_key, range_key, _copy.deepcopy(current)))
    return undo


def _put_back(table, hash_key, range_key, item) -> None:
    if item is None:
        table.delete_item(hash_key, range_key)
    elif range_key is not None:
        table.items[hash_key][range_key] = item
    else:
        table.items[hash_key] = item


def install_index_query_shortcut() -> None:
    """Make moto's index queries look only at the items with the queried hash key values (idempotent)."""
    import inspect

    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "index_shortcut", False):
        return
    original = Table.query
    signature = inspect.signature(original)

    def query(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        conditions = bound.arguments.get("hash_key_conditions")
        if not bound.arguments.get("index_name") or not conditions:
            return original(self, *args, **kwargs)
        self.all_items = lambda: _items_with(self, conditions)  # shadows the method for this one call
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items

    query.index_shortcut = True
    Table.query = query


def _items_with(table, conditions) -> list:
    """The items whose attributes equal every (name, value) of ``conditions``, in moto's all_items order."""
    matching = []
    for value in table.items.values():
        for item in value.values() if table.range_key_attr else (value,):
            attrs = item.attrs
            if all((found := attrs.get(name)) is not None and found == expected for name, expected in conditions):
                matching.append(item)
    return sorted(matching, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


# DynamoDB's item operations answer with results that are already the wire format (moto's ``dynamo_to_dict``: type
# tags, strings for numbers, raw bytes for binaries). moto's generic serializer walks the botocore output shape for
# each attribute of each item, which was about a quarter of the emulator's CPU under load; for these operations the
# JSON encoding is the same thing done directly (tests/integration/test_emulator_housekeeping.py compares the two).
FAST_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _wire(value):
    if isinstance(value, bytes | bytearray):
        import base64

        return base64.b64encode(value).decode()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def fast_result(result: object) -> str:
    return json.dumps(result, default=_wire, separators=(",", ":"))


def install_fast_item_responses() -> None:
    """Serialise the item operations' successful results straight to JSON (idempotent)."""
    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult.execute_result, "fast", False):
        return
    original = DynamoResult.execute_result

    def execute_result(self, context):
        if context.operation_model.name not in FAST_OPERATIONS:
            return original(self, context)
        members = context.operation_model.output_shape.members  # top-level keys outside the shape are dropped
        result = {k: v for k, v in self.result.items() if k in members}
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, fast_result(result)

    execute_result.fast = True
    execute_result.original = original
    DynamoResult.execute_result = execute_result


class _Untracked(list):
    """An ``instances_tracked`` that keeps nothing."""

    def append(self, instance) -> None:
        pass


def install_untracked_items() -> None:
    """Stop moto remembering every DynamoDB item and SQS message it ever created (idempotent).

    moto's ``BaseModel`` appends each new instance to its class's ``instances_tracked`` (for its /moto-api/data
    view and resets), and nothing ever removes them: every read, update and transaction makes Item objects, so a
    long-running stack held about five Item objects per item it stored, growing with traffic, not with data. The
    embedded stack uses neither the data view nor resets of these classes."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.sqs.models import Message

    for cls in (Item, Message):
        if not isinstance(cls.instances_tracked, _Untracked):
            cls.instances_tracked = _Untracked()


DELETED_HANDLES_KEPT = 10_000  # per queue: a late second delete of one of these still succeeds, as on SQS


class _RecentHandles(OrderedDict):
    """moto's ``Queue.deleted_messages`` (a set of every receipt handle ever deleted, so that deleting twice is not an
    error), keeping only the newest ``DELETED_HANDLES_KEPT``."""

    def update(self, handles) -> None:  # moto adds a deleted message's handles with ``update``
        for handle in handles:
            self[handle] = None
            self.move_to_end(handle)
        while len(self) > DELETED_HANDLES_KEPT:
            self.popitem(last=False)


def install_bounded_deleted_handles() -> None:
    """Stop each SQS queue remembering every receipt handle it ever deleted (idempotent): a queue that served a
    million messages held a million handles. A queue restored from an older state file is converted on its next
    delete."""
    from moto.sqs.models import Queue

    original = Queue.delete_message
    if getattr(original, "bounded", False):
        return

    def delete_message(self, receipt_handle: str) -> None:
        if not isinstance(self.deleted_messages, _RecentHandles):
            recent = _RecentHandles()
            recent.update(self.deleted_messages)
            self.deleted_messages = recent
        return original(self, receipt_handle)

    delete_message.bounded = True
    Queue.delete_message = delete_message
