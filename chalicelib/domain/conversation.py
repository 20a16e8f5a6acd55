"""The conversation engine: an event and the customer's order in; the next state, the replies and the effects out.

Pure: no I/O, no clock, no ids of its own. The service passes the stock (``StockView``), the vocabulary, ``now`` and
``new_order_id``, then stores ``Step.order`` (and ``Step.closed``), sends ``Step.replies`` in order and acts on
``Step.effects``. The order passed in is never modified.

API
    step(order, event, stock, vocabulary, now, new_order_id, max_rounds=3) -> Step
        ``order`` is the customer's latest order (active or finished) or None. Events:
        TextEvent(phone, name, interpretation), TapEvent(phone, name, button_id, language_hint="en"),
        UnsupportedEvent(phone, name, message_type, language_hint="en").
    reservation_failed(order, changed_line_ids, stock, now, vocabulary=None, max_rounds=3) -> Step
        After HandOver the stock could not be reserved: the changed lines are re-checked and the customer told.
    expire(order, now) -> Step          EXPIRED with a short message; a no-op Step for an order that cannot expire.
    owner_decided(order, approved, reason, now=None) -> Step
        ORDER_COMPLETED or ORDER_REJECTED (with the reason); raises IllegalTransition unless waiting for the owner.

Step
    order    the customer's order after the event: a changed copy, a new order, the one passed in, or None.
    replies  OutboundMessages to the customer, in order.
    effects  HandOver(order_id): the customer confirmed. Reserve the allocations of ``order.lines_for_summary``,
                 then notify the owner, and only then send the replies; if the stock moved, call
                 ``reservation_failed`` and send its replies instead.
             OrderClosed(order_id, state): the order reached a terminal state; the customer has no active order
                 now. Release reserved stock when the state is ORDER_REJECTED.
             AskedQuestion(order_id, questions): the customer was asked what the interpreter could not read.
    closed   an active order this step cancelled to start a new one ("new order"): store it too.
    changed  False when there is nothing to save.

Button ids (``replies.Choice``): confirm, edit, cancel_order, take_available, accept:<line_id>,
cancel:<line_id>, alt:<line_id>, pick:<line_id>:<material>:<colour>. A tap that no longer fits the order
(line gone, state moved on) is answered with "that choice is no longer open" and the current order.

Rules
    - Every line is checked against stock. A fully available line is accepted; a short (PARTIAL) line must be
      taken as available, edited, replaced or removed; an OUT_OF_STOCK line replaced or removed. Only when no
      line is open does the order reach FINAL_CUSTOMER_CONFIRMATION, and only the customer's confirm hands it over.
    - Every change re-checks the stock of every line, so an edit or an added item at the final summary can send
      the order back to negotiation; a confirm re-checks too and shows a new summary if prices moved.
    - Two shown lines never share material, colour and unit: adding one that exists adds to it. Choosing an
      alternative marks the line REPLACED (``replaced_by``) and adds exactly one line (or adds to an existing one).
    - A reply in negotiation that leaves at least as many lines open as before is a round; after ``max_rounds``
      rounds the customer is offered one clear choice: take what is available, or cancel the order.
    - When the interpreter asks a question, the question is relayed and nothing changes; only a first message's
      surely read items are kept (COLLECTING_ITEMS) so the answer can complete the order.
    - Once WAITING_OWNER_CONFIRMATION, the customer cannot change or cancel the order: the owner decides.
    - A customer has at most one active order: a new order cancels the old one first (not while it waits for the
      owner: then the new order is refused).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from chalicelib.domain import bill, dialogue, replies
from chalicelib.domain.bill import Tax
from chalicelib.domain.catalogue import Term, Vocabulary, normalise
from chalicelib.domain.interpretation import (
    Answer,
    Context,
    CustomerDecision,
    Decision,
    Intent,
    Interpretation,
    ItemRequest,
    Language,
    PartialItem,
)
from chalicelib.domain.interpreter import classify_consent
from chalicelib.domain.invoice import format_percent
from chalicelib.domain.messages import INTERACTIVE_BODY_MAX, TEXT_BODY_MAX, OutboundMessage
from chalicelib.domain.money import format_inr, meters
from chalicelib.domain.order import (
    TERMINAL_STATES,
    ZERO,
    ItemStatus,
    OpenQuestion,
    Order,
    OrderLine,
    OrderState,
    transition,
)
from chalicelib.domain.replies import Choice
from chalicelib.domain.stock import (
    Allocation,
    Alternative,
    Batch,
    InventoryStatus,
    LineBelowMinimumCut,
    LineRequest,
)

MAX_ROUNDS = 3
YARD = Decimal("0.9144")
S = OrderState
D = CustomerDecision


class StockView(Protocol):
    """The stock as the engine sees it; the service builds one over the batches it loaded."""

    def allocate(self, line: LineRequest) -> Allocation:
        """As ``stock.allocate``; raises LineBelowMinimumCut for a meter line below the minimum cut."""

    def alternatives(self, line: LineRequest) -> list[Alternative]:
        """As ``stock.alternatives``: other cloths that can fill the whole line."""

    def on_shelf(self, material: str | None = None, color: str | None = None) -> list[Batch]:
        """The batches of that material and/or colour (every batch when neither is given), for rates and colours."""


@dataclass(frozen=True)
class TextEvent:
    """A text message. ``text`` is what the customer wrote (consent and shop questions are read from it);
    ``answering`` says the reading is of the text read together with the pending question (``answer_text``)."""

    phone: str
    name: str | None
    interpretation: Interpretation
    text: str = ""
    answering: bool = False


@dataclass(frozen=True)
class TapEvent:
    phone: str
    name: str | None
    button_id: str
    language_hint: Language = "en"


@dataclass(frozen=True)
class UnsupportedEvent:
    phone: str
    name: str | None
    message_type: str  # image, audio, voice, video, document, location, sticker, reaction, contacts, ...
    language_hint: Language = "en"


Event = TextEvent | TapEvent | UnsupportedEvent


@dataclass(frozen=True)
class HandOver:
    order_id: str


@dataclass(frozen=True)
class OrderClosed:
    order_id: str
    state: OrderState


@dataclass(frozen=True)
class AskedQuestion:
    order_id: str | None
    questions: tuple[str, ...]


Effect = HandOver | OrderClosed | AskedQuestion


@dataclass(frozen=True)
class Step:
    order: Order | None
    replies: list[OutboundMessage] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    closed: Order | None = None
    changed: bool = False


# --------------------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------------------


def step(
    order: Order | None,
    event: Event,
    stock: StockView,
    vocabulary: Vocabulary,
    now: datetime,
    new_order_id: Callable[[], str],
    max_rounds: int = MAX_ROUNDS,
    *,
    tax: Tax | None = None,
    others: Sequence[Order] = (),
) -> Step:
    """Handle one customer event; see the module docstring."""
    turn = _Turn(order, event.phone, stock, vocabulary, now, max_rounds, tax=tax, others=others)
    turn.new_order_id = new_order_id
    if isinstance(event, UnsupportedEvent):
        turn.remember = False  # "text orders only" is not part of the order's dialogue
        language = turn.order.language if turn.active else event.language_hint
        turn.say(replies.unsupported(event.phone, language, event.message_type))
    elif isinstance(event, TapEvent):
        _on_tap(turn, event)
    else:
        _on_text(turn, event, new_order_id)
    return turn.finish()


def reservation_failed(
    order: Order,
    changed_line_ids: Iterable[str],
    stock: StockView,
    now: datetime,
    vocabulary: Vocabulary | None = None,
    max_rounds: int = MAX_ROUNDS,
    tax: Tax | None = None,
) -> Step:
    """The stock moved before it could be reserved: re-check, tell the customer which lines changed, and go back to
    CUSTOMER_NEGOTIATION (or to FINAL_CUSTOMER_CONFIRMATION with new prices when everything can still be given)."""
    turn = _Turn(order, order.customer_phone, stock, vocabulary or _seed_vocabulary(), now, max_rounds, tax=tax)
    working = turn.order
    named = [line for line_id in changed_line_ids if (line := working.line(line_id)) is not None and line.shown]
    for line in named:
        line.reopen()
    moved = _recheck(turn)
    named_ids = {line.line_id for line in named}
    _conclude(turn, [*named, *(line for line in moved if line.line_id not in named_ids)], unresolved_before=None)
    return turn.finish()


def expire(order: Order, now: datetime) -> Step:
    """EXPIRED with a short message; an order already with the owner (or finished) is left as it is."""
    if order.state not in (S.COLLECTING_ITEMS, S.CUSTOMER_NEGOTIATION, S.FINAL_CUSTOMER_CONFIRMATION):
        return Step(order=order)
    turn = _Turn(order, order.customer_phone, _NoStock(), Vocabulary(), now, MAX_ROUNDS)
    turn.move(S.EXPIRED)
    turn.say(replies.expired(turn.order))
    return turn.finish()


def owner_decided(order: Order, approved: bool, reason: str | None, now: datetime | None = None) -> Step:
    """The owner's answer: ORDER_COMPLETED or ORDER_REJECTED. Raises IllegalTransition unless the order waits for it."""
    turn = _Turn(order, order.customer_phone, _NoStock(), Vocabulary(), now or order.updated_at, MAX_ROUNDS)
    turn.move(S.ORDER_COMPLETED if approved else S.ORDER_REJECTED)
    turn.say(replies.approved(turn.order) if approved else replies.rejected(turn.order, reason))
    return turn.finish()


