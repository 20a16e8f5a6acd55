"""Replayable failures: an owner's approval that failed every attempt (a Meta or S3 outage) waits in the
approvals dead-letter queue, and `devstack redrive approvals` replays it into exactly one invoice."""

import json

import pytest

from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e


def test_a_dead_lettered_approval_is_replayed_into_exactly_one_invoice(client, aws, monkeypatch):
    from chalicelib import metrics
    from chalicelib.bootstrap import container
    from devstack.redrive import redrive_locally
    from tests.conftest import PREFIX

    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="5")
    phone = h.new_phone()
    order_id = h.confirmed_order(client, phone, batch.order_text("10"))
    dead_before = metrics.sink().counts[metrics.RECORDS_DEAD_LETTERED]

    approval = container().approval
    outage = {"on": True}
    real_execute = approval.execute

    def execute_during_outage(command):
        if outage["on"]:
            raise ConnectionError("the invoice could not be stored: S3 is down")
        return real_execute(command)

    monkeypatch.setattr(approval, "execute", execute_during_outage)
    status, _ = h.press(h.owner_links(client, order_id)["approve"], action="approve", follow=False)
    assert status == 200
    h.wait_for(lambda: h.queued(aws, "ApprovalsDeadLetterQueue") == 1, timeout=60, what="the decision dead-lettered")
    assert h.order(order_id)["state"] == "WAITING_OWNER_CONFIRMATION" and h.invoices(order_id) == []
    assert metrics.sink().counts[metrics.RECORDS_DEAD_LETTERED] == dead_before + 1

    outage["on"] = False
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    # A second copy of the decision in the dead-letter queue (a double tap that failed too): still one invoice.
    body = json.dumps({"order_id": order_id, "action": "approve", "reason": None, "source": "link"})
    sqs.send_message(
        QueueUrl=aws.resources["ApprovalsDeadLetterQueue"],
        MessageBody=body,
        MessageGroupId=order_id,
        MessageDeduplicationId="second-copy",
    )
    moved = redrive_locally(sqs, PREFIX, "approvals")

    assert moved == 2
    h.wait_for(lambda: h.order(order_id)["state"] == "ORDER_COMPLETED", timeout=60, what="the order approved")
    h.drain(aws, "ApprovalsQueue")
    assert len(h.invoices(order_id)) == 1
    assert h.queued(aws, "ApprovalsDeadLetterQueue") == 0
    assert len([d for d in h.documents_to(client, phone)]) == 1
