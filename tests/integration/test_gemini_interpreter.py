"""The Gemini interpreter through the real google-genai SDK, over HTTP, against the fake Gemini endpoint."""

from __future__ import annotations

import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.adapters.gemini import GeminiInterpreter, TokenUsage
from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context, ContextLine, CustomerDecision, Intent
from chalicelib.domain.interpreter import interpret
from chalicelib.services.understanding import InterpreterUnavailable, Understanding
from devstack.fake_gemini import FakeGemini

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "test-gemini-key"
MODEL = "gemini-2.5-flash"
TIMEOUT = 0.5  # seconds; short so the slow-answer test stays quick
VOCABULARY = Vocabulary.from_seed()
UNSURE_MESSAGE = "blue cotton chahiye"  # no quantity: the deterministic interpreter asks back


@pytest.fixture(scope="module")
def gemini():
    fake = FakeGemini(api_key=API_KEY).start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def fresh_gemini(gemini):
    gemini.clear()


class RecordingLogger:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict]] = []

    def info(self, message: str, extra: dict | None = None, **_: object) -> None:
        self.records.append(("info", message, extra or {}))

    def warning(self, message: str, extra: dict | None = None, **_: object) -> None:
        self.records.append(("warning", message, extra or {}))


def interpreter(gemini: FakeGemini, api_key: str = API_KEY, logger: RecordingLogger | None = None):
    return GeminiInterpreter(api_key, MODEL, gemini.url, TIMEOUT, logger or RecordingLogger())


def understanding(gemini: FakeGemini, api_key: str = API_KEY) -> Understanding:
    return Understanding(interpret, interpreter(gemini, api_key), logger=RecordingLogger())


def an_answer(**fields) -> dict:
    """The model's JSON answer, an order by default."""
    answer = {
        "intent": "ORDER",
        "language": "hinglish",
        "items": [],
        "decisions": [],
        "questions": [],
        "unclear": [],
        "certain": True,
    }
    answer.update(fields)
    return answer


def an_item(material: str = "suti", color: str = "neela", quantity: float = 20, unit: str = "m", raw: str = "") -> dict:
    return {"material": material, "color": color, "quantity": quantity, "unit": unit, "raw": raw}


def an_order_on_the_table() -> Context:
    return Context(
        state="negotiating",
        lines=(
            ContextLine(number=1, material="cotton", color="blue", quantity=Decimal("10")),
            ContextLine(number=2, material="silk", color="red", quantity=Decimal("2"), unit="roll"),
        ),
    )


# --- a good answer --------------------------------------------------------------------------------------------------


def test_a_structured_answer_becomes_a_validated_interpretation_in_catalogue_names(gemini):
    gemini.reply_with(an_answer(items=[an_item("suti", "neela", 20, "m"), an_item("resham", "laal", 20, "yard")]))

    reading = interpreter(gemini).interpret("neela suti 20 meter aur laal resham 20 gaj", VOCABULARY, Context())

    assert reading.intent is Intent.ORDER
    assert [(i.color, i.material, i.quantity, i.unit) for i in reading.items] == [
        ("blue", "cotton", Decimal("20.00"), "m"),
        ("red", "silk", Decimal("18.29"), "m"),  # 20 yards, converted by the adapter
    ]
    assert reading.certain


def test_the_request_carries_the_vocabulary_and_the_orders_current_lines(gemini):
    gemini.reply_with(an_answer(intent="DECISIONS", decisions=[{"kind": "CONFIRM"}]))

    interpreter(gemini).interpret("pakka kar do", VOCABULARY, an_order_on_the_table())

    [request] = gemini.requests
    assert request.path == f"/v1beta/models/{MODEL}:generateContent"
    assert request.api_key == API_KEY
    assert "cotton: suti" in request.system
    assert "sky blue: aasmani, आसमानी, skyblue" in request.system
    assert "0.9144" in request.system
    assert "Order state: negotiating" in request.user
    assert "1. 10 m blue cotton\n2. 2 roll red silk" in request.user
    assert request.user.endswith("Customer message:\npakka kar do")
    assert request.generation_config["responseMimeType"] == "application/json"
    assert "intent" in request.generation_config["responseSchema"]["properties"]


def test_token_use_is_recorded_and_logged(gemini):
    logger = RecordingLogger()
    gemini.reply_with(an_answer(items=[an_item()]), prompt_tokens=812, candidates_tokens=64)
    gemini_interpreter = interpreter(gemini, logger=logger)

    gemini_interpreter.interpret("neela suti 20 meter", VOCABULARY, Context())

    assert gemini_interpreter.last_usage == TokenUsage(812, 64, 876)
    [(level, _message, extra)] = logger.records
    assert level == "info"
    assert (extra["prompt_token_count"], extra["candidates_token_count"], extra["total_token_count"]) == (812, 64, 876)
    assert extra["model_version"] == MODEL


