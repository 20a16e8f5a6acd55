"""The deterministic interpreter: reads orders and replies in English, Hinglish and Hindi with no network call.

``interpret`` is the one entry point. The package follows the reading's seams:

- ``tokens``: text to tokens (offsets kept), separators, longest-match phrase tables;
- ``lexicon``: cue words besides the catalogue, the compiled catalogue vocabulary, language detection;
- ``numbers`` and ``quantities``: number words in three scripts, a number with its unit;
- ``answers``: a message as the answer to the pending question (``read_answer``);
- ``shop``: shop questions and small talk (rate, availability, repeat order, ...), notes beside items;
- ``consent``: whether a reply to the final summary is an explicit yes (``classify_consent``);
- ``questions``: what is asked back, in the customer's language;
- ``message``: the message being read and the reading so far;
- ``commands``: cancel, status, help, greeting, new order (the same in every state);
- ``order_reading``: new items; ``reply_reading``: replies about the order on the table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context, CustomerDecision, Intent, Interpretation, Note, NoteKind
from chalicelib.domain.interpreter.answers import answer_of, read_answer
from chalicelib.domain.interpreter.commands import read_command
from chalicelib.domain.interpreter.consent import classify_consent, consent_of
from chalicelib.domain.interpreter.lexicon import Lexicon, detect_language, language_of
from chalicelib.domain.interpreter.message import Message, Reading, result_of
from chalicelib.domain.interpreter.order_reading import read_order
from chalicelib.domain.interpreter.reply_reading import read_replies
from chalicelib.domain.interpreter.shop import read_shop_question, read_small_talk, take_notes
from chalicelib.domain.interpreter.tokens import prepare, split, tokenise

__all__ = ["classify_consent", "detect_language", "interpret", "read_answer"]


def interpret(text: str, vocabulary: Vocabulary, context: Context | None = None) -> Interpretation:
    """Read one WhatsApp message: new items, replies about the order on the table, or a command.

    It reads only what it is sure of: a fragment missing its colour, material, quantity or unit becomes a question
    back to the customer, never an item, and ``certain`` is then False so the caller can ask an LLM instead.
    ``context`` gives the order's state and lines so "2 cancel" or "the red one" can be resolved; without it the
    message is read as a new order (or as replies if it holds no items).
    """
    context = context or Context()
    source = unicodedata.normalize("NFC", text or "")
    lexicon = Lexicon.of(vocabulary)
    tokens = tokenise(prepare(source))
    message = Message(source, tokens, lexicon, vocabulary, language_of(tokens, lexicon))

    consent = consent_of(tokens, lexicon)
    command = read_command(message)
    if command is not None:
        return command.model_copy(update={"consent": consent})
    if context.pending is not None:
        answer = answer_of(message, context.pending, context)
        if answer is not None:
            reading = result_of(message, Intent.ANSWER, Reading())
            return reading.model_copy(update={"consent": consent, "answer": answer})
    notes, rest = take_notes(message)
    reading = _read(replace(message, tokens=rest), context, notes)
    return reading.model_copy(update={"consent": consent, "notes": [*reading.notes, *notes]})


def _read(message: Message, context: Context, notes: list[Note]) -> Interpretation:
    order = read_order(message, split(message.tokens))
    shop = read_shop_question(message, has_items=bool(order.items))
    if shop is not None:
        return shop
    if context.state == "none":
        if order.items:
            return result_of(message, Intent.ORDER, order)
        replies = read_replies(message, context)
        if replies.decisions and not any(d.kind in _CHANGES for d in replies.decisions):
            return result_of(message, _replies_intent(replies), replies)
        if order.questions:
            return result_of(message, Intent.ORDER, order)
        return _nothing_read(message, order, notes)
    replies = read_replies(message, context)
    if replies.decisions or replies.questions:
        return result_of(message, _replies_intent(replies), replies)
    if order.items or order.questions:  # no reply to the order on the table, but a (partly read) new item: "tweed 5m"
        return result_of(message, Intent.ORDER, order)
    return _nothing_read(message, replies, notes)


def _nothing_read(message: Message, reading: Reading, notes: list[Note]) -> Interpretation:
    """No item and no reply: small talk, a note on its own ("parso tak chahiye"), or not understood."""
    if notes and not reading.unclear and not message.words:
        delivery = any(note.kind is NoteKind.DELIVERY for note in notes)
        return result_of(message, Intent.DELIVERY if delivery else Intent.DISCOUNT, reading)
    talk = read_small_talk(message)
    return talk if talk is not None else result_of(message, Intent.UNKNOWN, reading)


_CHANGES = frozenset(  # need an order on the table
    {
        CustomerDecision.EDIT_ITEM,
        CustomerDecision.ADD_ITEM,
        CustomerDecision.ADD_QUANTITY,
        CustomerDecision.REDUCE_QUANTITY,
        CustomerDecision.REPLACE_ITEM,
    }
)


def _replies_intent(reading: Reading) -> Intent:
    if any(d.kind is CustomerDecision.CANCEL_ORDER for d in reading.decisions):
        return Intent.CANCEL_ORDER
    return Intent.DECISIONS
