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
from chalicelib.domain.invoice import InvoiceTotals, format_percent
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
from chalicelib.domain.order import ItemStatus, OpenQuestion, Order, OrderLine, OrderState
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
ANSWER = "ans"
_ORDER_ACTIONS = frozenset({CONFIRM, EDIT, CANCEL_ORDER, TAKE_AVAILABLE})
_LINE_ACTIONS = frozenset({ACCEPT, CANCEL_LINE, ALTERNATIVES})


@dataclass(frozen=True)
class Choice:
    """Something the customer can tap. Its ``id`` is what WhatsApp sends back:

    ``confirm``, ``edit``, ``cancel_order``, ``take_available`` (the whole order);
    ``accept:L1``, ``cancel:L1``, ``alt:L1`` (one line, by its stable line_id);
    ``pick:L1:<material>:<colour>`` (replace line L1 with that cloth; canonical names, spaces allowed);
    ``ans:<value>`` (an answer to the bot's pending question: a colour, a material, "material|colour",
    "20|m", "yes" or "no").
    """

    action: str
    line_id: str | None = None
    material: str | None = None
    color: str | None = None
    value: str | None = None

    @property
    def id(self) -> str:
        if self.action == PICK:
            return f"{PICK}:{self.line_id}:{self.material}:{self.color}"
        if self.action == ANSWER:
            return f"{ANSWER}:{self.value}"
        return f"{self.action}:{self.line_id}" if self.line_id else self.action

    @classmethod
    def parse(cls, choice_id: str) -> Choice | None:
        """The choice an id names, or None for an id this engine never sent."""
        action, _, rest = choice_id.strip().partition(":")
        if action in _ORDER_ACTIONS and not rest:
            return cls(action)
        if action == ANSWER and rest:
            return cls(ANSWER, value=rest)
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
        elif line.asked_as:
            first += " " + text("converted", language, asked=line.asked_as, m=amount(line.quantity, "m", language))
    rows = [head + first, f"   {price(allocation, language)}"]
    if allocation.spans_lots:
        rows.append("   " + text("lots", language, n=len(allocation.dye_lots)))
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------------------


def greeting_name(name: str | None) -> str:
    return f" {name.strip()}" if name and name.strip() else ""


def plain(to: str, body: str) -> OutboundMessage:
    return OutboundMessage(to=to, text=body)


def welcome(to: str, language: Language, name: str | None = None) -> OutboundMessage:
    example = text("example", language)
    return plain(to, text("welcome", language, name=greeting_name(name), example=example))


