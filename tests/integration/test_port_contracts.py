"""The same contract tests for each port, run against the in-memory fake and the DynamoDB adapter."""

import uuid

import pytest

from chalicelib.adapters.memory import InMemoryIdempotency
from chalicelib.adapters.whatsapp import InMemoryOutbox

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "dynamodb"])
def idempotency(request):
    if request.param == "memory":
        return InMemoryIdempotency()
    aws = request.getfixturevalue("aws")
    from chalicelib.adapters.dynamo_repos import DynamoIdempotency

    return DynamoIdempotency(aws.container.tables)


@pytest.fixture(params=["memory", "dynamodb"])
def outbox(request):
    if request.param == "memory":
        return InMemoryOutbox()
    aws = request.getfixturevalue("aws")
    from chalicelib.adapters.dynamo_outbox import DynamoOutbox

    return DynamoOutbox(aws.container.tables)


def test_the_first_claim_wins_and_later_claims_see_its_detail(idempotency):
    key = f"k#{uuid.uuid4()}"
    assert idempotency.claim(key, "test", 60, {"queued": False}) is None
    again = idempotency.claim(key, "test", 60)
    assert again is not None and again["detail"]["queued"] is False


def test_a_claims_detail_can_be_updated_by_its_owner(idempotency):
    key = f"k#{uuid.uuid4()}"
    idempotency.claim(key, "test", 60, {"queued": False})
    idempotency.update_detail(key, {"queued": True})
    assert idempotency.claim(key, "test", 60)["detail"]["queued"] is True


def test_a_new_key_is_claimed_pending_and_a_second_claim_does_not_take_it(outbox):
    key = f"o#{uuid.uuid4()}"
    first = outbox.claim(key, "919800000000", {"type": "text"})
    second = outbox.claim(key, "919800000000", {"type": "text"})
    assert first.claimed and first.status == "pending" and first.attempts == 1
    assert not second.claimed and second.status == "pending"


def test_a_sent_record_keeps_its_first_wamid_and_is_never_claimed_again(outbox):
    key = f"o#{uuid.uuid4()}"
    outbox.claim(key, "919800000000", {"type": "text"})
    outbox.mark_sent(key, "wamid.first")
    outbox.mark_sent(key, "wamid.second")
    record = outbox.claim(key, "919800000000", {"type": "text"})
    assert (record.status, record.wamid, record.claimed) == ("sent", "wamid.first", False)


def test_a_failure_reported_after_acceptance_is_recorded_once_and_lands_on_the_attention_list(outbox):
    key = f"o#{uuid.uuid4()}"
    outbox.claim(key, "919800000000", {"type": "document"}, order_id="ORD-1")
    outbox.mark_sent(key, "wamid.first")

    first = outbox.mark_failed(key, 131026, "undeliverable", attention=True)
    repeated = outbox.mark_failed(key, 131026, "undeliverable", attention=True)

    assert (first.status, first.error_code, first.wamid, first.attention) == ("failed", 131026, "wamid.first", True)
    assert repeated is None
    assert key in [r.key for r in outbox.attention()]
    assert outbox.handled(key) is True and outbox.handled(key) is False
    assert key not in [r.key for r in outbox.attention()]


def test_a_pending_send_left_by_a_dead_worker_is_taken_over_once_after_its_lease(outbox):
    key = f"o#{uuid.uuid4()}"
    outbox.claim(key, "919800000000", {"type": "text"})

    within = outbox.claim(key, "919800000000", {"type": "text"}, lease_seconds=60)
    takeover = outbox.claim(key, "919800000000", {"type": "text"}, lease_seconds=0, max_attempts=2)
    third = outbox.claim(key, "919800000000", {"type": "text"}, lease_seconds=0, max_attempts=2)

    assert not within.claimed
    assert takeover.claimed and takeover.attempts == 2
    assert not third.claimed
    assert key in [r.key for r in outbox.stale_pending(older_than_seconds=-1)]


