"""Every WhatsApp sample is sorted into queued, log-only, status or ignored — none crashes the parser."""

import json

import pytest

from chalicelib.domain.webhook import Envelope, reduce_envelope
from tests.conftest import SAMPLES


def all_samples():
    bodies = [
        ("meta-inbound-text", json.loads((SAMPLES / "meta-inbound-text.json").read_text())),
        ("meta-status-sent", json.loads((SAMPLES / "meta-status-sent.json").read_text())),
    ]
    for path in sorted((SAMPLES / "pywa").glob("*.json")):
        for case, body in json.loads(path.read_text()).items():
            bodies.append((f"{path.stem}/{case}", body))
    return bodies


SAMPLE_BODIES = all_samples()


@pytest.mark.parametrize("name,body", SAMPLE_BODIES, ids=[n for n, _ in SAMPLE_BODIES])
def test_every_sample_is_either_acted_on_or_deliberately_ignored(name, body):
    batch = reduce_envelope(Envelope.model_validate(body))
    handled = sum(
        len(items)
        for items in (batch.messages, batch.log_only, batch.statuses, batch.ignored, batch.refused)
        + (batch.identity_changes, batch.template_events)
    )
    assert handled >= 1, f"{name} was silently dropped"


def test_a_text_message_is_queued_with_the_customers_name_and_text():
    body = json.loads((SAMPLES / "meta-inbound-text.json").read_text())
    batch = reduce_envelope(Envelope.model_validate(body))
    [message] = batch.messages
    assert (message.phone, message.type, message.text, message.name) == (
        "16505551234",
        "text",
        "Does it come in another color?",
        "Sheena Nelson",
    )


def test_a_reply_button_tap_is_queued_as_a_tap_with_its_button_id():
    body = json.loads((SAMPLES / "pywa" / "callback_button.json").read_text())["button"]
    [message] = reduce_envelope(Envelope.model_validate(body)).messages
    assert message.type == "tap" and message.reply_id


def test_a_failed_status_keeps_its_error_codes_and_is_not_queued():
    body = json.loads((SAMPLES / "pywa" / "message_status.json").read_text())["failed"]
    batch = reduce_envelope(Envelope.model_validate(body))
    assert batch.messages == [] and batch.statuses[0].status == "failed"
    assert batch.statuses[0].errors[0]["code"]


def test_a_deleted_message_is_logged_but_not_queued():
    body = json.loads((SAMPLES / "pywa" / "deleted_message.json").read_text())["revoke"]
    batch = reduce_envelope(Envelope.model_validate(body))
    assert batch.messages == [] and len(batch.log_only) == 1


def test_an_image_is_queued_so_the_customer_gets_a_polite_answer():
    body = json.loads((SAMPLES / "pywa" / "message.json").read_text())["image"]
    [message] = reduce_envelope(Envelope.model_validate(body)).messages
    assert message.type == "image" and not message.supported


# --- item by item, and business-scoped user ids -------------------------------------------------------------------
def _change(messages=(), statuses=(), contacts=()):
    value = {"messaging_product": "whatsapp", "contacts": list(contacts), "messages": list(messages)}
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def _text(sender="919812345678", wamid="wamid.OK", **extra):
    return {"from": sender, "id": wamid, "timestamp": "1700000000", "type": "text", "text": {"body": "hi"}} | extra


def test_a_malformed_message_is_refused_with_its_reason_and_its_sibling_is_kept():
    body = _change(messages=[{"id": "wamid.BAD", "type": "text"}, _text()])
    batch = reduce_envelope(body)
    assert [m.wamid for m in batch.messages] == ["wamid.OK"]
    assert [(r.kind, r.id) for r in batch.refused] == [("message", "wamid.BAD")]
    assert batch.refused[0].reason


@pytest.mark.parametrize(
    "oddity",
    [{"timestamp": "9" * 30}, {"from": ""}, {"id": "wamid." + "A" * 3000}, {"text": None}, {"timestamp": "soon"}],
)
def test_absurd_ids_timestamps_and_senders_are_refused_per_item(oddity):
    batch = reduce_envelope(_change(messages=[_text(**oddity), _text(wamid="wamid.GOOD")]))
    assert [m.wamid for m in batch.messages] == ["wamid.GOOD"] and len(batch.refused) == 1


def test_a_text_longer_than_whatsapp_allows_is_cut_and_marked():
    batch = reduce_envelope(_change(messages=[_text(text={"body": "x" * 300_000})]))
    (message,) = batch.messages
    assert len(message.text) == 4096 and message.truncated


def test_a_username_only_user_is_keyed_by_the_bsuid_with_no_phone():
    message = {k: v for k, v in _text().items() if k != "from"} | {"from_user_id": "IN.1502576394655843"}
    contact = {"user_id": "IN.1502576394655843", "profile": {"name": "Meera", "username": "@meera"}}
    (inbound,) = reduce_envelope(_change(messages=[message], contacts=[contact])).messages
    assert (inbound.phone, inbound.user_id, inbound.wa_phone) == ("IN.1502576394655843", "IN.1502576394655843", None)
    assert (inbound.name, inbound.username) == ("Meera", "@meera")


def test_a_user_with_phone_and_bsuid_is_keyed_by_the_bsuid_with_the_phone_beside_it():
    message = _text() | {"from_user_id": "IN.1502576394655843"}
    (inbound,) = reduce_envelope(_change(messages=[message])).messages
    assert (inbound.phone, inbound.wa_phone) == ("IN.1502576394655843", "919812345678")


def test_a_changed_bsuid_is_an_identity_change_not_a_message():
    system = {"type": "user_changed_user_id", "body": "changed", "user_id": "IN.999", "previous_user_id": "IN.111"}
    message = {"from_user_id": "IN.111", "id": "wamid.S", "timestamp": "1700000000", "type": "system", "system": system}
    batch = reduce_envelope(_change(messages=[message]))
    assert batch.messages == [] and batch.log_only == []
    (change,) = batch.identity_changes
    assert (change.kind, change.contact, change.new_user_id) == ("user_changed_user_id", "IN.111", "IN.999")


def test_a_status_for_a_bsuid_recipient_and_a_bad_status_beside_it():
    good = {"id": "wamid.1", "status": "failed", "timestamp": "1700000000", "recipient_user_id": "IN.111",
            "errors": [{"code": 131026, "title": "Message undeliverable"}]}  # fmt: skip
    batch = reduce_envelope(_change(statuses=[{"status": "sent"}, good]))
    (status,) = batch.statuses
    assert (status.recipient, status.error_code) == ("IN.111", 131026) and len(batch.refused) == 1


def test_template_status_and_category_webhooks_become_template_events():
    status = json.loads((SAMPLES / "pywa" / "template_status_update.json").read_text())["approved"]
    category = json.loads((SAMPLES / "pywa" / "template_category_update.json").read_text())["marketing"]
    (approved,) = reduce_envelope(status).template_events
    (recategorised,) = reduce_envelope(category).template_events
    assert (approved.status, approved.category) == ("APPROVED", "UTILITY")
    assert recategorised.category == "MARKETING"
