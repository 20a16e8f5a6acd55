"""Every message a customer reads, in the language and script they write in: English, Hinglish or Devanagari Hindi.

All customer-facing wording is data in ``chalicelib/data/wording/`` (see ``wording``: one row per message, one
column per language); the functions below only fill it in and shape it into WhatsApp messages. Choices are reply
buttons (at most 3, titles cut to 20 characters with ``button_title``) or a list when there are more than 3 (at most
10 rows, titles of 24).

What a customer taps comes back as a ``Choice`` id (see ``Choice``), which the conversation engine reads without
any interpreter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain import wording
from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Language
from chalicelib.domain.messages import (
    BUTTONS_MAX,
    INTERACTIVE_BODY_MAX,
    LIST_ROWS_MAX,
    ROW_TITLE_MAX,
    Button,
    ListRow,
    ListSection,
    OutboundMessage,
    button_title,
    shorten,
)
from chalicelib.domain.money import format_inr, format_meters
from chalicelib.domain.order import ItemStatus, Order, OrderLine, OrderState
from chalicelib.domain.stock import Allocation, InventoryStatus

# --------------------------------------------------------------------------------------------------------------
# Button and list ids
# --------------------------------------------------------------------------------------------------------------

CONFIRM = "confirm"
EDIT = "edit"
CANCEL_ORDER = "cancel_order"
TAKE_AVAILABLE = "take_available"
ACCEPT = "accept"
CANCEL_LINE = "cancel"
ALTERNATIVES = "alt"
PICK = "pick"
_ORDER_ACTIONS = frozenset({CONFIRM, EDIT, CANCEL_ORDER, TAKE_AVAILABLE})
_LINE_ACTIONS = frozenset({ACCEPT, CANCEL_LINE, ALTERNATIVES})


@dataclass(frozen=True)
class Choice:
    """Something the customer can tap. Its ``id`` is what WhatsApp sends back:

    ``confirm``, ``edit``, ``cancel_order``, ``take_available`` (the whole order);
    ``accept:L1``, ``cancel:L1``, ``alt:L1`` (one line, by its stable line_id);
    ``pick:L1:<material>:<colour>`` (replace line L1 with that cloth; canonical names, spaces allowed).
    """

    action: str
    line_id: str | None = None
    material: str | None = None
    color: str | None = None

    @property
    def id(self) -> str:
        if self.action == PICK:
            return f"{PICK}:{self.line_id}:{self.material}:{self.color}"
        return f"{self.action}:{self.line_id}" if self.line_id else self.action

    @classmethod
    def parse(cls, choice_id: str) -> Choice | None:
        """The choice an id names, or None for an id this engine never sent."""
        action, _, rest = choice_id.strip().partition(":")
        if action in _ORDER_ACTIONS and not rest:
            return cls(action)
        if action in _LINE_ACTIONS and rest and ":" not in rest:
            return cls(action, rest)
        if action == PICK:
            line_id, material, color = ([*rest.split(":", 2), "", ""])[:3]
            if line_id and material and color:
                return cls(PICK, line_id, material, color)
        return None


# --------------------------------------------------------------------------------------------------------------
# The wording
# --------------------------------------------------------------------------------------------------------------

# The sentences themselves are data: chalicelib/data/wording/conversation.json (see ``wording``).
TEXTS = wording.rows()


def _state_name(state: OrderState, language: Language) -> str | None:
    key = f"state_{state.value}"
    return wording.text(key, language) if wording.has(key) else None


def _media_name(message_type: str, language: Language) -> str:
    key = f"media_{message_type}"
    return wording.text(key if wording.has(key) else "media_other", language)


def text(key: str, language: Language, **parts: object) -> str:
    """One row of the wording in ``language``, filled in."""
    return wording.text(key, language, **parts)


# --------------------------------------------------------------------------------------------------------------
# Naming cloth, quantities and prices
# --------------------------------------------------------------------------------------------------------------


def cloth_name(material: str, color: str, language: Language, vocabulary: Vocabulary) -> str:
    """ "Blue cotton", "Neela suti", "नीला सूती": colour then material, as the customer's language names them."""
    color_term, material_term = vocabulary.color(color), vocabulary.material(material)
    color_name = color_term.display(language) if color_term else color
    material_name = material_term.display(language) if material_term else material
    name = f"{color_name} {material_name}"
    return name if language == "hi" else name[:1].upper() + name[1:]


