"""The owner's decision on the whole stack: signed links (and every way a link can be wrong), rejection with a
reason, and the owner API."""

import pytest

from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e


@pytest.fixture
def queued_decisions(monkeypatch):
    """Every decision put on the approvals queue during the test (they still go through)."""
    from chalicelib.bootstrap import container

    queue = container().approvals_queue
    sent = []
    original = queue.send

    def spy(body, *args, **kwargs):
        sent.append(body)
        return original(body, *args, **kwargs)

    monkeypatch.setattr(queue, "send", spy)
    return sent


@pytest.fixture(scope="module")
def waiting(stack):
    """One order waiting for the owner, which the tests of bad links must leave exactly as it is."""
    from devstack.client import Client

    client = Client(info=stack.describe())
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="8")
    phone = h.new_phone()
    order_id = h.confirmed_order(client, phone, batch.order_text("12"))
    return {"order_id": order_id, "batch": batch, "phone": phone}


def snapshot(order_id: str, batch_id: str) -> tuple:
    data = h.order(order_id)
    return data["state"], data["_version"], h.shelf(batch_id), h.invoices(order_id)


def expired_link(client, order_id: str) -> str:
    """A link signed with the real secret whose expiry has passed."""
    return h.fresh_link(client, order_id, "approve", expires_in=-60)


def tampered_link(client, order_id: str) -> str:
    """A genuine approve link whose claims were edited to point at another order (the signature no longer fits)."""
    import base64
    import json

    url = h.owner_links(client, order_id)["approve"]
    base, token = url.rsplit("/", 1)
    body, mac = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["o"] = "ORD-20990101-FFFFFF"
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{base}/{forged}.{mac}"


BAD_LINKS = {
    # kind: (the link, the form sent with it, the status and the words of the page the owner gets)
    "tampered": (tampered_link, {}, 400, "This link is not valid"),
    "truncated": (lambda c, o: h.owner_links(c, o)["approve"][:-12], {}, 400, "This link is not valid"),
    "expired": (expired_link, {}, 410, "This link has expired"),
    "wrong action": (lambda c, o: h.owner_links(c, o)["reject"], {"action": "approve"}, 400, "Wrong link"),
}


@pytest.mark.parametrize("kind", BAD_LINKS)
def test_a_bad_link_gets_a_clear_page_and_changes_nothing(kind, client, waiting, queued_decisions, aws):
    make, form, status, words = BAD_LINKS[kind]
    order_id, batch = waiting["order_id"], waiting["batch"]
    url = make(client, order_id)
    before = snapshot(order_id, batch.batch_id)

    pressed, page = h.press(url, reason="no", **form)

    assert pressed == status and words in page and "Nothing was changed" in page and "<form" not in page
    if not form:  # opening the link says the same (only a submitted form can name the wrong action)
        shown, page = h.open_link(url)
        assert shown == status and words in page and "<form" not in page
    h.drain(aws)  # anything queued has been applied: a change would show now
    assert snapshot(order_id, batch.batch_id) == before
    assert queued_decisions == []
    assert h.owner_texts(client, order_id) == []


def test_opening_an_approve_link_shows_the_order_and_decides_nothing(client, phone, queued_decisions, aws):
    # Given an order waiting for the owner
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    url = h.owner_links(client, order_id)["approve"]
    before = snapshot(order_id, batch.batch_id)

    # When WhatsApp's link preview (or the owner) opens the link, twice
    statuses_pages = [h.open_link(url) for _ in range(2)]

    # Then the page shows the order and a button, and nothing was decided
    for status, page in statuses_pages:
        assert status == 200
        assert "Approve this order?" in page and order_id in page and "Approve order" in page
        assert f"+{phone}" in page and "Total with GST" in page
    h.drain(aws)  # anything queued has been applied: a change would show now
    assert snapshot(order_id, batch.batch_id) == before
    assert h.order(order_id)["state"] == "WAITING_OWNER_CONFIRMATION"
    assert queued_decisions == []

    # And the link still works when the button is pressed
    status, page = h.press(url)
    assert status == 200 and "Order approved" in page
    assert len(queued_decisions) == 1


def test_a_link_works_once_and_its_reuse_changes_nothing(client, phone, aws, queued_decisions):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    url = h.owner_links(client, order_id)["approve"]
    assert h.press(url)[0] == 200
    h.drain(aws)
    before = snapshot(order_id, batch.batch_id)

    status, page = h.press(url)
    again, shown = h.open_link(url)

    assert status == 409 and "Link already used" in page and "Nothing was changed" in page
    assert again == 200 and "is approved" in shown and "<form" not in shown
    h.drain(aws)  # anything queued has been applied: a change would show now
    assert snapshot(order_id, batch.batch_id) == before
    assert len(queued_decisions) == 1
    assert len(h.ledger(phone)) == 1


def test_a_link_whose_decision_could_not_be_queued_still_works_when_pressed_again(client, phone, monkeypatch):
    from chalicelib.bootstrap import container

    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    url = h.owner_links(client, order_id)["approve"]
    queue = container().approvals_queue
    send = queue.send

    def unreachable(*args, **kwargs):
        monkeypatch.setattr(queue, "send", send)  # only this once
        raise ConnectionError("SQS unreachable")

    monkeypatch.setattr(queue, "send", unreachable)
    failed, _ = h.press(url)
    assert failed == 500
    assert h.order(order_id)["state"] == "WAITING_OWNER_CONFIRMATION"

    status, page = h.press(url)
    assert status == 200 and "Order approved" in page