def test_a_reply_names_order_lines_by_number_or_by_colour(gemini):
    gemini.reply_with(
        an_answer(
            intent="DECISIONS",
            decisions=[
                {"kind": "EDIT_ITEM", "target": "1", "quantity": 15, "unit": "m", "raw": "pehla 15 kar do"},
                {"kind": "CANCEL_ITEM", "target": "laal", "raw": "laal hata do"},
            ],
        )
    )

    reading = interpreter(gemini).interpret("pehla 15 kar do, laal hata do", VOCABULARY, an_order_on_the_table())

    assert [(d.kind, d.target, d.quantity) for d in reading.decisions] == [
        (CustomerDecision.EDIT_ITEM, "1", Decimal("15.00")),
        (CustomerDecision.CANCEL_ITEM, "2", None),
    ]
    assert reading.certain


# --- what the model may not decide ----------------------------------------------------------------------------------


def test_an_item_with_an_unknown_material_is_not_returned(gemini):
    gemini.reply_with(
        an_answer(items=[an_item("suti", "neela", 20, "m"), an_item("jute", "laal", 2, "roll", raw="2 than laal jute")])
    )

    reading = interpreter(gemini).interpret("20 m neela suti aur 2 than laal jute", VOCABULARY, Context())

    assert [(i.color, i.material) for i in reading.items] == [("blue", "cotton")]
    assert reading.unclear == ["2 than laal jute"]
    assert not reading.certain


def test_a_decision_about_a_line_the_order_does_not_have_is_not_returned(gemini):
    gemini.reply_with(
        an_answer(intent="DECISIONS", decisions=[{"kind": "CANCEL_ITEM", "target": "5", "raw": "5 hatao"}])
    )

    reading = interpreter(gemini).interpret("5 hatao", VOCABULARY, an_order_on_the_table())

    assert reading.decisions == []
    assert reading.unclear == ["5 hatao"]
    assert not reading.certain


# --- failures and the fallback --------------------------------------------------------------------------------------


def test_malformed_json_is_invalid_output_and_is_not_retried(gemini):
    gemini.reply_with('{"intent": "ORDER", "items": [')

    with pytest.raises(InterpreterUnavailable) as failure:
        interpreter(gemini).interpret(UNSURE_MESSAGE, VOCABULARY, Context())

    assert failure.value.reason == "invalid_output"
    assert gemini.calls == 1


def test_malformed_json_falls_back_to_the_deterministic_reading(gemini):
    gemini.reply_with("not json at all")

    understood = understanding(gemini).understand(UNSURE_MESSAGE, VOCABULARY, Context())

    assert understood.source == "fallback"
    assert understood.interpretation == interpret(UNSURE_MESSAGE, VOCABULARY, Context())


def test_an_answer_outside_the_schema_falls_back(gemini):
    gemini.reply_with(an_answer(intent="BUY_EVERYTHING"))

    assert understanding(gemini).understand(UNSURE_MESSAGE, VOCABULARY).source == "fallback"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_one_transient_error_is_retried_and_the_retry_succeeds(gemini, status):
    gemini.fail_next(status)
    gemini.reply_with(an_answer(items=[an_item()]))

    understood = understanding(gemini).understand(UNSURE_MESSAGE, VOCABULARY)

    assert understood.source == "llm"
    assert [(i.color, i.material) for i in understood.interpretation.items] == [("blue", "cotton")]
    assert gemini.calls == 2


def test_two_server_errors_fall_back_after_exactly_two_calls(gemini):
    gemini.fail_next(500, times=2)

    understood = understanding(gemini).understand(UNSURE_MESSAGE, VOCABULARY)

    assert understood.source == "fallback"
    assert gemini.calls == 2


def test_a_slow_answer_falls_back_at_the_timeout_without_waiting_for_it(gemini):
    gemini.delay_next(5 * TIMEOUT, times=2)

    started = time.monotonic()
    understood = understanding(gemini).understand(UNSURE_MESSAGE, VOCABULARY)
    elapsed = time.monotonic() - started

    assert understood.source == "fallback"
    assert gemini.calls == 2
    # Both calls were cut at the timeout: never waited for the slow answers (10 timeouts in all). The bound is loose
    # on purpose; these machines are shared and a timed assertion must not measure the machine.
    assert 2 * TIMEOUT <= elapsed < 2 * 5 * TIMEOUT


