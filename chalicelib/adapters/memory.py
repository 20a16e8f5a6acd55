"""In-memory fakes of every port in services/ports.py, for unit tests (and devstack tools that need no AWS).

Each fake keeps the contract of its DynamoDB/SQS/S3/WhatsApp adapter; tests/integration/test_port_contracts.py runs
both through the same assertions. Fakes that share writes (a message's commit reserves stock and writes the
reservation record; an approval deducts it, takes an invoice number and debits the ledger) share one
``InMemoryTables``: one lock and one dict per table, and a multi-table write checks every condition before it
applies any, as a DynamoDB transaction does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.adapters.stock_repository import ImportResult, Movement, merge_movements
from chalicelib.adapters.whatsapp import InMemoryOutbox  # the WhatsApp client's outbox fake lives with its port
from chalicelib.domain.errors import AlreadyProcessed, DeliveryUncertain, OutOfStock, OutsideWindow, StaleOrder
from chalicelib.domain.money import meters
from chalicelib.domain.stock import AllocationPart, Batch, StockChange, release_change, stock_change

__all__ = [
    "InMemoryCatalogue",
    "InMemoryConversationStore",
    "InMemoryCustomers",
    "InMemoryIdempotency",
    "InMemoryInvoiceStore",
    "InMemoryMessageLog",
    "InMemoryOutbox",
    "InMemoryQueue",
    "InMemoryStockRepository",
    "InMemoryTables",
    "RecordingSender",
]


def _now() -> str:
    return datetime.now(UTC).isoformat()


class InMemoryTables:
    """The in-memory stand-in for the tables and the bucket, shared by the fakes built on it."""

    def __init__(self):
        self.lock = threading.RLock()
        self.keys: dict[str, dict] = {}  # idempotency table: handled#, wamid#, link#, reservation# …
        self.orders: dict[str, dict] = {}  # order_id -> {"data": dict, "version": int}
        self.customers: dict[str, dict] = {}
        self.ledger: dict[str, list[dict]] = {}
        self.invoices: dict[str, dict] = {}  # number -> {"order_id", "data", "s3_key"}
        self.counters: dict[str, int] = {}  # fy -> last number issued
        self.objects: dict[str, bytes] = {}  # the invoice bucket
        self.batches: dict[str, Batch] = {}
        self.reserved: dict[str, Decimal] = {}
        self.terms: dict[tuple[str, str], object] = {}
        self.rates: dict[str, object] = {}
        self.messages: list[dict] = []
        self.audit: list = []  # AuditEntries (domain/audit.py), appended with the writes they record

    # --- conditions and writes shared by several fakes (call with the lock held) ----------------------------------
    def movement_allowed(self, m: Movement) -> bool:
        b = self.batches.get(m.change.batch_id)
        return (
            b is not None
            and b.rolls >= m.change.requires_rolls
            and b.loose_meters >= m.change.requires_loose
            and (m.reserved >= 0 or self.reserved.get(b.batch_id, Decimal(0)) >= -m.reserved)
        )

    def apply_movement(self, m: Movement) -> None:
        b = self.batches[m.change.batch_id]
        self.batches[b.batch_id] = replace(
            b, rolls=b.rolls + m.change.rolls_delta, loose_meters=meters(b.loose_meters + m.change.loose_delta)
        )
        self.reserved[b.batch_id] = self.reserved.get(b.batch_id, Decimal(0)) + m.reserved

    def order_version_ok(self, order_id: str, version: int | None) -> bool:
        stored = self.orders.get(order_id)
        return stored is None if version is None else stored is not None and stored["version"] == version

    def put_order(self, order: dict, version: int | None) -> int:
        new_version = 1 if version is None else version + 1
        self.orders[order["order_id"]] = {"data": dict(order), "version": new_version}
        return new_version

    def customer_record(self, phone: str) -> dict:
        return self.customers.setdefault(phone, {"phone": phone, "balance_paise": 0})


def _movements_reserving(parts) -> list[Movement]:
    return merge_movements([Movement(stock_change(p), reserved=p.meters) for p in parts])


def _movements_releasing(parts) -> list[Movement]:
    return merge_movements([Movement(release_change(p), reserved=-p.meters) for p in parts])


def _movements_deducting(parts) -> list[Movement]:
    return merge_movements([Movement(StockChange(p.batch_id), reserved=-p.meters) for p in parts])


# --- idempotency, queue, message log ----------------------------------------------------------------------------


class InMemoryIdempotency:
    def __init__(self, tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()
        self.records = self._t.keys

    def claim(self, key: str, kind: str, ttl_seconds: int, detail: dict | None = None) -> dict | None:
        with self._t.lock:
            if key in self.records:
                existing = self.records[key]
                detail = dict(existing.get("detail") or {})
                return {
                    "key": key,
                    "created_at": existing["created_at"],
                    "detail": detail,
                    "claimed_epoch": detail.get("claimed_epoch", 0),
                }
            self.records[key] = {
                "key": key,
                "kind": kind,
                "created_at": _now(),
                "detail": {**(detail or {}), "claimed_epoch": time.time()},
            }
            return None

    def exists(self, key: str) -> bool:
        return key in self.records

    def update_detail(self, key: str, detail: dict) -> None:
        with self._t.lock:
            if key in self.records:
                self.records[key]["detail"] = {**detail, "claimed_epoch": time.time()}

    def release(self, key: str) -> None:
        with self._t.lock:
            self.records.pop(key, None)


class InMemoryQueue:
    def __init__(self):
        self.sent: list[dict] = []
        self.failing: Exception | None = None  # set to make every send raise it (a queue that is down)

    def send(self, body: dict, group_id: str | None = None, dedup_id: str | None = None) -> str:
        if self.failing is not None:
            raise self.failing
        self.sent.append({"body": body, "group_id": group_id, "dedup_id": dedup_id})
        return f"m-{len(self.sent)}"

    @property
    def bodies(self) -> list[dict]:
        return [m["body"] for m in self.sent]


class InMemoryMessageLog:
    def __init__(self, tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()
        self.rows = self._t.messages

    def record(self, phone, direction, wamid, type, text=None, status=None, errors=None, at=None) -> None:
        self.rows.append(
            {
                "phone": phone or "unknown",
                "direction": direction,
                "wamid": wamid,
                "type": type,
                "text": text,
                "status": status,
                "errors": errors,
                "at": at or _now(),
            }
        )

    def history(self, phone: str, limit: int = 50) -> list[dict]:
        rows = sorted((r for r in self.rows if r["phone"] == phone), key=lambda r: r["at"])
        return [{k: v for k, v in r.items() if k != "phone"} for r in rows][-limit:]

    def count(self, phone: str, direction: str | None = None) -> int:
        return sum(1 for r in self.rows if r["phone"] == phone and (direction is None or r["direction"] == direction))


# --- sending ----------------------------------------------------------------------------------------------------


class RecordingSender:
    """The message sender: records every payload it sends, at most once per idempotency key (as the outbox makes
    the real client). ``refuse(to, error)`` makes sends to ``to`` raise ``error`` (a MessageNotSent);
    ``outside_window(to)`` closes ``to``'s 24-hour window: a payload's ``_fallback`` template goes instead, and a
    free-form payload without one raises OutsideWindow, as the real client does."""

    def __init__(self):
        self.sent: list[dict] = []  # {"key", "to", "payload", "wamid"}
        self.reads: list[str] = []  # wamids marked read (with the typing indicator)
        self.media: dict[str, bytes] = {}
        self._by_key: dict[str, str] = {}
        self._refusals: dict[str, Exception] = {}
        self._outside: set[str] = set()
        self._lock = threading.Lock()

    def outside_window(self, to: str) -> None:
        self._outside.add(to)

    def mark_read(self, wamid: str, typing: bool = True) -> bool:
        self.reads.append(wamid)
        return True

    def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        with self._lock:
            media_id = f"media.fake{len(self.media) + 1}"
            self.media[media_id] = data
            return media_id

    def resend_as_template(self, key: str) -> str | None:
        return None

    def refuse(self, to: str, error: Exception | None) -> None:
        if error is None:
            self._refusals.pop(to, None)
        else:
            self._refusals[to] = error

    def send(self, message, idempotency_key: str, fallback: dict | None = None) -> str:
        payload = message.to_graph_payload()
        if fallback is not None:
            payload["_fallback"] = fallback
        return self.send_payload(payload, idempotency_key)

    def send_payload(self, payload: dict, idempotency_key: str) -> str:
        payload = dict(payload)
        fallback = payload.pop("_fallback", None)
        payload.pop("_order_id", None)
        with self._lock:
            if idempotency_key in self._by_key:
                return self._by_key[idempotency_key]
            if payload.get("to") in self._outside and payload.get("type") != "template":
                if fallback is None:
                    refused = OutsideWindow("outside the 24-hour window and no template given")
                    refused.code = 131047
                    raise refused
                payload = fallback
            error = self._refusals.get(payload.get("to", ""))
            if error is not None:
                if isinstance(error, DeliveryUncertain):
                    self._by_key[idempotency_key] = ""  # it may have gone: never again under this key
                raise error
            wamid = f"wamid.fake{len(self.sent) + 1}"
            self._by_key[idempotency_key] = wamid
            self.sent.append({"key": idempotency_key, "to": payload.get("to"), "payload": payload, "wamid": wamid})
            return wamid

    def to(self, phone: str) -> list[dict]:
        """The payloads sent to ``phone``, in order."""
        return [s["payload"] for s in self.sent if s["to"] == phone]

    def texts_to(self, phone: str) -> list[str]:
        out = []
        for p in self.to(phone):
            kind = p.get("type")
            if kind == "text":
                out.append(p["text"]["body"])
            elif kind == "interactive":
                out.append(p["interactive"]["body"]["text"])
            elif kind == "document":
                out.append(p["document"].get("caption") or "")
            elif kind == "template":
                out.append(p["template"]["name"])
        return out


# --- stock --------------------------------------------------------------------------------------------------------


def _ordered(batches) -> list[Batch]:
    return sorted(batches, key=lambda b: (b.material, b.color, b.received_on, b.batch_id))


class InMemoryStockRepository:
    """Batches in a dict; movements are all-or-nothing and conditional, like the DynamoDB repository's."""

    def __init__(self, batches: list[Batch] | None = None, tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()
        for b in batches or []:
            self._t.batches[b.batch_id] = b

    def get(self, batch_id: str) -> Batch | None:
        return self._t.batches.get(batch_id)

    def reserved_meters(self, batch_id: str) -> Decimal:
        return self._t.reserved.get(batch_id, Decimal(0))

    def all(self) -> list[Batch]:
        return _ordered(self._t.batches.values())

    def all_with_reserved(self) -> tuple[list[Batch], dict[str, Decimal]]:
        with self._t.lock:
            return self.all(), {b: self.reserved_meters(b) for b in self._t.batches}

    def of_material(self, material: str, color: str | None = None) -> list[Batch]:
        return [b for b in self.all() if b.material == material and (color is None or b.color == color)]

    def of_color(self, color: str) -> list[Batch]:
        return [b for b in self.all() if b.color == color]

    def import_batches(self, batches: list[Batch]) -> ImportResult:
        with self._t.lock:
            new = [b for b in batches if b.batch_id not in self._t.batches]
            for batch in new:
                self._t.batches[batch.batch_id] = batch
                self._t.reserved.setdefault(batch.batch_id, Decimal(0))
        return ImportResult(created=len(new), unchanged=len(batches) - len(new))

    def adjust(self, changes: list[StockChange]) -> None:
        self._transact(merge_movements([Movement(c) for c in changes]))

    def reserve(self, parts: list[AllocationPart]) -> None:
        self._transact(_movements_reserving(parts))

    def release(self, parts: list[AllocationPart]) -> None:
        self._transact(_movements_releasing(parts))

    def _transact(self, merged: list[Movement]) -> None:
        with self._t.lock:
            failed = tuple(m.change.batch_id for m in merged if not self._t.movement_allowed(m))
            if failed:
                raise OutOfStock("stock moved", failed)
            for m in merged:
                self._t.apply_movement(m)


# --- reference data ----------------------------------------------------------------------------------------------


class InMemoryCatalogue:
    def __init__(self, terms=(), rates=(), tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()
        self.seed(list(terms), list(rates))
        self.reads = 0  # how many times the vocabulary was read (for cache tests)

    def seed(self, terms: list, rates: list) -> int:
        written = 0
        with self._t.lock:
            for term in terms:
                if (term.kind, term.name) not in self._t.terms:
                    self._t.terms[(term.kind, term.name)] = term
                    written += 1
            for rate in rates:
                key = f"{rate.hsn}#{rate.effective_from.isoformat()}"
                if key not in self._t.rates:
                    self._t.rates[key] = rate
                    written += 1
        return written

    def put_term(self, term) -> None:
        self._t.terms[(term.kind, term.name)] = term

    def put_gst_rate(self, rate) -> None:
        self._t.rates[f"{rate.hsn}#{rate.effective_from.isoformat()}"] = rate

    def vocabulary(self):
        from chalicelib.domain.catalogue import Vocabulary

        self.reads += 1
        return Vocabulary.from_terms([t for _, t in sorted(self._t.terms.items(), key=lambda kv: kv[0])])

    def gst_rates(self) -> list:
        return [r for _, r in sorted(self._t.rates.items())]


# --- customers, orders and handled messages ----------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "phone",
    "name",
    "gstin",
    "state",
    "state_code",
    "language",
    "balance_paise",
    "active_order_id",
    "last_inbound_at",
)


def _customer_dict(record: dict | None) -> dict:
    if record is None:
        return {}
    return {k: (int(record.get(k) or 0) if k == "balance_paise" else record.get(k)) for k in CUSTOMER_FIELDS}


@dataclass
class Loaded:
    customer: dict
    order: dict | None
    version: int | None


class InMemoryConversationStore:
    """Customers, orders (versioned) and handled messages; ``commit`` is all or nothing like the DynamoDB store's,
    with the reservation (batch movements and the ``reservation#<order>`` record) in the same write."""

    def __init__(self, tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()

    def customer(self, phone: str) -> dict:
        return _customer_dict(self._t.customers.get(phone))

    def load(self, phone: str) -> Loaded:
        with self._t.lock:
            record = self._t.customers.get(phone)
            customer = _customer_dict(record)
            active = (record or {}).get("active_order_id")
            if active:
                stored = self._t.orders[active]
                return Loaded(customer, dict(stored["data"]), stored["version"])
            mine = [o for o in self._t.orders.values() if o["data"]["customer_phone"] == phone]
            if not mine:
                return Loaded(customer, None, None)
            latest = max(mine, key=lambda o: o["data"]["created_at"])
            return Loaded(customer, dict(latest["data"]), latest["version"])

    def load_order(self, order_id: str) -> tuple[dict, int] | None:
        stored = self._t.orders.get(order_id)
        return None if stored is None else (dict(stored["data"]), stored["version"])

    def recent_orders(self, phone: str, limit: int = 10) -> list[dict]:
        with self._t.lock:
            mine = [o["data"] for o in self._t.orders.values() if o["data"]["customer_phone"] == phone]
        return [dict(d) for d in sorted(mine, key=lambda d: d["created_at"], reverse=True)[:limit]]

    def handled(self, wamid: str) -> dict | None:
        record = self._t.keys.get(f"handled#{wamid}")
        if record is None:
            return None
        return {**(record.get("detail") or {}), "delivered": bool(record.get("done"))}

    def commit(
        self,
        *,
        phone: str,
        name: str | None,
        wamid: str,
        order: dict | None,
        version: int | None,
        previous_active: str | None,
        active_order_id: str | None,
        outcome: dict,
        language: str | None = None,
        closed: dict | None = None,
        closed_version: int | None = None,
        reserve_parts: list | None = None,
        audit: list = (),
        identity: dict | None = None,
    ) -> None:
        t = self._t
        with t.lock:
            failed: list[str] = []
            if f"handled#{wamid}" in t.keys:
                raise AlreadyProcessed(wamid)
            if closed is not None and not t.order_version_ok(closed["order_id"], closed_version):
                failed.append("closed")
            if order is not None and not t.order_version_ok(order["order_id"], version):
                failed.append("order")
            current_active = (t.customers.get(phone) or {}).get("active_order_id")
            if current_active != previous_active:
                failed.append("customer")
            movements = _movements_reserving(reserve_parts) if reserve_parts else []
            batches = tuple(m.change.batch_id for m in movements if not t.movement_allowed(m))
            if reserve_parts and f"reservation#{order['order_id']}" in t.keys:
                failed.append("reservation")
            if batches and not {"order", "closed", "customer"} & set(failed):
                raise OutOfStock("stock moved", batches)
            if failed or batches:
                raise StaleOrder(f"order or customer changed while handling {wamid}")
            now = _now()
            t.keys[f"handled#{wamid}"] = {
                "key": f"handled#{wamid}",
                "kind": "handled",
                "created_at": now,
                "detail": outcome,
                "done": False,
            }
            if closed is not None:
                t.put_order(closed, closed_version)
            if order is not None:
                t.put_order(order, version)
            customer = t.customer_record(phone)
            customer["last_inbound_at"] = now
            if name:
                customer["name"] = name
            if language:
                customer["language"] = language
            customer.update({k: v for k, v in (identity or {}).items() if v})
            customer["active_order_id"] = active_order_id or None
            for m in movements:
                t.apply_movement(m)
            if reserve_parts:
                t.keys[f"reservation#{order['order_id']}"] = {
                    "key": f"reservation#{order['order_id']}",
                    "kind": "reservation",
                    "created_at": now,
                    "detail": {"parts": [p.to_dict() for p in reserve_parts]},
                }
            t.audit.extend(audit)

    def save_order(self, order: dict, version: int, audit: list = ()) -> int:
        with self._t.lock:
            if not self._t.order_version_ok(order["order_id"], version):
                raise StaleOrder(order["order_id"])
            self._t.audit.extend(audit)
            return self._t.put_order(order, version)

    def clear_active(self, phone: str, order_id: str) -> None:
        with self._t.lock:
            record = self._t.customers.get(phone)
            if record is not None and record.get("active_order_id") == order_id:
                record["active_order_id"] = None

    def mark_delivered(self, wamid: str) -> None:
        with self._t.lock:
            record = self._t.keys.setdefault(f"handled#{wamid}", {"key": f"handled#{wamid}", "detail": {}})
            record["done"] = True

    def update_customer(self, phone: str, **fields) -> None:
        with self._t.lock:
            record = self._t.customer_record(phone)
            record.update({k: v for k, v in fields.items() if v is not None})

    def ledger(self, phone: str) -> list[dict]:
        from chalicelib.domain.money import from_paise

        return [
            {
                "at": e["at"],
                "kind": e["kind"],
                "amount": str(from_paise(e["amount_paise"])),
                "reference": e["reference"],
                "balance_after": str(from_paise(e["balance_after_paise"])),
            }
            for e in sorted(self._t.ledger.get(phone, []), key=lambda e: e["entry_id"])
        ]

    def orders_in_state(self, state: str, limit: int = 100, updated_before: datetime | None = None) -> list[dict]:
        with self._t.lock:
            rows = [o for o in self._t.orders.values() if o["data"]["state"] == state]
        if updated_before is None:
            rows.sort(key=lambda o: o["data"]["updated_at"], reverse=True)
        else:
            rows = [o for o in rows if o["data"]["updated_at"] < updated_before.isoformat()]
            rows.sort(key=lambda o: o["data"]["updated_at"])
        return [dict(o["data"]) | {"_version": o["version"]} for o in rows[:limit]]

    # --- test helpers (not part of the port) -------------------------------------------------------------------
    def reservation(self, order_id: str) -> dict | None:
        record = self._t.keys.get(f"reservation#{order_id}")
        return None if record is None else record["detail"]


class InMemoryCustomers:
    """Customers with an outstanding balance (the reminders' view of the customers table)."""

    def __init__(self, tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()

    def with_balance(self) -> list[dict]:
        return [_customer_dict(c) for c in self._t.customers.values() if int(c.get("balance_paise") or 0) > 0]


# --- invoices and the owner's decisions ---------------------------------------------------------------------------


class InMemoryInvoiceStore:
    """The invoice series, invoices, ledger and decisions; each commit checks every condition, then writes."""

    def __init__(self, tables: InMemoryTables | None = None):
        self._t = tables or InMemoryTables()
        self.renders = 0

    def current_seq(self, fy: str) -> int:
        return self._t.counters.get(fy, 0)

    def commit_approval(self, commit) -> None:
        t = self._t
        with t.lock:
            failed = []
            if not t.order_version_ok(commit.order_id, commit.version):
                failed.append("order")
            if t.counters.get(commit.fy, 0) != commit.seq_before:
                failed.append("counter")
            if commit.number in t.invoices:
                failed.append("invoice")
            movements = _movements_deducting(commit.parts)
            failed += [f"batch#{m.change.batch_id}" for m in movements if not t.movement_allowed(m)]
            if f"reservation#{commit.order_id}" not in t.keys:
                failed.append("reservation")
            ledger = commit.ledger
            if any(e["entry_id"] == ledger.entry_id for e in t.ledger.get(ledger.phone, [])):
                failed.append("ledger")
            customer = t.customers.get(ledger.phone) or {}
            balance_ok = int(customer.get("balance_paise") or 0) == ledger.balance_before_paise
            active_ok = not commit.clears_active or customer.get("active_order_id") == commit.order_id
            if not (balance_ok and active_ok):
                failed.append("customer")
            _raise_for(failed)
            t.put_order(commit.order, commit.version)
            t.counters[commit.fy] = commit.seq_before + 1
            t.invoices[commit.number] = {"order_id": commit.order_id, "data": commit.invoice, "s3_key": None}
            for m in movements:
                t.apply_movement(m)
            del t.keys[f"reservation#{commit.order_id}"]
            t.ledger.setdefault(ledger.phone, []).append(
                {
                    "entry_id": ledger.entry_id,
                    "kind": ledger.kind,
                    "amount_paise": ledger.amount_paise,
                    "balance_after_paise": ledger.balance_after_paise,
                    "reference": ledger.reference,
                    "at": ledger.at,
                }
            )
            record = t.customer_record(ledger.phone)
            record["balance_paise"] = ledger.balance_after_paise
            if commit.clears_active:
                record["active_order_id"] = None
            t.audit.extend(commit.audit)

    def commit_rejection(self, commit) -> None:
        t = self._t
        with t.lock:
            failed = []
            if not t.order_version_ok(commit.order_id, commit.version):
                failed.append("order")
            movements = _movements_releasing(commit.parts)
            failed += [f"batch#{m.change.batch_id}" for m in movements if not t.movement_allowed(m)]
            if f"reservation#{commit.order_id}" not in t.keys:
                failed.append("reservation")
            customer = t.customers.get(commit.phone) or {}
            if commit.clears_active and customer.get("active_order_id") != commit.order_id:
                failed.append("customer")
            _raise_for(failed)
            t.put_order(commit.order, commit.version)
            for m in movements:
                t.apply_movement(m)
            del t.keys[f"reservation#{commit.order_id}"]
            if commit.clears_active:
                t.customer_record(commit.phone)["active_order_id"] = None
            t.audit.extend(commit.audit)

    def ensure_pdf(self, number: str, render) -> str:
        with self._t.lock:
            record = self._t.invoices[number]
            if record["s3_key"]:
                return record["s3_key"]
            key = f"invoices/{number.replace('/', '-')}.pdf"
            self._t.objects[key] = render(record["data"])
            self.renders += 1
            record["s3_key"] = key
            return key

    def link(self, key: str, ttl_seconds: int) -> str:
        return f"https://invoices.example/{key}?expires-in={ttl_seconds}"

    def pdf(self, key: str) -> bytes:
        with self._t.lock:
            return self._t.objects[key]

    def invoices_of(self, order_id: str) -> list[dict]:
        return [
            {"number": number, "s3_key": r["s3_key"]}
            for number, r in self._t.invoices.items()
            if r["order_id"] == order_id
        ]


def _raise_for(failed: list[str]) -> None:
    """As the DynamoDB store maps a cancelled transaction: only the reservation failed → OutOfStock, else stale."""
    if not failed:
        return
    if all(label.startswith("batch#") or label == "reservation" for label in failed):
        raise OutOfStock(
            "the reservation is not there", tuple(f.split("#", 1)[1] for f in failed if f.startswith("batch#"))
        )
    raise StaleOrder(", ".join(failed))