def welcome_back(order: Order, name: str | None = None) -> OutboundMessage:
    return plain(
        order.customer_phone, text("welcome_back", order.language, name=greeting_name(name), id=order.order_id)
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


def report(
    order: Order, vocabulary: Vocabulary, updated: bool = False, asked_below: Sequence[str] = ()
) -> OutboundMessage:
    """Every shown line with what the stock can give and its price; lines in ``asked_below`` are left to the
    question about them that follows (each line is described once)."""
    language = order.language
    header = text("report_updated" if updated else "report", language, id=order.order_id)
    lines = [line for line in order.active_lines if line.line_id not in asked_below]
    body = "\n".join([header, *(line_text(line, language, vocabulary) for line in lines)])
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
        body = f"{head}{text('partial', language, name=name, available=available, asked=asked)}\n"
        body += f"   {price(line.allocation, language)}\n"
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
    return text("per_meter", language, rate=rate, total=total)


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


def summary(
    order: Order, vocabulary: Vocabulary, note: str | None = None, bill: InvoiceTotals | None = None
) -> list[OutboundMessage]:
    """The final summary: only what the customer will get, each line priced, the taxable value, the GST and the
    amount payable (``bill``: the invoice's own totals), the customer's notes for the owner, and Confirm/Edit/Cancel.

    A summary too long for one interactive message goes as text, followed by the buttons on their own.
    """
    language = order.language
    rows = [note] if note else []
    rows.append(text("summary", language, id=order.order_id))
    rows += [line_text(line, language, vocabulary) for line in order.lines_for_summary]
    rows += amounts(order, bill, language)
    if order.requests:
        rows.append(text("requests_row", language, notes="; ".join(f'"{r}"' for r in order.requests)))
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


def amounts(order: Order, bill: InvoiceTotals | None, language: Language) -> list[str]:
    """Taxable value, each GST row, any round-off and the amount payable; the bare total when there is no bill.
    Sets ``order.payable`` to what is shown."""
    if bill is None:
        return [text("total", language, total=format_inr(order.total))]
    order.payable = bill.grand_total
    rows = [text("taxable", language, amount=format_inr(bill.taxable_value))]
    rows += [
        text(f"tax_{row.kind.lower()}", language, percent=format_percent(row.percent), amount=format_inr(row.amount))
        for row in bill.tax_rows
    ]
    if bill.round_off:
        rows.append(text("round_off", language, amount=format_inr(bill.round_off)))
    rows.append(text("payable", language, amount=format_inr(bill.grand_total)))
    return rows


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
    total = order.payable if order.payable is not None else order.total
    return plain(order.customer_phone, text(key, order.language, id=order.order_id, total=format_inr(total), **parts))


def _stop(language: Language) -> str:
    return text("full_stop", language)


def _button(choice: Choice, title: str) -> Button:
    return Button(id=choice.id, title=button_title(title))


def _row(choice: Choice, title: str, description: str = "") -> ListRow:
    return ListRow(id=choice.id, title=shorten(" ".join(title.split()), ROW_TITLE_MAX), description=description)


# --------------------------------------------------------------------------------------------------------------
# The bot's own questions, shop answers and nudges
# --------------------------------------------------------------------------------------------------------------


def term_name(name: str, kind: str, language: Language, vocabulary: Vocabulary) -> str:
    """A material or colour as the customer's language names it."""
    term = vocabulary.material(name) if kind == "material" else vocabulary.color(name)
    shown = term.display(language) if term else name
    return shown if language == "hi" else shown[:1].upper() + shown[1:]


def _partial_name(question: OpenQuestion, language: Language, vocabulary: Vocabulary) -> str:
    color = vocabulary.color(question.color) if question.color else None
    material = vocabulary.material(question.material) if question.material else None
    parts = [t.display(language) for t in (color, material) if t is not None]
    return " ".join(parts) or question.known


def pending_question(
    order: Order,
    question: OpenQuestion,
    choices: Sequence[tuple[str, str]],
    noted: Order | None,
    vocabulary: Vocabulary,
    carried: bool = False,
) -> OutboundMessage:
    """The bot's question about one slot, in the order's language; ``choices`` (answer, title) as buttons or a list.

    ``carried``: the question follows "we don't carry …", so it lists what the shop has instead of asking."""
    language = order.language
    rows: list[str] = []
    if noted is not None and noted.active_lines:
        rows.append(text("noted", language))
        rows += [_noted_line(line, language, vocabulary) for line in noted.active_lines]
    name = _partial_name(question, language, vocabulary)
    options = ", ".join(title if language == "hi" else title[:1].lower() + title[1:] for _, title in choices)
    if carried and question.color and not question.material:
        rows.append(
            text(
                "we_have_in_colour",
                language,
                c=_partial_name(OpenQuestion("color", "", color=question.color), language, vocabulary),
                options=options,
            )
        )
    elif carried and question.material and not question.color:
        rows.append(
            text(
                "we_have_of_material",
                language,
                m=_partial_name(OpenQuestion("material", "", material=question.material), language, vocabulary),
                options=options,
            )
        )
    elif carried:
        rows.append(text("we_have", language, options=options))
    elif question.slot == "quantity" and len(question.options) == 2 and question.options[1] == "":
        rows.append(text("ask_unit", language, n=format_meters(Decimal(question.options[0])), name=name))
    elif question.slot == "quantity" and len(question.options) == 2:
        low, high = (amount(Decimal(n), "m", language) for n in question.options)
        rows.append(text("ask_range", language, name=name, low=low, high=high))
    elif question.slot == "quantity":
        rows.append(text("ask_quantity", language, name=name))
        if question.asked >= 2:
            rows.append(text("ask_quantity_again", language))
    elif question.slot == "color":
        rows.append(text("ask_color", language, m=name))
    elif question.material is None and question.color is not None:
        rows.append(text("ask_material", language, c=name))
    else:
        q = question.known
        rows.append(text("ask_what", language, q=q))
    if choices and question.asked >= 2 and not carried and question.slot != "quantity":
        rows.append(text("ask_again", language))
    if noted is not None and noted.active_lines:
        rows.append(text("go_on", language))
    rows = [row if language == "hi" else row[:1].upper() + row[1:] for row in rows]
    body = "\n".join(rows)
    return _choices_message(order.customer_phone, body, [(Choice(ANSWER, value=v), t) for v, t in choices], language)


def _choices_message(to: str, body: str, choices: Sequence[tuple[Choice, str]], language: Language) -> OutboundMessage:
    if not choices:
        return plain(to, body)
    titles = [button_title(title) for _, title in choices]
    if len(choices) <= BUTTONS_MAX and len(set(titles)) == len(titles):
        return OutboundMessage(to=to, text=body, buttons=tuple(_button(c, t) for c, t in choices))
    rows = tuple(_row(c, t) for c, t in choices[:LIST_ROWS_MAX])
    return OutboundMessage(
        to=to,
        text=body,
        list_button=button_title(text("list_choose", language)),
        list_sections=(ListSection(rows=rows),),
    )


def did_you_mean(order: Order, name: str, short: str) -> OutboundMessage:
    """A near-miss spelling confirmed with a button, never silently corrected."""
    language = order.language
    choices = [
        (Choice(ANSWER, value="yes"), text("btn_yes_name", language, name=short)),
        (Choice(ANSWER, value="no"), text("btn_no", language)),
    ]
    return _choices_message(order.customer_phone, text("did_you_mean", language, name=name), choices, language)


def new_order_question(order: Order) -> OutboundMessage:
    language = order.language
    choices = [
        (Choice(ANSWER, value="yes"), text("btn_new_order", language)),
        (Choice(ANSWER, value="no"), text("btn_keep_order", language)),
    ]
    return _choices_message(order.customer_phone, text("new_order_ask", language, id=order.order_id), choices, language)


def rates(
    to: str,
    language: Language,
    material: str | None,
    color: str | None,
    kinds: Sequence[tuple[str, str, Decimal, Decimal, Decimal]],
    vocabulary: Vocabulary,
) -> OutboundMessage:
    """Rates from the batches in stock: one price per kind, or "from ₹A to ₹B per meter by lot"."""
    if material is None and color is None:
        names = sorted({term_name(m, "material", language, vocabulary) for m, _, _, _, _ in kinds})
        return plain(to, text("rate_which", language, options=", ".join(names)))
    if not kinds:
        asked = _asked_name(material, color, language, vocabulary)
        return plain(to, text("rate_none", language, name=asked))
    rows = [text("rate_header", language)]
    for m, c, low, high, stocked in kinds[:12]:
        name = cloth_name(m, c, language, vocabulary)
        left = amount(stocked, "m", language)
        if low == high:
            rows.append(text("rate_one", language, name=name, rate=format_inr(low), m=left))
        else:
            rows.append(text("rate_range", language, name=name, low=format_inr(low), high=format_inr(high), m=left))
    rows.append(text("order_hint", language, example=text("example", language)))
    return plain(to, "\n".join(rows))


def availability(
    to: str,
    language: Language,
    material: str | None,
    color: str | None,
    kinds: Sequence[tuple[str, str, Decimal]],
    vocabulary: Vocabulary,
) -> OutboundMessage:
    """What is in stock of a material or a colour: each kind with its meters."""
    asked = _asked_name(material, color, language, vocabulary) if (material or color) else text("everything", language)
    if not kinds:
        return plain(to, text("rate_none", language, name=asked))
    rows = [text("availability_header", language, name=asked)]
    for m, c, stocked in kinds[:15]:
        rows.append(
            text(
                "availability_row",
                language,
                name=cloth_name(m, c, language, vocabulary),
                m=amount(stocked, "m", language),
            )
        )
    rows.append(text("order_hint", language, example=text("example", language)))
    return plain(to, "\n".join(rows))


def _asked_name(material: str | None, color: str | None, language: Language, vocabulary: Vocabulary) -> str:
    if material and color:
        return cloth_name(material, color, language, vocabulary)
    if material:
        return term_name(material, "material", language, vocabulary)
    return term_name(color or "", "color", language, vocabulary)


def nudge(order: Order, key: str) -> OutboundMessage:
    return plain(order.customer_phone, text(key, order.language, id=order.order_id))


def confirm_buttons(order: Order, payable: Decimal) -> OutboundMessage:
    """The final summary's choices again, under one line: the amount payable and what Confirm does."""
    language = order.language
    body = text("payable", language, amount=format_inr(payable)) + "\n" + text("confirm_ask", language)
    buttons = (
        _button(Choice(CONFIRM), text("btn_confirm", language)),
        _button(Choice(EDIT), text("btn_edit", language)),
        _button(Choice(CANCEL_ORDER), text("btn_cancel_order", language)),
    )
    return OutboundMessage(
        to=order.customer_phone, text=f"{text('summary_short', language, id=order.order_id)}\n{body}", buttons=buttons
    )
