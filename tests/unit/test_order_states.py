"""The order as data: the transition table, the lines a summary shows, the total and the stored form."""

import json
import re
from decimal import Decimal

import pytest

from chalicelib.domain import order as order_module
from chalicelib.domain.order import (
    ACTIVE_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    IllegalTransition,
    ItemStatus,
    Order,
    OrderLine,
    OrderState,
    transition,
)
from chalicelib.domain.stock import LineRequest
from tests.unit.conversation_helpers import NOW, PHONE, shop_shelf

D = Decimal
S = OrderState


def an_order(state: OrderState = S.COLLECTING_ITEMS, lines: list[OrderLine] | None = None) -> Order:
    order = Order.new("ORD-1", PHONE, "Ravi", "en", NOW)
    order.state = state
    order.lines = lines or []
    order.renumber()
    return order


def accepted(line_id: str, material: str, color: str, asked: str, taken: str) -> OrderLine:
    """A line the customer accepted, allocated from the shop shelf at the quantity taken."""
    allocation = shop_shelf().allocate(LineRequest(material, color, D(taken)))
    return OrderLine(
        line_id,
        material,
        color,
        D(asked),
        status=ItemStatus.ACCEPTED,
        allocation=allocation,
        accepted_quantity=D(taken),
    )


def test_every_state_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(OrderState)
    assert ACTIVE_STATES | TERMINAL_STATES == set(OrderState)
    assert not ACTIVE_STATES & TERMINAL_STATES


def test_terminal_states_lead_nowhere():
    for state in TERMINAL_STATES:
        assert TRANSITIONS[state] == frozenset()


def test_the_module_docstring_quotes_the_transition_table():
    quoted: dict[str, set[str]] = {}
    current = None
    for row in order_module.__doc__.split("States and transitions")[1].split("Every order")[0].splitlines():
        if "->" in row:
            current, _, targets = row.partition("->")
            current = current.strip()
            quoted[current] = set()
        elif current is None or "(terminal" in row or not row.strip():
            continue
        else:
            targets = row
        quoted[current] |= set(re.findall(r"[A-Z][A-Z_]{3,}", targets.split("(")[0]))
    assert quoted == {state.value: {t.value for t in TRANSITIONS[state]} for state in ACTIVE_STATES}


def test_a_transition_in_the_table_changes_the_state():
    order = an_order(S.FINAL_CUSTOMER_CONFIRMATION)

    transition(order, S.WAITING_OWNER_CONFIRMATION)

    assert order.state is S.WAITING_OWNER_CONFIRMATION


@pytest.mark.parametrize(
    "start, wanted",
    [
        (S.WAITING_OWNER_CONFIRMATION, S.CANCELLED),
        (S.WAITING_OWNER_CONFIRMATION, S.EXPIRED),
        (S.CUSTOMER_NEGOTIATION, S.WAITING_OWNER_CONFIRMATION),
        (S.ORDER_COMPLETED, S.ORDER_REJECTED),
        (S.CANCELLED, S.CUSTOMER_NEGOTIATION),
        (S.FINAL_CUSTOMER_CONFIRMATION, S.FINAL_CUSTOMER_CONFIRMATION),
    ],
)
def test_a_transition_outside_the_table_is_refused_and_changes_nothing(start, wanted):
    order = an_order(start)

    with pytest.raises(IllegalTransition) as refused:
        transition(order, wanted)

    assert order.state is start
    assert (refused.value.current, refused.value.wanted) == (start, wanted)


def test_the_summary_shows_only_accepted_lines_with_something_to_give():
    lines = [
        accepted("L1", "cotton", "blue", "20", "20"),
        OrderLine("L2", "polyester", "red", D("6"), status=ItemStatus.CANCELLED),
        OrderLine("L3", "polyester", "red", D("6"), status=ItemStatus.REPLACED, replaced_by="L4"),
        accepted("L4", "polyester", "blue", "6", "6"),
        OrderLine("L5", "silk", "green", D("40")),
    ]
    order = an_order(S.CUSTOMER_NEGOTIATION, lines)

    assert [line.line_id for line in order.lines_for_summary] == ["L1", "L4"]
    assert [line.line_id for line in order.active_lines] == ["L1", "L4", "L5"]


def test_the_total_prices_the_accepted_quantities_to_the_paise():
    order = an_order(
        S.FINAL_CUSTOMER_CONFIRMATION,
        [accepted("L1", "cotton", "blue", "20.5", "20.5"), accepted("L2", "polyester", "red", "6", "4")],
    )

    assert order.total == D("2820.00")  # 20.5 m x 120 + 4 m x 90


def test_lines_are_numbered_over_the_lines_still_shown():
    order = an_order(
        S.CUSTOMER_NEGOTIATION,
        [
            OrderLine("L1", "cotton", "blue", D("20")),
            OrderLine("L2", "polyester", "red", D("6"), status=ItemStatus.CANCELLED),
            OrderLine("L3", "silk", "green", D("5")),
        ],
    )

    assert [(line.line_id, line.number) for line in order.lines] == [("L1", 1), ("L2", 0), ("L3", 2)]
    assert order.numbered(2).line_id == "L3"


def test_the_interpreter_is_told_the_state_and_the_lines_the_customer_sees():
    order = an_order(
        S.FINAL_CUSTOMER_CONFIRMATION,
        [
            accepted("L1", "polyester", "red", "6", "4"),
            OrderLine("L2", "silk", "green", D("5"), status=ItemStatus.CANCELLED),
        ],
    )

    context = order.context()

    assert context.state == "confirming"
    assert [(line.number, line.color, line.material, line.quantity) for line in context.lines] == [
        (1, "red", "polyester", D("4"))
    ]


def test_a_finished_order_is_no_context_so_the_next_message_starts_afresh():
    order = an_order(S.CANCELLED, [OrderLine("L1", "cotton", "blue", D("20"))])

    assert order.context().state == "none"
    assert order.context().lines == ()


def test_an_order_survives_its_stored_form_as_json():
    shelf = shop_shelf()
    open_line = OrderLine("L2", "polyester", "red", D("6"))
    open_line.allocation = shelf.allocate(open_line.request())
    open_line.alternatives = shelf.alternatives(open_line.request())
    order = an_order(S.CUSTOMER_NEGOTIATION, [accepted("L1", "cotton", "blue", "60", "60"), open_line])
    order.negotiation_rounds = 2

    stored = json.loads(json.dumps(order.to_dict()))

    assert Order.from_dict(stored) == order
    assert stored["lines"][0]["quantity"] == "60"
