"""Orders the customer walked away from expire on the schedule; orders with the owner and fresh ones do not."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conversation_helpers import Chat

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat(client, phone):
    return Chat(client, phone)


def test_an_idle_negotiation_expires_the_customer_is_told_and_can_order_afresh(chat, client):
    from chalicelib.bootstrap import container

    chat.says("2m white cotton and 6m red polyester")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    order_id = chat.order["order_id"]

    container().expiry.expire_idle_orders(datetime.now(UTC) + timedelta(hours=1))  # idle for an hour: kept
    assert chat.state == "CUSTOMER_NEGOTIATION"

    container().expiry.expire_idle_orders(datetime.now(UTC) + timedelta(hours=25))
    stored, _ = container().conversation_store.load_order(order_id)
    assert stored["state"] == "EXPIRED"
    assert container().conversation_store.customer(chat.phone).get("active_order_id") is None
    assert any(order_id in (m["payload"].get("text") or {}).get("body", "") for m in client.messages(to=chat.phone))

    chat.says("3m white cotton")
    assert chat.order["order_id"] != order_id and chat.state == "FINAL_CUSTOMER_CONFIRMATION"


def test_an_order_waiting_for_the_owner_never_expires(chat):
    from chalicelib.bootstrap import container

    chat.says("1m white cotton")
    chat.taps("confirm")
    assert chat.state == "WAITING_OWNER_CONFIRMATION"
    container().expiry.expire_idle_orders(datetime.now(UTC) + timedelta(days=30))
    assert chat.state == "WAITING_OWNER_CONFIRMATION"