# --------------------------------------------------------------------------------------------------------------
# One step's working state
# --------------------------------------------------------------------------------------------------------------


class _Turn:
    """What one step builds: the order it works on (a copy), the replies, the effects and pending notes."""

    def __init__(
        self,
        order: Order | None,
        phone: str,
        stock: StockView,
        vocabulary: Vocabulary,
        now: datetime,
        rounds: int,
        tax: Tax | None = None,
        others: Sequence[Order] = (),
    ):
        self.before = order.to_dict() if order is not None else None
        self.tax = tax or Tax()
        self.others: tuple[Order, ...] = tuple(o for o in others if order is None or o.order_id != order.order_id)
        self.language: Language = order.language if order is not None else "en"
        self.new_order_id: Callable[[], str] = _no_new_orders
        self.asked_to_see = False  # "status", "help", a greeting: the customer asked to see it again
        self.requests: list[str] = []  # discount/delivery words of this message, not yet kept on an order
        self.remember = True  # keep the block sent as the order's last reply (to never send it twice)
        # A copy through the stored form: the caller's order stays untouched and the round trip is exercised.
        self.order = Order.from_dict(self.before) if self.before is not None else None
        self.closed: Order | None = None
        self.phone = phone
        self.stock = stock
        self.vocabulary = vocabulary
        self.now = now
        self.max_rounds = rounds
        self.replies: list[OutboundMessage] = []
        self.effects: list[Effect] = []
        self.notes: list[str] = []

    @property
    def active(self) -> bool:
        return self.order is not None and self.order.is_active

    def say(self, *messages: OutboundMessage) -> None:
        self._flush_notes()
        self.replies.extend(messages)

    def note(self, sentence: str) -> None:
        if sentence not in self.notes:
            self.notes.append(sentence)

    def move(self, state: OrderState) -> None:
        """Change the order's state through the transition table; staying in a state is no transition."""
        order = self.order
        assert order is not None
        if state is order.state:
            return
        transition(order, state)
        if state in TERMINAL_STATES:
            self.effects.append(OrderClosed(order.order_id, state))

    def finish(self) -> Step:
        self._flush_notes()
        order = self.order
        messages = _coalesce(self.replies)
        if order is not None and order.state in _NUDGES and self.remember:
            order.renumber()
            block = _block(messages)
            same = self.before is not None and _without_reply(order.to_dict()) == _without_reply(self.before)
            nudge = same and not self.asked_to_see and not self.effects and order.state in _NUDGES
            if nudge and block == order.last_reply:
                # Nothing changed and the customer has this very block on screen: a one-line nudge, not a repeat.
                messages = [replies.nudge(order, _NUDGES[order.state])]
            else:
                order.last_reply = block
        changed = self.closed is not None
        if order is not None:
            changed = changed or self.before is None or order.to_dict() != self.before
            if changed:
                order.updated_at = self.now
        if self.closed is not None:
            self.closed.updated_at = self.now
        return Step(order, messages, self.effects, self.closed, changed)

    def _flush_notes(self) -> None:
        if self.notes:
            self.replies.append(OutboundMessage(to=self.phone, text="\n".join(self.notes)))
            self.notes = []


_NUDGES = {
    S.FINAL_CUSTOMER_CONFIRMATION: "nudge_final",
    S.CUSTOMER_NEGOTIATION: "nudge_open",
    S.COLLECTING_ITEMS: "nudge_collecting",
}


def _without_reply(stored: dict) -> dict:
    return {key: value for key, value in stored.items() if key != "last_reply"}


def _block(messages: list[OutboundMessage]) -> str:
    """What the customer reads and can tap, as one string: the same block twice is the same message twice."""
    parts = []
    for message in messages:
        ids = [b.id for b in message.buttons] + [r.id for sec in message.list_sections for r in sec.rows]
        parts.append(message.text + ("\n[" + ",".join(ids) + "]" if ids else ""))
    return "\n---\n".join(parts)


def _coalesce(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    """Fewer, fuller messages: a plain text is joined to the message after it when the two fit in one."""
    merged: list[OutboundMessage] = []
    for message in messages:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind == "text"
            and message.document is None
            and len(previous.text) + 1 + len(message.text)
            <= (INTERACTIVE_BODY_MAX if message.kind == "interactive" else TEXT_BODY_MAX)
        ):
            merged[-1] = dataclasses.replace(message, text=previous.text + "\n" + message.text)
        else:
            merged.append(message)
    return merged


def _no_new_orders() -> str:
    raise AssertionError("this entry point does not start orders")


class _NoStock:
    """Stock for entry points that never check it (expiry, the owner's decision)."""

    def allocate(self, line: LineRequest) -> Allocation:
        raise AssertionError("this entry point does not check stock")

    def alternatives(self, line: LineRequest) -> list[Alternative]:
        raise AssertionError("this entry point does not check stock")

    def on_shelf(self, material: str | None = None, color: str | None = None) -> list[Batch]:
        raise AssertionError("this entry point does not check stock")


@functools.cache
def _seed_vocabulary() -> Vocabulary:
    """The seed vocabulary, read once, for ``reservation_failed`` called without the shop's own."""
    return Vocabulary.from_seed()


# --------------------------------------------------------------------------------------------------------------
# Text messages
# --------------------------------------------------------------------------------------------------------------


def _on_text(turn: _Turn, event: TextEvent, new_order_id: Callable[[], str]) -> None:
    reading = event.interpretation
    passed = turn.order
    order = passed if turn.active else None
    language = _language(reading, order)
    if order is not None:
        order.language = language
        order.customer_name = order.customer_name or event.name
    turn.language = language
    intent = reading.intent
    waiting = order is not None and order.state is S.WAITING_OWNER_CONFIRMATION
    asked = _shop_question(turn, event)
    turn.requests = [note.text for note in reading.notes]
    if not turn.requests and asked is not None and asked.kind in _NOTED_REQUESTS:
        turn.requests = [asked.said]
    if intent is Intent.CANCEL_ORDER or any(d.kind is D.CANCEL_ORDER for d in reading.decisions):
        _cancel_order(turn, language)
    elif intent is Intent.NEW_ORDER:
        _new_order(turn, event, language, new_order_id)
    elif intent is Intent.HELP:
        turn.say(replies.help_message(turn.phone, language))
    elif intent is Intent.STATUS:
        turn.asked_to_see = True
        _status(turn, language)
    elif intent is Intent.GREETING:
        if order is None or waiting:
            turn.say(replies.welcome(turn.phone, language, event.name))
            if waiting:
                turn.say(replies.waiting_owner(order))
        else:
            turn.note(replies.text("welcome_back", language, name=replies.greeting_name(event.name), id=order.order_id))
            _show(turn)
    elif order is not None and order.pending and _answers_pending(turn, event):
        pass
    elif order is not None and order.pending and _goes_on_without(order, reading):
        order.pending = []  # "ok": go on with the items noted so far; the unanswered question is dropped
        _settle(turn, unresolved_before=None)
    elif order is not None and order.pending and _says_nothing_new(order, reading, asked):
        _ask_first(turn)  # the question again (the second time with choices), never a third time
    elif asked is not None and asked.kind in _ANSWERED_QUESTIONS and not (reading.certain and reading.items):
        _answer_shop_question(turn, asked, event, new_order_id)
    elif waiting and (_written_items(reading) or (intent is Intent.ORDER and _partial_fragments(turn, reading))):
        _start_beside_waiting(turn, event, language, new_order_id)
    elif waiting:
        if asked is not None and asked.kind in _SMALL_TALK:
            _small_talk(turn, asked)
        else:
            turn.say(replies.waiting_owner(order, change_refused=True))
    elif order is not None and order.state is S.FINAL_CUSTOMER_CONFIRMATION and _at_summary(turn, event, asked):
        pass
    elif asked is not None and asked.kind in _SMALL_TALK and not reading.items and not reading.decisions:
        _small_talk(turn, asked)
    elif intent is Intent.UNKNOWN:
        turn.say(replies.did_not_understand(turn.phone, language))
    elif reading.questions:
        if order is None and reading.items:
            _start(turn, event, language, reading.items, reading, new_order_id)
        elif order is None and _partial_fragments(turn, reading):
            _start(turn, event, language, [], reading, new_order_id)
        elif order is not None and order.state is S.COLLECTING_ITEMS and _partial_fragments(turn, reading):
            _items_answer_pending(order, reading)
            for item in reading.items:
                _add(turn, item.material, item.color, item.quantity, item.unit, item.raw)
            _ask_pending(turn, reading)
        elif order is not None and intent is Intent.ORDER and _partial_fragments(turn, reading):
            _ask_pending(turn, reading)
        else:
            _relay(turn, language, reading.questions)
    elif order is None:
        if reading.items:
            _start(turn, event, language, reading.items, None, new_order_id)
        elif intent is Intent.DECISIONS:
            turn.say(replies.no_open_order(turn.phone, language, passed))
        else:
            turn.say(replies.did_not_understand(turn.phone, language))
    else:
        _items_answer_pending(order, reading)
        added = [Decision(kind=D.ADD_ITEM, item=item, raw=item.raw) for item in reading.items]
        _decide(turn, [*_relative(turn, event, reading.decisions), *added])
    _take_requests(turn)


