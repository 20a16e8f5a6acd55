"""`python -m devstack llm-usage`: how many typical customer messages the deterministic interpreter settles alone, and
how many it would hand to the LLM, and how many WhatsApp messages each conversation sent (Meta charges per message).

Each conversation below is what customers really send, in English, Hinglish and Devanagari Hindi: the order, the
replies while negotiating (typed or tapped), the confirmation. Every message goes through ``Understanding`` exactly
as the worker runs it (the order's context included) and then through the conversation engine over the sample stock,
so each message is read in the state the previous ones left. The LLM is a stand-in that counts its calls and answers
with the deterministic reading (no network, no key), so the conversation goes on as it would offline. Taps never
reach an interpreter and are not counted.

Exit status: 0, or 1 when a conversation did not end in the state it was written to reach (the script went stale).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context, Interpretation
from chalicelib.domain.interpreter import interpret

SAMPLE_STOCK = Path(__file__).resolve().parent.parent / "chalicelib" / "data" / "sample_stock.csv"
NOW = datetime(2025, 6, 2, 11, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Tap:
    """A button the customer taps instead of writing."""

    button_id: str


@dataclass(frozen=True)
class Conversation:
    name: str
    language: str
    messages: tuple[str | Tap, ...]
    ends_in: str  # the order's state after the last message


CONVERSATIONS = (
    Conversation(
        "order, take the short item, confirm",
        "en",
        ("Hi", "20m blue cotton and 6m red polyester", "ok take 4m", Tap("accept:L2"), "confirm"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "out of stock, another colour instead",
        "en",
        ("Need 10 m pink polyester and 5 m white cotton", "show other options", "10m black polyester", "yes confirm"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "changes at the summary",
        "en",
        ("30m blue cotton", "change 1 to 25m", "add 5m black polyester", "remove black polyester", "confirm"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "the classic, negotiated in words",
        "hinglish",
        ("20m blue cotton aur 6m red polyester", "4 meter le lo", "red polyester 4m hi de do", "haan confirm karo"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "rolls, drop the missing item",
        "hinglish",
        ("bhaiya 2 than blue cotton aur 10 meter pink polyester bhejna", "pink wala hata do", "theek hai"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "vague first, then the quantity",
        "hinglish",
        ("namaste", "blue cotton chahiye", "15 meter blue cotton", "status", "haan bhej do"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "the classic in Devanagari",
        "hi",
        ("नमस्ते", "20 मीटर नीला सूती और 6 मीटर लाल पॉलिएस्टर", "जितना है उतना दे दो", "पक्का"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "number words, add an item",
        "hi",
        ("बीस मीटर नीला सूती", "दस मीटर काला पॉलिएस्टर भी", "हाँ"),
        "WAITING_OWNER_CONFIRMATION",
    ),
    Conversation(
        "change of mind",
        "hi",
        ("5 मीटर सफ़ेद सूती और 3 मीटर गुलाबी पॉलिएस्टर", Tap("cancel:L2"), "पूरा ऑर्डर रद्द कर दो"),
        "CANCELLED",
    ),
)


class CountingLLM:
    """Stands in for Gemini: counts what it is asked and answers with the deterministic reading."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def interpret(self, text: str, vocabulary: Vocabulary, context: Context, dialogue=None) -> Interpretation:
        self.asked.append(text)
        return interpret(text, vocabulary, context)


@dataclass
class Tally:
    conversation: Conversation
    texts: int = 0
    taps: int = 0
    asked_llm: list[str] = field(default_factory=list)
    final_state: str | None = None
    sent: int = 0  # WhatsApp messages the customer got (Meta charges per message)

    @property
    def deterministic(self) -> int:
        return self.texts - len(self.asked_llm)

    @property
    def per_turn(self) -> float:
        return self.sent / max(1, self.texts + self.taps)

    @property
    def as_expected(self) -> bool:
        return self.final_state == self.conversation.ends_in


