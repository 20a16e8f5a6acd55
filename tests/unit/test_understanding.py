"""The understanding policy with in-memory interpreters: deterministic first, the LLM only when unsure, fallback."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context, ContextLine, Intent, Interpretation, ItemRequest
from chalicelib.domain.interpreter import interpret
from chalicelib.services.understanding import InterpreterUnavailable, Understanding

VOCABULARY = Vocabulary.from_seed()


# --- builders and fakes ---------------------------------------------------------------------------------------------


def certain_reading(material: str = "cotton", color: str = "blue", meters: str = "20") -> Interpretation:
    item = ItemRequest(material=material, color=color, quantity=Decimal(meters), unit="m")
    return Interpretation(intent=Intent.ORDER, items=[item], certain=True)


def unsure_reading(question: str = "How many meters of blue cotton?") -> Interpretation:
    return Interpretation(intent=Intent.ORDER, questions=[question], unclear=["blue cotton"])


def an_order_on_the_table() -> Context:
    line = ContextLine(number=1, material="cotton", color="blue", quantity=Decimal("10"))
    return Context(state="negotiating", lines=(line,))


class FakeDeterministic:
    """The deterministic interpreter's shape (a function), answering one fixed reading."""

    def __init__(self, reading: Interpretation) -> None:
        self.reading = reading
        self.calls: list[tuple[str, Vocabulary, Context]] = []

    def __call__(self, text: str, vocabulary: Vocabulary, context: Context) -> Interpretation:
        self.calls.append((text, vocabulary, context))
        return self.reading


class FakeLLM:
    """An ``InterpreterPort`` that answers a fixed reading, or raises a fixed error."""

    def __init__(self, reading: object = None, error: Exception | None = None) -> None:
        self.reading = reading if reading is not None else certain_reading(color="red")
        self.error = error
        self.calls: list[tuple[str, Vocabulary, Context]] = []
        self.dialogues: list[object] = []

    def interpret(self, text: str, vocabulary: Vocabulary, context: Context, dialogue=None) -> Interpretation:
        self.calls.append((text, vocabulary, context))
        self.dialogues.append(dialogue)
        if self.error is not None:
            raise self.error
        return self.reading  # type: ignore[return-value]


class RecordingLogger:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict]] = []

    def _record(self, level: str, message: str, extra: dict | None = None, **_: object) -> None:
        self.records.append((level, message, extra or {}))

    def info(self, message: str, **kwargs: object) -> None:
        self._record("info", message, **kwargs)  # type: ignore[arg-type]

    def warning(self, message: str, **kwargs: object) -> None:
        self._record("warning", message, **kwargs)  # type: ignore[arg-type]


# --- the policy -----------------------------------------------------------------------------------------------------


def test_a_certain_deterministic_reading_is_used_without_asking_the_llm():
    reading = certain_reading()
    llm = FakeLLM()
    understanding = Understanding(FakeDeterministic(reading), llm)

    understood = understanding.understand("20m blue cotton", VOCABULARY, Context())

    assert understood.interpretation is reading
    assert understood.source == "deterministic"
    assert llm.calls == []


def test_an_unsure_deterministic_reading_is_replaced_by_the_llms_reading():
    llm_reading = certain_reading(color="red")
    understanding = Understanding(FakeDeterministic(unsure_reading()), FakeLLM(llm_reading))

    understood = understanding.understand("laal wala 20 meter", VOCABULARY, Context())

    assert understood.interpretation is llm_reading
    assert understood.source == "llm"


def test_the_llm_reads_the_same_text_vocabulary_and_order():
    llm = FakeLLM()
    context = an_order_on_the_table()

    Understanding(FakeDeterministic(unsure_reading()), llm).understand("pehla wala 15 kar do", VOCABULARY, context)

    assert llm.calls == [("pehla wala 15 kar do", VOCABULARY, context)]


def test_without_an_llm_the_unsure_deterministic_reading_stands():
    reading = unsure_reading()
    understanding = Understanding(FakeDeterministic(reading), llm=None)

    understood = understanding.understand("blue cotton chahiye", VOCABULARY)

    assert understood.interpretation is reading
    assert understood.source == "deterministic"
    assert not understanding.has_llm