def _language(reading: Interpretation, order: Order | None) -> Language:
    """Reply in the script the customer writes in; short English words do not switch an order's language."""
    if order is None or reading.language != "en":
        return reading.language
    # "ok", "confirm", "2 cancel" read as English whoever writes them; an English order does switch.
    if reading.items or any(d.item is not None for d in reading.decisions):
        return "en"
    return order.language


def _status(turn: _Turn, language: Language) -> None:
    """The open order as it stands, and every order waiting for the owner (a customer may have several)."""
    current = turn.order if turn.active else None
    waiting = [o for o in turn.others if o.state is S.WAITING_OWNER_CONFIRMATION]
    if current is not None and current.state is S.WAITING_OWNER_CONFIRMATION:
        waiting = [o for o in waiting if o.order_id != current.order_id]
    if waiting:
        listed = ", ".join(
            f"{o.order_id} ({format_inr(o.payable if o.payable is not None else o.total)})" for o in waiting
        )
        turn.note(replies.text("status_waiting", language, orders=listed))
    if current is not None:
        _show(turn)
    elif not waiting:
        turn.say(replies.no_open_order(turn.phone, language, turn.order))


def _cancel_order(turn: _Turn, language: Language) -> None:
    order = turn.order
    if order is None or not order.is_active:
        turn.say(replies.no_open_order(turn.phone, language, order))
    elif order.state is S.WAITING_OWNER_CONFIRMATION:
        turn.say(replies.cancel_refused(order))
    else:
        turn.move(S.CANCELLED)
        turn.say(replies.cancelled(order))


def _new_order(turn: _Turn, event: TextEvent, language: Language, new_order_id: Callable[[], str]) -> None:
    """ "new order": with an order open, ask before cancelling it (the items written with it are kept for the
    answer); with one waiting for the owner, a new order starts beside it."""
    reading = event.interpretation
    previous = turn.order if turn.active else None
    if previous is not None and previous.state is S.WAITING_OWNER_CONFIRMATION:
        if reading.items:
            _start_beside_waiting(turn, event, language, new_order_id)
        else:
            turn.say(replies.send_new_order(turn.phone, language))
        return
    if previous is not None and (previous.active_lines or previous.pending):
        _ask_new_order(turn, list(reading.items))
        return
    if previous is not None:  # an order with nothing in it yet: nothing to lose
        turn.move(S.CANCELLED)
        turn.closed, turn.order = previous, None
    if reading.items:
        _start(turn, event, language, reading.items, reading if reading.questions else None, new_order_id)
    elif reading.questions:
        _relay(turn, language, reading.questions)
    else:
        turn.say(replies.send_new_order(turn.phone, language))


def _ask_new_order(turn: _Turn, items: list[ItemRequest]) -> None:
    order = turn.order
    order.pending = [
        OpenQuestion("new_order", "", options=[item.model_dump_json() for item in items]),
        *[q for q in order.pending if q.slot != "new_order"],
    ]
    turn.say(replies.new_order_question(order))


def _replace_with_new_order(turn: _Turn, items: list[ItemRequest], new_order_id: Callable[[], str]) -> None:
    previous = turn.order
    language = previous.language
    turn.move(S.CANCELLED)
    turn.say(replies.previous_cancelled(previous, language, ask_for_new=not items))
    if items:
        turn.closed = previous
        event = TextEvent(previous.customer_phone, previous.customer_name, Interpretation(intent=Intent.ORDER))
        _start(turn, event, language, items, None, new_order_id)


def _start_beside_waiting(turn: _Turn, event: TextEvent, language: Language, new_order_id: Callable[[], str]) -> None:
    """A customer whose order waits for the owner starts another: the waiting order stays as it is."""
    waiting = turn.order
    turn.others = (*turn.others, waiting)
    turn.order = None
    turn.note(replies.text("waiting_and_new", language, id=waiting.order_id))
    reading = event.interpretation
    items = _written_items(reading)
    _start(turn, event, language, items, reading if reading.questions else None, new_order_id)


def _written_items(reading: Interpretation) -> list[ItemRequest]:
    """The whole items a message names, as new items or as lines to add (how a reply to an order reads them)."""
    added = [d.item for d in reading.decisions if d.kind is D.ADD_ITEM and d.item is not None]
    return [*reading.items, *added]


def _relay(turn: _Turn, language: Language, questions: Iterable[str]) -> None:
    """Ask back exactly what the interpreter could not read; nothing is guessed."""
    asked = tuple(questions)
    noted = turn.order if turn.active and turn.order.state is S.COLLECTING_ITEMS else None
    turn.say(replies.questions(turn.phone, language, asked, noted, turn.vocabulary))
    turn.effects.append(AskedQuestion(turn.order.order_id if turn.active else None, asked))


def _start(
    turn: _Turn,
    event: TextEvent,
    language: Language,
    items: Iterable[ItemRequest],
    unsure: Interpretation | None,
    new_order_id: Callable[[], str],
) -> None:
    """A new order from the items read for sure; the stock is checked now unless a question is still open.

    ``unsure`` is the reading when it also asked questions: the fragments it could not complete become the order's
    pending questions (asked in the customer's language), and other questions are relayed.
    """
    assert not turn.active or turn.order.state is S.WAITING_OWNER_CONFIRMATION
    order = Order.new(new_order_id(), event.phone, event.name, language, turn.now)
    previous, turn.order = turn.order, order
    for item in items:
        _add(turn, item.material, item.color, item.quantity, item.unit, item.raw)
    partial = _partial_fragments(turn, unsure) if unsure is not None else []
    if not order.active_lines and not partial:  # nothing could be noted (whole rolls only): no order after all
        turn.order, turn.closed = previous, None
        if unsure is not None and unsure.questions:
            _relay(turn, language, unsure.questions)
        return
    order.renumber()
    if partial:
        _ask_pending(turn, unsure)
    elif unsure is not None and unsure.questions:
        _relay(turn, language, unsure.questions)
    else:
        _settle(turn, unresolved_before=None)


# --------------------------------------------------------------------------------------------------------------
# The bot's own questions: asked in the customer's language, remembered, answered in the next message
# --------------------------------------------------------------------------------------------------------------

_UNIT_WORDS = r"(?:m|mtr|mtrs|meter|meters|metre|metres|मीटर|than|thaan|roll|rolls|थान|gaj|gaz|yard|yards|yd|गज)"
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to|se|से)\s*(\d+(?:\.\d+)?)\s*" + _UNIT_WORDS + r"?", re.IGNORECASE)
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(" + _UNIT_WORDS + r")?(?![\w])", re.IGNORECASE)
_ROLL_WORDS = ("than", "thaan", "roll", "rolls", "थान")
_NOT_CLOTH = frozenset(
    normalise(w)
    for w in (
        "chahiye", "chaiye", "please", "pls", "plz", "want", "need", "send", "give", "me", "i", "we", "of", "and",
        "aur", "or", "ka", "ki", "ke", "ko", "se", "mein", "me", "main", "wala", "wali", "wale", "kapda", "kapde",
        "cloth", "fabric", "dedo", "de", "do", "dena", "bhej", "bhejo", "bhejna", "hai", "hain", "the", "a", "an",
        "some", "more", "also", "bhi", "sir", "ji", "bhai", "order", "colour", "color", "rang", "in", "for", "with",
        "mujhe", "hume", "humko", "chahie", "chaahiye", "lena", "le", "lo", "lene", "kar", "karo", "ek", "one",
        "m", "mtr", "meter", "meters", "metre", "roll", "rolls", "than", "gaj", "yard", "yards", "piece", "pieces",
        "चाहिए", "और", "का", "की", "के", "में", "मीटर", "थान", "कपड़ा", "भी", "दो", "दीजिए", "भेजो", "रंग",
    )
)  # fmt: skip


@dataclass(frozen=True)
class _Fragment:
    """A piece of a message that named part of an item: what it said and what the catalogue knows of it."""

    raw: str
    material: str | None
    color: str | None
    quantity: Decimal | None
    unit: str | None
    range: tuple[Decimal, Decimal] | None
    unknown: tuple[str, ...]  # words in it the catalogue does not know
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown word -> the catalogue name it nearly spells
    missing: tuple[str, ...] = ()  # the interpreter's own list of slots still to ask, when it gave one


def _partial_fragments(turn: _Turn, reading: Interpretation | None) -> list[_Fragment]:
    """The fragments the interpreter could not complete, read for what they do say (its ``unclear`` texts that
    name a cloth, a colour or a quantity); words outside the catalogue are kept as ``unknown``."""
    if reading is None or reading.intent not in (Intent.ORDER, Intent.NEW_ORDER):
        return []
    if reading.partial:
        return [_from_partial(partial) for partial in reading.partial]
    if not reading.questions:
        return []
    found: list[_Fragment] = []
    for raw in reading.unclear:
        fragment = _fragment(raw, turn.vocabulary)
        if fragment is None or any(f.raw in raw or raw in f.raw for f in found):
            continue
        found.append(fragment)
    return found


def _from_partial(partial: PartialItem) -> _Fragment:
    """The interpreter's reading of an incomplete item, as the engine keeps it."""
    span = tuple(partial.quantity_options[:2]) if len(partial.quantity_options) >= 2 else None
    return _Fragment(
        partial.raw.strip(),
        partial.material,
        partial.color,
        partial.quantity,
        partial.unit,
        span,  # type: ignore[arg-type]
        tuple(u.word for u in partial.unfamiliar),
        {u.word: u.suggestion for u in partial.unfamiliar if u.suggestion},
        tuple(partial.missing),
    )


