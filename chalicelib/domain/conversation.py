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

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from chalicelib.domain import replies
from chalicelib.domain.catalogue import Term, Vocabulary, normalise
from chalicelib.domain.interpretation import (
    CustomerDecision,
    Decision,
    Intent,
    Interpretation,
    ItemRequest,
    Language,
)
from chalicelib.domain.messages import OutboundMessage
from chalicelib.domain.money import meters
from chalicelib.domain.order import (
    TERMINAL_STATES,
    ItemStatus,
    Order,
    OrderLine,
    OrderState,
    transition,
)
from chalicelib.domain.replies import Choice
from chalicelib.domain.stock import Allocation, Alternative, InventoryStatus, LineBelowMinimumCut, LineRequest

MAX_ROUNDS = 3
S = OrderState
D = CustomerDecision


class StockView(Protocol):
    """The stock as the engine sees it; the service builds one over the batches it loaded."""

    def allocate(self, line: LineRequest) -> Allocation:
        """As ``stock.allocate``; raises LineBelowMinimumCut for a meter line below the minimum cut."""

    def alternatives(self, line: LineRequest) -> list[Alternative]:
        """As ``stock.alternatives``: other cloths that can fill the whole line."""


@dataclass(frozen=True)
class TextEvent:
    phone: str
    name: str | None
    interpretation: Interpretation


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
) -> Step:
    """Handle one customer event; see the module docstring."""
    turn = _Turn(order, event.phone, stock, vocabulary, now, max_rounds)
    if isinstance(event, UnsupportedEvent):
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
) -> Step:
    """The stock moved before it could be reserved: re-check, tell the customer which lines changed, and go back to
    CUSTOMER_NEGOTIATION (or to FINAL_CUSTOMER_CONFIRMATION with new prices when everything can still be given)."""
    turn = _Turn(order, order.customer_phone, stock, vocabulary or _seed_vocabulary(), now, max_rounds)
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
        self, order: Order | None, phone: str, stock: StockView, vocabulary: Vocabulary, now: datetime, rounds: int
    ):
        self.before = order.to_dict() if order is not None else None
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
        changed = self.closed is not None
        if order is not None:
            order.renumber()
            changed = changed or self.before is None or order.to_dict() != self.before
            if changed:
                order.updated_at = self.now
        if self.closed is not None:
            self.closed.updated_at = self.now
        return Step(order, self.replies, self.effects, self.closed, changed)

    def _flush_notes(self) -> None:
        if self.notes:
            self.replies.append(OutboundMessage(to=self.phone, text="\n".join(self.notes)))
            self.notes = []


class _NoStock:
    """Stock for entry points that never check it (expiry, the owner's decision)."""

    def allocate(self, line: LineRequest) -> Allocation:
        raise AssertionError("this entry point does not check stock")

    def alternatives(self, line: LineRequest) -> list[Alternative]:
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
    intent = reading.intent
    if intent is Intent.CANCEL_ORDER or any(d.kind is D.CANCEL_ORDER for d in reading.decisions):
        _cancel_order(turn, language)
    elif intent is Intent.NEW_ORDER:
        _new_order(turn, event, language, new_order_id)
    elif intent is Intent.UNKNOWN:
        turn.say(replies.did_not_understand(turn.phone, language))
    elif intent is Intent.HELP:
        turn.say(replies.help_message(turn.phone, language))
    elif intent is Intent.STATUS:
        _status(turn, language)
    elif intent is Intent.GREETING:
        if order is None:
            turn.say(replies.welcome(turn.phone, language, event.name))
        else:
            turn.say(replies.welcome_back(order, event.name))
            _show(turn)
    elif order is not None and order.state is S.WAITING_OWNER_CONFIRMATION:
        turn.say(replies.waiting_owner(order, change_refused=True))
    elif reading.questions:
        if order is None and reading.items:
            _start(turn, event, language, reading.items, reading.questions, new_order_id)
        else:
            _relay(turn, language, reading.questions)
    elif order is None:
        if reading.items:
            _start(turn, event, language, reading.items, (), new_order_id)
        elif intent is Intent.DECISIONS:
            turn.say(replies.no_open_order(turn.phone, language, passed))
        else:
            turn.say(replies.did_not_understand(turn.phone, language))
    else:
        added = [Decision(kind=D.ADD_ITEM, item=item, raw=item.raw) for item in reading.items]
        _decide(turn, [*reading.decisions, *added])


def _language(reading: Interpretation, order: Order | None) -> Language:
    """Reply in the script the customer writes in; short English words do not switch an order's language."""
    if order is None or reading.language != "en":
        return reading.language
    # "ok", "confirm", "2 cancel" read as English whoever writes them; an English order does switch.
    if reading.items or any(d.item is not None for d in reading.decisions):
        return "en"
    return order.language