def line_name(line: OrderLine, language: Language, vocabulary: Vocabulary) -> str:
    return cloth_name(line.material, line.color, language, vocabulary)


def amount(quantity: Decimal, unit: str, language: Language) -> str:
    """ "20 m", "2 rolls", "20 मीटर", "2 थान"."""
    if unit == "roll":
        return text("unit_roll" if quantity == 1 else "unit_rolls", language, n=format_meters(quantity))
    return text("unit_meters", language, n=format_meters(quantity))


def cloth(allocation: Allocation, language: Language) -> str:
    """How the meters are made up, where that matters: "40 m = 1 roll (40 m)", "60 m: 1 roll + 20 m cut"."""
    total = amount(allocation.available_meters, "m", language)
    rolls = sum(part.rolls for part in allocation.parts)
    if allocation.unit == "roll":
        return f"{amount(Decimal(rolls), 'roll', language)} ({total})"
    if rolls == 0:
        return total
    roll_text = amount(Decimal(rolls), "roll", language)
    pieces = sum((part.loose_meters + part.cut_meters for part in allocation.parts), Decimal(0))
    if pieces:
        return text("cloth_rolls_and_cut", language, m=total, r=roll_text, c=amount(pieces, "m", language))
    lengths = {part.meters_per_roll for part in allocation.parts if part.rolls}
    if len(lengths) > 1:
        return f"{total} = {roll_text}"
    per_roll = amount(lengths.pop(), "m", language)
    return text(
        "cloth_whole_rolls" if rolls == 1 else "cloth_whole_rolls_each", language, m=total, r=roll_text, p=per_roll
    )


def price(allocation: Allocation, language: Language) -> str:
    """ "20 m × ₹120.00 = ₹2,400.00"; just the amount when the lots used are priced differently."""
    rates = {part.price_per_meter for part in allocation.parts}
    given = amount(allocation.available_meters, "m", language)
    if len(rates) == 1:
        return f"{given} × {format_inr(rates.pop())} = {format_inr(allocation.amount)}"
    return f"{given} = {format_inr(allocation.amount)}"


def line_text(line: OrderLine, language: Language, vocabulary: Vocabulary) -> str:
    """One numbered line of a report or summary: what it is, what can be given, its price and any lot note."""
    name = line_name(line, language, vocabulary)
    asked = amount(line.quantity, line.unit, language)
    head = f"{line.number}. " if line.number else ""
    allocation = line.allocation
    if line.min_cut is not None or allocation is None:
        minimum = amount(line.min_cut or Decimal(0), "m", language)
        return head + text("below_min_cut", language, name=name, minimum=minimum, asked=asked)
    if line.status is ItemStatus.NEGOTIATING and allocation.status is InventoryStatus.OUT_OF_STOCK:
        return head + text("out_of_stock", language, name=name, asked=asked)
    if line.status is ItemStatus.NEGOTIATING and allocation.status is InventoryStatus.PARTIAL_AVAILABLE:
        available = amount(allocation.available_quantity, line.unit, language)
        first = text("partial", language, name=name, available=available, asked=asked)
    else:
        first = f"{name} — {cloth(allocation, language)}"
        if line.status is ItemStatus.ACCEPTED and line.accepted_quantity < line.quantity:
            first += " " + text("asked", language, asked=asked)
    rows = [head + first, f"   {price(allocation, language)}"]
    if allocation.spans_lots:
        rows.append("   " + text("lots", language, n=len(allocation.dye_lots)))
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------------------


def _greeting_name(name: str | None) -> str:
    return f" {name.strip()}" if name and name.strip() else ""


def plain(to: str, body: str) -> OutboundMessage:
    return OutboundMessage(to=to, text=body)