def _fragment(raw: str, vocabulary: Vocabulary) -> _Fragment | None:
    materials = dialogue.terms_in(raw, vocabulary, "material")
    colors = dialogue.terms_in(raw, vocabulary, "color")
    ranged = _RANGE.search(raw)
    number = None if ranged else _NUMBER.search(raw)
    words = normalise(re.sub(r"[^\w\s\u0900-\u097F]", " ", raw)).split()
    known = {normalise(alias) for t in (*materials, *colors) for alias in (t.name, t.hi, t.hinglish, *t.aliases)}
    known_words = {w for alias in known for w in alias.split()}
    unknown = tuple(
        w for w in words if w not in known_words and w not in _NOT_CLOTH and not re.search(r"\d", w) and len(w) > 2
    )
    if not (materials or colors or number or ranged):
        return None
    if len(materials) > 1 or len(colors) > 1:
        return None  # two items in one unread fragment: let the interpreter's question stand
    quantity = Decimal(number.group(1)) if number else None
    unit_word = (number.group(2) or "").lower() if number else ""
    unit = "roll" if unit_word in _ROLL_WORDS else ("m" if unit_word else None)
    if unit_word in ("gaj", "gaz", "yard", "yards", "yd", "गज") and quantity is not None:
        quantity = meters(quantity * YARD)
    span = (Decimal(ranged.group(1)), Decimal(ranged.group(2))) if ranged else None
    return _Fragment(
        raw.strip(),
        materials[0].name if materials else None,
        colors[0].name if colors else None,
        quantity,
        unit,
        span,
        unknown,
    )


def _ask_pending(turn: _Turn, reading: Interpretation) -> None:
    """Record what the interpreter could not complete as the order's pending questions and ask the first."""
    order = turn.order
    fragments = _partial_fragments(turn, reading)
    questions = [_question_for(fragment) for fragment in fragments]
    keep = [q for q in order.pending if q.slot != "new_order" and all(q.known != n.known for n in questions)]
    order.pending = [*questions, *keep]
    explained = False
    for fragment in fragments:
        if fragment.unknown and (fragment.material is None or fragment.color is None):
            explained = _explain_unknown(turn, fragment, order.pending[0]) or explained
            break
    if not explained:
        _ask_first(turn)


def _question_for(fragment: _Fragment) -> OpenQuestion:
    if fragment.range is not None:
        low, high = fragment.range
        known = _RANGE.sub(" ", fragment.raw).strip() or " ".join(p for p in (fragment.color, fragment.material) if p)
        return OpenQuestion("quantity", known, fragment.material, fragment.color, options=[str(low), str(high)])
    if fragment.material is None:
        slot = "material"
    elif fragment.color is None:
        slot = "color"
    else:
        slot = "quantity"
    options = [str(fragment.quantity), fragment.unit or ""] if fragment.quantity is not None else []
    return OpenQuestion(slot, fragment.raw, fragment.material, fragment.color, options=options)


def _ask_first(turn: _Turn) -> None:
    """Ask the first pending question: plainly the first time, with choices from stock the second; a question
    already asked twice is dropped (with a word) instead of asked a third time."""
    order = turn.order
    while order.pending:
        question = order.pending[0]
        if question.slot == "new_order":
            turn.say(replies.new_order_question(order))
            return
        if question.asked > 2:
            order.pending.pop(0)
            turn.note(replies.text("pending_dropped", order.language, known=question.known))
            continue
        ranged = question.slot == "quantity" and len(question.options) == 2 and question.options[1] not in ("m", "roll")
        choices = _choices(turn, question) if question.asked == 2 or ranged else []
        if question.asked == 2 and question.slot != "quantity" and not choices:
            order.pending.pop(0)
            turn.note(replies.text("pending_dropped", order.language, known=question.known))
            continue
        noted = order if order.state is S.COLLECTING_ITEMS else None
        turn.say(replies.pending_question(order, question, choices, noted, turn.vocabulary))
        turn.effects.append(AskedQuestion(order.order_id, (question.known,)))
        question.asked += 1
        return
    if order.state is S.COLLECTING_ITEMS and not order.active_lines:
        turn.move(S.CANCELLED)
        turn.closed, turn.order = order, None
        turn.say(replies.send_new_order(turn.phone, order.language))
    elif order.state is S.COLLECTING_ITEMS:
        _settle(turn, unresolved_before=None)
    else:
        _show(turn)


def _choices(turn: _Turn, question: OpenQuestion) -> list[tuple[str, str]]:
    """(answer, title) pairs to tap: a range's ends, the unit, or what the stock has for the missing slot."""
    language = turn.order.language
    if question.slot == "quantity" and len(question.options) == 2 and question.options[1] == "":
        n = question.options[0]
        return [
            (f"{n}|m", replies.amount(Decimal(n), "m", language)),
            (f"{n}|roll", replies.amount(Decimal(n), "roll", language)),
        ]
    if question.slot == "quantity" and len(question.options) == 2:
        return [(f"{n}|m", replies.amount(Decimal(n), "m", language)) for n in question.options]
    if question.slot in ("material", "color"):
        kinds = _kinds_in_stock(turn.stock, question.material, question.color)
        choices = []
        for material, color, _ in kinds:
            value = color if question.slot == "color" else material
            if question.slot == "material" and question.color is None:
                value = f"{material}|{color}"
            name = (
                replies.cloth_name(material, color, language, turn.vocabulary)
                if "|" in value
                else replies.term_name(value, question.slot, language, turn.vocabulary)
            )
            if value not in [c[0] for c in choices]:
                choices.append((value, name))
        return choices[:9]
    return []


def _kinds_in_stock(stock: StockView, material: str | None, color: str | None) -> list[tuple[str, str, Decimal]]:
    """(material, colour, meters available) of every kind in stock matching what is known, most meters first."""
    batches = stock.on_shelf(material, color)
    totals: dict[tuple[str, str], Decimal] = {}
    for batch in batches:
        totals[(batch.material, batch.color)] = (
            totals.get((batch.material, batch.color), ZERO) + batch.available_meters()
        )
    return sorted(
        ((m, c, meters(q)) for (m, c), q in totals.items() if q > 0), key=lambda kind: (-kind[2], kind[0], kind[1])
    )


def _explain_unknown(turn: _Turn, fragment: _Fragment, question: OpenQuestion) -> bool:
    """A word in the material or colour slot the catalogue does not know: a near-miss spelling is offered back as
    "did you mean …?"; anything else is answered honestly ("we don't carry tweed; in blue we have …") with what
    the stock has as choices."""
    order = turn.order
    language = order.language
    guess_material, guess_color = fragment.material, fragment.color
    for word in fragment.unknown:
        suggested = fragment.suggestions.get(word)
        if suggested is not None and guess_material is None and turn.vocabulary.material(suggested) is not None:
            guess_material = suggested
        elif suggested is not None and guess_color is None and turn.vocabulary.color(suggested) is not None:
            guess_color = suggested
        elif guess_material is None and (term := _near(word, turn.vocabulary, "material")) is not None:
            guess_material = term.name
        elif guess_color is None and (term := _near(word, turn.vocabulary, "color")) is not None:
            guess_color = term.name
    if guess_material and guess_color and fragment.quantity is not None and fragment.unit is not None:
        quantity = replies.amount(fragment.quantity, fragment.unit, language)
        cloth = replies.cloth_name(guess_material, guess_color, language, turn.vocabulary)
        name = f"{quantity} {cloth if language == 'hi' else cloth[:1].lower() + cloth[1:]}"
        question.slot = "choice"
        question.material, question.color = guess_material, guess_color
        question.options = [str(fragment.quantity), fragment.unit]
        question.asked = 2
        turn.say(
            replies.did_you_mean(
                order, name, replies.cloth_name(guess_material, guess_color, language, turn.vocabulary)
            )
        )
        return True
    word = next(iter(fragment.unknown), "")
    question.asked = 2
    choices = _choices(turn, question)
    if not choices:
        return False
    turn.note(replies.text("not_carried", language, word=word))
    turn.say(replies.pending_question(order, question, choices, None, turn.vocabulary, carried=True))
    question.asked = 3
    return True


def _near(word: str, vocabulary: Vocabulary, kind: str) -> Term | None:
    aliases = vocabulary.aliases(kind)
    names = [alias for alias, _ in aliases if alias.isascii() == word.isascii()]
    match = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
    return dict(aliases)[match[0]] if match else None


def _answers_pending(turn: _Turn, event: TextEvent) -> bool:
    """Read the message first as the answer to the bot's pending question; False when it is not one."""
    order = turn.order
    question = order.pending[0]
    reading = event.interpretation
    if question.slot == "new_order":
        items = [ItemRequest.model_validate_json(raw) for raw in question.options]
        if _consents(turn, event, strict=True):
            order.pending.pop(0)
            _replace_with_new_order(turn, items, turn.new_order_id)
            return True
        if event.text and dialogue.read_shop_question(event.text, turn.vocabulary) in (None,) and _is_no(event.text):
            order.pending.pop(0)
            turn.note(replies.text("kept_order", order.language, id=order.order_id))
            _show(turn)
            return True
        order.pending.pop(0)
        return False
    if question.slot == "choice" and _consents(turn, event, strict=True):
        _answer_with(turn, question, question.material, question.color, question.options)
        return True
    if question.slot == "choice" and event.text and _is_no(event.text):
        order.pending.pop(0)
        _ask_first(turn)
        return True
    if reading.intent is Intent.ANSWER and reading.answer is not None:
        return _answer_from_reading(turn, question, reading.answer)
    if event.answering and not reading.items and reading.partial:
        order.pending.pop(0)
        _ask_pending(turn, reading)  # the next slot of the same item
        return True
    if not event.answering or not reading.items:
        return False
    order.pending.pop(0)
    for item in reading.items:
        line = _add(turn, item.material, item.color, item.quantity, item.unit, item.raw)
        if line is not None and question.line_id is None:
            question.line_id = line.line_id
    _after_answer(turn)
    return True


