"""Commands that mean the same in every state: cancel, status, help, greeting, new order."""

from __future__ import annotations

from chalicelib.domain.interpretation import CustomerDecision, Decision, Intent, Interpretation
from chalicelib.domain.interpreter.lexicon import (
    CANCEL_HEADS,
    GREETINGS,
    HELP_HEADS,
    HELP_WORDS,
    NEW_WORDS,
    ORDER_WORDS,
    POLITE,
    POSSESSIVES,
    STATUS_HEADS,
    STATUS_WORDS,
    WHOLE_ORDER,
)
from chalicelib.domain.interpreter.message import Message, Reading, result_of
from chalicelib.domain.interpreter.order_reading import read_order
from chalicelib.domain.interpreter.tokens import Token, split


def read_command(message: Message) -> Interpretation | None:
    words = message.words
    new_order = _find_new_order(message)
    if new_order is not None:
        rest = [t for t in message.tokens if t.sep or t not in new_order]
        return result_of(message, Intent.NEW_ORDER, read_order(message, split(rest)))
    if not words:
        return None
    said = {w for w in words if w not in POLITE}
    bag = said or set(words)
    if bag & CANCEL_HEADS and bag <= CANCEL_HEADS | WHOLE_ORDER:
        reading = Reading(decisions=[Decision(kind=CustomerDecision.CANCEL_ORDER, raw=message.source.strip())])
        return result_of(message, Intent.CANCEL_ORDER, reading)
    if (bag & STATUS_HEADS and bag <= STATUS_WORDS) or (bag <= ORDER_WORDS and set(words) & POSSESSIVES):
        return result_of(message, Intent.STATUS, Reading())
    if bag & HELP_HEADS and bag <= HELP_WORDS:
        return result_of(message, Intent.HELP, Reading())
    if bag <= GREETINGS | POLITE and set(words) & GREETINGS:
        return result_of(message, Intent.GREETING, Reading())
    return None


def _find_new_order(message: Message) -> set[Token] | None:
    """The tokens of "naya order" / "new order" when the message starts a new order (after any greeting)."""
    tokens = [t for t in message.tokens if not t.sep]
    for i in range(len(tokens) - 1):
        if tokens[i].word in NEW_WORDS and tokens[i + 1].word in ORDER_WORDS:
            if all(t.word in GREETINGS or t.word in POLITE for t in tokens[:i]):
                return {tokens[i], tokens[i + 1]}
            return None
    return None
