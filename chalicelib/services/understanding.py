"""Understanding a customer's message: the deterministic reading first, an LLM's second reading only when needed.

Policy
    1. The deterministic interpreter reads every message (no network, microseconds).
    2. When its reading is ``certain`` that reading is used and no LLM is asked: most orders are plain enough.
    3. Otherwise, when an LLM is configured (``GEMINI_API_KEY`` set), its reading is used instead.
    4. When the LLM fails in any way (timeout, HTTP error, output that does not validate) the deterministic reading
       is used after all: it asks the customer back about what it could not read, so a reply always goes out.

``Understood.source`` says which reading was used ("deterministic", "llm" or "fallback") and ``Understanding.counts``
keeps a tally, so a caller can report how many messages needed the LLM and how often it let them down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context, Interpretation, PendingQuestion
from chalicelib.logs import get_logger, mask_phones_in

Source = Literal["deterministic", "llm", "fallback"]
UnavailableReason = Literal[
    "timeout", "unreachable", "server_error", "throttled", "rejected", "invalid_output", "unexpected"
]


class InterpreterUnavailable(Exception):
    """An interpreter gave no valid reading in time. ``reason`` names the failure for logs; ``status`` is the HTTP
    status when the service answered with an error."""

    def __init__(self, reason: UnavailableReason, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Dialogue:
    """The conversation around a message, for a reader that can use it (the LLM): the question the bot is waiting
    for an answer to (and its words), and the last message the bot sent."""

    pending: PendingQuestion | None = None
    asked: str = ""
    last_message: str = ""


class InterpreterPort(Protocol):
    """A second reader of messages (an LLM); the deterministic interpreter is a plain function of the same shape."""

    def interpret(
        self, text: str, vocabulary: Vocabulary, context: Context, dialogue: Dialogue | None = None
    ) -> Interpretation:
        """Read one message in the light of the order on the table and the conversation so far.

        Raises ``InterpreterUnavailable`` when no valid reading can be had in time.
        """


DeterministicInterpreter = Callable[[str, Vocabulary, Context], Interpretation]


@dataclass(frozen=True)
class Understood:
    """The reading to act on, and which interpreter it came from."""

    interpretation: Interpretation
    source: Source


@dataclass
class UnderstandingCounts:
    """How many messages each reading was used for since the process started."""

    deterministic: int = 0
    llm: int = 0
    fallback: int = 0

    @property
    def needed_llm(self) -> int:
        """Messages the deterministic interpreter was unsure of and the LLM was asked about."""
        return self.llm + self.fallback

    def as_dict(self) -> dict[str, int]:
        return {"deterministic": self.deterministic, "llm": self.llm, "fallback": self.fallback}


class Understanding:
    """Chooses between the deterministic reading and the LLM's, and counts the choices."""

    def __init__(
        self, deterministic: DeterministicInterpreter, llm: InterpreterPort | None = None, logger: Any = None
    ) -> None:
        self._deterministic = deterministic
        self._llm = llm
        self._logger = logger
        self.counts = UnderstandingCounts()

    @property
    def has_llm(self) -> bool:
        return self._llm is not None

    def understand(
        self, text: str, vocabulary: Vocabulary, context: Context | None = None, dialogue: Dialogue | None = None
    ) -> Understood:
        """Read ``text``; never raises for a failing LLM (the deterministic reading stands in for it).

        The LLM's reading carries the deterministic reading's ``consent``: whether a reply hands an order over is
        decided by the one rule (an explicit yes), never by a model.
        """
        context = context or Context()
        reading = self._deterministic(text, vocabulary, context)
        if reading.certain or self._llm is None:
            return self._count(Understood(reading, "deterministic"))
        try:
            second = self._llm.interpret(text, vocabulary, context, dialogue=dialogue)
            if not isinstance(second, Interpretation):
                raise InterpreterUnavailable("invalid_output", f"got {type(second).__name__}")
        except Exception as exc:  # any failure of the second reading must still leave the customer an answer
            self._log_fallback(exc)
            return self._count(Understood(reading, "fallback"))
        if second.consent != reading.consent:
            second = second.model_copy(update={"consent": reading.consent})
        return self._count(Understood(second, "llm"))

    def read_deterministic(self, text: str, vocabulary: Vocabulary, context: Context | None = None) -> Interpretation:
        """The deterministic interpreter alone (no LLM, not counted as an understanding): for re-reading a short
        answer joined with what the pending question already knew."""
        return self._deterministic(text, vocabulary, context or Context())

    def _count(self, understood: Understood) -> Understood:
        from chalicelib import metrics

        setattr(self.counts, understood.source, getattr(self.counts, understood.source) + 1)
        if understood.source != "deterministic":
            metrics.count(metrics.LLM_CALLS)
        if understood.source == "fallback":
            metrics.count(metrics.LLM_FALLBACKS)
        return understood

    def _log_fallback(self, exc: Exception) -> None:
        reason = exc.reason if isinstance(exc, InterpreterUnavailable) else "unexpected"
        (self._logger or get_logger()).warning(
            "understanding: LLM reading failed, using the deterministic reading",
            extra={
                "reason": reason,
                "error_type": type(exc).__name__,
                "error": mask_phones_in(str(exc))[:300],
                "counts": self.counts.as_dict(),
            },
        )