def _items_answer_pending(order: Order, reading: Interpretation) -> None:
    """A whole item written again ("15 meter blue cotton" after "how many meters of blue cotton?") answers the
    question about it: the question is closed, the item is taken as written."""
    items = [*reading.items, *(d.item for d in reading.decisions if d.item is not None)]
    order.pending = [
        question
        for question in order.pending
        if question.slot not in ("material", "color", "quantity")
        or not any(
            question.material in (None, item.material) and question.color in (None, item.color) for item in items
        )
    ]


def _goes_on_without(order: Order, reading: Interpretation) -> bool:
    return (
        order.state is S.COLLECTING_ITEMS
        and bool(order.active_lines)
        and bool(reading.decisions)
        and not reading.items
        and all(_is_yes(d) for d in reading.decisions)
    )


def _says_nothing_new(order: Order, reading: Interpretation, asked: dialogue.ShopQuestion | None) -> bool:
    """A message that neither answers the pending question nor asks or changes anything ("hmm", "ok" while an
    item is still being collected): the question is put again."""
    if asked is not None and asked.kind not in ("no", "question"):
        return False
    if (
        reading.items
        or reading.partial
        or any(d.kind not in (D.ACCEPT_AVAILABLE, D.CONFIRM) for d in reading.decisions)
    ):
        return False
    if reading.intent in (Intent.DECISIONS,) and order.state is not S.COLLECTING_ITEMS:
        return False
    return reading.intent in (Intent.UNKNOWN, Intent.DECISIONS, Intent.QUESTION, Intent.NO, Intent.ORDER)


def _answer_from_reading(turn: _Turn, question: OpenQuestion, answer: Answer) -> bool:
    """The interpreter read the message as the answer (``Intent.ANSWER``): merge it with what was known."""
    if answer.unfamiliar:
        word = answer.unfamiliar[0].word
        fragment = _Fragment(
            answer.raw or word,
            answer.material or question.material,
            answer.color or question.color,
            None,
            None,
            None,
            tuple(u.word for u in answer.unfamiliar),
            {u.word: u.suggestion for u in answer.unfamiliar if u.suggestion},
        )
        question.asked = max(question.asked, 2)
        return _explain_unknown(turn, fragment, question) or False
    options = list(question.options)
    if question.slot in ("new_order", "choice"):
        return False  # yes/no answers were handled above
    if answer.quantity is not None:
        options = [str(answer.quantity), answer.unit or "m"]
    elif answer.unit is not None and options and options[0]:
        options = [options[0], answer.unit]
    elif answer.choice is not None and question.slot == "quantity":
        options = [answer.choice, "m"]
    elif question.slot == "quantity" and len(options) == 2 and options[1] not in ("", "m", "roll"):
        return False  # a range was asked and the answer names neither end
    material = answer.material or question.material
    color = answer.color or question.color
    if (material, color, options) == (question.material, question.color, list(question.options)):
        return False  # it filled nothing: read the message as something new
    _answer_with(turn, question, material, color, options)
    return True


def _answer_with(
    turn: _Turn, question: OpenQuestion, material: str | None, color: str | None, options: list[str]
) -> None:
    order = turn.order
    order.pending.remove(question)
    quantity = Decimal(options[0]) if options and options[0] else None
    unit = options[1] if len(options) > 1 and options[1] else None
    if material and color and quantity is not None and unit:
        _add(turn, material, color, quantity, unit)
        _after_answer(turn)
        return
    slot = "material" if material is None else "color" if color is None else "quantity"
    known = " ".join(
        part
        for part in (
            replies.amount(quantity, unit or "m", "en") if quantity is not None and unit else None,
            color,
            material,
        )
        if part
    )
    follow = OpenQuestion(slot, known, material, color, options=[str(quantity), unit or ""] if quantity else [])
    order.pending.insert(0, follow)
    _ask_first(turn)


def _after_answer(turn: _Turn) -> None:
    order = turn.order
    if order.pending:
        _ask_first(turn)
    else:
        order.renumber()
        _settle(turn, unresolved_before=len(order.unresolved_lines))


def _answer_tap(turn: _Turn, choice: Choice) -> bool:
    """A tap on a choice of the pending question ("ans:<value>")."""
    order = turn.order
    if not order.pending or choice.value is None:
        return False
    question = order.pending[0]
    value = choice.value
    if question.slot == "new_order":
        order.pending.pop(0)
        if value == "yes":
            items = [ItemRequest.model_validate_json(raw) for raw in question.options]
            _replace_with_new_order(turn, items, turn.new_order_id)
        else:
            turn.note(replies.text("kept_order", order.language, id=order.order_id))
            _show(turn)
        return True
    if question.slot == "choice":
        if value == "yes":
            _answer_with(turn, question, question.material, question.color, question.options)
        else:
            order.pending.pop(0)
            _ask_first(turn)
        return True
    material, color, options = question.material, question.color, list(question.options)
    if question.slot == "quantity":
        number, _, unit = value.partition("|")
        options = [number, unit or "m"]
    elif question.slot == "color":
        color = value
    else:
        picked_material, _, picked_color = value.partition("|")
        material = picked_material
        color = picked_color or color
    if not options and question.slot != "quantity":
        options = []
    _answer_with(turn, question, material, color, options)
    return True


def _is_no(text: str) -> bool:
    said = normalise(re.sub(r"[^\w\s\u0900-\u097F]", " ", text))
    return said in {"no", "nahi", "nahin", "nai", "na", "नहीं", "नही", "ना", "keep", "keep it", "rehne do", "no thanks"}


# --------------------------------------------------------------------------------------------------------------
# Shop questions, small talk and requests for the owner
# --------------------------------------------------------------------------------------------------------------

_ANSWERED_QUESTIONS = frozenset({"rate", "availability", "repeat", "gst"})
_SMALL_TALK = frozenset({"thanks", "wait", "no", "question"})
_NOTED_REQUESTS = frozenset({"discount", "delivery"})


_INTENT_QUESTIONS: dict[Intent, dialogue.QuestionKind] = {
    Intent.RATE: "rate",
    Intent.AVAILABILITY: "availability",
    Intent.REPEAT_ORDER: "repeat",
    Intent.DISCOUNT: "discount",
    Intent.DELIVERY: "delivery",
    Intent.THANKS: "thanks",
    Intent.WAIT: "wait",
    Intent.NO: "no",
}


def _shop_question(turn: _Turn, event: TextEvent) -> dialogue.ShopQuestion | None:
    """The shop question or small talk in the message: the interpreter's intent when it read one, else the
    engine's own reading of the text (a GST question read as a plain QUESTION is answered too)."""
    reading = event.interpretation
    kind = _INTENT_QUESTIONS.get(reading.intent)
    fallback = dialogue.read_shop_question(event.text, turn.vocabulary) if event.text else None
    if kind is not None:
        subject = reading.subject
        material = subject.material if subject is not None else None
        color = subject.color if subject is not None else None
        if subject is None and fallback is not None:
            material, color = fallback.material, fallback.color
        return dialogue.ShopQuestion(kind, material, color, event.text.strip() or _said(reading))
    if reading.intent is Intent.QUESTION and (fallback is None or fallback.kind not in _ANSWERED_QUESTIONS):
        return dialogue.ShopQuestion("question", said=event.text.strip())
    return fallback


def _said(reading: Interpretation) -> str:
    return next((note.text for note in reading.notes), "") or " ".join(reading.unclear)


def _take_requests(turn: _Turn) -> None:
    """Discount requests and delivery dates of this message, kept on the order on the table for the owner and
    acknowledged first in the reply (never acted on: no price changes, no date is promised). Called before a
    summary is drawn, so the summary shows them."""
    if not turn.requests:
        return
    order = turn.order if turn.active and turn.order.state is not S.WAITING_OWNER_CONFIRMATION else None
    if order is None:
        if not turn.active:
            turn.replies.insert(0, replies.plain(turn.phone, replies.text("request_no_order", turn.language)))
        turn.requests = []
        return
    for said in turn.requests:
        if said not in order.requests:
            order.requests.append(said)
    said = "; ".join(turn.requests)
    turn.replies.insert(0, replies.plain(turn.phone, replies.text("request_noted", order.language, said=said)))
    turn.requests = []


