"""A customer message changes the order once, however often it is delivered, and nothing is lost when the worker
stops in the middle of a conversation."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from devstack.client import new_wamid, text_webhook
from tests.e2e.conversation_helpers import (
    Chat,
    batches_of,
    brisk_worker,
    handled,
    private_batch,
    reserved,
    wait_until,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def _brisk_worker(stack):
    with brisk_worker(stack, status_callbacks=True):  # redeliveries and restarts with everything switched on
        yield


@pytest.fixture
def chat(client, phone):
    """A customer negotiating: white cotton is there, pink polyester is out of stock."""
    chat = Chat(client, phone)
    chat.says("2m white cotton and 6m pink polyester")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    return chat


def inbound(chat: Chat, **fields):
    from chalicelib.domain.webhook import InboundMessage

    return InboundMessage(
        wamid=new_wamid(), phone=chat.phone, timestamp=str(int(time.time())), name=chat.name, **fields
    )


def queued(aws, queue: str = "InboundQueue") -> int:
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    attributes = sqs.get_queue_attributes(QueueUrl=aws.resources[queue], AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def started_like(mapping, sqs):
    """A new worker polling the same queue with the same settings, as a new process would."""
    from devstack.mapping import QueueMapping

    return QueueMapping(
        sqs,
        mapping.queue_url,
        mapping.handler,
        mapping.name,
        batch_size=mapping.batch_size,
        visibility_timeout=mapping.visibility_timeout,
        retry_delay=mapping.retry_delay,
        poll_interval=mapping.poll_interval,
    ).start()


def removed_pink_polyester(chat: Chat, replies) -> None:
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    statuses = {line["line_id"]: line["status"] for line in chat.order["lines"]}
    assert statuses == {"L1": "ACCEPTED", "L2": "CANCELLED"}
    assert "White cotton — 2 m" in replies.text and "Pink polyester" not in replies.text


@pytest.mark.parametrize("kind", ["text", "tap"])
def test_two_concurrent_deliveries_of_one_message_change_the_order_once(chat, kind):
    from chalicelib.bootstrap import container

    message = (
        inbound(chat, type="text", text="2 cancel")
        if kind == "text"
        else inbound(chat, type="tap", reply_id="cancel:L2")
    )
    version = chat.loaded().version
    start = threading.Barrier(2)

    def deliver(_):
        start.wait()
        container().conversation.handle(message)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(deliver, range(2)))  # re-raises what either delivery raised

    assert chat.loaded().version == version + 1
    replies = chat.read()
    assert len(replies) == len(handled(message.wamid)["replies"]) == 1
    removed_pink_polyester(chat, replies)


def test_the_same_queue_message_delivered_twice_changes_the_order_once(chat, aws):
    message = inbound(chat, type="text", text="2 cancel")
    version = chat.loaded().version
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    for delivery in range(2):  # as SQS may: the same body again after a lost acknowledgement
        sqs.send_message(
            QueueUrl=aws.resources["InboundQueue"],
            MessageBody=json.dumps(message.to_dict()),
            MessageGroupId=chat.phone,
            MessageDeduplicationId=f"{delivery}-{message.wamid[-60:]}",
        )
    wait_until(lambda: handled(message.wamid).get("delivered") and queued(aws) == 0, 20, "not handled")

    assert chat.loaded().version == version + 1
    replies = chat.read()
    assert len(replies) == 1
    removed_pink_polyester(chat, replies)


def test_replies_that_could_not_be_sent_go_out_once_on_the_retry_without_running_the_step_again(chat, stack):
    version = chat.loaded().version
    stack.graph.add_fault(to=chat.phone, status=503, times=4)  # the client's own retries all fail too
    replies = chat.taps("cancel:L2")  # the queue redelivers the message after the worker gave up sending

    assert chat.loaded().version == version + 1
    assert len(replies) == 1
    removed_pink_polyester(chat, replies)


def test_a_restarted_worker_continues_the_conversation_where_it_stood(chat, stack, aws, client):
    from chalicelib import bootstrap

    mapping = next(m for m in stack.mappings if m.name.endswith("inbound.fifo"))
    mapping.stop()
    try:
        wamid = new_wamid()
        status, _ = client.post_webhook(
            text_webhook(chat.phone, "2 cancel", wamid, chat.name, client.info["phone_number_id"])
        )
        assert status == 200
        assert queued(aws) == 1 and not handled(wamid)  # the worker is stopped: the message waits in the queue
        assert chat.state == "CUSTOMER_NEGOTIATION"

        fresh = bootstrap.reset()  # a new process: nothing cached from the old one
        stack.mappings[stack.mappings.index(mapping)] = started_like(mapping, fresh.sqs)
        wait_until(lambda: handled(wamid).get("delivered"), 20, "the restarted worker did not handle the message")
    finally:
        if mapping in stack.mappings:  # the test failed before the restart: leave the stack working
            stack.mappings[stack.mappings.index(mapping)] = started_like(mapping, mapping.sqs)

    removed_pink_polyester(chat, chat.read())
    summary = chat.says("status")
    assert "Taxable value: ₹256.00" in summary.text
    assert chat.says("confirm") and chat.state == "WAITING_OWNER_CONFIRMATION"


def test_two_customers_confirming_the_last_meters_at_once_never_both_get_them(client, phone):
    from chalicelib.bootstrap import container

    material, color = private_batch(loose="3")
    (batch_id,) = batches_of(material, color)
    chats = [Chat(client, phone), Chat(client, "9197" + phone[4:])]
    for chat in chats:
        chat.says(f"3m {color} {material}")
        assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    confirms = [inbound(chat, type="tap", reply_id="confirm") for chat in chats]
    start = threading.Barrier(2)

    def deliver(message):
        start.wait()
        container().conversation.handle(message)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(deliver, confirms))

    states = sorted(chat.state for chat in chats)
    assert states == ["CUSTOMER_NEGOTIATION", "WAITING_OWNER_CONFIRMATION"]
    assert reserved([batch_id]) == {batch_id: 3}
    loser = next(chat for chat in chats if chat.state == "CUSTOMER_NEGOTIATION")
    told = loser.read()
    assert "out of stock" in told.text and "confirm" not in told.buttons
    assert any(button.startswith("cancel:") for button in told.buttons)


def test_a_reservation_the_shelf_cannot_cover_is_refused_as_out_of_stock_and_writes_nothing(chat):
    """What the service relies on to tell the customer which line lost its stock (rather than redo the step)."""
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import OutOfStock
    from chalicelib.domain.stock import AllocationPart

    material, color = private_batch(loose="3")
    (batch_id,) = batches_of(material, color)
    loaded = chat.loaded()
    more_than_there = AllocationPart(
        batch_id, None, Decimal(40), 0, Decimal(5), 0, Decimal(0), Decimal(0), Decimal(100)
    )
    wamid = new_wamid()

    with pytest.raises(OutOfStock) as refused:
        container().conversation_store.commit(
            phone=chat.phone,
            name=chat.name,
            wamid=wamid,
            order=loaded.order,
            version=loaded.version,
            previous_active=loaded.order["order_id"],
            active_order_id=loaded.order["order_id"],
            outcome={"replies": []},
            reserve_parts=[more_than_there],
        )

    assert refused.value.batch_ids == (batch_id,)
    assert chat.loaded().version == loaded.version and not handled(wamid)
    assert reserved([batch_id]) == {batch_id: 0}
