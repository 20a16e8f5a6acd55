"""Owner API for orders: list by state, read one, approve or reject (queued, executed exactly once)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_denied

owner_orders = Blueprint(__name__)


@owner_orders.route("/owner/orders", methods=["GET"])
def list_orders():
    from chalicelib.bootstrap import container

    request = owner_orders.current_request
    denied = owner_denied(request)
    if denied:
        return denied
    state = (request.query_params or {}).get("state", "WAITING_OWNER_CONFIRMATION")
    return {"state": state, "orders": container().approval.list(state)}


@owner_orders.route("/owner/orders/{order_id}", methods=["GET"])
def get_order(order_id):
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import NotFound

    denied = owner_denied(owner_orders.current_request)
    if denied:
        return denied
    try:
        return container().approval.view(order_id)
    except NotFound:
        return Response(body={"error": f"no order {order_id}"}, status_code=404)


def _decide(order_id: str, action: str):
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import NotFound

    request = owner_orders.current_request
    denied = owner_denied(request)
    if denied:
        return denied
    body = request.json_body if request.raw_body else None
    reason = body.get("reason") if isinstance(body, dict) else None
    try:
        container().approval.request(order_id, action, "api", reason)
    except NotFound:
        return Response(body={"error": f"no order {order_id}"}, status_code=404)
    return Response(body={"order_id": order_id, "action": action, "queued": True}, status_code=202)


@owner_orders.route("/owner/orders/{order_id}/approve", methods=["POST"])
def approve(order_id):
    return _decide(order_id, "approve")


@owner_orders.route("/owner/orders/{order_id}/reject", methods=["POST"])
def reject(order_id):
    return _decide(order_id, "reject")
