"""DynamoDB persistence of the conversation: one transaction per handled customer message.

Each handled message commits, all or nothing:
1. ``handled#<wamid>`` in the idempotency table (condition: does not exist) holding the replies and effects the
   step produced, so a redelivered message re-sends exactly those (the outbox keeps sends single) and never runs
   the conversation twice;
2. the order, saved with PynamoDB's version attribute (condition: the version we loaded), so two concurrent
   deliveries cannot both apply;
3. the customer: name, last message time (the 24-hour window) and the one active order id (condition: the active
   order is still the one we loaded), so a customer never has two active orders.

A failed condition becomes ``AlreadyProcessed`` (the message was handled meanwhile) or ``StaleOrder`` (something
else changed the order or the customer first: load again and redo the step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import AlreadyProcessed, OutOfStock, StaleOrder
from chalicelib.domain.money import from_paise

HANDLED_TTL = timedelta(days=14)


@dataclass
class Loaded:
    customer: dict
    order: dict | None
    version: int | None


def _customer_dict(record) -> dict:
    if record is None:
        return {}
    return {
        "phone": record.phone,
        "name": record.name,
        "gstin": record.gstin,
        "state": record.state,
        "state_code": record.state_code,
        "language": record.language,
        "balance_paise": int(record.balance_paise or 0),
        "active_order_id": record.active_order_id,
        "last_inbound_at": record.last_inbound_at,
        "wa_phone": record.wa_phone,
        "user_id": record.user_id,
        "username": record.username,
        "credit_days": None if record.credit_days is None else int(record.credit_days),
        "credit_limit_paise": None if record.credit_limit_paise is None else int(record.credit_limit_paise),
    }


class DynamoConversationStore:
    """Customers, orders and handled messages in the tables of ``tables`` (a dynamo_models.Tables)."""

    def __init__(self, tables):
        self._t = tables

    def customer(self, phone: str) -> dict:
        """The customer record alone ({} for a number never seen), without loading any order."""
        from pynamodb.exceptions import DoesNotExist

        CustomerRecord = self._t.CustomerRecord
        try:
            return _customer_dict(CustomerRecord.get(phone, consistent_read=True))
        except DoesNotExist:
            return {}

    def load(self, phone: str) -> Loaded:
        """The customer and their active order (with its version), read consistently; with no active order, their
        latest finished one, which the engine only reads ("your last order …: approved") and never changes."""
        from pynamodb.exceptions import DoesNotExist

        CustomerRecord, OrderRecord = self._t.CustomerRecord, self._t.OrderRecord
        try:
            customer = CustomerRecord.get(phone, consistent_read=True)
        except DoesNotExist:
            customer = None
        active = customer.active_order_id if customer else None
        if not active:
            latest = next(iter(OrderRecord.by_customer.query(phone, scan_index_forward=False, limit=1)), None)
            if latest is None:
                return Loaded(_customer_dict(customer), None, None)
            return Loaded(_customer_dict(customer), dict(latest.data), int(latest.version))
        record = OrderRecord.get(active, consistent_read=True)
        return Loaded(_customer_dict(customer), dict(record.data), int(record.version))

    def recent_orders(self, phone: str, limit: int = 10) -> list[dict]:
        """A customer's latest orders, newest first (for "status" and "repeat my last order")."""
        rows = self._t.OrderRecord.by_customer.query(phone, scan_index_forward=False, limit=limit)
        return [dict(r.data) for r in rows]

    def load_order(self, order_id: str) -> tuple[dict, int] | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            record = self._t.OrderRecord.get(order_id, consistent_read=True)
        except DoesNotExist:
            return None
        return dict(record.data), int(record.version)

    def handled(self, wamid: str) -> dict | None:
        """What handling ``wamid`` produced ({"replies": [...], "effects": [...], "delivered": bool}), or None."""
        from pynamodb.exceptions import DoesNotExist

        try:
            record = self._t.ProcessedKey.get(f"handled#{wamid}", consistent_read=True)
        except DoesNotExist:
            return None
        return {**(record.detail or {}), "delivered": bool(record.done)}

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
        """Write the step's result atomically (with ``audit``, the AuditEntries of the orders it moved). ``identity``
        ({"wa_phone", "user_id", "username"}) is kept on the customer beside its key (a BSUID-keyed contact's phone,
        and the reverse).

        Raises AlreadyProcessed (the message was handled meanwhile), OutOfStock naming the batches that could not be
        reserved (nothing was written), or StaleOrder (the order or the customer changed: load and redo the step).
        """
        from chalicelib.adapters.audit_trail import audit_item
        from chalicelib.adapters.stock_repository import reservation_items
        from chalicelib.adapters.transactions import TransactionCancelled, run_transaction

        CustomerRecord, ProcessedKey = self._t.CustomerRecord, self._t.ProcessedKey

        now = datetime.now(UTC).isoformat()
        handled = ProcessedKey(
            f"handled#{wamid}",
            kind="handled",
            created_at=now,
            detail=outcome,
            done=False,
            expires_at=HANDLED_TTL,
        )
        customer_actions = [CustomerRecord.last_inbound_at.set(now)]
        if name:
            customer_actions.append(CustomerRecord.name.set(name))
        if language:
            customer_actions.append(CustomerRecord.language.set(language))
        for field_name, value in (identity or {}).items():
            if value and field_name in ("wa_phone", "user_id", "username"):
                customer_actions.append(getattr(CustomerRecord, field_name).set(value))
        if active_order_id:
            customer_actions.append(CustomerRecord.active_order_id.set(active_order_id))
        else:
            customer_actions.append(CustomerRecord.active_order_id.remove())
        customer_condition = (
            CustomerRecord.active_order_id.does_not_exist()
            if previous_active is None
            else CustomerRecord.active_order_id == previous_active
        )
        items = [("handled", lambda tx: tx.save(handled, condition=ProcessedKey.key.does_not_exist()))]
        if closed is not None:
            items.append(("closed", lambda tx: tx.save(_order_record(self._t, closed, closed_version))))
        if order is not None:
            items.append(("order", lambda tx: tx.save(_order_record(self._t, order, version))))
        items.append(
            (
                "customer",
                lambda tx: tx.update(CustomerRecord(phone), actions=customer_actions, condition=customer_condition),
            )
        )
        if reserve_parts:
            items += reservation_items(self._t, order["order_id"], reserve_parts)
        items += [audit_item(self._t, entry) for entry in audit]
        try:
            run_transaction(self._t, items)
        except TransactionCancelled as cancelled:
            if "handled" in cancelled.failed or self.handled(wamid) is not None:
                raise AlreadyProcessed(wamid) from cancelled
            batches = cancelled.batch_ids()
            if batches and not {"order", "closed", "customer"} & set(cancelled.failed):
                raise OutOfStock("stock moved", batches) from cancelled
            raise StaleOrder(f"order or customer changed while handling {wamid}") from cancelled

    def save_order(self, order: dict, version: int, audit: list = ()) -> int:
        """Save an order outside a customer message (owner decisions, expiry), in one transaction with ``audit``
        (AuditEntries); returns the new version. Raises StaleOrder when the version moved."""
        from pynamodb.exceptions import PutError

        from chalicelib.adapters.audit_trail import audit_item
        from chalicelib.adapters.dynamo_repos import is_condition_failure
        from chalicelib.adapters.transactions import TransactionCancelled, run_transaction

        record = _order_record(self._t, order, version)
        if audit:
            items = [("order", lambda tx: tx.save(record)), *(audit_item(self._t, e) for e in audit)]
            try:
                run_transaction(self._t, items)
            except TransactionCancelled as exc:
                raise StaleOrder(order["order_id"]) from exc
            return version + 1
        try:
            record.save()
        except PutError as exc:
            if is_condition_failure(exc):
                raise StaleOrder(order["order_id"]) from exc
            raise
        return int(record.version)

    def clear_active(self, phone: str, order_id: str) -> None:
        """Forget the customer's active order if it is still this one (the order ended outside a message)."""
        from pynamodb.exceptions import UpdateError

        from chalicelib.adapters.dynamo_repos import is_condition_failure

        CustomerRecord = self._t.CustomerRecord
        try:
            CustomerRecord(phone).update(
                actions=[CustomerRecord.active_order_id.remove()],
                condition=CustomerRecord.active_order_id == order_id,
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise

    def mark_delivered(self, wamid: str) -> None:
        ProcessedKey = self._t.ProcessedKey
        ProcessedKey(f"handled#{wamid}").update(actions=[ProcessedKey.done.set(True)])

    def update_customer(self, phone: str, **fields) -> None:
        """Set the given customer fields (None leaves a field as it is)."""
        CustomerRecord = self._t.CustomerRecord
        actions = [getattr(CustomerRecord, k).set(v) for k, v in fields.items() if v is not None]
        if actions:
            CustomerRecord(phone).update(actions=actions)

    def ledger(self, phone: str) -> list[dict]:
        """A customer's ledger entries, oldest first, in rupees."""
        return [
            {
                "at": e.at,
                "kind": e.kind,
                "amount": str(from_paise(e.amount_paise)),
                "reference": e.reference,
                "balance_after": str(from_paise(e.balance_after_paise)),
            }
            for e in self._t.LedgerEntryRecord.query(phone)
        ]

    def orders_in_state(self, state: str, limit: int = 100, updated_before: datetime | None = None) -> list[dict]:
        """Orders in ``state`` with their versions: newest change first, or, with ``updated_before``, only those
        unchanged since then, oldest first (the by-state index is sorted on updated_at, so the query does the
        filtering)."""
        from chalicelib.adapters.dynamo_models import OrdersByState

        OrderRecord = self._t.OrderRecord
        if updated_before is None:
            rows = OrderRecord.by_state.query(state, scan_index_forward=False, limit=limit)
        else:
            condition = OrdersByState.updated_at < updated_before.isoformat()
            rows = OrderRecord.by_state.query(state, range_key_condition=condition, limit=limit)
        return [dict(r.data) | {"_version": int(r.version)} for r in rows]


def _order_record(tables, order: dict, version: int | None):
    record = tables.OrderRecord(
        order["order_id"],
        customer_phone=order["customer_phone"],
        state=order["state"],
        created_at=order["created_at"],
        updated_at=order["updated_at"],
        data=order,
    )
    if version is not None:
        record.version = version
    return record


class DynamoCustomers:
    """Customers with an outstanding balance, for reminders (a scan: a shop has hundreds of customers, not
    millions; a sparse index on balance would be the next step)."""

    def __init__(self, tables):
        self._t = tables

    def with_balance(self) -> list[dict]:
        CustomerRecord = self._t.CustomerRecord
        return [_customer_dict(c) for c in CustomerRecord.scan(CustomerRecord.balance_paise > 0)]
