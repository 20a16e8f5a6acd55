"""Owner decisions racing each other on the whole stack: fifty orders for too little cloth, one order approved through
every channel at once, and approve racing reject. Workers are scaled out the way Lambda scales an SQS mapping."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e

QUANTITIES = ("4", "6.5", "12", "20", "26", "9.25", "15", "3")


class ShelfWatch:
    """Reads the batch over and over while the test runs; every reading must be non-negative."""

    def __init__(self, batch_id: str):
        self.batch_id = batch_id
        self.readings: list[h.Shelf] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.readings.append(h.shelf(self.batch_id))
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def negative(self) -> list[h.Shelf]:
        return [s for s in self.readings if s.rolls < 0 or s.loose < 0 or s.reserved < 0]


def taken_from_shelf(order_data: dict) -> Decimal:
    """What an order's allocation takes off the shelf: the billed meters plus any free offcut."""
    return sum((Decimal(p["meters"]) + Decimal(p["offcut_meters"]) for p in h.parts_of(order_data)), Decimal(0))


def billed(order_data: dict) -> Decimal:
    return sum((Decimal(p["meters"]) for p in h.parts_of(order_data)), Decimal(0))


def approve_through(client, aws, index: int, order_id: str, notified: set[str]) -> tuple[str, int | None]:
    """Approve through a link, the owner API or a message straight on the approvals queue, by turn. An order the
    owner was never notified of gets a freshly signed link (as if the owner had kept an old one)."""
    channel = ("link", "api", "queue")[index % 3]
    if channel == "link":
        link = h.owner_links(client, order_id)["approve"] if order_id in notified else None
        return channel, h.press(link or h.fresh_link(client, order_id, "approve"))[0]
    if channel == "api":
        return channel, h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0]
    h.queue_decision(aws, order_id, "approve")
    return channel, None


@pytest.fixture
def quiet_graph(stack):
    """No delivery-status webhooks from the fake Graph API for a while: fifty customers' replies would bring some
    450 of them, tripling the load on the one-request-at-a-time emulator, and they prove nothing about approvals."""
    stack.graph.status_callbacks = False
    yield
    stack.graph.status_callbacks = True


def test_fifty_orders_racing_for_one_batch_never_oversell_and_every_approval_deducts_exactly_its_reservation(
    client, aws, stack, quiet_graph
):
    # Given a batch of 90.5 m and fifty customers who were each offered what they asked for (585 m in all)
    batch = h.private_batch(rolls=4, meters_per_roll="20", loose="10.5")
    start = h.shelf(batch.batch_id)
    phones = [h.new_phone() for _ in range(50)]
    h.all_at_once(client, phones, [batch.order_text(QUANTITIES[i % 8]) for i in range(50)])
    order_ids = [h.active_order_id(p) for p in phones]
    assert h.shelf(batch.batch_id) == start, "an offer reserves nothing"

    with ShelfWatch(batch.batch_id) as watch:
        # When all fifty confirm at once (their reservations race)
        with h.more_workers(stack, "inbound.fifo", 3):
            h.all_at_once(client, phones, button="confirm")
        before = {oid: h.order(oid) for oid in order_ids}
        waiting = {oid for oid, data in before.items() if data["state"] == "WAITING_OWNER_CONFIRMATION"}
        moved = set(order_ids) - waiting
        after_confirm = h.shelf(batch.batch_id)

        # Then some got the cloth reserved and the rest were told the stock moved
        assert 0 < len(waiting) < 50
        assert after_confirm.reserved == sum(billed(before[oid]) for oid in waiting)
        assert start.on_shelf - after_confirm.on_shelf == sum(taken_from_shelf(before[oid]) for oid in waiting)
        for oid in moved:
            assert h.reservation(oid) is None
            phone = before[oid]["customer_phone"]
            assert any("the stock has just changed" in h.text_of(m) for m in client.messages(to=phone)), oid

        # When the owner approves all fifty at once, through links, the API and the queue
        with h.more_workers(stack, "approvals.fifo", 4), ThreadPoolExecutor(50) as pool:
            answers = list(
                pool.map(lambda i: approve_through(client, aws, i, order_ids[i], waiting), range(len(order_ids)))
            )
            h.drain(aws, timeout=90)
        after = {oid: h.order(oid) for oid in order_ids}
        told = h.wait_for(
            lambda: (told := h.owner_told(client, order_ids)) and all(told.values()) and told,
            what="the owner told of every order",
        )

    # Then stock never went negative and every waiting order, and only those, was approved
    assert watch.readings and not watch.negative()
    approved = {oid for oid, data in after.items() if data["state"] == "ORDER_COMPLETED"}
    assert approved == waiting
    for oid, (channel, status) in zip(order_ids, answers, strict=True):
        expected = {"link": 200 if oid in waiting else 409, "api": 202, "queue": None}[channel]
        assert status == expected, (oid, channel, status)

    # Every approved order is deducted whole: reservation gone, one invoice, one ledger entry for its total
    numbers = []
    for oid in approved:
        assert h.reservation(oid) is None
        (invoice,) = h.invoices(oid)
        numbers.append(invoice["number"])
        phone = after[oid]["customer_phone"]
        (entry,) = h.ledger(phone)
        assert entry.reference == invoice["number"]
        assert Decimal(entry.amount_paise) / 100 == Decimal(after[oid]["invoice"]["grand_total"])
        assert h.customer(phone)["balance_paise"] == entry.amount_paise
        assert len(h.documents_to(client, phone)) == 1
        assert any(t.startswith(f"✅ Order {oid} approved") for t in told[oid])
    assert len(set(numbers)) == len(numbers)

    # Every refused order is untouched and the owner was told why
    for oid in moved:
        assert after[oid]["state"] == before[oid]["state"] != "ORDER_COMPLETED"
        assert after[oid]["_version"] == before[oid]["_version"]
        assert h.invoices(oid) == [] and h.ledger(after[oid]["customer_phone"]) == []
        assert any("could not be approved" in t for t in told[oid]), oid

    # And the books add up: nothing reserved any more, the shelf lost exactly what the approved orders took
    end = h.shelf(batch.batch_id)
    assert end.reserved == 0 and end.rolls >= 0 and end.loose >= 0
    consumed = start.on_shelf - end.on_shelf
    assert consumed == sum(taken_from_shelf(after[oid]) for oid in approved)
    print(
        f"\n50 orders: {len(approved)} approved, {len(moved)} refused; {consumed} m of {start.on_shelf} m consumed "
        f"({sum(billed(after[oid]) for oid in approved)} m billed); {len(watch.readings)} stock readings"
    )