@pytest.mark.parametrize(
    "error",
    [
        InterpreterUnavailable("timeout", "ReadTimeout"),
        InterpreterUnavailable("server_error", "INTERNAL", status=500),
        InterpreterUnavailable("invalid_output", "1 validation error"),
        RuntimeError("a bug in the adapter"),
    ],
    ids=["timeout", "http-500", "invalid-output", "unexpected-exception"],
)
def test_a_failing_llm_falls_back_to_the_deterministic_reading(error):
    reading = unsure_reading()
    understanding = Understanding(FakeDeterministic(reading), FakeLLM(error=error), logger=RecordingLogger())

    understood = understanding.understand("blue cotton chahiye", VOCABULARY, Context())

    assert understood.interpretation is reading
    assert understood.source == "fallback"


def test_an_llm_answer_that_is_not_an_interpretation_falls_back():
    understanding = Understanding(
        FakeDeterministic(unsure_reading()), FakeLLM(reading={"intent": "ORDER"}), logger=RecordingLogger()
    )

    assert understanding.understand("blue cotton chahiye", VOCABULARY).source == "fallback"


def test_a_fallback_is_logged_with_its_reason():
    logger = RecordingLogger()
    llm = FakeLLM(error=InterpreterUnavailable("rejected", "INVALID_ARGUMENT", status=400))
    understanding = Understanding(FakeDeterministic(unsure_reading()), llm, logger=logger)

    understanding.understand("blue cotton chahiye", VOCABULARY)

    [(level, _message, extra)] = logger.records
    assert level == "warning"
    assert extra["reason"] == "rejected"
    assert extra["error_type"] == "InterpreterUnavailable"


def test_the_counts_tell_how_many_messages_needed_the_llm():
    deterministic = FakeDeterministic(certain_reading())
    llm = FakeLLM()
    understanding = Understanding(deterministic, llm, logger=RecordingLogger())

    understanding.understand("20m blue cotton", VOCABULARY)
    understanding.understand("20m blue cotton", VOCABULARY)
    deterministic.reading = unsure_reading()
    understanding.understand("blue cotton chahiye", VOCABULARY)
    llm.error = InterpreterUnavailable("timeout")
    understanding.understand("blue cotton chahiye", VOCABULARY)

    assert understanding.counts.as_dict() == {"deterministic": 2, "llm": 1, "fallback": 1}
    assert understanding.counts.needed_llm == 2


def test_a_missing_context_is_read_as_no_order_on_the_table():
    deterministic = FakeDeterministic(unsure_reading())
    llm = FakeLLM()

    Understanding(deterministic, llm).understand("blue cotton chahiye", VOCABULARY)

    assert deterministic.calls[0][2] == Context()
    assert llm.calls[0][2] == Context()


def test_with_the_real_deterministic_interpreter_a_plain_order_never_reaches_the_llm():
    llm = FakeLLM()
    understanding = Understanding(interpret, llm)

    understood = understanding.understand("20m blue cotton aur 2 than laal resham", VOCABULARY)

    assert understood.source == "deterministic"
    assert [(i.color, i.material) for i in understood.interpretation.items] == [("blue", "cotton"), ("red", "silk")]
    assert llm.calls == []


def test_with_the_real_deterministic_interpreter_a_message_missing_its_quantity_asks_the_llm():
    llm = FakeLLM()
    understanding = Understanding(interpret, llm)

    understood = understanding.understand("blue cotton chahiye", VOCABULARY)

    assert understood.source == "llm"
    assert len(llm.calls) == 1


def test_the_llm_is_told_the_dialogue_and_its_reading_keeps_the_deterministic_consent():
    from chalicelib.domain.interpretation import Consent, ConsentKind, PendingQuestion
    from chalicelib.services.understanding import Dialogue

    hedge = Consent(kind=ConsentKind.WAIT, reason="ruko")
    unsure = unsure_reading().model_copy(update={"consent": hedge})
    llm = FakeLLM(certain_reading(color="red").model_copy(update={"consent": Consent(kind=ConsentKind.CONFIRM)}))
    dialogue = Dialogue(pending=PendingQuestion(slot="color"), asked="20m cotton", last_message="Which colour?")

    understood = Understanding(FakeDeterministic(unsure), llm).understand("x", VOCABULARY, Context(), dialogue)

    assert llm.dialogues == [dialogue]
    assert understood.source == "llm" and understood.interpretation.consent == hedge  # a model never confirms
