"""ConversationService on the in-memory fakes: the paths only the whole stack exercised before (retries on a
stale order, stock that moves at the reservation, a message handled by a concurrent delivery, sending failures)."""

import pytest

from chalicelib.domain.errors import AlreadyProcessed, DeliveryUncertain, MessageNotSent, StaleOrder
from chalicelib.domain.stock import StockChange
from chalicelib.services.conversation import MAX_ATTEMPTS
from tests.unit.desk import BLUE_COTTON, OWNER, Desk, Flaky

PHONE = "919811110001"


def test_a_text_is_answered_logged_both_ways_and_marked_delivered():
    desk = Desk()
    message = desk.message(PHONE, text="20m blue cotton")

    desk.conversation.handle(message)

    assert "Blue cotton — 20 m" in desk.sender.texts_to(PHONE)[0]
    assert [r["direction"] for r in desk.message_log.history(PHONE)] == ["in", "out"]
    assert desk.store.handled(message.wamid)["delivered"] is True


def test_a_redelivered_message_is_not_run_again_and_its_replies_stay_single():
    desk = Desk()
    message = desk.message(PHONE, text="20m blue cotton")
    desk.conversation.handle(message)
    version = desk.store.load(PHONE).version

    desk.conversation.handle(message)

    assert len(desk.sender.to(PHONE)) == 1 and desk.store.load(PHONE).version == version


def test_replies_left_unsent_by_a_crash_are_sent_on_redelivery():
    desk = Desk()
    message = desk.message(PHONE, text="20m blue cotton")
    desk.sender.refuse(PHONE, _retryable())
    with pytest.raises(MessageNotSent):
        desk.conversation.handle(message)  # committed, but the reply did not go out: SQS will redeliver
    desk.sender.refuse(PHONE, None)

    desk.conversation.handle(message)

    assert len(desk.sender.to(PHONE)) == 1 and desk.store.handled(message.wamid)["delivered"] is True


def test_a_stale_order_is_loaded_again_and_the_step_redone():
    desk = Desk()
    desk.store = Flaky(desk.store).fail("commit", StaleOrder("moved"), StaleOrder("moved again"))

    replies = desk.says(PHONE, "20m blue cotton")

    assert desk.store.calls["commit"] == 3 and len(desk.sleeps) == 2
    assert "Blue cotton — 20 m" in replies[0]


def test_a_step_that_stays_stale_gives_up_for_sqs_to_retry_and_sends_nothing():
    desk = Desk()
    desk.store = Flaky(desk.store).fail("commit", *[StaleOrder("moved")] * MAX_ATTEMPTS)

    with pytest.raises(StaleOrder):
        desk.says(PHONE, "20m blue cotton")

    assert desk.sender.sent == []


def test_a_message_handled_by_a_concurrent_delivery_sends_that_deliverys_replies_once():
    desk = Desk()
    store = desk.store

    def concurrent_delivery_wins(inner, **step):
        inner.commit(**(step | {"outcome": {"replies": [_text(PHONE, "from the other worker")]}}))
        return AlreadyProcessed(step["wamid"])

    desk.store = Flaky(store).fail("commit", concurrent_delivery_wins)

    replies = desk.says(PHONE, "20m blue cotton")

    assert replies == ["from the other worker"]


def test_confirming_reserves_the_stock_and_tells_the_owner_with_signed_links():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)

    assert desk.shelf(BLUE_COTTON) == (60, 20)
    assert desk.store.reservation(order_id)["parts"][0]["batch_id"] == BLUE_COTTON
    [notice] = desk.sender.texts_to(OWNER)
    assert order_id in notice and "https://shop.example/o/" in notice


def test_stock_sold_at_the_moment_of_confirming_is_not_reserved_and_the_customer_is_told():
    desk = Desk()
    desk.store = store = Flaky(desk.store)
    desk.says(PHONE, "60m blue cotton")

    def sold_meanwhile(inner, **step):
        desk.stock_repository.adjust([StockChange(BLUE_COTTON, rolls_removed=2)])  # another customer took it
        return inner.commit(**step)

    store.fail("commit", sold_meanwhile)
    replies = desk.taps(PHONE, "confirm")

    order = desk.store.load(PHONE).order
    assert order["state"] != "WAITING_OWNER_CONFIRMATION"
    assert desk.store.reservation(order["order_id"]) is None and desk.shelf(BLUE_COTTON) == (0, 0)
    assert replies and desk.sender.texts_to(OWNER) == []


def test_a_reply_whose_delivery_is_uncertain_is_not_sent_again_and_the_message_is_done():
    desk = Desk()
    desk.sender.refuse(PHONE, DeliveryUncertain("read timeout"))
    message = desk.message(PHONE, text="20m blue cotton")

    desk.conversation.handle(message)
    desk.conversation.handle(message)

    assert desk.sender.sent == [] and desk.store.handled(message.wamid)["delivered"] is True


def test_an_undeliverable_reply_is_given_up_and_the_message_is_done():
    desk = Desk()
    desk.sender.refuse(PHONE, MessageNotSent("131026 undeliverable"))
    message = desk.message(PHONE, text="20m blue cotton")

    desk.conversation.handle(message)

    assert desk.store.handled(message.wamid)["delivered"] is True


def _retryable() -> MessageNotSent:
    error = MessageNotSent("throttled")
    error.retryable = True
    return error


def _text(to: str, body: str) -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def test_an_answer_to_a_pending_question_costs_one_understanding_and_no_extra_llm_call():
    """The flood bound (issue 13) counts understandings: re-reading "blue" joined to "20 m cotton" is the
    deterministic interpreter's alone, so a message is understood (and may reach the LLM) once."""
    from chalicelib.domain.interpreter import interpret
    from chalicelib.services.understanding import Understanding

    class CountingLlm:
        def __init__(self):
            self.texts = []

        def interpret(self, text, vocabulary, context, dialogue=None):
            self.texts.append(text)
            return interpret(text, vocabulary, context)

    llm = CountingLlm()
    understanding = Understanding(interpret, llm)
    understood = []
    original = understanding.understand

    def counting(text, *args, **kwargs):
        understood.append(text)
        return original(text, *args, **kwargs)

    understanding.understand = counting
    desk = Desk()
    desk.conversation._understanding = understanding

    question = desk.says(PHONE, "20 meter cotton chahiye")
    answer = desk.says(PHONE, "blue")

    assert any("colour" in q.lower() or "color" in q.lower() or "rang" in q.lower() for q in question), question
    assert "Neela suti — 20 meter" in answer[0]  # the question was answered: one whole item, in Hinglish
    messages = ["20 meter cotton chahiye", "blue"]
    assert set(understood) <= set(messages) and len(set(understood)) == len(understood), understood
    assert len(llm.texts) <= len(understood) and all(t in understood for t in llm.texts)
