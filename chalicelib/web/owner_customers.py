"""Owner API for customers: the details a GST invoice needs (name, GSTIN, state), and the ledger."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.web.owner_auth import owner_api

owner_customers = Blueprint(__name__)


@owner_customers.route("/owner/customers/{phone}", methods=["PUT"])
@owner_api(owner_customers)
def update_customer(phone):
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import BadRequest
    from chalicelib.web.owner_accounts import json_body

    body = json_body(owner_customers.current_request)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object: name, gstin, state_code, credit_limit, credit_days")
    c = container()
    phone = c.customers.resolve(phone)  # the BSUID or the phone number: either finds the customer
    terms = c.payments.parse_terms(phone, body)  # validated before anything is written
    if {"name", "gstin", "state_code"} & body.keys() or terms is None:
        c.customers.update_details(phone, body)
    if terms is not None:
        c.payments.apply_terms(phone, terms)
    return c.customers.details(phone) | c.payments.summary(phone)


@owner_customers.route("/owner/customers/{phone}", methods=["GET"])
@owner_api(owner_customers)
def get_customer(phone):
    from chalicelib.bootstrap import container

    c = container()
    phone = c.customers.resolve(phone)  # the BSUID or the phone number: either finds the customer
    return c.customers.details(phone) | c.payments.summary(phone)
