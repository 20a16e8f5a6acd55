"""The read side of orders for the owner's API and pages: one order as the owner sees it, orders by state, and an
order's state (what the approval page asks while a decision is applied). Reads only; amounts in rupees with two
decimals."""

from __future__ import annotations

from chalicelib.domain.errors import BadRequest, NotFound
from chalicelib.domain.money import from_paise
from chalicelib.services.ports import ConversationStorePort, InvoiceDraftingPort


class OrderViews:
    def __init__(self, *, store: ConversationStorePort, draft: InvoiceDraftingPort):
        self._store = store
        self._draft = draft

    def state(self, order_id: str) -> str:
        """The order's state, read consistently; raises NotFound."""
        return self._data(order_id)["state"]

    def view(self, order_id: str) -> dict:
        """The order as the owner sees it (page and API): lines with batches and dye lots, GST, balance, state."""
        from chalicelib.domain.order import Order

        data = self._data(order_id)
        order = Order.from_dict(data)
        customer = self._store.customer(order.customer_phone) or {"phone": order.customer_phone}
        view = {
            "order_id": order.order_id,
            "state": order.state.value,
            "customer": {
                "phone": order.customer_phone,
                "name": customer.get("name") or order.customer_name,
                "balance": str(from_paise(customer.get("balance_paise", 0))),
            },
            "lines": [],
            "created_at": order.created_at.isoformat(),
            "updated_at": order.updated_at.isoformat(),
            "invoice": data.get("invoice"),
            "decision": {k: v for k, v in (data.get("decision") or {}).items() if k != "replies"} or None,
        }
        for line in order.lines_for_summary:
            view["lines"].append(
                {
                    "material": line.material,
                    "color": line.color,
                    "meters": str(line.allocation.available_meters),
                    "amount": str(line.allocation.amount),
                    "spans_lots": line.allocation.spans_lots,
                    "batches": [
                        {
                            "batch_id": p.batch_id,
                            "dye_lot": p.dye_lot,
                            "rolls": p.rolls,
                            "meters": str(p.meters),
                            "rate": str(p.price_per_meter),
                        }
                        for p in line.allocation.parts
                    ],
                }
            )
        if order.lines_for_summary:
            totals = self._draft(order, customer).totals
            view["totals"] = {
                "taxable": str(totals.taxable_value),
                "tax": [{"label": r.label, "amount": str(r.amount)} for r in totals.tax_rows],
                "round_off": str(totals.round_off),
                "grand_total": str(totals.grand_total),
            }
        return view

    def list(self, state: str) -> list[dict]:
        """Orders in ``state``, newest change first, as short rows; BadRequest for a state orders never have."""
        from chalicelib.domain.order import Order, OrderState

        if state not in OrderState.__members__:
            raise BadRequest(f"state is one of {', '.join(OrderState)}, not {state!r}")
        rows = []
        for data in self._store.orders_in_state(OrderState(state)):
            order = Order.from_dict(data)
            rows.append(
                {
                    "order_id": order.order_id,
                    "customer_phone": order.customer_phone,
                    "customer_name": order.customer_name,
                    "state": order.state.value,
                    "lines": len(order.lines_for_summary),
                    "total": str(order.total),
                    "updated_at": order.updated_at.isoformat(),
                }
            )
        return sorted(rows, key=lambda r: r["updated_at"], reverse=True)

    def _data(self, order_id: str) -> dict:
        found = self._store.load_order(order_id)
        if found is None:
            raise NotFound(f"no order {order_id}")
        return found[0]
