"""The Gemini interpreter: a second reading, by an LLM, of a message the deterministic interpreter was unsure of.

Request
    ``POST {base_url}/v1beta/models/{model}:generateContent`` through the google-genai SDK (imported on first use:
    a cold start must not pay for it). The system instruction carries the rules and the catalogue vocabulary; the
    user turn carries the order's state and lines, then the customer's message. Structured output: JSON against
    ``WireInterpretation``, a schema of plain strings, numbers, enums and lists that Gemini can follow.

Trust
    The model only reads. Its answer is validated strictly, then converted into the domain's ``Interpretation``:
    materials and colours go through the vocabulary, quantities become ``Decimal`` meters or rolls (yards are
    converted here, not by the model), targets must name a line of the order. An item or decision that does not
    survive this is not returned; its text goes to ``unclear`` and the reading is then not ``certain``.

Time and retries
    Each attempt has ``timeout_seconds``; the SDK's own retries are switched off and one retry is made here, after
    ``RETRY_PAUSE``, for timeouts, connection failures, 408, 429 and 5xx. Never for another 4xx (a bad key stays bad)
    nor for output that does not validate (the same prompt at temperature 0 gives the same answer). The worst case
    is therefore about ``2 × timeout_seconds + RETRY_PAUSE``.

Errors
    ``interpret`` raises ``InterpreterUnavailable`` and nothing else; its ``reason`` is one of "timeout",
    "unreachable", "server_error", "throttled", "rejected" (another 4xx: wrong key, bad request), "invalid_output"
    or "unexpected", and ``status`` is the HTTP status when Google answered with an error.

Token use
    Every answer's ``usage_metadata`` is logged (prompt, candidates and total token counts) and kept in
    ``last_usage``.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.domain.catalogue import Term, Vocabulary, normalise
from chalicelib.domain.interpretation import (
    Answer,
    Context,
    ContextLine,
    CustomerDecision,
    Decision,
    Intent,
    Interpretation,
    ItemRequest,
    Note,
    NoteKind,
    Subject,
    Unit,
)
from chalicelib.logs import get_logger
from chalicelib.services.understanding import Dialogue, InterpreterUnavailable, UnavailableReason

__all__ = ["GeminiInterpreter", "InterpreterUnavailable", "TokenUsage", "WireInterpretation", "to_interpretation"]

API_VERSION = "v1beta"  # the version Google documents structured output and system instructions for
ATTEMPTS = 2  # the first try and one retry
RETRY_PAUSE = 0.2  # seconds; short, because a customer is waiting on WhatsApp
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_OUTPUT_TOKENS = 2048
YARD = Decimal("0.9144")


# --- what the model fills in ----------------------------------------------------------------------------------------


class WireUnit(StrEnum):
    M = "m"
    ROLL = "roll"
    YARD = "yard"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class WireItem(_Wire):
    material: str = Field(description="canonical material name from the catalogue")
    color: str = Field(description="canonical colour name from the catalogue")
    quantity: float = Field(description="the number the customer wrote")
    unit: WireUnit = Field(description="m for meters, roll for than/roll, yard for gaj/gaz/yard")
    raw: str = Field(default="", description="the words of the message this item was read from")


class WireDecision(_Wire):
    kind: CustomerDecision
    target: str | None = Field(default=None, description="the number of the order line meant")
    quantity: float | None = Field(default=None, description="the new quantity, for EDIT_ITEM")
    unit: WireUnit | None = None
    item: WireItem | None = Field(default=None, description="the line to add, for ADD_ITEM")
    raw: str = ""


class WireAnswer(_Wire):
    slot: Literal["material", "color", "quantity", "unit", "choice", "line"]
    material: str | None = Field(default=None, description="canonical material name, when the answer names one")
    color: str | None = Field(default=None, description="canonical colour name, when the answer names one")
    quantity: float | None = None
    unit: WireUnit | None = None
    choice: str | None = Field(default=None, description="one of the options offered, as written there")
    raw: str = ""


class WireSubject(_Wire):
    material: str | None = None
    color: str | None = None


class WireNote(_Wire):
    kind: Literal["DISCOUNT", "DELIVERY"]
    text: str


class WireInterpretation(_Wire):
    intent: Intent
    language: Literal["en", "hinglish", "hi"]
    items: list[WireItem]
    decisions: list[WireDecision]
    questions: list[str] = Field(description="what to ask the customer back, in their language and script")
    unclear: list[str] = Field(description="words of the message that could not be read")
    certain: bool
    answer: WireAnswer | None = Field(default=None, description="for ANSWER: the answer to the pending question")
    subject: WireSubject | None = Field(default=None, description="for RATE and AVAILABILITY: what is asked about")
    notes: list[WireNote] = Field(default_factory=list, description="discount requests, delivery dates")


# --- the adapter ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenUsage:
    """The token counts Gemini reported for one answer."""

    prompt_token_count: int
    candidates_token_count: int
    total_token_count: int


class GeminiInterpreter:
    """Implements ``InterpreterPort`` with Gemini; see the module docstring for the request, retries and errors."""

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_seconds: float = 4.0,
        logger: Any = None,
        *,
        client: Any = None,
        thinking_budget: int | None = 0,
    ) -> None:
        """``client`` is an already built ``genai.Client`` (else one is built on first use). ``thinking_budget`` 0
        switches Flash's thinking off, which a reading of one message does not need; None leaves the model's own."""
        self._api_key = api_key
        self.model = model
        self._base_url = base_url
        self._timeout_seconds = timeout_seconds
        self._logger = logger
        self._client = client
        self._thinking_budget = thinking_budget
        self.last_usage: TokenUsage | None = None

    def interpret(
        self, text: str, vocabulary: Vocabulary, context: Context | None = None, dialogue: Dialogue | None = None
    ) -> Interpretation:
        """Read ``text`` in the light of the order and the conversation (the pending question, the last message the
        shop sent). Raises ``InterpreterUnavailable`` (see the module docstring for its reasons)."""
        context = context or Context()
        response = self._generate(_system_instruction(vocabulary), _user_turn(text, context, dialogue))
        try:
            wire = WireInterpretation.model_validate_json(response.text or "")
            return to_interpretation(wire, vocabulary, context)
        except (ValidationError, ValueError) as exc:
            raise InterpreterUnavailable("invalid_output", _first_line(exc)) from exc

    def _generate(self, system: str, user: str) -> Any:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=WireInterpretation,
            temperature=0,
            max_output_tokens=MAX_OUTPUT_TOKENS,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),  # no tools: one call
            thinking_config=(
                None if self._thinking_budget is None else types.ThinkingConfig(thinking_budget=self._thinking_budget)
            ),
        )
        for attempt in range(1, ATTEMPTS + 1):
            started = time.monotonic()
            try:
                response = self._sdk().models.generate_content(model=self.model, contents=user, config=config)
            except Exception as exc:  # the SDK and httpx raise many types; each becomes one InterpreterUnavailable
                failure, retryable = _classify(exc)
                self._log().warning(
                    "gemini: attempt failed",
                    extra={
                        "attempt": attempt,
                        "reason": failure.reason,
                        "status": failure.status,
                        "seconds": round(time.monotonic() - started, 3),
                        "will_retry": retryable and attempt < ATTEMPTS,
                    },
                )
                if not retryable or attempt == ATTEMPTS:
                    raise failure from exc
                time.sleep(RETRY_PAUSE)
                continue
            self._record_usage(response, attempt, time.monotonic() - started)
            return response
        raise AssertionError("unreachable")  # the loop returns or raises

    def _sdk(self) -> Any:
        """The genai client, built once: the SDK is imported here, never when this module is imported."""
        if self._client is None:
            from google import genai
            from google.genai import types

            self._client = genai.Client(
                api_key=self._api_key,
                vertexai=False,
                http_options=types.HttpOptions(
                    base_url=self._base_url,
                    api_version=API_VERSION,
                    timeout=int(self._timeout_seconds * 1000),  # milliseconds
                    retry_options=types.HttpRetryOptions(attempts=1),  # retries are made (and counted) here
                ),
            )
        return self._client

    def _record_usage(self, response: Any, attempt: int, seconds: float) -> None:
        usage = response.usage_metadata
        self.last_usage = TokenUsage(
            prompt_token_count=(usage and usage.prompt_token_count) or 0,
            candidates_token_count=(usage and usage.candidates_token_count) or 0,
            total_token_count=(usage and usage.total_token_count) or 0,
        )
        self._log().info(
            "gemini: answered",
            extra={
                "model": self.model,
                "model_version": response.model_version,
                "response_id": response.response_id,
                "attempt": attempt,
                "seconds": round(seconds, 3),
                "prompt_token_count": self.last_usage.prompt_token_count,
                "candidates_token_count": self.last_usage.candidates_token_count,
                "total_token_count": self.last_usage.total_token_count,
            },
        )

    def _log(self) -> Any:
        return self._logger or get_logger()


def _classify(exc: Exception) -> tuple[InterpreterUnavailable, bool]:
    """The domain error for a failed call, and whether one more try may help."""
    from google.genai import errors

    if isinstance(exc, errors.APIError):
        status = exc.code or 0
        reason: UnavailableReason
        if status in (408, 504):
            reason = "timeout"
        elif status == 429:
            reason = "throttled"
        elif status >= 500:
            reason = "server_error"
        else:
            reason = "rejected"
        return InterpreterUnavailable(reason, f"{exc.status or ''} {exc.message or ''}".strip(), status), (
            status in RETRYABLE_STATUS
        )
    timeouts, transport_errors = _httpx_errors()
    if isinstance(exc, timeouts):
        return InterpreterUnavailable("timeout", type(exc).__name__), True
    if isinstance(exc, transport_errors):
        return InterpreterUnavailable("unreachable", type(exc).__name__), True
    if isinstance(exc, errors.UnknownApiResponseError | ValueError):
        return InterpreterUnavailable("invalid_output", _first_line(exc)), False
    return InterpreterUnavailable("unexpected", type(exc).__name__), False


@functools.cache
def _httpx_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """(timeouts, other transport failures) of whichever HTTP library the SDK found: httpx or its fork httpx2."""
    timeouts, transport_errors = [], []
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport_errors.append(module.TransportError)
    return tuple(timeouts), tuple(transport_errors)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# --- the prompt -----------------------------------------------------------------------------------------------------

_RULES = """\
You read WhatsApp messages sent to an Indian cloth shop, in English, Hindi or Hinglish, and fill in the JSON schema.
Rules:
- Materials and colours: only those in the catalogue below, written as their canonical name (before the colon). \
If the customer names one that is not there, or you are not sure, put their words in "unclear" and make no item.
- An item needs material, colour, quantity and unit. Units: "m" (meter, mtr, मीटर), "roll" (than, thaan, थान, roll), \
"yard" (gaj, gaz, गज, yard; give the number as written, the shop converts it to meters: 1 yard = 0.9144 m). \
If any part is missing or ambiguous, ask in "questions" instead of guessing, and make no item for it.
- "10 m each", "5-5 meter", "har ek 10 m": that quantity for every colour or material named.
- While an order is open (state is not "none"), replies about it are "decisions"; "target" is the number of the \
order line meant. EDIT_ITEM needs quantity and unit; ADD_ITEM needs item.
- "Pending question" is what the shop just asked: a message that answers it (a bare colour, material, number, \
unit or one of the options) is intent ANSWER with "answer" (slot, and what it names); otherwise read it as new.
- Shop questions are not orders: RATE or AVAILABILITY (with "subject"), REPEAT_ORDER, DISCOUNT, DELIVERY, \
QUESTION (any other question), THANKS, NO, WAIT. A discount request or delivery date next to items goes in "notes".
- "5 meter aur" / "2 kam": ADD_QUANTITY / REDUCE_QUANTITY with the amount; "cotton ki jagah rayon": REPLACE_ITEM.
- Never state prices, stock or availability.
- language: "en", "hinglish" (Hindi in Roman letters) or "hi" (Devanagari). Questions in the customer's language.
- certain: true only when every part of the message was read, with no questions and nothing unclear."""


def _system_instruction(vocabulary: Vocabulary) -> str:
    return _system_for(tuple(vocabulary.materials.values()), tuple(vocabulary.colors.values()))


@functools.lru_cache(maxsize=8)
def _system_for(materials: tuple[Term, ...], colors: tuple[Term, ...]) -> str:
    """The rules and the vocabulary, one line a term: built once per vocabulary."""

    def lines(terms: tuple[Term, ...]) -> str:
        out = []
        for term in terms:
            others: dict[str, str] = {term.name: term.name}
            for alias in (term.hinglish, term.hi, *term.aliases):
                others.setdefault(normalise(alias), alias)
            out.append(f"{term.name}: {', '.join(list(others.values())[1:])}")
        return "\n".join(out)

    return f"{_RULES}\n\nCatalogue materials (canonical: other names)\n{lines(materials)}\n\n" + (
        f"Catalogue colours (canonical: other names)\n{lines(colors)}"
    )


def _user_turn(text: str, context: Context, dialogue: Dialogue | None = None) -> str:
    if context.lines:
        order = "\n".join(
            f"{line.number}. {_number(line.quantity)} {line.unit} {line.color} {line.material}"
            + ("" if line.open else " (settled)")
            for line in context.lines
        )
    else:
        order = "(none)"
    turn = f"Order state: {context.state}\nOrder lines:\n{order}\n"
    pending = context.pending or (dialogue.pending if dialogue is not None else None)
    if pending is not None:
        asked = f' about "{dialogue.asked}"' if dialogue is not None and dialogue.asked else ""
        options = f" options: {', '.join(pending.options)}" if pending.options else ""
        line = f" line {pending.line}" if pending.line else ""
        turn += f"Pending question: slot={pending.slot}{line}{asked}{options}\n"
    if dialogue is not None and dialogue.last_message:
        turn += f"Last message from the shop:\n{dialogue.last_message[-1200:]}\n"
    return f"{turn}\nCustomer message:\n{text}"


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- from the wire to the domain ------------------------------------------------------------------------------------


def to_interpretation(wire: WireInterpretation, vocabulary: Vocabulary, context: Context) -> Interpretation:
    """The domain reading of the model's answer: what does not name the catalogue or the order goes to ``unclear``.

    Raises ``pydantic.ValidationError`` when even the trimmed reading does not validate.
    """
    unclear = list(wire.unclear)
    items = []
    for wire_item in wire.items:
        item = _item(wire_item, vocabulary)
        if item is None:
            unclear.append(wire_item.raw or _describe(wire_item))
        else:
            items.append(item)
    decisions = []
    for wire_decision in wire.decisions:
        decision = _decision(wire_decision, vocabulary, context)
        if decision is None:
            unclear.append(wire_decision.raw or wire_decision.kind.value)
        else:
            decisions.append(decision)
    intent = wire.intent
    answer = _answer(wire.answer, vocabulary) if wire.answer is not None else None
    if intent is Intent.ANSWER and answer is None:
        intent = Intent.UNKNOWN
        unclear.append(wire.answer.raw if wire.answer is not None and wire.answer.raw else "answer")
    subject = None
    if wire.subject is not None:
        material = vocabulary.material(wire.subject.material) if wire.subject.material else None
        color = vocabulary.color(wire.subject.color) if wire.subject.color else None
        subject = Subject(material=material.name if material else None, color=color.name if color else None)
    notes = [Note(kind=NoteKind(n.kind), text=n.text.strip()) for n in wire.notes if n.text.strip()]
    unclear = [u for u in dict.fromkeys(s.strip() for s in unclear) if u]
    questions = [q for q in (s.strip() for s in wire.questions) if q]
    certain = wire.certain and not unclear and not questions and intent is not Intent.UNKNOWN
    return Interpretation(
        intent=intent,
        items=items,
        decisions=decisions,
        questions=questions,
        unclear=unclear,
        language=wire.language,
        certain=certain,
        answer=answer,
        subject=subject,
        notes=notes,
    )


def _answer(wire: WireAnswer, vocabulary: Vocabulary) -> Answer | None:
    """The answer to the pending question; None when it names a material or colour outside the catalogue."""
    material = vocabulary.material(wire.material) if wire.material else None
    color = vocabulary.color(wire.color) if wire.color else None
    if (wire.material and material is None) or (wire.color and color is None):
        return None
    quantity = _quantity(wire.quantity, wire.unit) if wire.quantity is not None else None
    unit: Unit | None = quantity[1] if quantity else (None if wire.unit is None else _unit(wire.unit))
    try:
        return Answer(
            slot=wire.slot,
            material=material.name if material else None,
            color=color.name if color else None,
            quantity=quantity[0] if quantity else None,
            unit=unit,
            choice=wire.choice,
            raw=wire.raw,
        )
    except ValidationError:
        return None


def _unit(unit: WireUnit) -> Unit:
    return "roll" if unit is WireUnit.ROLL else "m"


def _item(wire: WireItem, vocabulary: Vocabulary) -> ItemRequest | None:
    material, color = vocabulary.material(wire.material), vocabulary.color(wire.color)
    quantity = _quantity(wire.quantity, wire.unit)
    if material is None or color is None or quantity is None:
        return None
    try:
        return ItemRequest(
            material=material.name, color=color.name, quantity=quantity[0], unit=quantity[1], raw=wire.raw
        )
    except ValidationError:
        return None


def _quantity(value: float | None, unit: WireUnit | None) -> tuple[Decimal, Unit] | None:
    if value is None or unit is None or not math.isfinite(value) or value <= 0:
        return None
    amount = Decimal(str(value))
    if unit is WireUnit.YARD:
        return amount * YARD, "m"
    return amount, "roll" if unit is WireUnit.ROLL else "m"


def _decision(wire: WireDecision, vocabulary: Vocabulary, context: Context) -> Decision | None:
    target = None
    if wire.target is not None and wire.target.strip():
        target = _target(wire.target, vocabulary, context.lines)
        if target is None:
            return None
    quantity = None
    if wire.kind in (CustomerDecision.EDIT_ITEM, CustomerDecision.ADD_QUANTITY, CustomerDecision.REDUCE_QUANTITY):
        quantity = _quantity(wire.quantity, wire.unit)
        if quantity is None:
            return None
    item = None
    if wire.kind in (CustomerDecision.ADD_ITEM, CustomerDecision.REPLACE_ITEM):
        item = _item(wire.item, vocabulary) if wire.item is not None else None
        if item is None:
            return None
    try:
        return Decision(
            kind=wire.kind,
            target=target,
            quantity=quantity[0] if quantity else None,
            unit=quantity[1] if quantity else None,
            item=item,
            raw=wire.raw,
        )
    except ValidationError:
        return None


_LINE_NUMBER = re.compile(r"(?:#|item|line|no\.?)?\s*(\d{1,3})")


def _target(target: str, vocabulary: Vocabulary, lines: tuple[ContextLine, ...]) -> str | None:
    """The number of the order line ``target`` names ("2", "#2", "red", "red silk"); None when it names none, or
    more than one. Without order lines, the canonical colour/material words, as the deterministic reader gives."""
    text = normalise(target)
    if number := _LINE_NUMBER.fullmatch(text):
        wanted = int(number.group(1))
        return str(wanted) if any(line.number == wanted for line in lines) else None
    named = _colour_and_material(text, vocabulary)
    if named is None:
        return None
    color, material = named
    if not lines:
        return " ".join(t.name for t in (color, material) if t is not None)
    matches = [
        line
        for line in lines
        if (color is None or normalise(line.color) == color.name)
        and (material is None or normalise(line.material) == material.name)
    ]
    return str(matches[0].number) if len(matches) == 1 else None


def _colour_and_material(text: str, vocabulary: Vocabulary) -> tuple[Term | None, Term | None] | None:
    """("red", None) for "laal", (red, silk) for "red silk" or "silk red"; None when the words are not terms."""
    if color := vocabulary.color(text):
        return color, None
    if material := vocabulary.material(text):
        return None, material
    words = text.split(" ")
    for cut in range(1, len(words)):
        left, right = " ".join(words[:cut]), " ".join(words[cut:])
        color, material = vocabulary.color(left), vocabulary.material(right)
        if color and material:
            return color, material
        material, color = vocabulary.material(left), vocabulary.color(right)
        if color and material:
            return color, material
    return None


def _describe(item: WireItem) -> str:
    return f"{item.quantity:g} {item.unit.value} {item.color} {item.material}"
