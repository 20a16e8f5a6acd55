"""Use case: expire conversations the customer walked away from, so the next message starts afresh.

An order still being put together (COLLECTING_ITEMS, CUSTOMER_NEGOTIATION, FINAL_CUSTOMER_CONFIRMATION) that has not
changed for ORDER_IDLE_HOURS expires, and the customer is told. Nothing is reserved before the customer confirms, so
there is no stock to release. An order waiting for the owner is not expired: its stock is reserved and only the owner
decides (the owner API lists what is waiting).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import MessageNotSent, StaleOrder
from chalicelib.domain.order import OrderState
from chalicelib.services.ports import ConversationStorePort, MessageSenderPort

ORDER_IDLE_HOURS = 24
EXPIRING_STATES = (
    OrderState.COLLECTING_ITEMS,
    OrderState.CUSTOMER_NEGOTIATION,
    OrderState.FINAL_CUSTOMER_CONFIRMATION,
)
SYSTEM = ("system", "job:expire_idle_orders")  # who and via of the audit entries


class ExpiryService:
    def __init__(self, *, store: ConversationStorePort, sender: MessageSenderPort, idle_hours: int = ORDER_IDLE_HOURS):
        self._store = store
        self._sender = sender
        self._idle = timedelta(hours=idle_hours)

    def expire_idle_orders(self, now: datetime | None = None) -> dict:
        from chalicelib.domain import conversation as engine
        from chalicelib.domain.audit import order_transitions
        from chalicelib.domain.order import Order
        from chalicelib.logs import get_logger

        now = now or datetime.now(UTC)
        run_id = f"expire_idle_orders@{now.isoformat(timespec='seconds')}"  # the audit entries' correlation id
        store = self._store
        expired = 0
        for state in EXPIRING_STATES:
            for data in store.orders_in_state(state, limit=500, updated_before=now - self._idle):
                version = data.pop("_version")
                order = Order.from_dict(data)
                result = engine.expire(order, now)
                moved = order_transitions(data, [(order.order_id, result.order.state.value)], *SYSTEM, run_id)
                try:
                    store.save_order(result.order.to_dict(), version, audit=moved)
                except StaleOrder:
                    continue  # the customer wrote meanwhile: not idle after all
                store.clear_active(order.customer_phone, order.order_id)
                for index, message in enumerate(result.replies):
                    # 24 hours idle is usually outside the window too: the order_expired template then goes instead.
                    fallback = _expired_template(order) if index == 0 else None
                    try:
                        self._sender.send(
                            message, idempotency_key=f"expired#{order.order_id}#{index}", fallback=fallback
                        )
                    except MessageNotSent as exc:  # the order is expired either way; the notice is best effort
                        get_logger().warning("expiry notice not sent", extra={"code": exc.code, "reason": str(exc)})
                expired += 1
        return {"expired": expired}


def _expired_template(order) -> dict:
    from chalicelib.templates import template

    language = "hi" if order.language == "hi" else "en"
    return template("order_expired").payload(order.customer_phone, language, {"order_id": order.order_id})
