"""Owner API for customers: the details a GST invoice needs (name, GSTIN, state), and the ledger."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.web.owner_auth import owner_api

owner_customers = Blueprint(__name__)


@owner_customers.route("/owner/customers/{phone}", methods=["PUT"])
@owner_api(owner_customers)
def update_customer(phone):
    from chalicelib.bootstrap import container

    return container().customers.update_details(phone, owner_customers.current_request.json_body)


@owner_customers.route("/owner/customers/{phone}", methods=["GET"])
@owner_api(owner_customers)
def get_customer(phone):
    from chalicelib.bootstrap import container

    return container().customers.details(phone)
