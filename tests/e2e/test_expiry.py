"""Orders the customer walked away from expire on the schedule; orders with the owner and fresh ones do not.

The sweep covers every order in the shared tables, so these tests age their own orders and sweep at the real time:
no other test's order is idle for a day. (The cases in detail are unit tests: tests/unit/test_expiry_service.py.)
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conversation_helpers import Chat

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat(client, phone):
    return Chat(client, phone)


def left_alone(order_id: str, hours: float) -> None:
    """The order as if the customer had last written ``hours`` ago."""
    from chalicelib.bootstrap import container

    store = container().conversation_store
    data, version = store.load_order(order_id)
    store.save_order(data | {"updated_at": (datetime.now(UTC) - timedelta(hours=hours)).isoformat()}, version)


def test_an_idle_negotiation_expires_the_customer_is_told_and_can_order_afresh(chat, client):
    from chalicelib.bootstrap import container

    chat.says("2m white cotton and 6m red polyester")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    order_id = chat.order["order_id"]

    left_alone(order_id, hours=1)
    container().expiry.expire_idle_orders()  # idle for an hour: kept
    assert chat.state == "CUSTOMER_NEGOTIATION"

    left_alone(order_id, hours=25)
    container().expiry.expire_idle_orders()
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
    left_alone(chat.order["order_id"], hours=24 * 30)
    container().expiry.expire_idle_orders()
    assert chat.state == "WAITING_OWNER_CONFIRMATION"