def _answer_shop_question(
    turn: _Turn, asked: dialogue.ShopQuestion, event: TextEvent, new_order_id: Callable[[], str]
) -> None:
    language = turn.language
    if asked.kind in ("rate", "availability") and asked.material and asked.color:
        # "price of black rayon" when there is none: say so, then what there is of rayon (never an invented rate)
        if not _kinds_in_stock(turn.stock, asked.material, asked.color):
            name = replies.cloth_name(asked.material, asked.color, language, turn.vocabulary)
            turn.note(replies.text("rate_none", language, name=name if language == "hi" else name.lower()))
            asked = dataclasses.replace(asked, color=None)
    if asked.kind == "rate":
        turn.say(
            replies.rates(
                turn.phone, language, asked.material, asked.color, _kinds_priced(turn, asked), turn.vocabulary
            )
        )
    elif asked.kind == "availability":
        kinds = _kinds_in_stock(turn.stock, asked.material, asked.color)
        turn.say(replies.availability(turn.phone, language, asked.material, asked.color, kinds, turn.vocabulary))
    elif asked.kind == "gst":
        _answer_gst(turn)
    elif asked.kind == "repeat":
        _repeat(turn, event, new_order_id)
    if (
        turn.active
        and asked.kind in ("rate", "availability", "gst")
        and turn.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    ):
        _buttons_again(turn)


def _kinds_priced(turn: _Turn, asked: dialogue.ShopQuestion) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
    """(material, colour, lowest rate, highest rate, meters) of each kind in stock the question names."""
    prices: dict[tuple[str, str], list[Decimal]] = {}
    stocked: dict[tuple[str, str], Decimal] = {}
    for batch in turn.stock.on_shelf(asked.material, asked.color):
        available = batch.available_meters()
        if available <= 0:
            continue
        key = (batch.material, batch.color)
        prices.setdefault(key, []).append(batch.price_per_meter)
        stocked[key] = stocked.get(key, ZERO) + available
    return sorted(
        ((m, c, min(p), max(p), meters(stocked[(m, c)])) for (m, c), p in prices.items()),
        key=lambda kind: (kind[0], -kind[4], kind[1]),
    )


def _answer_gst(turn: _Turn) -> None:
    order = turn.order if turn.active else None
    totals = _totals(turn) if order is not None and order.lines_for_summary else None
    if totals is not None:
        turn.note(
            replies.text(
                "gst_answer",
                turn.language,
                taxable=format_inr(totals.taxable_value),
                gst=format_inr(totals.total_tax),
                payable=format_inr(totals.grand_total),
            )
        )
        return
    percents = sorted({format_percent(rate.rate) + "%" for rate in turn.tax.rates_or_seed()})
    turn.note(replies.text("gst_general", turn.language, percents=", ".join(percents)))
    if order is not None:
        _show(turn)


def _repeat(turn: _Turn, event: TextEvent, new_order_id: Callable[[], str]) -> None:
    """The customer's last completed order again, as a new order checked against today's stock."""
    language = turn.language
    done = [o for o in (*turn.others, *([turn.order] if turn.order else [])) if o.state is S.ORDER_COMPLETED]
    last = max(done, key=lambda o: o.updated_at, default=None)
    if last is None:
        turn.say(
            replies.plain(turn.phone, replies.text("repeat_none", language, example=replies.text("example", language)))
        )
        return
    items = [
        ItemRequest(material=line.material, color=line.color, quantity=line.accepted_quantity, unit=line.unit)  # type: ignore[arg-type]
        for line in last.lines_for_summary
        if line.accepted_quantity > 0
    ]
    if turn.active and turn.order.state is not S.WAITING_OWNER_CONFIRMATION:
        _ask_new_order(turn, items)
        return
    if turn.active:
        turn.others = (*turn.others, turn.order)
    turn.order = None
    turn.note(replies.text("repeat_from", language, id=last.order_id))
    _start(turn, event, language, items, None, new_order_id)


def _small_talk(turn: _Turn, asked: dialogue.ShopQuestion) -> None:
    """Thanks, "wait", a bare "no" or another question: a short answer in context and, at the final summary, its
    buttons again (not the whole summary: the customer has it just above)."""
    language = turn.language
    order = turn.order if turn.active else None
    at_summary = order is not None and order.state is S.FINAL_CUSTOMER_CONFIRMATION
    if asked.kind == "thanks":
        turn.note(replies.text("thanks_reply", language))
    elif asked.kind == "wait":
        key = "wait_reply" if order is not None else "wait_no_order"
        turn.note(replies.text(key, language, id=order.order_id if order else ""))
    elif asked.kind == "no" and at_summary:
        turn.note(replies.text("no_reply", language, id=order.order_id))
    elif asked.kind == "question" and at_summary:
        turn.note(replies.text("not_sent_yet", language, id=order.order_id))
    elif asked.kind == "question" and order is None:
        turn.say(replies.did_not_understand(turn.phone, language))
        return
    if at_summary:
        _buttons_again(turn)
    elif order is not None and asked.kind in ("no", "question"):
        _show(turn)
    else:
        turn.say()


def _at_summary(turn: _Turn, event: TextEvent, asked: dialogue.ShopQuestion | None) -> bool:
    """At the final summary only an explicit yes hands over (the rule in the module docstring); a question is
    answered, anything else not a change gets the summary's buttons again. False when the message changes the
    order (handled as any change)."""
    reading = event.interpretation
    changes = bool(reading.items) or any(not _is_yes(d) for d in reading.decisions)
    yes = bool(reading.decisions) and not changes
    if not changes and (yes or reading.consent is not None) and _consents(turn, event):
        _confirm(turn)  # "ok thanks" reads as thanks and consents: the consent decides
        return True
    if changes:
        return False
    order = turn.order
    if asked is not None and asked.kind in _SMALL_TALK:
        _small_talk(turn, asked)
        return True
    if asked is not None and asked.kind in _NOTED_REQUESTS:
        _summary_again(turn)  # with the request in it
        return True
    turn.note(replies.text("final_unclear" if not yes else "not_sent_yet", order.language, id=order.order_id))
    _buttons_again(turn)
    return True


def _buttons_again(turn: _Turn) -> None:
    """The summary's Confirm/Edit/Cancel again under one line with the amount payable."""
    _take_requests(turn)
    totals = _totals(turn)
    turn.say(replies.confirm_buttons(turn.order, totals.grand_total if totals is not None else turn.order.total))


def _consents(turn: _Turn, event: TextEvent, strict: bool = False) -> bool:
    """The rule of hand-over: an explicit yes (``Consent.confirms``) and nothing else. The reading's own consent
    decides; a reading without one (an LLM's) is classified from the text; a bare reading with neither (tests that
    send readings, not text) counts only when not ``strict``."""
    consent = event.interpretation.consent
    if consent is None and event.text:
        consent = classify_consent(event.text, turn.vocabulary)
    if consent is None:
        return not strict and event.interpretation.intent is Intent.DECISIONS
    return consent.confirms


def _summary_again(turn: _Turn) -> None:
    _take_requests(turn)
    order = turn.order
    turn.say(*replies.summary(order, turn.vocabulary, bill=_totals(turn)))


def _relative(turn: _Turn, event: TextEvent, decisions: list[Decision]) -> list[Decision]:
    """ "add 5 meters more", "2 kam kar do" read as a plain edit whose relative word was left unread: an addition to
    the line (or a reduction), never a replacement of its quantity."""
    unread = " " + normalise(" ".join(event.interpretation.unclear)) + " "
    more = any(
        f" {w} " in unread for w in ("more", "extra", "aur", "zyada", "jyada", "और", "ज़्यादा", "add", "jodo", "jod")
    )
    less = any(f" {w} " in unread for w in ("less", "kam", "minus", "कम"))
    if more == less:
        return decisions
    kind = D.ADD_QUANTITY if more else D.REDUCE_QUANTITY
    return [
        Decision(kind=kind, target=d.target, quantity=d.quantity, unit=d.unit, raw=d.raw)
        if d.kind is D.EDIT_ITEM
        else d
        for d in decisions
    ]


def _totals(turn: _Turn):
    return bill.totals(turn.order, turn.vocabulary, turn.tax, turn.now.date())


# --------------------------------------------------------------------------------------------------------------
# Decisions about the order on the table
# --------------------------------------------------------------------------------------------------------------


def _decide(turn: _Turn, decisions: list[Decision]) -> None:
    order = turn.order
    assert order is not None
    state = order.state
    targets = _resolve(order, decisions, turn.vocabulary)
    if targets is None:
        turn.note(replies.which_item(order, turn.vocabulary))
        _show(turn)
        return
    unresolved_before = len(order.unresolved_lines)
    changes, wanted_alternatives = 0, []
    for decision, lines in targets:
        kind = decision.kind
        if kind in (D.ACCEPT_AVAILABLE, D.CONFIRM):
            changes += sum(_accept(turn, line) for line in lines)
        elif kind is D.CANCEL_ITEM:
            for line in lines:
                line.status = ItemStatus.CANCELLED
                changes += 1
        elif kind is D.EDIT_ITEM and decision.quantity is not None and decision.unit is not None:
            changes += sum(_edit(turn, line, decision.quantity, decision.unit) for line in lines)
        elif kind is D.ADD_ITEM and decision.item is not None:
            changes += _add_or_replace(turn, decision.item)
        elif kind in (D.ADD_QUANTITY, D.REDUCE_QUANTITY) and decision.quantity is not None:
            changes += sum(_change_by(turn, line, decision) for line in lines)
        elif kind is D.REPLACE_ITEM and decision.item is not None:
            for line in lines:
                _replace(turn, line, decision.item.material, decision.item.color, decision.item.quantity)
                changes += 1
        elif kind is D.REQUEST_ALTERNATIVE:
            wanted_alternatives += [line for line in lines if all(line is not seen for seen in wanted_alternatives)]
    if wanted_alternatives and not changes and state is not S.COLLECTING_ITEMS:
        _offer_alternatives(turn, wanted_alternatives)
        return
    _settle(turn, unresolved_before, skip=wanted_alternatives)
    if wanted_alternatives and turn.active:
        _offer_alternatives(turn, [line for line in wanted_alternatives if line.shown])


