"""Owner API for orders: list by state, read one, approve or reject (queued, executed exactly once)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_api

owner_orders = Blueprint(__name__)


@owner_orders.route("/owner/orders", methods=["GET"])
@owner_api(owner_orders)
def list_orders():
    from chalicelib.bootstrap import container

    state = (owner_orders.current_request.query_params or {}).get("state", "WAITING_OWNER_CONFIRMATION")
    return {"state": state, "orders": container().order_views.list(state)}  # BadRequest (400) for no such state


@owner_orders.route("/owner/orders/{order_id}", methods=["GET"])
@owner_api(owner_orders)
def get_order(order_id):
    from chalicelib.bootstrap import container

    return container().order_views.view(order_id)


@owner_orders.route("/owner/orders/{order_id}/approve", methods=["POST"])
@owner_api(owner_orders)
def approve(order_id):
    return _decide(order_id, "approve")


@owner_orders.route("/owner/orders/{order_id}/reject", methods=["POST"])
@owner_api(owner_orders)
def reject(order_id):
    return _decide(order_id, "reject")


def _decide(order_id: str, action: str):
    """Queue the decision (NotFound → 404 through owner_api); the approvals worker executes it once."""
    from chalicelib.bootstrap import container

    request = owner_orders.current_request
    body = request.json_body if request.raw_body else None
    reason = body.get("reason") if isinstance(body, dict) else None
    container().approval.request(order_id, action, "api", reason)
    return Response(body={"order_id": order_id, "action": action, "queued": True}, status_code=202)