def welcome(to: str, language: Language, name: str | None = None) -> OutboundMessage:
    example = text("example", language)
    return plain(to, text("welcome", language, name=_greeting_name(name), example=example))


def welcome_back(order: Order, name: str | None = None) -> OutboundMessage:
    return plain(
        order.customer_phone, text("welcome_back", order.language, name=_greeting_name(name), id=order.order_id)
    )


def help_message(to: str, language: Language) -> OutboundMessage:
    return plain(to, text("help", language, example=text("example", language)))


def did_not_understand(to: str, language: Language) -> OutboundMessage:
    return plain(to, text("did_not_understand", language, example=text("example", language)))


def unsupported(to: str, language: Language, message_type: str) -> OutboundMessage:
    what = _media_name(message_type, language)
    return plain(to, text("unsupported", language, what=what, example=text("example", language)))


def no_open_order(to: str, language: Language, last: Order | None = None) -> OutboundMessage:
    body = text("no_open_order", language, example=text("example", language))
    state = _state_name(last.state, language) if last is not None else None
    if last is not None and state is not None:
        body = text("last_order", language, id=last.order_id, state=state) + "\n" + body
    return plain(to, body)


def stale(to: str, language: Language, has_order: bool) -> OutboundMessage:
    return plain(to, text("stale" if has_order else "stale_no_order", language))


def questions(
    to: str, language: Language, asked: Sequence[str], noted: Order | None, vocabulary: Vocabulary
) -> OutboundMessage:
    """The interpreter's questions, word for word; with the lines already noted when an order is being collected."""
    rows: list[str] = []
    if noted is not None and noted.active_lines:
        rows.append(text("noted", language))
        rows += [_noted_line(line, language, vocabulary) for line in noted.active_lines]
    rows += list(asked)
    if noted is not None and noted.active_lines:
        rows.append(text("go_on", language))
    return plain(to, "\n".join(rows))


def collecting(order: Order, vocabulary: Vocabulary) -> OutboundMessage:
    """Status of an order still being collected: what is noted and how to go on."""
    return questions(order.customer_phone, order.language, [], order, vocabulary)


def _noted_line(line: OrderLine, language: Language, vocabulary: Vocabulary) -> str:
    name = line_name(line, language, vocabulary)
    return f"{line.number}. {name} — {amount(line.quantity, line.unit, language)}"


def notes(order: Order, rows: Sequence[str]) -> OutboundMessage:
    return plain(order.customer_phone, "\n".join(rows))


def report(order: Order, vocabulary: Vocabulary, updated: bool = False) -> OutboundMessage:
    """Every shown line with what the stock can give and its price."""
    language = order.language
    header = text("report_updated" if updated else "report", language, id=order.order_id)
    body = "\n".join([header, *(line_text(line, language, vocabulary) for line in order.active_lines)])
    return plain(order.customer_phone, body)


def line_choice(order: Order, line: OrderLine, vocabulary: Vocabulary) -> OutboundMessage:
    """The question about one unresolved line, with its choices as buttons (or a list of alternatives)."""
    language = order.language
    name = line_name(line, language, vocabulary)
    remove = _button(Choice(CANCEL_LINE, line.line_id), text("btn_remove", language))
    head = f"{line.number}. "
    if line.min_cut is not None or line.allocation is None:
        body = f"{line_text(line, language, vocabulary)}\n{text('ask_min_cut', language)}"
        return OutboundMessage(to=order.customer_phone, text=body, buttons=(remove,))
    if line.allocation.status is InventoryStatus.PARTIAL_AVAILABLE:
        available = amount(line.allocation.available_quantity, line.unit, language)
        asked = amount(line.quantity, line.unit, language)
        key = "ask_partial" if line.alternatives else "ask_partial_no_options"
        body = f"{head}{text('partial', language, name=name, available=available, asked=asked)}{_stop(language)}\n"
        body += text(key, language, available=available)
        buttons = [_button(Choice(ACCEPT, line.line_id), text("btn_take", language, q=available))]
        if line.alternatives:
            buttons.append(_button(Choice(ALTERNATIVES, line.line_id), text("btn_options", language)))
        return OutboundMessage(to=order.customer_phone, text=body, buttons=(*buttons, remove))
    body = head + text("out_of_stock", language, name=name, asked=amount(line.quantity, line.unit, language))
    if not line.alternatives:
        body += _stop(language) + "\n" + text("ask_out_no_options", language)
        return OutboundMessage(to=order.customer_phone, text=body, buttons=(remove,))
    return _alternatives_message(order, line, vocabulary, body + _stop(language) + "\n" + text("ask_out", language))