def _change_by(turn: _Turn, line: OrderLine, decision: Decision) -> int:
    """ "5 meter aur jodo" / "2 kam kar do": the line's quantity plus or minus the amount, shown back."""
    order = turn.order
    assert decision.quantity is not None
    unit = decision.unit or line.unit
    if unit != line.unit:
        return 0
    old = line.accepted_quantity if line.status is ItemStatus.ACCEPTED else line.quantity
    more = decision.kind is D.ADD_QUANTITY
    new = old + decision.quantity if more else old - decision.quantity
    if new <= 0:
        turn.note(replies.which_item(order, turn.vocabulary))
        return 0
    name = replies.line_name(line, order.language, turn.vocabulary)
    turn.note(
        replies.text(
            "added_more" if more else "took_less",
            order.language,
            name=name,
            old=replies.amount(old, line.unit, order.language),
            delta=replies.amount(decision.quantity, line.unit, order.language),
            new=replies.amount(new, line.unit, order.language),
        )
    )
    return _edit(turn, line, new, line.unit)


def _is_yes(decision: Decision) -> bool:
    """At the final summary "confirm", "ok" and "haan" all mean yes to the summary on the screen."""
    return decision.kind is D.CONFIRM or (decision.kind is D.ACCEPT_AVAILABLE and decision.target is None)


def _resolve(
    order: Order, decisions: list[Decision], vocabulary: Vocabulary
) -> list[tuple[Decision, list[OrderLine]]] | None:
    """Each decision with the lines it is about, by the numbers the customer saw; None when any is unclear.

    All targets are resolved before anything changes, because a change renumbers the lines.
    """
    resolved = []
    for decision in decisions:
        if decision.kind in (D.ADD_ITEM, D.UNKNOWN, D.CANCEL_ORDER):
            resolved.append((decision, []))
            continue
        if decision.target is None:
            lines = _default_targets(order, decision.kind)
        else:
            line = _find(order, decision.target, vocabulary)
            lines = [line] if line is not None else None
        if lines is None:
            return None
        resolved.append((decision, lines))
    return resolved


def _default_targets(order: Order, kind: CustomerDecision) -> list[OrderLine] | None:
    shown = order.active_lines
    if kind in (D.ACCEPT_AVAILABLE, D.CONFIRM):
        return order.unresolved_lines
    if kind is D.REQUEST_ALTERNATIVE and order.unresolved_lines:
        return order.unresolved_lines
    return shown if len(shown) == 1 else None


def _find(order: Order, target: str, vocabulary: Vocabulary) -> OrderLine | None:
    """The line a target names: its number, else the one line whose colour and/or material it mentions."""
    target = target.strip()
    if target.isdigit():
        return order.numbered(int(target))
    said = f" {normalise(target)} "
    if (number := re.fullmatch(r" \D*?(\d+) ", said)) is not None:  # "item 2", "no. 2"
        return order.numbered(int(number.group(1)))
    scored = []
    for line in order.active_lines:
        hits = _mentions(said, vocabulary.color(line.color), line.color)
        hits += _mentions(said, vocabulary.material(line.material), line.material)
        scored.append((hits, line))
    best = max((hits for hits, _ in scored), default=0)
    matches = [line for hits, line in scored if hits == best and best > 0]
    return matches[0] if len(matches) == 1 else None


def _mentions(said: str, term: Term | None, name: str) -> int:
    names = {name} | ({term.name, term.hi, term.hinglish, *term.aliases} if term else set())
    return int(any(f" {normalise(alias)} " in said for alias in names))


def _accept(turn: _Turn, line: OrderLine) -> int:
    """Take what the stock can give of an open line; 1 if that changed it."""
    if line.status is not ItemStatus.NEGOTIATING or line.allocation is None or line.min_cut is not None:
        return 0  # not checked yet (still collecting), below the minimum cut, or already settled
    if line.allocation.status is InventoryStatus.OUT_OF_STOCK:
        name = replies.line_name(line, turn.order.language, turn.vocabulary)
        turn.note(replies.text("nothing_to_take", turn.order.language, name=name))
        return 0
    line.status = ItemStatus.ACCEPTED
    line.accepted_quantity = line.allocation.available_quantity
    line.alternatives = []  # answered: a cloth written later is one more line, not this one's replacement
    return 1


def _edit(turn: _Turn, line: OrderLine, quantity: Decimal, unit: str) -> int:
    quantity = _quantity(turn, line.material, line.color, quantity, unit)
    if quantity is None:
        return 0
    twin = _shown_kind(turn.order, line.material, line.color, unit, besides=line)
    if twin is not None:  # "make it 2 rolls" when 2 rolls of it are already a line: one line, not two
        line.status, line.replaced_by = ItemStatus.REPLACED, twin.line_id
        twin.reopen(quantity)
        return 1
    line.unit = unit
    line.reopen(quantity)
    line.alternatives = []
    return 1


def _add_or_replace(turn: _Turn, item: ItemRequest) -> int:
    """A written item: the alternative offered for one open line replaces it; otherwise it is added."""
    offered = [
        line
        for line in turn.order.active_lines
        if line.unit == item.unit
        and any((a.material, a.color) == (item.material, item.color) for a in line.alternatives)
    ]
    if len(offered) == 1 and _quantity(turn, item.material, item.color, item.quantity, item.unit) is not None:
        _replace(turn, offered[0], item.material, item.color, item.quantity)
        return 1
    return int(_add(turn, item.material, item.color, item.quantity, item.unit) is not None)


def _add(turn: _Turn, material: str, color: str, quantity: Decimal, unit: str, raw: str = "") -> OrderLine | None:
    """A new line, or more of a line of the same cloth and unit (never two shown lines of one kind)."""
    order = turn.order
    amount = _quantity(turn, material, color, quantity, unit)
    if amount is None:
        return None
    existing = _shown_kind(order, material, color, unit)
    if existing is not None:
        existing.reopen(existing.quantity + amount)
        existing.asked_as = None
        return existing
    line = OrderLine(order.next_line_id(), material, color, amount, unit, asked_as=_asked_in_yards(raw))
    order.lines.append(line)
    return line


_YARDS = re.compile(r"(\d+(?:\.\d+)?|[०-९]+)\s*(gaj|gaz|yards?|yds?|गज)(?![\w\u0900-\u097F])", re.IGNORECASE)


def _asked_in_yards(raw: str) -> str | None:
    """The customer's own words when they asked in gaj/yards, so the summary can show "10 gaj = 9.14 m"."""
    found = _YARDS.search(raw or "")
    return f"{found.group(1)} {found.group(2)}" if found else None


def _replace(turn: _Turn, line: OrderLine, material: str, color: str, quantity: Decimal | None = None) -> OrderLine:
    """``line`` becomes REPLACED by exactly one line of the chosen cloth, placed where it was."""
    order = turn.order
    amount = quantity if quantity is not None else line.quantity
    existing = _shown_kind(order, material, color, line.unit, besides=line)
    if existing is not None:
        existing.reopen(existing.quantity + amount)
        successor = existing
    else:
        successor = OrderLine(order.next_line_id(), material, color, amount, line.unit)
        order.lines.insert(order.lines.index(line) + 1, successor)
    line.status, line.replaced_by = ItemStatus.REPLACED, successor.line_id
    old = replies.line_name(line, order.language, turn.vocabulary)
    new = replies.cloth_name(material, color, order.language, turn.vocabulary)
    turn.note(replies.text("replaced", order.language, old=old, new=new))
    return successor


def _quantity(turn: _Turn, material: str, color: str, quantity: Decimal, unit: str) -> Decimal | None:
    """The quantity as a line holds it; None (and a note) for part of a roll, which the shop does not sell."""
    if unit != "roll":
        return meters(quantity)
    if quantity != quantity.to_integral_value():
        name = replies.cloth_name(material, color, turn.order.language, turn.vocabulary)
        turn.note(replies.text("whole_rolls", turn.order.language, name=name))
        return None
    return Decimal(int(quantity))


def _shown_kind(
    order: Order, material: str, color: str, unit: str, besides: OrderLine | None = None
) -> OrderLine | None:
    return next(
        (line for line in order.active_lines if line.kind == (material, color, unit) and line is not besides), None
    )


def _offer_alternatives(turn: _Turn, lines: list[OrderLine]) -> None:
    for line in lines:
        line.alternatives = _alternatives(turn.stock, line)
        turn.say(replies.alternatives(turn.order, line, turn.vocabulary))


# --------------------------------------------------------------------------------------------------------------
# Stock checks and where the order goes next
# --------------------------------------------------------------------------------------------------------------


def _settle(turn: _Turn, unresolved_before: int | None, skip: Iterable[OrderLine] = ()) -> None:
    """After a change: re-check every line, then negotiate, summarise or end the order."""
    moved = _recheck(turn)
    _conclude(turn, moved, unresolved_before, skip)


def _recheck(turn: _Turn) -> list[OrderLine]:
    """Check every shown line against the stock now; returns the accepted lines the stock no longer covers."""
    moved = []
    for line in turn.order.active_lines:
        if line.status is ItemStatus.ACCEPTED:
            allocation = _allocate(turn.stock, line.request(line.accepted_quantity))
            if allocation is not None and allocation.status is InventoryStatus.FULL_AVAILABLE:
                line.allocation = allocation
                continue
            line.reopen()
            moved.append(line)
        _check(turn.stock, line)
    return moved


