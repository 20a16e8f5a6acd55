"""The owner extends the vocabulary and GST rates without a deploy; customers' words work at once."""

import uuid

import pytest

from tests.e2e.test_owner_stock import owner

pytestmark = pytest.mark.e2e


def test_reference_data_needs_the_owner_credential(client):
    assert owner(client, "GET", "/owner/catalogue", key=None)[0] == 401
    assert owner(client, "PUT", "/owner/catalogue/color/teal", {"aliases": ["teal"]}, key=None)[0] == 401


def test_a_new_colour_name_is_understood_in_the_next_order(client, phone):
    # A colour of this test's own (changing a seeded one would change it for every later test of the session)
    name = "firozi" + uuid.uuid4().hex[:4].translate(str.maketrans("0123456789", "ghijklmnop"))
    word = name.replace("firozi", "feroza")
    status, _ = owner(
        client, "PUT", f"/owner/catalogue/color/{name}", {"hi": "फ़िरोज़ी", "hinglish": name, "aliases": [name, word]}
    )
    assert status == 200
    replies = client.send(phone, f"5m {word} cotton")
    text = " ".join(
        r["payload"].get("text", {}).get("body", "")
        or r["payload"].get("interactive", {}).get("body", {}).get("text", "")
        for r in replies
    )
    assert name in text.lower()
    from chalicelib.bootstrap import container

    loaded = container().conversation_store.load(phone)
    assert loaded.order and loaded.order["lines"][0]["color"] == name


def test_a_gst_rate_change_is_kept_with_its_effective_date(client):
    hsn = "5209" + str(uuid.uuid4().int)[:4]  # a heading of its own: no other test's invoice is taxed by it
    status, body = owner(
        client, "PUT", "/owner/gst-rates", {"hsn": hsn, "rate_percent": "5", "effective_from": "2030-04-01"}
    )
    assert status == 200 and body["effective_from"] == "2030-04-01"
    rates = owner(client, "GET", "/owner/catalogue")[1]["gst_rates"]
    assert {"hsn": hsn, "effective_from": "2030-04-01"}.items() <= next(
        r for r in rates if r["hsn"] == hsn and r["effective_from"] == "2030-04-01"
    ).items()
