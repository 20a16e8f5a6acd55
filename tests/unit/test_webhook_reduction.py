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
