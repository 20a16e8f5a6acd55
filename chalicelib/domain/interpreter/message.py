"""One message being read, and what has been read of it so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import (
    Decision,
    Intent,
    Interpretation,
    ItemRequest,
    Language,
    Note,
    PartialItem,
)
from chalicelib.domain.interpreter.lexicon import Lexicon
from chalicelib.domain.interpreter.questions import ask
from chalicelib.domain.interpreter.tokens import Token


@dataclass
class Reading:
    """What has been read so far; questions and unclear fragments make it uncertain."""

    items: list[ItemRequest] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)
    partial: list[PartialItem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def ask(self, question: str) -> None:
        if question not in self.questions:
            self.questions.append(question)

    def not_read(self, fragment: str) -> None:
        fragment = fragment.strip()
        if fragment and fragment not in self.unclear:
            self.unclear.append(fragment)


@dataclass
class Message:
    source: str  # the customer's text, NFC
    tokens: list[Token]
    lexicon: Lexicon
    vocabulary: Vocabulary
    language: Language

    def raw(self, tokens: Sequence[Token]) -> str:
        return self.source[tokens[0].start : tokens[-1].end] if tokens else ""

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.tokens if not t.sep]


def result_of(message: Message, intent: Intent, reading: Reading) -> Interpretation:
    if intent is Intent.UNKNOWN:
        reading.not_read(message.source)
    if reading.unclear and not reading.questions and not reading.items and not reading.decisions:
        reading.ask(ask("unread", message.language, f=" / ".join(reading.unclear)))
    return Interpretation(
        intent=intent,
        items=reading.items,
        decisions=reading.decisions,
        questions=reading.questions,
        unclear=reading.unclear,
        language=message.language,
        certain=intent is not Intent.UNKNOWN and not reading.questions and not reading.unclear,
        partial=reading.partial,
        notes=reading.notes,
    )