def test_a_wrong_key_falls_back_without_a_retry(gemini):
    with pytest.raises(InterpreterUnavailable) as failure:
        interpreter(gemini, api_key="not-the-key").interpret(UNSURE_MESSAGE, VOCABULARY, Context())
    assert (failure.value.reason, failure.value.status) == ("rejected", 400)

    understood = understanding(gemini, api_key="not-the-key").understand(UNSURE_MESSAGE, VOCABULARY)

    assert understood.source == "fallback"
    assert gemini.calls == 2  # one for each interpreter: a rejected key is never retried


def test_a_bad_request_is_not_retried(gemini):
    gemini.fail_next(400, times=2)

    assert understanding(gemini).understand(UNSURE_MESSAGE, VOCABULARY).source == "fallback"
    assert gemini.calls == 1


def test_an_unreachable_service_falls_back(gemini):
    down = FakeGemini(api_key=API_KEY).start()
    down.stop()  # its port is now closed
    policy = Understanding(interpret, GeminiInterpreter(API_KEY, MODEL, down.url, TIMEOUT, RecordingLogger()))

    assert policy.understand(UNSURE_MESSAGE, VOCABULARY).source == "fallback"


# --- the policy over HTTP -------------------------------------------------------------------------------------------


def test_a_certain_message_makes_no_call_to_gemini(gemini):
    policy = understanding(gemini)

    understood = policy.understand("20m blue cotton", VOCABULARY)

    assert understood.source == "deterministic"
    assert gemini.calls == 0


def test_an_unsure_message_makes_one_call_to_gemini(gemini):
    gemini.reply_with(an_answer(questions=["Kitne meter neela suti chahiye?"], certain=False))
    policy = understanding(gemini)

    understood = policy.understand(UNSURE_MESSAGE, VOCABULARY)

    assert understood.source == "llm"
    assert understood.interpretation.questions == ["Kitne meter neela suti chahiye?"]
    assert gemini.calls == 1
    assert policy.counts.as_dict() == {"deterministic": 0, "llm": 1, "fallback": 0}


def test_without_a_script_the_fake_reads_a_plain_order_by_rule(gemini):
    reading = interpreter(gemini).interpret("mujhe 20 meter laal suti", VOCABULARY, Context())

    assert [(i.color, i.material, i.quantity) for i in reading.items] == [("red", "cotton", Decimal("20.00"))]


# --- cold start -----------------------------------------------------------------------------------------------------


def test_importing_the_interpreter_and_the_policy_does_not_import_the_sdk():
    check = (
        "import sys, chalicelib.adapters.gemini, chalicelib.services.understanding; "
        "assert 'google.genai' not in sys.modules"
    )

    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr


def test_the_dialogue_goes_to_gemini_and_a_bare_answer_comes_back_as_the_answer_to_the_pending_question(gemini):
    from chalicelib.domain.interpretation import PendingQuestion
    from chalicelib.services.understanding import Dialogue

    pending = PendingQuestion(slot="quantity")
    dialogue = Dialogue(pending=pending, asked="blue cotton", last_message="How many meters of blue cotton?")

    reading = interpreter(gemini).interpret("20", VOCABULARY, Context(pending=pending), dialogue)

    [request] = gemini.requests
    assert 'Pending question: slot=quantity about "blue cotton"' in request.user
    assert "Last message from the shop:\nHow many meters of blue cotton?" in request.user
    assert reading.intent is Intent.ANSWER  # the fake's rule: a bare number answers a pending quantity question
    assert (reading.answer.slot, reading.answer.quantity, reading.answer.unit) == ("quantity", Decimal("20"), "m")


def test_shop_questions_notes_and_relative_edits_from_gemini_are_validated_against_the_catalogue(gemini):
    gemini.reply_with(an_answer(intent="RATE", subject={"material": "resham", "color": "laal"}, certain=True))
    gemini.reply_with(
        an_answer(
            intent="DECISIONS",
            decisions=[{"kind": "ADD_QUANTITY", "target": "1", "quantity": 5, "unit": "m"}],
            notes=[{"kind": "DELIVERY", "text": "parso tak chahiye"}],
        )
    )
    gemini.reply_with(an_answer(intent="ANSWER", answer={"slot": "color", "color": "tweedish"}))

    rate = interpreter(gemini).interpret("silk ka rate", VOCABULARY)
    more = interpreter(gemini).interpret("5 aur, parso tak", VOCABULARY, an_order_on_the_table())
    odd = interpreter(gemini).interpret("tweedish", VOCABULARY)

    assert rate.intent is Intent.RATE and (rate.subject.material, rate.subject.color) == ("silk", "red")
    assert [(d.kind, d.target, d.quantity) for d in more.decisions] == [(CustomerDecision.ADD_QUANTITY, "1", 5)]
    assert [(n.kind.value, n.text) for n in more.notes] == [("DELIVERY", "parso tak chahiye")]
    assert odd.intent is Intent.UNKNOWN and odd.answer is None and not odd.certain  # never a colour it invented
