"""ExpiryService on the in-memory fakes: idle orders expire and the customer is told; nothing else is touched."""

from datetime import timedelta

from chalicelib.domain.errors import MessageNotSent, StaleOrder
from tests.unit.desk import Desk, Flaky

PHONE = "919811130001"


def test_an_order_left_alone_for_a_day_expires_and_the_customer_is_told():
    desk = Desk()
    desk.says(PHONE, "20m blue cotton")
    order_id = desk.store.load(PHONE).order["order_id"]

    counts = desk.expiry().expire_idle_orders(desk.clock() + timedelta(hours=25))

    assert counts == {"expired": 1}
    assert desk.state(order_id) == "EXPIRED" and desk.store.customer(PHONE)["active_order_id"] is None
    assert len(desk.sender.to(PHONE)) == 2  # the summary, then the notice


def test_an_order_changed_within_the_day_is_kept():
    desk = Desk()
    desk.says(PHONE, "20m blue cotton")

    assert desk.expiry().expire_idle_orders(desk.clock() + timedelta(hours=23)) == {"expired": 0}


def test_an_order_waiting_for_the_owner_never_expires():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)

    desk.expiry().expire_idle_orders(desk.clock() + timedelta(days=30))

    assert desk.state(order_id) == "WAITING_OWNER_CONFIRMATION"


def test_an_order_the_customer_touched_during_the_sweep_is_left_alone():
    desk = Desk()
    desk.says(PHONE, "20m blue cotton")
    desk.store = Flaky(desk.store).fail("save_order", StaleOrder("the customer wrote"))

    assert desk.expiry().expire_idle_orders(desk.clock() + timedelta(hours=25)) == {"expired": 0}
    assert desk.store.load(PHONE).customer["active_order_id"] is not None


def test_an_expiry_notice_that_cannot_be_sent_still_expires_the_order():
    desk = Desk()
    desk.says(PHONE, "20m blue cotton")
    desk.sender.refuse(PHONE, MessageNotSent("131026 undeliverable"))

    assert desk.expiry().expire_idle_orders(desk.clock() + timedelta(hours=25)) == {"expired": 1}