def test_one_order_approved_ten_times_at_once_gets_one_invoice_one_ledger_entry_and_one_document(
    client, aws, stack, phone
):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    link = h.owner_links(client, order_id)["approve"]
    command = json.dumps({"order_id": order_id, "action": "approve", "reason": None, "source": "api"})

    def attempt(i: int):
        if i < 3:  # the owner taps the same link three times
            return ("link", h.press(link)[0])
        if i < 5:  # two more genuine links (say, from a re-sent notification)
            return ("fresh link", h.press(h.fresh_link(client, order_id, "approve"))[0])
        if i < 8:
            return ("api", h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0])
        # the queue delivers one decision twice (at-least-once)
        h.queue_decision(aws, order_id, "approve", command)
        return ("queue", None)

    with h.more_workers(stack, "approvals.fifo", 4), ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
        h.drain(aws)

    link_statuses = sorted(status for channel, status in outcomes if channel == "link")
    assert link_statuses == [200, 409, 409], "the link works once; its reuse gets the 'used' page"
    assert [status for channel, status in outcomes if channel == "fresh link"] == [200] * 2
    assert [status for channel, status in outcomes if channel == "api"] == [202] * 3
    assert h.order(order_id)["state"] == "ORDER_COMPLETED"
    assert len(h.invoices(order_id)) == 1
    assert len(h.ledger(phone)) == 1
    assert len(h.documents_to(client, phone)) == 1
    assert len([t for t in h.owner_texts(client, order_id) if t.startswith("✅")]) == 1
    assert h.shelf(batch.batch_id).reserved == 0


def test_approve_and_reject_pressed_at_the_same_moment_end_in_exactly_one_decision(client, aws, stack, phone):
    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="14")
    start = h.shelf(batch.batch_id)
    order_id = h.confirmed_order(client, phone, batch.order_text("24"))
    links = h.owner_links(client, order_id)
    presses = [
        lambda: h.press(links["approve"])[0],
        lambda: h.press(links["reject"], reason="sold out at the counter")[0],
        lambda: h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0],
        lambda: h.owner_api(client, "POST", f"/owner/orders/{order_id}/reject", {"reason": "changed my mind"})[0],
    ]

    with h.more_workers(stack, "approvals.fifo", 3), ThreadPoolExecutor(4) as pool:
        statuses = [f.result() for f in [pool.submit(press) for press in presses]]
        h.drain(aws)

    assert statuses[2:] == [202, 202]
    state = h.order(order_id)["state"]
    assert state in ("ORDER_COMPLETED", "ORDER_REJECTED")
    end = h.shelf(batch.batch_id)
    assert end.reserved == 0
    loser = "rejected" if state == "ORDER_COMPLETED" else "approved"
    assert any(f"could not be {loser}" in t for t in h.owner_texts(client, order_id))
    if state == "ORDER_COMPLETED":
        assert len(h.invoices(order_id)) == 1 and len(h.ledger(phone)) == 1
        assert start.on_shelf - end.on_shelf == 24
    else:
        assert h.invoices(order_id) == [] and h.ledger(phone) == [] and h.documents_to(client, phone) == []
        assert end.on_shelf == start.on_shelf


def test_a_reject_pressed_after_an_approve_never_overtakes_it_on_another_worker(client, aws, stack, phone, monkeypatch):
    # Given an approve that takes its time (the first invoice loads the PDF libraries) and idle workers beside it
    from chalicelib.bootstrap import container

    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("12"))
    approval = container().approval
    real_execute = approval.execute

    approving = threading.Event()

    def slow_approve(command):
        if command["action"] == "approve":
            approving.set()
            time.sleep(1.5)
        return real_execute(command)

    monkeypatch.setattr(approval, "execute", slow_approve)

    # When the owner approves and, while a worker is busy with it, rejects
    with h.more_workers(stack, "approvals.fifo", 3):
        assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
        assert approving.wait(30)
        assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/reject", {"reason": "oops"})[0] == 202
        h.drain(aws)

    # Then the first decision stands and the owner is told the second came too late
    assert h.order(order_id)["state"] == "ORDER_COMPLETED"
    assert len(h.invoices(order_id)) == 1
    assert any("could not be rejected: it was already approved" in t for t in h.owner_texts(client, order_id))
