"""Counts every AWS call the embedded emulator serves and the DynamoDB capacity units it would be billed on demand.

Wraps moto's WSGI app inside the emulator's request lock (``Emulator.wrap_backend``), so it sees each request with
the state before and after it. DynamoDB units follow the on-demand rules:

- writes: 1 WRU per started KB of the larger of the item before and after (a failed condition is still charged);
  transactional writes (and ConditionChecks inside TransactWriteItems) 2 per KB; BatchWriteItem per item;
- index writes (global secondary indexes), on top: an item entering or leaving an index is 1 write, a change of an
  index key's value 2 (delete the old entry, put the new), a change of any other projected attribute 1; nothing when
  the item is in the index neither before nor after, or did not change (a failed condition). Each write is 1 WRU per
  started KB of the projected entry (index keys, table keys and projected attributes), charged at the standard
  rate inside transactions too; shown apart as ``table:index``;
- reads: 1 RRU per started 4 KB strongly consistent, 0.5 eventually consistent, 2 transactional; a GetItem that
  finds nothing still costs its minimum; Query/Scan per started 4 KB of the items returned (filters are not used
  on any path measured, so returned = evaluated).

Item sizes follow DynamoDB's rule (attribute names plus values; numbers about one byte per two digits).
SQS ReceiveMessage calls that return nothing are counted apart: they are the pollers' fixed cost, not an order's.
"""

from __future__ import annotations

import base64
import io
import json
import math
import threading
from collections import Counter
from dataclasses import dataclass, field

WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem"}


def value_size(value: dict) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").lstrip("0") or "0"
        return 1 + math.ceil(len(digits) / 2)
    if kind == "B":
        return len(base64.b64decode(inner)) if isinstance(inner, str) else len(inner)  # base64 on the wire
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in inner.items())
    return 0


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


@dataclass
class Totals:
    calls: Counter = field(default_factory=Counter)  # "dynamodb.PutItem", "sqs.SendMessage", "s3.PUT" …
    empty_receives: int = 0
    wru: float = 0.0
    rru: float = 0.0
    wru_by_table: Counter = field(default_factory=Counter)

    def copy(self) -> Totals:
        return Totals(Counter(self.calls), self.empty_receives, self.wru, self.rru, Counter(self.wru_by_table))

    def __sub__(self, other: Totals) -> Totals:
        return Totals(
            self.calls - other.calls,
            self.empty_receives - other.empty_receives,
            self.wru - other.wru,
            self.rru - other.rru,
            self.wru_by_table - other.wru_by_table,
        )

    def count(self, prefix: str = "") -> int:
        return sum(n for name, n in self.calls.items() if name.startswith(prefix))

    def to_json(self) -> dict:
        return {
            "calls": dict(self.calls),
            "empty_receives": self.empty_receives,
            "wru": self.wru,
            "rru": self.rru,
            "wru_by_table": dict(self.wru_by_table),
        }

    @classmethod
    def from_json(cls, data: dict) -> Totals:
        return cls(
            Counter(data["calls"]),
            data["empty_receives"],
            data["wru"],
            data["rru"],
            Counter(data["wru_by_table"]),
        )