def alternatives(order: Order, line: OrderLine, vocabulary: Vocabulary) -> OutboundMessage:
    """The cloths that could replace ``line`` (its stored ``alternatives``), each a choice, plus removing it."""
    language = order.language
    name = line_name(line, language, vocabulary)
    if not line.alternatives:
        return plain(order.customer_phone, text("no_alternatives", language, name=name))
    header = text("alternatives", language, name=name, asked=amount(line.quantity, line.unit, language))
    return _alternatives_message(order, line, vocabulary, header)


def _alternatives_message(order: Order, line: OrderLine, vocabulary: Vocabulary, header: str) -> OutboundMessage:
    """The alternatives as buttons when they and "remove" fit in three, else as a list."""
    language = order.language
    asked = amount(line.quantity, line.unit, language)
    rows = [header]
    choices: list[tuple[Choice, str, str]] = []  # choice, title, list row description
    for alt in line.alternatives:
        name = cloth_name(alt.material, alt.color, language, vocabulary)
        rate, total = format_inr(alt.price_per_meter), format_inr(alt.amount)
        rows.append(text("alternative", language, name=name, rate=rate, asked=asked, amount=total))
        choices.append((Choice(PICK, line.line_id, alt.material, alt.color), name, _per_meter(rate, language, total)))
    choices.append((Choice(CANCEL_LINE, line.line_id), text("btn_remove", language), ""))
    body = "\n".join(rows)
    titles = [button_title(title) for _, title, _ in choices]
    if len(choices) <= BUTTONS_MAX and len(set(titles)) == len(titles):
        buttons = tuple(_button(choice, title) for choice, title, _ in choices)
        return OutboundMessage(to=order.customer_phone, text=body, buttons=buttons)
    list_rows = tuple(_row(choice, title, description) for choice, title, description in choices[:LIST_ROWS_MAX])
    return OutboundMessage(
        to=order.customer_phone,
        text=body,
        list_button=button_title(text("list_choose", language)),
        list_sections=(ListSection(rows=list_rows),),
    )


def _per_meter(rate: str, language: Language, total: str) -> str:
    per = {"en": "/m", "hinglish": "/meter", "hi": "/मीटर"}[language]
    return f"{rate}{per} · {total}"


def bounded_choice(order: Order, vocabulary: Vocabulary) -> OutboundMessage:
    """After too many rounds: one clear choice between taking what is available and cancelling the order."""
    language = order.language
    kept = []
    for line in order.active_lines:
        allocation = line.allocation
        if allocation is None or allocation.status is InventoryStatus.OUT_OF_STOCK or line.min_cut is not None:
            continue
        quantity = line.accepted_quantity if line.status is ItemStatus.ACCEPTED else allocation.available_quantity
        kept.append(f"{line_name(line, language, vocabulary)} {amount(quantity, line.unit, language)}")
    items = ", ".join(kept) or text("nothing", language)
    buttons = (
        _button(Choice(TAKE_AVAILABLE), text("btn_take_available", language)),
        _button(Choice(CANCEL_ORDER), text("btn_cancel_order", language)),
    )
    return OutboundMessage(to=order.customer_phone, text=text("bounded", language, items=items), buttons=buttons)


