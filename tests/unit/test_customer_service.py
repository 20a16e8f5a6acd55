"""CustomerService on the in-memory fakes: the owner records GST details as an invoice would check them."""

import pytest

from tests.unit.desk import Desk

PHONE = "919811150001"


def test_details_recorded_are_read_back_with_the_state_named():
    desk = Desk()
    details = desk.customers().update_details(PHONE, {"name": "Asha Traders", "gstin": "27AAAAA0000A1Z5"})
    assert (details["name"], details["state_code"], details["state"]) == ("Asha Traders", "27", "Maharashtra")


def test_a_gstin_from_another_state_than_the_code_given_is_refused_and_nothing_is_written():
    desk = Desk()
    with pytest.raises(ValueError):
        desk.customers().update_details(PHONE, {"gstin": "27AAAAA0000A1Z5", "state_code": "24"})
    assert desk.store.customer(PHONE) == {}


def test_an_account_shows_the_balance_and_the_ledger_in_rupees():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    desk.approval.execute({"order_id": order_id, "action": "approve"})

    account = desk.customers().details(PHONE)

    assert account["balance"] == "2520.00"
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in account["ledger"]] == [
        ("debit", "2520.00", "2520.00")
    ]
