"""The audit trail on the whole stack: every transition of an order with who, how, from, to and the request's
correlation id, shown by GET /owner/orders/{id}; owner actions on reference data are recorded too."""

import json
import uuid

import pytest

from devstack.client import http
from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e


def history(client, order_id: str) -> list[dict]:
    status, shown = h.owner_api(client, "GET", f"/owner/orders/{order_id}")
    assert status == 200
    return shown["history"]


def moves(entries: list[dict]) -> list[tuple]:
    return [(e["who"], e["via"], e["from"], e["to"]) for e in entries]


def test_an_order_approved_through_its_link_shows_each_transition_with_who_and_how(client, phone, aws):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="5")
    order_id = h.confirmed_order(client, phone, batch.order_text("12"))
    status, _ = h.press(h.owner_links(client, order_id)["approve"])
    assert status == 200
    h.drain(aws)

    entries = history(client, order_id)
    assert moves(entries)[0][:3] == ("customer", "whatsapp", None)
    assert moves(entries)[-2:] == [
        ("customer", "whatsapp", "FINAL_CUSTOMER_CONFIRMATION", "WAITING_OWNER_CONFIRMATION"),
        ("owner", "link", "WAITING_OWNER_CONFIRMATION", "ORDER_COMPLETED"),
    ]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert all(e["correlation_id"] for e in entries)
    customer_refs = {e["correlation_id"] for e in entries if e["who"] == "customer"}
    assert all(ref.startswith("wamid:") and len(ref) == 18 for ref in customer_refs), "hashed, never the raw wamid"
    assert entries[-1]["detail"]["invoice"].startswith("BB/")


def test_a_rejection_through_the_api_carries_the_callers_correlation_id(client, phone, aws):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    correlation = f"req-{uuid.uuid4().hex[:12]}"
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {client.info['owner_api_key']}",
        "X-Correlation-Id": correlation,
    }
    path = f"/owner/orders/{order_id}/reject"
    body = json.dumps({"reason": "Shop closed"}).encode()
    assert http("POST", client.info["app_url"] + path, body, headers)[0] == 202
    h.drain(aws)

    last = history(client, order_id)[-1]
    assert (last["who"], last["via"], last["from"], last["to"]) == (
        "owner", "api", "WAITING_OWNER_CONFIRMATION", "ORDER_REJECTED",
    )  # fmt: skip
    assert last["correlation_id"] == correlation and last["detail"]["reason"] == "Shop closed"


def test_a_catalogue_change_is_recorded_with_who_and_how(client):
    word = "audit" + uuid.uuid4().hex[:6]
    assert h.owner_api(client, "PUT", f"/owner/catalogue/color/{word}", {"aliases": [word]})[0] == 200
    from chalicelib.bootstrap import container

    [entry] = [e for e in container().audit.history("catalogue", newest_first=True, limit=50) if e["to"] == word]
    assert (entry["who"], entry["via"], entry["action"]) == ("owner", "api", "catalogue.color")
