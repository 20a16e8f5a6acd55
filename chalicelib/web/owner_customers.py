"""Owner API for customers: the details a GST invoice needs (name, GSTIN, state), and the ledger."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_denied

owner_customers = Blueprint(__name__)


@owner_customers.route("/owner/customers/{phone}", methods=["PUT"])
def update_customer(phone):
    from chalicelib.bootstrap import container

    request = owner_customers.current_request
    denied = owner_denied(request)
    if denied:
        return denied
    body = request.json_body
    if not isinstance(body, dict):
        return Response(body={"error": "send a JSON object: name, gstin, state_code"}, status_code=400)
    try:
        return container().customers.update_details(phone, body)
    except ValueError as exc:
        return Response(body={"error": str(exc)}, status_code=400)


@owner_customers.route("/owner/customers/{phone}", methods=["GET"])
def get_customer(phone):
    from chalicelib.bootstrap import container

    denied = owner_denied(owner_customers.current_request)
    return denied or container().customers.details(phone)
