"""The LLM path on the running stack: Gemini (a fake of its HTTP API) reads only what the deterministic interpreter is
unsure of, and when Gemini fails the customer is still answered from the deterministic reading."""

import dataclasses

import pytest

from devstack.fake_gemini import FakeGemini
from tests.e2e.conversation_helpers import Chat, brisk_worker, handled

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def _brisk_worker(stack):
    with brisk_worker(stack):
        yield


API_KEY = "e2e-gemini-key"
UNSURE = "blue cotton chahiye"  # no quantity: the deterministic interpreter is not certain
ASKED_BACK = "Neela suti kitne meter chahiye?"  # what it asks back on its own


@pytest.fixture(scope="module")
def gemini():
    fake = FakeGemini(api_key=API_KEY).start()
    yield fake
    fake.stop()


@pytest.fixture
def understanding(stack, gemini):
    """The running stack's container reads with Gemini behind the deterministic interpreter, for one test."""
    from chalicelib.bootstrap import Container, container

    gemini.clear()
    running = container()
    settings = dataclasses.replace(
        running.settings, gemini_api_key=API_KEY, gemini_base_url=gemini.url, gemini_timeout_seconds=0.5
    )
    with_gemini = Container(settings).understanding
    assert with_gemini.has_llm
    # cached_properties keep their values in the instance's dict; the conversation is rebuilt around the new reader
    saved = {name: running.__dict__.pop(name, None) for name in ("understanding", "conversation")}
    running.__dict__["understanding"] = with_gemini
    yield with_gemini
    for name, value in saved.items():
        running.__dict__.pop(name, None)
        if value is not None:
            running.__dict__[name] = value


@pytest.fixture
def chat(client, phone):
    return Chat(client, phone)


def reading(**fields) -> dict:
    """A model answer in the adapter's wire schema."""
    return {
        "intent": "ORDER",
        "language": "hinglish",
        "items": [],
        "decisions": [],
        "questions": [],
        "unclear": [],
        "certain": True,
    } | fields


def test_an_uncertain_message_is_read_by_gemini_and_the_customer_gets_its_reading(chat, gemini, understanding):
    gemini.reply_with(
        reading(items=[{"material": "cotton", "color": "blue", "quantity": 3, "unit": "m", "raw": "blue cotton"}])
    )
    replies = chat.says(UNSURE)

    assert gemini.calls == 1 and UNSURE in gemini.requests[0].user
    assert handled(chat.last_wamid)["source"] == "llm" and understanding.counts.llm == 1
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert "Neela suti — 3 meter" in replies.text and ASKED_BACK not in replies.text


def test_gemini_reads_a_reply_in_the_light_of_the_order_on_the_table(chat, gemini, understanding):
    chat.says("3m white cotton and 5m pink cambric")
    assert gemini.calls == 0 and chat.state == "CUSTOMER_NEGOTIATION"

    gemini.reply_with(reading(intent="DECISIONS", decisions=[{"kind": "ACCEPT_AVAILABLE", "target": "2"}]))
    replies = chat.says("pink wala jhatpat bhej do")  # "jhatpat" (quickly) is not in the vocabulary: unsure

    assert gemini.calls == 1
    prompt = gemini.requests[0].user
    assert "Order state: negotiating" in prompt and "2. 5 m pink cambric" in prompt
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert "Gulabi cambric — 2 meter (5 meter maanga tha)" in replies.text


def test_a_certain_message_makes_no_llm_call(chat, gemini, understanding):
    replies = chat.says("3m white cotton")
    assert gemini.calls == 0
    assert handled(chat.last_wamid)["source"] == "deterministic"
    assert understanding.counts.as_dict() == {"deterministic": 1, "llm": 0, "fallback": 0}
    assert "Taxable value: ₹384.00" in replies.text


@pytest.mark.parametrize("failure", ["server errors", "timeouts", "garbage", "an answer of the wrong shape"])
def test_when_gemini_fails_the_deterministic_reading_answers_the_customer(chat, gemini, understanding, failure):
    if failure == "server errors":
        gemini.fail_next(500, times=2)  # the first try and the adapter's one retry
    elif failure == "timeouts":
        gemini.delay_next(2.0, times=2)
    elif failure == "garbage":
        gemini.reply_with("Sure! Here is the order: blue cotton {")
    else:
        gemini.reply_with({"intent": "ORDER", "items": "blue cotton"})

    replies = chat.says(UNSURE)
    assert gemini.calls >= 1
    assert handled(chat.last_wamid)["source"] == "fallback" and understanding.counts.fallback == 1
    assert ASKED_BACK in replies.text  # the deterministic interpreter's own question

    answered = chat.says("3m blue cotton")  # and the conversation goes on
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION" and "Blue cotton — 3 m" in answered.text


def test_without_a_gemini_key_everything_works_offline(chat):
    from chalicelib.bootstrap import container

    running = container()
    assert running.settings.gemini_api_key is None and not running.understanding.has_llm

    asked = chat.says(UNSURE)
    assert ASKED_BACK in asked.text and handled(chat.last_wamid)["source"] == "deterministic"
    summary = chat.says("3m blue cotton")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION" and "Blue cotton — 3 m" in summary.text