class Meter:
    """WSGI middleware around moto's app; read ``totals`` (copy it, subtract two copies for a span), or
    ``by_origin[name]`` for the calls whose request carried ``X-Bench-Origin: name`` (see ``tag_origin``)."""

    def __init__(self, app):
        self._app = app
        self.totals = Totals()
        self.by_origin: dict[str, Totals] = {}

    def snapshot(self) -> tuple[Totals, dict[str, Totals]]:
        return self.totals.copy(), {k: v.copy() for k, v in self.by_origin.items()}

    def report(self) -> dict:
        """The figures as JSON (read from another process: see RemoteMeter)."""
        return {"totals": self.totals.to_json(), "by_origin": {k: v.to_json() for k, v in self.by_origin.items()}}

    def __call__(self, environ, start_response):
        origin = environ.get("HTTP_X_BENCH_ORIGIN", "other")
        self._targets = (self.totals, self.by_origin.setdefault(origin, Totals()))
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        service, _, operation = target.partition(".")
        raw = b""
        if target:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
        request = json.loads(raw or b"{}") if target else {}
        is_dynamo = service.startswith("DynamoDB")
        before = self._items(request, operation) if is_dynamo else None
        chunks = self._app(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if is_dynamo:
            self._call(f"dynamodb.{operation}")
            self._dynamodb(operation, request, before, body)
        elif service.startswith("AmazonSQS"):
            if operation == "ReceiveMessage" and b'"Messages"' not in body:
                for t in self._targets:
                    t.empty_receives += 1
            else:
                self._call(f"sqs.{operation}")
        elif not target:
            self._call(f"s3.{environ.get('REQUEST_METHOD')}")
        else:
            self._call(f"{service}.{operation}")
        return [body]

    def _call(self, name: str) -> None:
        for t in self._targets:
            t.calls[name] += 1

    def _units(self, wru: float = 0.0, rru: float = 0.0, table: str | None = None) -> None:
        for t in self._targets:
            t.wru += wru
            t.rru += rru
            if table:
                t.wru_by_table[table] += wru

    # --- DynamoDB capacity -------------------------------------------------------------------------------------
    def _items(self, request: dict, operation: str) -> list[tuple[str, dict, dict | None]]:
        """(table, key, item before) of every item a write names."""
        named = []
        if operation in WRITE_OPS:
            named.append((request["TableName"], request.get("Key") or request.get("Item"), operation))
        elif operation == "TransactWriteItems":
            for entry in request.get("TransactItems", []):
                ((kind, op),) = entry.items()
                named.append((op["TableName"], op.get("Key") or op.get("Item"), kind))
        elif operation == "BatchWriteItem":
            for table, requests in request.get("RequestItems", {}).items():
                for r in requests:
                    ((kind, op),) = r.items()
                    named.append((table, op.get("Key") or op.get("Item"), kind))
        return [(table, key, _stored(table, key)) for table, key, _ in named]

    def _dynamodb(self, operation: str, request: dict, before, body: bytes) -> None:
        response = json.loads(body or b"{}")
        if operation in WRITE_OPS or operation in ("TransactWriteItems", "BatchWriteItem"):
            factor = 2 if operation == "TransactWriteItems" else 1
            new_items = _new_items(operation, request)
            for (table, key, old), new in zip(before, new_items, strict=True):
                stored = _stored(table, key)  # what the call left: equal to ``old`` when it wrote nothing
                after = item_size(stored if new is None else new)
                units = factor * max(1, math.ceil(max(item_size(old), after) / 1024))
                short = table.split("-", 2)[-1]
                self._units(wru=units, table=short)
                for index, units in _index_writes(table, old, stored):
                    self._units(wru=units, table=f"{short}:{index}")
            return
        if operation == "GetItem":
            self._units(rru=_read_units(item_size(response.get("Item")), request.get("ConsistentRead")))
        elif operation in ("Query", "Scan"):
            size = sum(item_size(i) for i in response.get("Items", []))
            self._units(rru=_read_units(size, request.get("ConsistentRead")))
        elif operation == "BatchGetItem":
            for items in response.get("Responses", {}).values():
                for item in items:
                    self._units(rru=_read_units(item_size(item), False))
        elif operation == "TransactGetItems":
            for r in response.get("Responses", []):
                self._units(rru=2 * max(1, math.ceil(item_size(r.get("Item")) / 4096)))


def _read_units(size: int, consistent) -> float:
    return max(1, math.ceil(size / 4096)) * (1 if consistent else 0.5)


def _new_items(operation: str, request: dict) -> list[dict | None]:
    """The item a Put writes (None: read the stored item after the call, for updates; {} for deletes)."""
    if operation == "PutItem":
        return [request["Item"]]
    if operation in ("UpdateItem",):
        return [None]
    if operation == "DeleteItem":
        return [{}]
    out = []
    if operation == "TransactWriteItems":
        for entry in request.get("TransactItems", []):
            ((kind, op),) = entry.items()
            out.append(op["Item"] if kind == "Put" else ({} if kind in ("Delete", "ConditionCheck") else None))
    else:
        for requests in request.get("RequestItems", {}).values():
            for r in requests:
                ((kind, op),) = r.items()
                out.append(op["Item"] if kind == "PutRequest" else {})
    return out


def _index_writes(table_name: str, old: dict | None, new: dict | None) -> list[tuple[str, int]]:
    table = _table(table_name)
    if table is None:
        return []
    indexes = [(i.name, [k["AttributeName"] for k in i.schema], i.projection or {}) for i in table.global_indexes or []]
    table_keys = [k for k in (table.hash_key_attr, table.range_key_attr) if k]
    return index_writes(indexes, table_keys, old, new)


def index_writes(indexes, table_keys: list[str], old: dict | None, new: dict | None) -> list[tuple[str, int]]:
    """(index, WRU) for each global secondary index that a change of one item from ``old`` to ``new`` (wire format,
    None when absent) writes to; ``indexes`` are (name, key attribute names, Projection)."""
    if old == new:
        return []
    old, new = old or {}, new or {}
    out = []
    for name, keys, projection in indexes:
        kept = None
        if projection.get("ProjectionType", "ALL") != "ALL":
            kept = set(keys + table_keys + list(projection.get("NonKeyAttributes", [])))
        before = _projected(old, keys, kept)
        after = _projected(new, keys, kept)
        if before is None and after is None or before == after:
            continue
        if before is not None and after is not None and any(old[k] != new[k] for k in keys):
            out.append((name, _write_units(before) + _write_units(after)))  # the old entry deleted, the new one put
        else:
            out.append((name, _write_units(after if after is not None else before)))
    return out


def _projected(item: dict, keys: list[str], kept: set[str] | None) -> dict | None:
    """The item's entry in an index (None when it lacks an index key): all of it, or the projected attributes."""
    if not all(k in item for k in keys):
        return None
    return item if kept is None else {k: v for k, v in item.items() if k in kept}


def _write_units(entry: dict) -> int:
    return max(1, math.ceil(item_size(entry) / 1024))


def _table(table_name: str):
    from devstack.emulator_dynamodb import tables

    return next((table for table in tables() if table.name == table_name), None)


def _stored(table_name: str, key: dict | None) -> dict | None:
    """The item as moto holds it now, in wire format (None when absent)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = _table(table_name) if key else None
    if table is None:
        return None
    hash_key = DynamoType(key[table.hash_key_attr]) if table.hash_key_attr in key else None
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
    if hash_key is None:
        return None
    try:
        item = table.get_item(hash_key, range_key)
    except Exception:
        return None
    return item.to_json()["Attributes"] if item else None


class RemoteMeter:
    """A Meter inside the emulator's own process (devstack.emulator_process): wrapped there, read from here."""

    def __init__(self, emulator):
        self._emulator = emulator
        emulator.control("wrap", middleware="benchmarks.meter:Meter")

    def snapshot(self) -> tuple[Totals, dict[str, Totals]]:
        report = self._emulator.control("report")
        return Totals.from_json(report["totals"]), {k: Totals.from_json(v) for k, v in report["by_origin"].items()}


_origin = threading.local()


def tag_origin() -> None:
    """Make every botocore request of this process carry the calling thread's ``set_origin`` name as a header."""
    from botocore.httpsession import URLLib3Session

    if getattr(URLLib3Session.send, "tags_origin", False):
        return
    original = URLLib3Session.send

    def send(self, request):
        origin = getattr(_origin, "name", None)
        if origin:
            request.headers["X-Bench-Origin"] = origin
        return original(self, request)

    send.tags_origin = True
    URLLib3Session.send = send


def set_origin(name: str | None) -> None:
    _origin.name = name
