"""The owner records a customer's GST details; a bad GSTIN is refused with a clear reason."""

import pytest

from tests.e2e.test_owner_stock import owner

pytestmark = pytest.mark.e2e


def test_customer_details_need_the_owner_credential(client, phone):
    assert owner(client, "PUT", f"/owner/customers/{phone}", {"name": "A"}, key=None)[0] == 401
    assert owner(client, "GET", f"/owner/customers/{phone}", key=None)[0] == 401


def test_a_gstin_sets_the_customers_state_for_invoices(client, phone):
    status, body = owner(
        client, "PUT", f"/owner/customers/{phone}", {"name": "Mehta Fabrics", "gstin": "27ABCDE1234F1Z5"}
    )
    assert status == 200
    assert (body["gstin"], body["state_code"], body["state"]) == ("27ABCDE1234F1Z5", "27", "Maharashtra")
    assert owner(client, "GET", f"/owner/customers/{phone}")[1]["name"] == "Mehta Fabrics"


def test_a_malformed_gstin_is_refused_and_nothing_is_stored(client, phone):
    status, body = owner(client, "PUT", f"/owner/customers/{phone}", {"name": "X", "gstin": "NOT-A-GSTIN"})
    assert status == 400 and "GSTIN" in body["error"]
    assert owner(client, "GET", f"/owner/customers/{phone}")[1]["gstin"] is None
