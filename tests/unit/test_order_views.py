"""The owner's read views on the in-memory fakes: an order as the owner sees it, and orders by state."""

from datetime import timedelta

import pytest

from chalicelib.domain.errors import BadRequest, NotFound
from tests.unit.desk import Desk

PHONE = "919811160001"


def test_an_order_shows_its_batches_gst_and_the_customers_balance_in_rupees_and_paise():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)

    view = desk.order_views.view(order_id)

    assert view["state"] == "WAITING_OWNER_CONFIRMATION" and view["customer"]["balance"] == "0.00"
    [line] = view["lines"]
    assert (line["meters"], line["amount"], line["batches"][0]["dye_lot"]) == ("20.00", "2400.00", "DL-1")
    assert view["totals"]["grand_total"] == "2520.00"


def test_orders_are_listed_by_state_newest_change_first():
    desk = Desk()
    first = desk.waiting_order(PHONE)
    desk.clock.now += timedelta(minutes=5)
    second = desk.waiting_order("919811160002")

    rows = desk.order_views.list("WAITING_OWNER_CONFIRMATION")

    assert [r["order_id"] for r in rows] == [second, first]
    assert desk.order_views.list("ORDER_COMPLETED") == []


def test_a_state_orders_never_have_is_refused():
    with pytest.raises(BadRequest):
        Desk().order_views.list("waiting")


def test_an_unknown_order_is_not_found():
    with pytest.raises(NotFound):
        Desk().order_views.view("ORD-NOPE")
