"""ApprovalService on the in-memory fakes: executing the owner's decision exactly once, refusing what cannot be
decided, retrying on a stale order, and spending signed links (given back when the decision could not be queued)."""

from datetime import timedelta

import pytest

from chalicelib.domain.errors import NotFound, StaleOrder
from chalicelib.domain.links import LinkExpired, LinkUsed, WrongAction
from chalicelib.services.approval import MAX_ATTEMPTS
from tests.unit.desk import BLUE_COTTON, OWNER, Desk, Flaky

PHONE = "919811120001"


def approve(order_id):
    return {"order_id": order_id, "action": "approve", "source": "test"}


def reject(order_id, reason=None):
    return {"order_id": order_id, "action": "reject", "reason": reason, "source": "test"}


def link_token(desk, order_id, action):
    return desk.links.links(order_id, desk.clock())[action].rsplit("/", 1)[1]


def test_an_approval_sells_the_reservation_invoices_debits_and_sends_the_invoice():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)

    assert desk.approval.execute(approve(order_id)) == "approved"

    stored, _ = desk.store.load_order(order_id)
    assert stored["state"] == "ORDER_COMPLETED" and stored["invoice"]["number"].endswith("/00001")
    assert desk.shelf(BLUE_COTTON) == (60, 0) and desk.store.reservation(order_id) is None
    assert desk.store.customer(PHONE)["balance_paise"] == 2520_00  # 2,400 + 5 % GST
    [document] = [p for p in desk.sender.to(PHONE) if p["type"] == "document"]
    # Sent by WhatsApp media id (uploaded from the stored PDF), not by an expiring link.
    assert "link" not in document["document"]
    (stored_pdf,) = desk.invoices.invoices_of(order_id)
    assert desk.sender.media[document["document"]["id"]] == desk.invoices.pdf(stored_pdf["s3_key"])
    assert any("approved" in t for t in desk.sender.texts_to(OWNER))


def test_an_approval_executed_twice_invoices_once_and_messages_once():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    desk.approval.execute(approve(order_id))
    sent = len(desk.sender.sent)

    assert desk.approval.execute(approve(order_id)) == "already"

    assert len(desk.invoices.invoices_of(order_id)) == 1 and desk.invoices.renders == 1
    assert len(desk.sender.sent) == sent and desk.store.customer(PHONE)["balance_paise"] == 2520_00


def test_a_rejection_puts_the_stock_back_and_tells_the_customer_the_reason():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)

    assert desk.approval.execute(reject(order_id, "out of this dye lot")) == "rejected"

    assert desk.state(order_id) == "ORDER_REJECTED" and desk.shelf(BLUE_COTTON) == (80, 0)
    assert any("out of this dye lot" in t for t in desk.sender.texts_to(PHONE))
    assert desk.invoices.invoices_of(order_id) == [] and desk.store.customer(PHONE)["balance_paise"] == 0


def test_an_order_the_customer_has_not_confirmed_is_refused_and_nothing_changes():
    desk = Desk()
    desk.says(PHONE, "20m blue cotton")
    order_id = desk.store.load(PHONE).order["order_id"]

    assert desk.approval.execute(approve(order_id)) == "refused"

    assert desk.state(order_id) == "FINAL_CUSTOMER_CONFIRMATION" and desk.invoices.invoices_of(order_id) == []
    assert any(
        "could not be approved: it is no longer waiting for your approval" in t for t in desk.sender.texts_to(OWNER)
    )


def test_approving_a_rejected_order_is_refused():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    desk.approval.execute(reject(order_id))

    assert desk.approval.execute(approve(order_id)) == "refused"

    assert desk.state(order_id) == "ORDER_REJECTED" and desk.invoices.invoices_of(order_id) == []
    assert any("could not be approved: it was already rejected" in t for t in desk.sender.texts_to(OWNER))


def test_a_stale_order_is_read_again_and_the_decision_retried():
    desk = Desk()
    desk.invoices = invoices = Flaky(desk.invoices)
    order_id = desk.waiting_order(PHONE)
    invoices.fail("commit_approval", StaleOrder("the balance moved"))

    assert desk.approval.execute(approve(order_id)) == "approved"

    assert invoices.calls["commit_approval"] == 2 and desk.sleeps == [0.02]


def test_a_decision_that_stays_stale_is_left_for_the_queue_to_retry():
    desk = Desk()
    desk.invoices = invoices = Flaky(desk.invoices)
    order_id = desk.waiting_order(PHONE)
    invoices.fail("commit_rejection", *[StaleOrder("moved")] * MAX_ATTEMPTS)

    with pytest.raises(StaleOrder):
        desk.approval.execute(reject(order_id))

    assert desk.state(order_id) == "WAITING_OWNER_CONFIRMATION"


def test_an_approval_whose_reservation_is_gone_is_refused_and_the_owner_told_why():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    desk.idempotency.release(f"reservation#{order_id}")

    assert desk.approval.execute(approve(order_id)) == "refused"

    assert desk.state(order_id) == "WAITING_OWNER_CONFIRMATION"
    assert any("no longer on the books" in t for t in desk.sender.texts_to(OWNER))


def test_a_decision_on_an_unknown_order_is_not_found_and_nothing_is_queued():
    desk = Desk()
    with pytest.raises(NotFound):
        desk.approval.request("ORD-NOPE", "approve", "api")
    assert desk.queue.sent == []


def test_a_link_is_spent_once_and_queues_its_decision():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    token = link_token(desk, order_id, "approve")

    desk.links.use_link(token, "approve")

    [body] = desk.queue.bodies
    assert body.pop("correlation_id"), "the audit trail's correlation id travels with the decision"
    assert body == approve(order_id) | {"reason": None, "source": "link", "at": desk.clock().isoformat()}
    assert desk.links.open_link(token)[1] is True  # used
    with pytest.raises(LinkUsed):
        desk.links.use_link(token, "approve")
    assert len(desk.queue.sent) == 1


def test_a_link_whose_decision_could_not_be_queued_is_given_back():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    token = link_token(desk, order_id, "reject")
    desk.queue.failing = ConnectionError("queue unreachable")

    with pytest.raises(ConnectionError):
        desk.links.use_link(token, "reject", "no stock")

    assert desk.links.open_link(token)[1] is False
    desk.queue.failing = None
    desk.links.use_link(token, "reject", "no stock")  # the owner's retry works
    assert desk.queue.bodies[0]["reason"] == "no stock"


def test_a_link_for_the_other_action_or_past_its_time_decides_nothing():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    token = link_token(desk, order_id, "approve")

    with pytest.raises(WrongAction):
        desk.links.use_link(token, "reject")
    desk.clock.now += timedelta(hours=desk.settings.link_ttl_hours + 1)
    with pytest.raises(LinkExpired):
        desk.links.use_link(token, "approve")

    assert desk.queue.sent == []