def test_a_failed_record_is_rearmed_by_the_next_claim(outbox):
    key = f"o#{uuid.uuid4()}"
    outbox.claim(key, "919800000000", {"type": "text"})
    outbox.mark_failed(key, 131047, "outside window")
    record = outbox.claim(key, "919800000000", {"type": "text", "v": 2})
    assert record.claimed and record.status == "pending" and record.attempts == 2 and record.error_code is None


def test_a_sent_status_settles_only_a_record_still_pending(outbox):
    pending, settled, failed = (f"o#{uuid.uuid4()}" for _ in range(3))
    for key in (pending, settled, failed):
        outbox.claim(key, "919800000000", {"type": "text"})
    outbox.mark_sent(settled, "wamid.by-sender")
    outbox.mark_failed(failed, 131026, "undeliverable", attention=True)

    for key in (pending, settled, failed):
        outbox.settle_pending(key, "wamid.by-status")

    assert (outbox.get(pending).status, outbox.get(pending).wamid) == ("sent", "wamid.by-status")
    assert (outbox.get(settled).status, outbox.get(settled).wamid) == ("sent", "wamid.by-sender")
    assert outbox.get(failed).status == "failed" and failed in [r.key for r in outbox.attention()]
    assert pending not in [r.key for r in outbox.stale_pending(older_than_seconds=-1)]


def test_a_status_for_a_key_that_was_never_claimed_changes_nothing(outbox):
    key = f"o#{uuid.uuid4()}"
    outbox.mark_sent(key, "wamid.x")
    outbox.settle_pending(key, "wamid.x")
    assert outbox.mark_failed(key, 131026, "x") is None
    assert outbox.get(key) is None


def test_exists_reports_a_claim_without_making_one(idempotency):
    key = f"k#{uuid.uuid4()}"
    assert idempotency.exists(key) is False
    assert idempotency.exists(key) is False  # asking twice claims nothing
    idempotency.claim(key, "test", 60)
    assert idempotency.exists(key) is True


def test_an_outbox_record_written_before_packing_is_read_rearmed_and_resent_whole(aws):
    """Records kept by an earlier `make run` (payload and fallback as JSON strings) still work after an upgrade."""
    import json

    from chalicelib.adapters.dynamo_outbox import DynamoOutbox

    outbox, key = DynamoOutbox(aws.container.tables), f"o#{uuid.uuid4()}"
    table = aws.container.tables.OutboxRecordModel.Meta.table_name
    payload, fallback = {"type": "text", "text": {"body": "नमस्ते"}}, {"type": "template", "template": {"name": "t"}}
    aws.session.client("dynamodb", endpoint_url=aws.url).put_item(
        TableName=table,
        Item={
            "key": {"S": key},
            "to": {"S": "919800000000"},
            "payload": {"S": json.dumps(payload)},
            "fallback": {"S": json.dumps(fallback)},
            "status": {"S": "failed"},
            "attempts": {"N": "1"},
            "created_at": {"S": "2026-12-01T00:00:00+00:00"},
        },
    )
    assert (outbox.get(key).payload, outbox.get(key).fallback) == (payload, fallback)

    rearmed = outbox.claim(key, "919800000000", {"type": "text", "text": {"body": "again"}})

    assert rearmed.claimed and rearmed.attempts == 2
    assert outbox.get(key).payload["text"]["body"] == "again" and outbox.get(key).fallback == fallback


@pytest.mark.parametrize(
    "payload",
    [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "919800000000", "type": "text"},
        {"messaging_product": "whatsapp", "recipient": "IN.1502576394655843", "type": "text", "text": {"body": "x"}},
        {"messaging_product": "whatsapp", "to": "919811111111", "type": "template", "template": {"name": "t"}},
        {"type": "text"},
    ],
)
def test_a_payload_and_its_fallback_read_back_exactly_as_claimed(outbox, payload):
    key = f"o#{uuid.uuid4()}"
    fallback = {"messaging_product": "whatsapp", "to": "919800000000", "type": "template", "template": {"name": "f"}}
    outbox.claim(key, "919800000000", payload, fallback=fallback)
    record = outbox.get(key)
    assert (record.payload, record.fallback) == (payload, fallback)