def play(conversation: Conversation, stock, vocabulary: Vocabulary) -> Tally:
    """Run one conversation through ``Understanding`` and the engine; returns what needed the LLM."""
    from chalicelib.domain import conversation as engine
    from chalicelib.services.understanding import Understanding

    llm = CountingLLM()
    understanding = Understanding(interpret, llm, logger=_Quiet())
    ids = (f"ORD-MEASURE-{n}" for n in itertools.count(1))
    phone, order, tally = "919800000099", None, Tally(conversation)
    for message in conversation.messages:
        if isinstance(message, Tap):
            tally.taps += 1
            hint = order.language if order is not None else "en"
            event = engine.TapEvent(phone, "Customer", message.button_id, hint)
        else:
            tally.texts += 1

            def read(said: str, context: Context) -> Interpretation:
                return understanding.understand(said, vocabulary, context).interpretation

            reading, answering = engine.read_text(order, message, read)
            event = engine.TextEvent(phone, "Customer", reading, message, answering)
        result = engine.step(order, event, stock, vocabulary, NOW, lambda: next(ids))
        order = result.order
        tally.sent += len(result.replies)
    tally.asked_llm = list(llm.asked)
    counts = understanding.counts
    assert counts.needed_llm == len(tally.asked_llm)
    tally.final_state = order.state.value if order is not None else None
    return tally


def sample_stock(vocabulary: Vocabulary):
    """The sample stock in memory, as the engine sees it."""
    from chalicelib.adapters.memory import InMemoryStockRepository
    from chalicelib.domain.stock import AllocationPolicy
    from chalicelib.domain.stock_import import parse_stock_csv
    from chalicelib.services.stock import StockView

    batches = parse_stock_csv(SAMPLE_STOCK.read_text(encoding="utf-8"), vocabulary)
    return StockView(InMemoryStockRepository(batches), AllocationPolicy())


def report(tallies: list[Tally], out: IO[str]) -> None:
    width = max(len(t.conversation.name) for t in tallies) + 2
    out.write("Messages settled by the deterministic interpreter alone, and those it would hand to the LLM\n")
    out.write(f"({len(tallies)} typical conversations; taps never reach an interpreter)\n\n")
    out.write(
        f"{'conversation':<{width}}{'lang':<10}{'texts':>6}{'determ.':>9}{'LLM':>5}{'taps':>6}{'sent':>6}  ends in\n"
    )
    for t in tallies:
        flag = "" if t.as_expected else f"  (expected {t.conversation.ends_in})"
        out.write(
            f"{t.conversation.name:<{width}}{t.conversation.language:<10}{t.texts:>6}{t.deterministic:>9}"
            f"{len(t.asked_llm):>5}{t.taps:>6}{t.sent:>6}  {t.final_state}{flag}\n"
        )
    texts = sum(t.texts for t in tallies)
    llm = sum(len(t.asked_llm) for t in tallies)
    share = f"{100 * llm / texts:.0f}%" if texts else "-"
    sent = sum(t.sent for t in tallies)
    turns = sum(t.texts + t.taps for t in tallies)
    out.write(
        f"{'total':<{width}}{'':<10}{texts:>6}{texts - llm:>9}{llm:>5}{sum(t.taps for t in tallies):>6}{sent:>6}\n\n"
    )
    out.write(f"{sent} WhatsApp messages sent for {turns} customer turns ({sent / max(1, turns):.2f} a turn)\n")
    out.write(f"{texts - llm} of {texts} messages settled deterministically; {llm} ({share}) would go to the LLM:\n")
    for t in tallies:
        for text in t.asked_llm:
            out.write(f"  [{t.conversation.language}] {text}\n")


def main(argv: list[str] | None = None, stdout: IO[str] | None = None) -> int:
    stdout = stdout or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m devstack llm-usage", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    vocabulary = Vocabulary.from_seed()
    stock = sample_stock(vocabulary)
    tallies = [play(conversation, stock, vocabulary) for conversation in CONVERSATIONS]
    if args.json:
        figures = {
            "conversations": [
                {
                    "name": t.conversation.name,
                    "language": t.conversation.language,
                    "texts": t.texts,
                    "deterministic": t.deterministic,
                    "llm": len(t.asked_llm),
                    "taps": t.taps,
                    "asked_llm": t.asked_llm,
                    "final_state": t.final_state,
                    "messages_sent": t.sent,
                }
                for t in tallies
            ],
            "texts": sum(t.texts for t in tallies),
            "llm": sum(len(t.asked_llm) for t in tallies),
            "messages_sent": sum(t.sent for t in tallies),
        }
        stdout.write(json.dumps(figures, ensure_ascii=False) + "\n")
    else:
        report(tallies, stdout)
    return 0 if all(t.as_expected for t in tallies) else 1


class _Quiet:
    """Understanding logs a failed LLM reading; the stand-in never fails, so nothing is worth printing."""

    def warning(self, *args, **kwargs) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