def _status(turn: _Turn, language: Language) -> None:
    if not turn.active:
        turn.say(replies.no_open_order(turn.phone, language, turn.order))
    else:
        _show(turn)


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
    reading = event.interpretation
    previous = turn.order if turn.active else None
    if previous is not None and previous.state is S.WAITING_OWNER_CONFIRMATION:
        turn.say(replies.new_order_refused(previous))
        return
    if previous is not None:
        turn.move(S.CANCELLED)
        turn.say(
            replies.previous_cancelled(previous, language, ask_for_new=not reading.items and not reading.questions)
        )
    if reading.items:
        turn.closed = previous
        _start(turn, event, language, reading.items, reading.questions, new_order_id)
    elif reading.questions:
        _relay(turn, language, reading.questions)
    elif previous is None:
        turn.say(replies.send_new_order(turn.phone, language))


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
    questions: Iterable[str],
    new_order_id: Callable[[], str],
) -> None:
    """A new order from the items read for sure; the stock is checked now unless a question is still open."""
    assert not turn.active, "a customer has at most one active order"
    order = Order.new(new_order_id(), event.phone, event.name, language, turn.now)
    previous, turn.order = turn.order, order
    for item in items:
        _add(turn, item.material, item.color, item.quantity, item.unit)
    if not order.active_lines:  # nothing could be noted (whole rolls only): no order after all
        turn.order, turn.closed = previous, None
        if questions:
            _relay(turn, language, questions)
        return
    order.renumber()
    asked = tuple(questions)
    if asked:
        _relay(turn, language, asked)
    else:
        _settle(turn, unresolved_before=None)


# --------------------------------------------------------------------------------------------------------------
# Decisions about the order on the table
# --------------------------------------------------------------------------------------------------------------


def _decide(turn: _Turn, decisions: list[Decision]) -> None:
    order = turn.order
    assert order is not None
    state = order.state
    if state is S.FINAL_CUSTOMER_CONFIRMATION and decisions and all(_is_yes(d) for d in decisions):
        _confirm(turn)
        return
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
        elif kind is D.REQUEST_ALTERNATIVE:
            wanted_alternatives += [line for line in lines if all(line is not seen for seen in wanted_alternatives)]
    if wanted_alternatives and not changes and state is not S.COLLECTING_ITEMS:
        _offer_alternatives(turn, wanted_alternatives)
        return
    _settle(turn, unresolved_before, skip=wanted_alternatives)
    if wanted_alternatives and turn.active:
        _offer_alternatives(turn, [line for line in wanted_alternatives if line.shown])


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


def _add(turn: _Turn, material: str, color: str, quantity: Decimal, unit: str) -> OrderLine | None:
    """A new line, or more of a line of the same cloth and unit (never two shown lines of one kind)."""
    order = turn.order
    amount = _quantity(turn, material, color, quantity, unit)
    if amount is None:
        return None
    existing = _shown_kind(order, material, color, unit)
    if existing is not None:
        existing.reopen(existing.quantity + amount)
        return existing
    line = OrderLine(order.next_line_id(), material, color, amount, unit)
    order.lines.append(line)
    return line


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
        turn.say(*replies.summary(order, turn.vocabulary))
        return
    no_progress = unresolved_before is not None and len(order.unresolved_lines) >= unresolved_before
    if was is S.CUSTOMER_NEGOTIATION and no_progress:
        order.negotiation_rounds += 1
    turn.move(S.CUSTOMER_NEGOTIATION)
    _prompt(turn, updated=was is not S.COLLECTING_ITEMS, skip=skip)


def _prompt(turn: _Turn, updated: bool, skip: Iterable[OrderLine] = ()) -> None:
    """The availability report, then one question per open line (or the one bounded choice after too many rounds)."""
    order = turn.order
    turn.say(replies.report(order, turn.vocabulary, updated=updated))
    if order.negotiation_rounds >= turn.max_rounds:
        turn.say(replies.bounded_choice(order, turn.vocabulary))
        return
    skipped = {line.line_id for line in skip}
    for line in order.unresolved_lines:
        if line.line_id not in skipped:
            turn.say(replies.line_choice(order, line, turn.vocabulary))


def _show(turn: _Turn) -> None:
    """The order as it stands, with the choices open in its state."""
    order = turn.order
    order.renumber()
    if order.state is S.COLLECTING_ITEMS:
        turn.say(replies.collecting(order, turn.vocabulary))
    elif order.state is S.CUSTOMER_NEGOTIATION:
        _prompt(turn, updated=False)
    elif order.state is S.FINAL_CUSTOMER_CONFIRMATION:
        turn.say(*replies.summary(order, turn.vocabulary))
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
        turn.say(*replies.summary(order, turn.vocabulary, note=replies.text("prices_changed", order.language)))
    else:
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