def summary(order: Order, vocabulary: Vocabulary, note: str | None = None) -> list[OutboundMessage]:
    """The final summary: only what the customer will get, each line priced, the total, and Confirm/Edit/Cancel.

    A summary too long for one interactive message goes as text, followed by the buttons on their own.
    """
    language = order.language
    rows = [note] if note else []
    rows.append(text("summary", language, id=order.order_id))
    rows += [line_text(line, language, vocabulary) for line in order.lines_for_summary]
    rows.append(text("total", language, total=format_inr(order.total)))
    ask = text("confirm_ask", language)
    buttons = (
        _button(Choice(CONFIRM), text("btn_confirm", language)),
        _button(Choice(EDIT), text("btn_edit", language)),
        _button(Choice(CANCEL_ORDER), text("btn_cancel_order", language)),
    )
    body = "\n".join([*rows, ask])
    if len(body) <= INTERACTIVE_BODY_MAX:
        return [OutboundMessage(to=order.customer_phone, text=body, buttons=buttons)]
    return [plain(order.customer_phone, "\n".join(rows)), OutboundMessage(order.customer_phone, ask, buttons)]


def edit_help(order: Order, vocabulary: Vocabulary) -> OutboundMessage:
    """How to change the order; with two or more lines, a list to remove one with a tap."""
    language = order.language
    body = text("edit_help", language)
    lines = order.active_lines
    if len(lines) < 2:
        return plain(order.customer_phone, body)
    rows = tuple(
        _row(Choice(CANCEL_LINE, line.line_id), f"{line.number}. {line_name(line, language, vocabulary)}")
        for line in lines[:LIST_ROWS_MAX]
    )
    label = button_title(text("list_remove", language))
    return OutboundMessage(
        to=order.customer_phone, text=body, list_button=label, list_sections=(ListSection(rows=rows),)
    )


def handed_over(order: Order) -> OutboundMessage:
    return _about(order, "handed_over")


def waiting_owner(order: Order, change_refused: bool = False) -> OutboundMessage:
    return _about(order, "waiting_owner_no_change" if change_refused else "waiting_owner")


def cancel_refused(order: Order) -> OutboundMessage:
    return _about(order, "cancel_refused")


def new_order_refused(order: Order) -> OutboundMessage:
    return _about(order, "new_order_refused")


def cancelled(order: Order, every_item_removed: bool = False) -> OutboundMessage:
    return _about(order, "cancelled_empty" if every_item_removed else "cancelled")


def previous_cancelled(previous: Order, language: Language, ask_for_new: bool) -> OutboundMessage:
    body = text("previous_cancelled", language, id=previous.order_id)
    if ask_for_new:
        body += "\n" + text("send_new_order", language, example=text("example", language))
    return plain(previous.customer_phone, body)


def send_new_order(to: str, language: Language) -> OutboundMessage:
    return plain(to, text("send_new_order", language, example=text("example", language)))


def expired(order: Order) -> OutboundMessage:
    return _about(order, "expired")


def approved(order: Order) -> OutboundMessage:
    return _about(order, "approved")


def rejected(order: Order, reason: str | None) -> OutboundMessage:
    if reason and reason.strip():
        return _about(order, "rejected", reason=reason.strip())
    return _about(order, "rejected_no_reason")


def stock_moved(order: Order, lines: Sequence[OrderLine], vocabulary: Vocabulary) -> OutboundMessage:
    """Which lines the stock no longer covers, with what it can give now."""
    language = order.language
    rows = [text("stock_moved", language), *(line_text(line, language, vocabulary) for line in lines)]
    return plain(order.customer_phone, "\n".join(rows))


def which_item(order: Order, vocabulary: Vocabulary) -> str:
    options = ", ".join(f"{line.number}. {line_name(line, order.language, vocabulary)}" for line in order.active_lines)
    return text("which_item", order.language, options=options)


def _about(order: Order, key: str, **parts: str) -> OutboundMessage:
    return plain(
        order.customer_phone, text(key, order.language, id=order.order_id, total=format_inr(order.total), **parts)
    )


def _stop(language: Language) -> str:
    return "।" if language == "hi" else "."


def _button(choice: Choice, title: str) -> Button:
    return Button(id=choice.id, title=button_title(title))


def _row(choice: Choice, title: str, description: str = "") -> ListRow:
    return ListRow(id=choice.id, title=shorten(" ".join(title.split()), ROW_TITLE_MAX), description=description)