def _check(stock: StockView, line: OrderLine) -> None:
    try:
        allocation = stock.allocate(line.request())
    except LineBelowMinimumCut as exc:
        line.allocation, line.min_cut, line.alternatives = None, exc.minimum, []
        return
    line.allocation, line.min_cut = allocation, None
    if allocation.status is InventoryStatus.FULL_AVAILABLE:
        line.status, line.accepted_quantity, line.alternatives = ItemStatus.ACCEPTED, line.quantity, []
    else:
        line.alternatives = _alternatives(stock, line)


def _allocate(stock: StockView, request: LineRequest) -> Allocation | None:
    try:
        return stock.allocate(request)
    except LineBelowMinimumCut:
        return None


def _alternatives(stock: StockView, line: OrderLine) -> list[Alternative]:
    try:
        return list(stock.alternatives(line.request()))
    except LineBelowMinimumCut:
        return []


def _conclude(
    turn: _Turn, moved: list[OrderLine], unresolved_before: int | None, skip: Iterable[OrderLine] = ()
) -> None:
    order = turn.order
    was = order.state
    order.renumber()
    if not order.active_lines:
        turn.move(S.CANCELLED)
        turn.say(replies.cancelled(order, every_item_removed=True))
        return
    if moved:
        turn.say(replies.stock_moved(order, moved, turn.vocabulary))
    if not order.unresolved_lines:
        turn.move(S.FINAL_CUSTOMER_CONFIRMATION)
        if order.pending:
            _ask_first(turn)
            return
        _summary_again(turn)
        return
    no_progress = unresolved_before is not None and len(order.unresolved_lines) >= unresolved_before
    if was is S.CUSTOMER_NEGOTIATION and no_progress:
        order.negotiation_rounds += 1
    turn.move(S.CUSTOMER_NEGOTIATION)
    _prompt(turn, updated=was is not S.COLLECTING_ITEMS, skip=skip)


def _prompt(turn: _Turn, updated: bool, skip: Iterable[OrderLine] = ()) -> None:
    """The availability report, then one question per open line (or the one bounded choice after too many rounds)."""
    order = turn.order
    if order.negotiation_rounds >= turn.max_rounds:
        turn.say(replies.report(order, turn.vocabulary, updated=updated))
        turn.say(replies.bounded_choice(order, turn.vocabulary))
        return
    skipped = {line.line_id for line in skip}
    asked = [line for line in order.unresolved_lines if line.line_id not in skipped]
    turn.say(replies.report(order, turn.vocabulary, updated=updated, asked_below=[line.line_id for line in asked]))
    for line in asked:
        turn.say(replies.line_choice(order, line, turn.vocabulary))


def _show(turn: _Turn) -> None:
    """The order as it stands, with the choices open in its state."""
    order = turn.order
    order.renumber()
    if order.pending and order.state is not S.WAITING_OWNER_CONFIRMATION:
        order.pending[0].asked = min(order.pending[0].asked, 2)
        _ask_first(turn)
    elif order.state is S.COLLECTING_ITEMS:
        turn.say(replies.collecting(order, turn.vocabulary))
    elif order.state is S.CUSTOMER_NEGOTIATION:
        _prompt(turn, updated=False)
    elif order.state is S.FINAL_CUSTOMER_CONFIRMATION:
        _summary_again(turn)
    else:
        turn.say(replies.waiting_owner(order))


def _confirm(turn: _Turn) -> None:
    """Hand the order over, unless the stock or the prices moved since the summary the customer saw."""
    order = turn.order
    total_seen = order.total
    moved = _recheck(turn)
    if moved:
        _conclude(turn, moved, unresolved_before=None)
    elif order.total != total_seen:
        note = replies.text("prices_changed", order.language)
        turn.say(*replies.summary(order, turn.vocabulary, note=note, bill=_totals(turn)))
    else:
        totals = _totals(turn)
        order.payable = totals.grand_total if totals is not None else order.total
        order.pending = []
        turn.move(S.WAITING_OWNER_CONFIRMATION)
        turn.effects.append(HandOver(order.order_id))
        turn.say(replies.handed_over(order))


# --------------------------------------------------------------------------------------------------------------
# Taps
# --------------------------------------------------------------------------------------------------------------


def _on_tap(turn: _Turn, event: TapEvent) -> None:
    choice = Choice.parse(event.button_id)
    if not turn.active:
        language = event.language_hint
        turn.say(replies.stale(turn.phone, language, has_order=False))
        turn.say(replies.no_open_order(turn.phone, language, turn.order))
        return
    order = turn.order
    order.customer_name = order.customer_name or event.name
    if order.state is S.WAITING_OWNER_CONFIRMATION:
        if choice is not None and choice.action == replies.CANCEL_ORDER:
            turn.say(replies.cancel_refused(order))
        else:
            turn.say(replies.waiting_owner(order, change_refused=True))
        return
    if choice is None or not _tap(turn, choice):
        turn.say(replies.stale(turn.phone, order.language, has_order=True))
        _show(turn)


def _tap(turn: _Turn, choice: Choice) -> bool:
    """Act on a tap; False when the choice is no longer open (the line is gone or the state moved on)."""
    order = turn.order
    state = order.state
    talking = state in (S.CUSTOMER_NEGOTIATION, S.FINAL_CUSTOMER_CONFIRMATION)
    found = order.line(choice.line_id) if choice.line_id else None
    line = found if found is not None and found.shown and talking else None
    before = len(order.unresolved_lines)
    action = choice.action
    if action == replies.ANSWER:
        return _answer_tap(turn, choice)
    if action == replies.CONFIRM and state is S.FINAL_CUSTOMER_CONFIRMATION:
        _confirm(turn)
    elif action == replies.EDIT and state is S.FINAL_CUSTOMER_CONFIRMATION:
        turn.say(replies.edit_help(order, turn.vocabulary))
    elif action == replies.CANCEL_ORDER:
        turn.move(S.CANCELLED)
        turn.say(replies.cancelled(order))
    elif action == replies.TAKE_AVAILABLE and state is S.CUSTOMER_NEGOTIATION:
        for open_line in order.unresolved_lines:
            if _takes_part(open_line):
                _accept(turn, open_line)
            else:  # nothing to give (out of stock, below the minimum cut): the customer chose to drop it
                open_line.status = ItemStatus.CANCELLED
        _settle(turn, before)
    elif action == replies.ACCEPT and line is not None and _takes_part(line) and state is S.CUSTOMER_NEGOTIATION:
        _accept(turn, line)
        _settle(turn, before)
    elif action == replies.CANCEL_LINE and line is not None:
        line.status = ItemStatus.CANCELLED
        _settle(turn, before)
    elif action == replies.ALTERNATIVES and line is not None:
        _offer_alternatives(turn, [line])
    elif action == replies.PICK and line is not None and _offers(line, choice):
        _replace(turn, line, choice.material or "", choice.color or "")
        _settle(turn, before)
    else:
        return False
    return True


def _takes_part(line: OrderLine) -> bool:
    allocation = line.allocation
    return (
        line.status is ItemStatus.NEGOTIATING
        and allocation is not None
        and (allocation.status is InventoryStatus.PARTIAL_AVAILABLE)
    )


def _offers(line: OrderLine, choice: Choice) -> bool:
    return any((alt.material, alt.color) == (choice.material, choice.color) for alt in line.alternatives)


# --------------------------------------------------------------------------------------------------------------
# Reading a text in the light of the bot's pending question
# --------------------------------------------------------------------------------------------------------------


def read_text(
    order: Order | None,
    text: str,
    read: Callable[[str, Context], Interpretation],
    read_joined: Callable[[str, Context], Interpretation] | None = None,
) -> tuple[Interpretation, bool]:
    """The reading of ``text`` to put in a TextEvent, and whether it answers the order's pending question.

    With a question pending about a material, colour or quantity, the text is first read together with what was
    already known ("20m cotton" + "green"); when that gives whole items and asks nothing, it is the answer.
    Otherwise the text is read on its own, in the light of the order on the table. ``read`` is the interpreter
    (or the understanding that may ask an LLM), called with the text and a Context; it is called at most once per
    message. ``read_joined`` (default ``read``) reads the joined text: the service passes the deterministic
    interpreter alone, so a message costs at most one understanding (and one LLM call) however it is read.
    """
    read_joined = read_joined or read
    question = order.pending[0] if order is not None and order.is_active and order.pending else None
    if question is not None and question.slot in ("material", "color", "quantity"):
        merged = read_joined(dialogue.answer_text(question.known, question.slot, text), Context())
        if not dialogue.read_shop_question(text, _EMPTY_VOCABULARY):
            if merged.items and not merged.questions:
                return merged, True
            if not merged.items and len(merged.partial) == 1 and _fills(question, merged.partial[0]):
                return merged, True  # "suti chahiye" + "safed": the colour is known now, the meters are next
    return read(text, order.context() if order is not None else Context()), False


_EMPTY_VOCABULARY = Vocabulary()


def _fills(question: OpenQuestion, partial: PartialItem) -> bool:
    """The partial item read with the answer has the slot the question asked for (and keeps what was known)."""
    if question.slot == "quantity":
        return False
    filled = partial.material if question.slot == "material" else partial.color
    return (
        filled is not None
        and question.material in (None, partial.material)
        and question.color in (None, partial.color)
        and not partial.unfamiliar
    )
