"""WhatsApp's rules on the whole local stack, with the fake Graph API behaving like Meta: the 24-hour window and
templates, no silent loss, at-least-once replies, BSUID (username-only) customers, and a webhook that keeps every
good message."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from devstack.client import http, new_wamid, tap_webhook, text_webhook
from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e


def graph(stack):
    return stack.graph


def attention(client) -> list[dict]:
    status, body = h.owner_api(client, "GET", "/owner/attention")
    assert status == 200
    return body["undelivered"]


def silent_for(stack, phone: str, hours: float) -> None:
    """The customer's last message was ``hours`` ago, for the shop's books and for Meta alike."""
    from chalicelib.bootstrap import container

    tables = container().tables
    at = datetime.now(UTC) - timedelta(hours=hours)
    tables.CustomerRecord(phone).update(actions=[tables.CustomerRecord.last_inbound_at.set(at.isoformat())])
    graph(stack).user_wrote(phone, at=at.timestamp())


def approve(client, aws, order_id: str) -> None:
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    h.drain(aws)


# --- templates and the 24-hour window ------------------------------------------------------------------------------
def test_an_owner_who_never_wrote_gets_the_template_and_its_approve_button_approves(client, phone, aws):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))

    notification = h.owner_notification_message(client, order_id)
    buttons = notification["payload"]["_rendered"]["buttons"]
    status, page = h.press(buttons[0]["url"])
    h.drain(aws)

    assert notification["payload"]["type"] == "template"
    assert notification["payload"]["template"]["name"] == "owner_new_order"
    assert [(b["type"], b["text"]) for b in buttons] == [("URL", "Approve"), ("URL", "Reject")]
    assert buttons[0]["url"].startswith(client.info["app_url"] + "/o/")
    assert status == 200 and "Order approved" in page
    assert h.order(order_id)["state"] == "ORDER_COMPLETED"


def test_a_customer_silent_for_25_hours_gets_the_invoice_as_the_template_with_the_document_header(
    client, phone, aws, stack
):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    silent_for(stack, phone, hours=25)

    approve(client, aws, order_id)

    sent = h.wait_for(
        lambda: [
            m for m in client.messages(to=phone) if m["payload"].get("template", {}).get("name") == "invoice_document"
        ],
        what="the invoice template",
    )
    (invoice,) = sent
    header = invoice["payload"]["template"]["components"][0]
    (stored,) = h.invoices(order_id)
    s3 = aws.session.client("s3", endpoint_url=aws.url)
    pdf = s3.get_object(Bucket=aws.resources["InvoiceBucket"], Key=stored["s3_key"])["Body"].read()
    status, downloaded = http(
        "GET", f"{client.info['graph_url']}/_fake/media/{header['parameters'][0]['document']['id']}"
    )
    assert header["type"] == "header" and header["parameters"][0]["type"] == "document"
    assert stored["number"] in invoice["payload"]["_rendered"]["text"]
    assert status == 200 and downloaded == pdf
    assert not [m for m in client.messages(to=phone) if m["type"] in ("text", "document") and m["seq"] > invoice["seq"]]


def test_a_free_form_message_refused_later_with_131047_is_resent_once_as_its_template(client, phone, aws, stack):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    graph(stack).user_wrote(phone, at=time.time() - 25 * 3600)  # Meta's clock says closed; the shop's books do not

    approve(client, aws, order_id)

    def approved_template():
        return [
            m for m in client.messages(to=phone) if m["payload"].get("template", {}).get("name") == "order_approved"
        ]

    assert h.wait_for(approved_template, what="the order_approved template")
    time.sleep(0.5)
    assert len(approved_template()) == 1
    assert f"order {order_id} has been approved" in h.text_of(approved_template()[0])


# --- no silent loss ------------------------------------------------------------------------------------------------
def test_an_invoice_refused_with_131026_is_never_called_sent_and_waits_on_the_owners_attention_list(
    client, phone, aws, stack
):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    graph(stack).add_fault(to=phone, kind="document", status=400, code=131026)

    approve(client, aws, order_id)

    told = h.wait_for(lambda: h.owner_texts(client, order_id), what="the owner's note")
    assert any("could not be delivered" in t and "131026" in t for t in told), told
    assert not any("sent to" in t for t in told), told
    listed = [a for a in attention(client) if a["order_id"] == order_id]
    assert [(a["code"], a["type"], a["to"]) for a in listed] == [(131026, "document", phone)]
    assert "cannot receive" in listed[0]["reason"] and listed[0]["failed_at"]

    status, _ = h.owner_api(client, "POST", "/owner/attention/handled", {"key": listed[0]["key"]})
    assert status == 200
    assert not [a for a in attention(client) if a["order_id"] == order_id]


def test_an_invoice_refused_after_meta_accepted_it_reaches_the_attention_list_and_the_owner(client, phone, aws, stack):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")
    order_id = h.confirmed_order(client, phone, batch.order_text("30"))
    graph(stack).add_fault(to=phone, kind="document", status=400, code=131049, asynchronous=True)

    approve(client, aws, order_id)

    listed = h.wait_for(lambda: [a for a in attention(client) if a["order_id"] == order_id], what="attention")

    def notes():
        owner = [h.text_of(m) for m in client.messages(to=client.info["owner_phone"])]
        return [t for t in owner if order_id in t and "could not be delivered" in t]

    told = h.wait_for(notes, what="the owner's note")
    assert listed[0]["code"] == 131049 and "131049" in told[0]


# --- at-least-once replies -----------------------------------------------------------------------------------------
def test_a_worker_killed_between_the_outbox_write_and_the_send_gets_the_reply_out_after_redelivery(
    client, phone, monkeypatch
):
    from chalicelib.bootstrap import container

    whatsapp = container().whatsapp
    monkeypatch.setattr(whatsapp, "_lease", 1.0)
    original, died = whatsapp._post, []

    def dies_once(payload, key):
        if payload.get("to") == phone and not died:
            died.append(key)
            raise SystemError("the worker was killed after writing the outbox record")  # nothing reached Meta
        return original(payload, key)

    monkeypatch.setattr(whatsapp, "_post", dies_once)
    wamid = new_wamid()

    replies = client.converse(phone, text_webhook(phone, "hello", wamid), wamid, timeout=60)

    assert died and replies, "the reply went out after the redelivery"
    assert len([r for r in replies if r["payload"].get("biz_opaque_callback_data") == died[0]]) == 1
    assert container().outbox.get(died[0]).attempts == 2


# --- the webhook keeps every good message --------------------------------------------------------------------------
def test_a_malformed_message_beside_a_valid_one_is_skipped_and_the_valid_one_is_answered(client, phone):
    wamid = new_wamid()
    payload = text_webhook(phone, "hello", wamid)
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, {"id": "wamid.MALFORMED", "timestamp": "1700000000", "type": "text", "text": None})

    replies = client.converse(phone, payload, wamid)

    assert replies and all(r["to"] == phone for r in replies)


ODD = {
    "30-digit timestamp": lambda m: m | {"timestamp": "9" * 30},
    "empty from": lambda m: m | {"from": ""},
    "3000-character id": lambda m: m | {"id": "wamid." + "A" * 3000},
    "null text": lambda m: m | {"text": None},
    "text not an object": lambda m: m | {"text": "plain"},
    "no id": lambda m: {k: v for k, v in m.items() if k != "id"},
}


@pytest.mark.parametrize("oddity", ODD)
def test_an_odd_signed_message_is_answered_200_and_refused_alone(client, phone, oddity):
    payload = text_webhook(phone, "hello", new_wamid())
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"][0] = ODD[oddity](value["messages"][0])
    value["statuses"] = [{"id": "x" * 3000, "status": "sent", "timestamp": "1" * 30}]

    status, body = client.post_webhook(payload)

    assert status == 200, body
    assert json.loads(body)["queued"] == 0


def test_a_text_over_sqs_limit_is_cut_and_the_customer_is_told(client, phone):
    wamid = new_wamid()
    payload = text_webhook(phone, "20m blue cotton " + "please " * 45_000, wamid)  # ~315 KB

    replies = client.converse(phone, payload, wamid, timeout=60)

    assert any("very long" in h.text_of(r) for r in replies)


def test_a_picked_up_message_is_marked_read_with_the_typing_indicator(client, phone):
    wamid = new_wamid()
    client.converse(phone, text_webhook(phone, "hello", wamid), wamid)

    status, body = http("GET", client.info["graph_url"] + "/_fake/reads")
    assert status == 200 and {"message_id": wamid, "typing": True} in json.loads(body)


# --- business-scoped user ids --------------------------------------------------------------------------------------
def bsuid_message(payload: dict, bsuid: str, username: str) -> dict:
    """``payload`` as Meta sends it for a username-only user: no phone anywhere, the BSUID in user_id fields."""
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"] = [{"profile": {"name": "Meera", "username": username}, "user_id": bsuid}]
    message = value["messages"][0]
    del message["from"]
    message["from_user_id"] = bsuid
    return payload


def test_a_username_only_customer_orders_and_gets_the_invoice(client, aws):
    import random

    bsuid = "IN." + "".join(random.choice("0123456789") for _ in range(16))
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="0")

    def say(text):
        wamid = new_wamid()
        return client.converse(bsuid, bsuid_message(text_webhook("", text, wamid), bsuid, "@meera"), wamid, 60)

    def tap(button):
        wamid = new_wamid()
        return client.converse(bsuid, bsuid_message(tap_webhook("", button, wamid), bsuid, "@meera"), wamid, 60)

    asked = say(batch.order_text("30"))
    assert "confirm" in h.buttons_of(asked[-1])
    tap("confirm")
    order_id = h.active_order_id(bsuid)
    assert h.order(order_id)["state"] == "WAITING_OWNER_CONFIRMATION"
    approve(client, aws, order_id)

    documents = h.wait_for(lambda: h.documents_to(client, bsuid), what="the invoice to the BSUID")
    recorded = [m for m in client.messages(to=bsuid) if m["type"] == "document"]
    assert documents[0]["id"] and "to" not in recorded[0]["payload"] and recorded[0]["payload"]["recipient"] == bsuid
    assert h.order(order_id)["state"] == "ORDER_COMPLETED"
    assert h.customer(bsuid)["name"] == "Meera"
    status, account = h.owner_api(client, "GET", f"/owner/customers/{bsuid}")
    assert status == 200 and account["username"] == "@meera" and len(account["ledger"]) == 1


def test_the_owner_finds_a_bsuid_customer_by_either_identifier(client):
    import random

    bsuid = "IN." + "".join(random.choice("0123456789") for _ in range(16))
    phone = h.new_phone()
    wamid = new_wamid()
    payload = text_webhook(phone, "hello", wamid)
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"][0]["from_user_id"] = bsuid
    value["contacts"][0]["user_id"] = bsuid

    replies = client.converse(phone, payload, wamid)  # Meta advises sending to the phone when it is known

    by_bsuid = h.owner_api(client, "GET", f"/owner/customers/{bsuid}")
    by_phone = h.owner_api(client, "GET", f"/owner/customers/{phone}")

    assert replies and by_bsuid == by_phone
    assert by_bsuid[0] == 200 and (by_bsuid[1]["phone"], by_bsuid[1]["wa_phone"]) == (bsuid, phone)


# --- template statuses ---------------------------------------------------------------------------------------------
def template_webhook(event: str, name: str, language: str) -> dict:
    value = {
        "event": event,
        "message_template_id": 1,
        "message_template_name": name,
        "message_template_language": language,
        "reason": "NONE",
        "message_template_category": "UTILITY",
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "message_template_status_update", "value": value}]}],
    }


def test_a_paused_template_is_not_used_and_an_approved_one_is(client):
    from chalicelib.bootstrap import container

    try:
        assert client.post_webhook(template_webhook("PAUSED", "payment_received", "hi"))[0] == 200
        assert container().templates.usable("payment_received", "hi") is False
    finally:
        assert client.post_webhook(template_webhook("APPROVED", "payment_received", "hi"))[0] == 200
    assert container().templates.usable("payment_received", "hi") is True