def test_an_approval_whose_reservation_is_gone_is_refused_and_the_owner_is_told(client, phone, aws):
    from chalicelib.bootstrap import container

    ProcessedKey = container().tables.ProcessedKey

    # Given a waiting order whose reservation record has gone missing (the books no longer hold its cloth)
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    ProcessedKey(f"reservation#{order_id}").delete()
    before = snapshot(order_id, batch.batch_id)

    # When the owner approves it
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202

    # Then it is refused at once (not retried until the queue gives up), the owner is told why, nothing changes
    told = h.wait_for(lambda: h.owner_texts(client, order_id), timeout=10, what="the owner told")
    assert "could not be approved: its reserved stock is no longer on the books" in told[0]
    h.drain(aws)
    assert snapshot(order_id, batch.batch_id) == before
    assert h.ledger(phone) == [] and h.documents_to(client, phone) == []


def test_rejecting_with_a_reason_releases_the_stock_and_tells_the_customer_why(client, phone, aws):
    # Given an order of one whole roll and the loose meters, reserved at the customer's confirmation
    batch = h.private_batch(rolls=3, meters_per_roll="20", loose="10")
    start = h.shelf(batch.batch_id)
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    assert h.shelf(batch.batch_id).reserved == 30

    # When the owner rejects it through the reject link, with a reason
    status, page = h.press(h.owner_links(client, order_id)["reject"], reason="Rate has changed, please call")
    h.drain(aws)

    # Then the order is rejected, the cloth is back on the shelf and the customer knows why
    assert status == 200 and "Order rejected" in page and "Rate has changed, please call" in page
    data = h.order(order_id)
    assert data["state"] == "ORDER_REJECTED"
    assert h.shelf(batch.batch_id) == start
    assert h.reservation(order_id) is None
    told = [h.text_of(m) for m in client.messages(to=phone)]
    assert any(f"could not accept order {order_id}. Reason: Rate has changed, please call" in t for t in told)
    assert h.invoices(order_id) == [] and h.ledger(phone) == [] and h.documents_to(client, phone) == []
    assert h.customer(phone)["balance_paise"] == 0 and h.customer(phone)["active_order_id"] is None
    assert any(t.startswith(f"❌ Order {order_id} rejected") for t in h.owner_texts(client, order_id))


def test_the_owner_api_needs_the_key(client):
    for method, path in (
        ("GET", "/owner/orders"),
        ("GET", "/owner/orders/ORD-20260101-000000"),
        ("POST", "/owner/orders/ORD-20260101-000000/approve"),
        ("POST", "/owner/orders/ORD-20260101-000000/reject"),
    ):
        assert h.owner_api(client, method, path, key=None)[0] == 401
        assert h.owner_api(client, method, path, key="not-the-key")[0] == 401


def test_the_owner_api_lists_shows_and_approves_an_order_once(client, phone, aws):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="5")
    order_id = h.confirmed_order(client, phone, batch.order_text("35"))

    status, listed = h.owner_api(client, "GET", "/owner/orders?state=WAITING_OWNER_CONFIRMATION")
    assert status == 200 and order_id in [o["order_id"] for o in listed["orders"]]
    status, shown = h.owner_api(client, "GET", f"/owner/orders/{order_id}")
    assert status == 200 and shown["state"] == "WAITING_OWNER_CONFIRMATION"
    assert shown["customer"]["phone"] == phone
    assert [(line["material"], line["color"], line["meters"]) for line in shown["lines"]] == [
        (batch.material, batch.color, "35.00")
    ]
    assert shown["lines"][0]["batches"][0]["batch_id"] == batch.batch_id
    assert h.owner_api(client, "GET", "/owner/orders/ORD-20990101-FFFFFF")[0] == 404

    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/reject", {"reason": "too late"})[0] == 202
    h.drain(aws)

    status, shown = h.owner_api(client, "GET", f"/owner/orders/{order_id}")
    assert shown["state"] == "ORDER_COMPLETED" and shown["invoice"]["number"]
    assert len(h.invoices(order_id)) == 1 and len(h.ledger(phone)) == 1 and len(h.documents_to(client, phone)) == 1
    assert h.shelf(batch.batch_id).reserved == 0
    assert any("could not be rejected" in t for t in h.owner_texts(client, order_id))
    assert order_id not in [o["order_id"] for o in h.owner_api(client, "GET", "/owner/orders")[1]["orders"]]


def test_the_owner_api_rejects_with_the_reason_given(client, phone, aws):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))

    status, body = h.owner_api(client, "POST", f"/owner/orders/{order_id}/reject", {"reason": "Shop closed today"})
    h.drain(aws)

    assert (status, body["queued"]) == (202, True)
    assert h.order(order_id)["state"] == "ORDER_REJECTED"
    assert h.owner_api(client, "GET", f"/owner/orders/{order_id}")[1]["decision"]["reason"] == "Shop closed today"
    assert any("Reason: Shop closed today" in h.text_of(m) for m in client.messages(to=phone))
    assert h.shelf(batch.batch_id).reserved == 0 and h.invoices(order_id) == []
