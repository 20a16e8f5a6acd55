"""Conversations with the engine, message by message: what the customer writes or taps, what the order becomes."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.conversation import (
    AskedQuestion,
    HandOver,
    OrderClosed,
    TextEvent,
    expire,
    owner_decided,
    reservation_failed,
    step,
)
from chalicelib.domain.interpretation import Intent, Interpretation
from chalicelib.domain.interpreter import interpret
from chalicelib.domain.order import TRANSITIONS, IllegalTransition, ItemStatus, OrderState
from chalicelib.domain.stock import InventoryStatus
from tests.unit.conftest import build_batch
from tests.unit.conversation_helpers import NOW, PHONE, VOCABULARY, Customer, Shelf, shop_shelf

D = Decimal
S = OrderState


def without_memory(stored: dict) -> dict:
    """The order without the last block the customer was sent (dialogue memory, not the order's content)."""
    return {key: value for key, value in stored.items() if key != "last_reply"}


def customer(shelf: Shelf | None = None, **kwargs) -> Customer:
    return Customer(shelf or shop_shelf(), **kwargs)


def shown(c: Customer) -> list[tuple[str, str, Decimal, ItemStatus]]:
    return [(line.color, line.material, line.quantity, line.status) for line in c.order.active_lines]


def in_summary(c: Customer) -> list[tuple[str, str, Decimal]]:
    return [(line.color, line.material, line.accepted_quantity) for line in c.order.lines_for_summary]


def at_confirmation(text: str = "20m blue cotton") -> Customer:
    c = customer()
    c.says(text)
    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    return c


def with_owner() -> Customer:
    c = at_confirmation()
    c.says("confirm")
    assert c.order.state is S.WAITING_OWNER_CONFIRMATION
    return c


# --- Every item is settled before the final confirmation ---------------------------------------------------------


def test_a_fully_available_order_still_waits_for_the_customers_confirmation():
    c = customer()

    c.says("20m blue cotton")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert c.choices == ["confirm", "edit", "cancel_order"]
    assert not [effect for effect in c.last.effects if isinstance(effect, HandOver)]


def test_confirming_hands_the_order_to_the_owner():
    c = at_confirmation()

    c.says("confirm")

    assert c.order.state is S.WAITING_OWNER_CONFIRMATION
    assert c.last.effects == [HandOver("ORD-1")]
    assert "sent to the shop owner for approval" in c.read


def test_a_short_line_holds_the_order_in_negotiation_until_the_customer_decides():
    c = customer()

    c.says("20m blue cotton aur 6m red polyester")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert "Laal polyester: 6 meter mein se sirf 4 meter available hai" in c.read
    assert c.choices == ["accept:L2", "alt:L2", "cancel:L2"]


def test_an_out_of_stock_line_cannot_be_taken_and_must_be_replaced_or_removed():
    shelf = shop_shelf()
    shelf.empty("polyester", "red")
    c = customer(shelf)
    c.says("20m blue cotton, 6m red polyester")
    assert c.choices == ["pick:L2:polyester:blue", "pick:L2:cotton:red", "cancel:L2"]

    c.says("ok")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert "Red polyester is out of stock, so there is nothing to take." in c.read
    assert c.order.line("L2").status is ItemStatus.NEGOTIATING


def test_taking_what_is_available_puts_the_shorter_line_in_the_summary():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")

    c.taps("accept:L2")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert in_summary(c) == [("blue", "cotton", D("20")), ("red", "polyester", D("4"))]
    assert "4 meter (6 meter maanga tha)" in c.read


def test_partial_acceptance_across_several_items_in_one_word():
    shelf = Shelf(
        [
            build_batch("blue", material="cotton", color="blue", loose="15", price="120"),
            build_batch("red", material="polyester", color="red", loose="4", price="90"),
            build_batch("green", material="silk", color="green", rolls=1, meters_per_roll="30", price="300"),
        ]
    )
    c = customer(shelf)
    c.says("20m blue cotton, 6m red polyester and 10m green silk")
    assert [line.availability for line in c.order.active_lines] == [
        InventoryStatus.PARTIAL_AVAILABLE,
        InventoryStatus.PARTIAL_AVAILABLE,
        InventoryStatus.FULL_AVAILABLE,
    ]

    c.says("ok")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert in_summary(c) == [("blue", "cotton", D("15")), ("red", "polyester", D("4")), ("green", "silk", D("10"))]
    assert c.order.total == D("5160.00")  # 15 x 120 + 4 x 90 + 10 x 300


def test_partial_acceptance_one_item_at_a_time():
    shelf = Shelf(
        [
            build_batch("blue", material="cotton", color="blue", loose="15", price="120"),
            build_batch("red", material="polyester", color="red", loose="4", price="90"),
        ]
    )
    c = customer(shelf)
    c.says("20m blue cotton, 6m red polyester")

    c.says("1 ok")
    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert c.choices == ["accept:L2", "cancel:L2"]
    c.taps("accept:L2")

    assert in_summary(c) == [("blue", "cotton", D("15")), ("red", "polyester", D("4"))]


def test_one_message_accepts_one_item_and_cancels_another():
    shelf = Shelf(
        [
            build_batch("blue", material="cotton", color="blue", loose="15", price="120"),
            build_batch("red", material="polyester", color="red", loose="4", price="90"),
        ]
    )
    c = customer(shelf)
    c.says("20m blue cotton aur 6m red polyester")

    c.says("blue le lo red cancel")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert in_summary(c) == [("blue", "cotton", D("15"))]
    assert c.order.line("L2").status is ItemStatus.CANCELLED


# --- The final summary -----------------------------------------------------------------------------------------


def test_the_summary_leaves_out_cancelled_items_and_prices_each_line_and_the_total():
    c = customer()
    c.says("60m blue cotton aur 6m red polyester")

    c.says("red cancel")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert "polyester" not in c.read
    assert "Neela suti — 60 meter: 1 than + 20 meter cut piece" in c.read
    assert "60 meter × ₹120.00 = ₹7,200.00" in c.read
    assert "Taxable value: ₹7,200.00\nCGST 2.5%: ₹180.00\nSGST 2.5%: ₹180.00\nKul dena hai: ₹7,560.00" in c.read


def test_a_line_from_two_dye_lots_carries_a_shade_note_in_the_summary():
    shelf = Shelf(
        [
            build_batch("old", material="cotton", color="blue", dye_lot="DL-1", rolls=1, price="120"),
            build_batch(
                "new", material="cotton", color="blue", dye_lot="DL-2", rolls=1, price="125", received_on="2025-02-01"
            ),
        ]
    )
    c = customer(shelf)

    c.says("70m blue cotton")

    assert "Blue cotton — 70 m: 1 roll + 30 m cut" in c.read
    assert "70 m = ₹8,550.00" in c.read  # 40 x 120 + 30 x 125: two rates, so only the amount
    assert "from 2 dye lots: the shade may differ slightly" in c.read


def test_no_out_of_stock_ghost_line_reaches_the_summary():
    shelf = shop_shelf()
    shelf.empty("polyester", "red")
    c = customer(shelf)
    c.says("20m blue cotton aur 6m red polyester")

    c.taps("cancel:L2")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert [line.line_id for line in c.order.lines_for_summary] == ["L1"]
    assert "polyester" not in c.read.lower()


# --- Changes at the final confirmation ---------------------------------------------------------------------------


def test_an_edit_at_confirmation_rechecks_stock_and_can_return_to_negotiation():
    c = at_confirmation()

    c.says("1 ko 100m kar do")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert "Neela suti: 100 meter mein se sirf 80 meter available hai" in c.read


def test_an_edit_at_confirmation_that_stock_covers_shows_a_new_summary():
    c = at_confirmation()

    c.says("change 1 to 60m")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert "Blue cotton — 60 m: 1 roll + 20 m cut" in c.read
    assert "Amount payable: ₹7,560.00" in c.read


def test_a_chain_of_edits_follows_the_stock_each_time():
    c = customer()
    c.says("20m blue cotton")

    c.says("1 ko 100m kar do")
    assert c.order.state is S.CUSTOMER_NEGOTIATION
    c.says("1 ko 90m kar do")
    assert c.order.state is S.CUSTOMER_NEGOTIATION
    c.says("1 ko 40m kar do")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert shown(c) == [("blue", "cotton", D("40"), ItemStatus.ACCEPTED)]
    assert "40 meter = 1 than (40 meter)" in c.read


def test_an_item_added_at_confirmation_is_checked_and_kept_when_in_stock():
    c = at_confirmation()

    c.says("add 10m green silk")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert in_summary(c) == [("blue", "cotton", D("20")), ("green", "silk", D("10"))]


def test_an_item_added_at_confirmation_that_is_short_returns_to_negotiation():
    c = at_confirmation()

    c.says("50 meter hara resham bhi")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert c.choices[0] == "accept:L2"


def test_adding_a_cloth_already_ordered_adds_to_its_line():
    c = at_confirmation()

    c.says("add 10m blue cotton")

    assert shown(c) == [("blue", "cotton", D("30"), ItemStatus.ACCEPTED)]


def test_edit_button_explains_how_to_change_the_order():
    c = at_confirmation("20m blue cotton, 10m green silk")

    c.taps("edit")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert "change 1 to 30m" in c.read
    assert c.choices == ["cancel:L1", "cancel:L2"]


def test_a_yes_at_the_summary_confirms():
    c = at_confirmation("20 मीटर नीला सूती")

    c.says("हाँ")

    assert c.order.state is S.WAITING_OWNER_CONFIRMATION
    assert "दुकान मालिक को मंज़ूरी के लिए भेज दिया है" in c.read


# --- Cancelling -----------------------------------------------------------------------------------------------


def test_cancelling_every_item_ends_the_order():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")

    c.says("red aur blue cancel")

    assert c.order.state is S.CANCELLED
    assert c.last.effects == [OrderClosed("ORD-1", S.CANCELLED)]
    assert "Saare items hat gaye, isliye order ORD-1 cancel ho gaya." in c.read


@pytest.mark.parametrize("words", ["cancel", "sab cancel", "cancel order", "रद्द"])
def test_cancelling_the_whole_order_in_one_message(words):
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")

    c.says(words)

    assert c.order.state is S.CANCELLED
    assert c.last.effects == [OrderClosed("ORD-1", S.CANCELLED)]


@pytest.mark.parametrize("setup", ["collecting", "negotiating", "confirming"])
def test_cancel_works_in_every_state_before_the_owner(setup):
    c = customer()
    c.says(
        {
            "collecting": "20m blue cotton, red polyester",
            "negotiating": "6m red polyester",
            "confirming": "5m green silk",
        }[setup]
    )

    c.says("cancel")

    assert c.order.state is S.CANCELLED


# --- Alternatives and replacements ---------------------------------------------------------------------------


def test_asking_for_options_shows_alternatives_with_prices():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")

    c.says("2 ka option dikhao")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert "Neela polyester: ₹85.00/meter, 6 meter = ₹510.00" in c.read
    assert c.choices == ["pick:L2:polyester:blue", "pick:L2:cotton:red", "cancel:L2"]


def test_choosing_an_alternative_replaces_the_line_where_it_was():
    c = customer()
    c.says("6m red polyester, 20m blue cotton")

    c.taps("pick:L1:polyester:blue")

    first = c.order.line("L1")
    assert (first.status, first.replaced_by) == (ItemStatus.REPLACED, "L3")
    assert [line.line_id for line in c.order.active_lines] == ["L3", "L2"]
    assert c.line(1).line_id == "L3"
    assert "Red polyester replaced with Blue polyester." in c.read


def test_replace_replace_replace_keeps_one_line_and_the_chain():
    shelf = shop_shelf()
    shelf.empty("polyester", "red")
    c = customer(shelf)
    c.says("6m red polyester")

    c.taps("pick:L1:polyester:blue")
    c.taps("alt:L2")
    c.taps("pick:L2:cotton:blue")
    c.taps("alt:L3")
    c.taps("pick:L3:cotton:red")

    assert [(line.line_id, line.status, line.replaced_by) for line in c.order.lines] == [
        ("L1", ItemStatus.REPLACED, "L2"),
        ("L2", ItemStatus.REPLACED, "L3"),
        ("L3", ItemStatus.REPLACED, "L4"),
        ("L4", ItemStatus.ACCEPTED, None),
    ]
    assert shown(c) == [("red", "cotton", D("6"), ItemStatus.ACCEPTED)]
    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION


def test_tapping_the_same_alternative_twice_adds_one_line():
    c = customer()
    c.says("6m red polyester")

    c.taps("pick:L1:polyester:blue")
    c.taps("pick:L1:polyester:blue")

    assert len(c.order.lines) == 2
    assert shown(c) == [("blue", "polyester", D("6"), ItemStatus.ACCEPTED)]
    assert "That choice is no longer open" in c.read


def test_choosing_a_cloth_already_on_the_order_adds_to_that_line():
    shelf = shop_shelf()
    shelf.empty("polyester", "red")
    c = customer(shelf)
    c.says("6m red polyester, 10m blue polyester")

    c.taps("pick:L1:polyester:blue")

    assert shown(c) == [("blue", "polyester", D("16"), ItemStatus.ACCEPTED)]
    assert c.order.line("L1").replaced_by == "L2"


def test_writing_an_offered_alternative_replaces_the_short_line():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")

    c.says("6m blue polyester")

    assert c.order.line("L2").status is ItemStatus.REPLACED
    assert shown(c) == [
        ("blue", "cotton", D("20"), ItemStatus.ACCEPTED),
        ("blue", "polyester", D("6"), ItemStatus.ACCEPTED),
    ]


# --- Bounded negotiation --------------------------------------------------------------------------------------


def going_round_in_circles(max_rounds: int = 3) -> Customer:
    c = customer(max_rounds=max_rounds)
    c.says("20m blue cotton aur 6m red polyester")
    for quantity in ("5", "5.5", "4.5"):
        c.says(f"red {quantity}m kar do")
    return c


def test_after_max_rounds_the_customer_gets_one_clear_choice():
    c = going_round_in_circles()

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert c.order.negotiation_rounds == 3
    assert c.choices == ["take_available", "cancel_order"]
    assert "Jo available hai wo le lein (Neela suti 20 meter, Laal polyester 4 meter)" in c.read


def test_rounds_that_settle_a_line_do_not_count():
    c = customer(max_rounds=1)
    c.says("20m blue cotton, 6m red polyester, 50m green silk")

    c.taps("accept:L2")

    assert c.order.negotiation_rounds == 0
    assert c.choices == ["accept:L3", "cancel:L3"]


def test_taking_what_is_available_after_the_bound_settles_every_line():
    c = going_round_in_circles()

    c.taps("take_available")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert in_summary(c) == [("blue", "cotton", D("20")), ("red", "polyester", D("4"))]


def test_taking_what_is_available_drops_what_is_out_of_stock():
    shelf = shop_shelf()
    shelf.empty("polyester", "red")
    c = customer(shelf, max_rounds=0)
    c.says("20m blue cotton aur 6m red polyester")
    assert c.choices == ["take_available", "cancel_order"]

    c.taps("take_available")

    assert in_summary(c) == [("blue", "cotton", D("20"))]
    assert c.order.line("L2").status is ItemStatus.CANCELLED


def test_cancelling_at_the_bound_ends_the_order():
    c = going_round_in_circles()

    c.taps("cancel_order")

    assert c.order.state is S.CANCELLED


# --- Commands in any state ---------------------------------------------------------------------------------------


def test_new_order_cancels_the_open_one_says_so_and_starts_again():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")

    c.says("new order 5m green silk")
    assert c.order.state is S.CUSTOMER_NEGOTIATION and c.choices == ["ans:yes", "ans:no"]  # asked first
    assert "You have an open order ORD-1. Cancel it and start a new one?" in c.read

    c.taps("ans:yes")

    assert c.last.closed.order_id == "ORD-1"
    assert c.last.closed.state is S.CANCELLED
    assert (c.order.order_id, c.order.state) == ("ORD-2", S.FINAL_CUSTOMER_CONFIRMATION)
    assert OrderClosed("ORD-1", S.CANCELLED) in c.last.effects
    assert "Your previous order ORD-1 is cancelled." in c.read


def test_new_order_without_items_cancels_and_asks_for_the_new_one():
    c = customer()
    c.says("20m blue cotton")

    c.says("naya order")
    c.says("haan")

    assert (c.order.order_id, c.order.state) == ("ORD-1", S.CANCELLED)
    assert c.last.closed is None
    assert "Naya order bhejiye" in c.read


def test_a_new_order_starts_beside_the_one_the_owner_is_deciding():
    c = with_owner()

    c.says("new order 5m green silk")

    assert (c.order.order_id, c.order.state) == ("ORD-2", S.FINAL_CUSTOMER_CONFIRMATION)
    assert c.last.closed is None  # the waiting order is untouched
    assert [(o.order_id, o.state) for o in c.others] == [("ORD-1", S.WAITING_OWNER_CONFIRMATION)]
    assert "Order ORD-1 is still with the shop owner; this is a new order." in c.read


def test_a_customer_never_has_two_active_orders():
    c = customer()
    for text in (
        "20m blue cotton",
        "new order 6m red polyester",
        "yes",
        "5m green silk",
        "naya order 2m blue cotton",
        "ok",
    ):
        c.says(text)
        active = [order for order in (c.order, c.last.closed) if order is not None and order.is_active]
        assert len(active) <= 1
    assert c.order.order_id == "ORD-3"


@pytest.mark.parametrize("setup", ["none", "negotiating", "confirming", "owner"])
def test_status_and_help_answer_in_any_state(setup):
    c = customer()
    if setup != "none":
        c.says("6m red polyester" if setup == "negotiating" else "20m blue cotton")
    if setup == "owner":
        c.says("confirm")
    state = c.order.state if c.order else None

    c.says("status")
    status = c.read
    c.says("help")

    assert (c.order.state if c.order else None) == state
    assert status
    assert "status – where your order is" in c.read


def test_status_changes_nothing_to_save():
    c = customer()
    c.says("6m red polyester")

    c.says("status")

    assert not c.last.changed
    assert c.choices == ["accept:L1", "alt:L1", "cancel:L1"]


def test_status_with_the_owner_says_it_waits_for_approval():
    c = with_owner()

    c.says("status")

    assert "is with the shop owner for approval" in c.read


# --- The owner has it ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["1 ko 30m kar do", "1 cancel", "ok"])
def test_an_order_with_the_owner_cannot_be_changed(words):
    c = with_owner()
    before = c.order.to_dict()

    c.says(words)

    assert (c.order.to_dict()["state"], c.order.to_dict()["lines"]) == (before["state"], before["lines"])
    assert "cannot be changed now" in c.read or "badla nahi ja sakta" in c.read


def test_an_item_written_while_the_owner_decides_starts_a_second_order_beside_the_waiting_one():
    c = with_owner()
    waiting = c.order.to_dict()

    c.says("add 10m green silk")

    assert c.order.order_id == "ORD-2" and [line.material for line in c.order.active_lines] == ["silk"]
    assert [o.to_dict() for o in c.others] == [waiting]  # untouched: only the owner decides it now
    assert "Order ORD-1 is still with the shop owner; this is a new order." in c.read


def test_cancel_with_the_owner_is_refused_politely():
    c = with_owner()

    c.says("cancel")

    assert c.order.state is S.WAITING_OWNER_CONFIRMATION
    assert "the owner decides now" in c.read


def test_taps_with_the_owner_change_nothing():
    c = with_owner()

    c.taps("cancel_order")
    refused = c.read
    c.taps("cancel:L1")

    assert c.order.state is S.WAITING_OWNER_CONFIRMATION
    assert "the owner decides now" in refused
    assert "cannot be changed now" in c.read


# --- Greetings, questions, what cannot be read ------------------------------------------------------------------


def test_a_greeting_without_an_order_gets_a_welcome_with_an_example():
    c = customer()

    c.says("namaste")

    assert c.order is None
    assert "20 meter neela suti aur 6 meter laal polyester" in c.read


def test_a_greeting_with_an_open_order_shows_it():
    c = customer()
    c.says("20m blue cotton")

    c.says("hello")

    assert "Here is your order ORD-1" in c.read
    assert c.choices == ["confirm", "edit", "cancel_order"]


def test_the_interpreters_question_is_relayed_and_nothing_is_guessed():
    c = customer()

    c.says("blue cotton")

    assert c.order.state is S.COLLECTING_ITEMS and c.order.active_lines == []
    assert c.read == "How many meters of blue cotton?"
    assert c.last.effects == [AskedQuestion("ORD-1", ("blue cotton",))]


def test_a_question_during_negotiation_changes_nothing():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")
    before = c.order.to_dict()

    c.says("red 5 kar do")

    assert without_memory(c.order.to_dict()) == without_memory(before)
    assert c.read == "5 meter ya 5 than?"


def test_items_read_for_sure_wait_in_collecting_until_the_question_is_answered():
    c = customer()

    c.says("20m blue cotton aur red polyester")
    assert c.order.state is S.COLLECTING_ITEMS
    assert "1. Neela suti — 20 meter" in c.read
    assert "Laal polyester kitne meter chahiye?" in c.read
    c.says("6m red polyester")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert [line.kind for line in c.order.active_lines] == [("cotton", "blue", "m"), ("polyester", "red", "m")]


def test_ok_goes_on_with_the_items_collected_so_far():
    c = customer()
    c.says("20m blue cotton aur red polyester")

    c.says("ok")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert in_summary(c) == [("blue", "cotton", D("20"))]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("asdf qwer", "Sorry, I did not understand that. Please write your order like:\n20m blue cotton"),
        ("kuch samjha nahi", "Maaf kijiye, samajh nahi aaya. Aise likhiye:\n20 meter neela suti"),
        ("कुछ समझ नहीं", "माफ़ कीजिए, समझ नहीं आया। ऐसे लिखिए:\n20 मीटर नीला सूती"),
    ],
)
def test_an_unknown_message_gets_a_polite_reply_with_an_example_in_its_language(text, expected):
    c = customer()

    c.says(text)

    assert c.read.startswith(expected)


@pytest.mark.parametrize(
    "message_type", ["image", "audio", "voice", "video", "document", "location", "sticker", "reaction", "contacts"]
)
def test_unsupported_message_types_get_a_polite_answer(message_type):
    c = customer()

    c.sends(message_type, language_hint="hi")

    assert "हम सिर्फ़ लिखा हुआ ऑर्डर पढ़ सकते हैं" in c.read
    assert c.order is None


def test_an_unsupported_message_during_an_order_answers_in_the_orders_language():
    c = customer()
    c.says("20 मीटर नीला सूती")

    c.sends("audio", language_hint="en")

    assert "वॉइस नोट" in c.read
    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION


def test_a_line_below_the_minimum_cut_is_asked_again_not_rounded_up():
    c = customer()

    c.says("0.3m green silk")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert "we cut at least 0.5 m; 0.3 m is too little" in c.read
    assert c.choices == ["cancel:L1"]


def test_part_of_a_roll_is_not_noted():
    c = customer()

    c.says("2.5 than blue cotton")

    assert c.order is None
    assert "than poore hi milte hain" in c.read


# --- Stale taps ---------------------------------------------------------------------------------------------------


def test_a_tap_on_a_line_that_is_gone_shows_the_current_order():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")
    c.says("red cancel")

    c.taps("accept:L2")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert "Ye option ab khula nahi hai" in c.read
    assert c.choices == ["confirm", "edit", "cancel_order"]


@pytest.mark.parametrize("button_id", ["confirm", "edit", "pick:L1:silk:green", "nonsense", "accept:L9"])
def test_a_tap_that_no_longer_fits_the_state_is_stale(button_id):
    c = customer()
    c.says("6m red polyester")
    before = c.order.to_dict()

    c.taps(button_id)

    assert without_memory(c.order.to_dict()) == without_memory(before)
    assert "That choice is no longer open" in c.read


def test_a_tap_without_an_order_is_stale():
    c = customer()

    c.taps("confirm", language_hint="hinglish")

    assert c.order is None
    assert "Ye option ab khula nahi hai." in c.read


# --- Stock that moves -----------------------------------------------------------------------------------------------


def test_confirm_rechecks_stock_and_negotiates_again_if_it_moved():
    shelf = shop_shelf()
    c = customer(shelf)
    c.says("20m blue cotton, 10m green silk")
    shelf.empty("silk", "green")

    c.says("confirm")

    assert c.order.state is S.CUSTOMER_NEGOTIATION
    assert "Sorry, the stock has just changed:\n2. Green silk (10 m): out of stock" in c.read
    assert not any(isinstance(effect, HandOver) for effect in c.last.effects)


def test_confirm_with_new_prices_shows_the_new_summary_instead_of_handing_over():
    shelf = shop_shelf()
    c = customer(shelf)
    c.says("20m blue cotton")
    shelf.batches = [build_batch("dearer", material="cotton", color="blue", rolls=2, price="130")]

    c.says("confirm")

    assert c.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert c.last.effects == []
    assert c.read.startswith("The prices changed since your last summary; please check again.")
    assert "Amount payable: ₹2,730.00" in c.read


def test_reservation_failed_tells_which_line_changed_and_returns_to_negotiation():
    shelf = shop_shelf()
    c = customer(shelf)
    c.says("20m blue cotton, 10m green silk")
    c.says("confirm")
    shelf.empty("silk", "green")

    result = reservation_failed(c.order, ["L2"], shelf, NOW, VOCABULARY)

    assert result.order.state is S.CUSTOMER_NEGOTIATION
    assert "the stock has just changed" in result.replies[0].text
    assert "Green silk (10 m): out of stock" in result.replies[0].text
    assert c.order.state is S.WAITING_OWNER_CONFIRMATION  # the order passed in is not touched


def test_reservation_failed_with_stock_still_there_asks_to_confirm_again():
    shelf = shop_shelf()
    c = customer(shelf)
    c.says("20m blue cotton")
    c.says("confirm")
    shelf.batches.append(build_batch("blue cotton new", material="cotton", color="blue", dye_lot="DL-9", rolls=1))

    result = reservation_failed(c.order, ["L1"], shelf, NOW, VOCABULARY)

    assert result.order.state is S.FINAL_CUSTOMER_CONFIRMATION
    assert [button.id for button in result.replies[-1].buttons] == ["confirm", "edit", "cancel_order"]


# --- Expiry and the owner's decision ---------------------------------------------------------------------------


def test_an_open_order_expires_with_a_short_message():
    c = customer()
    c.says("6m red polyester")

    result = expire(c.order, NOW)

    assert result.order.state is S.EXPIRED
    assert result.effects == [OrderClosed("ORD-1", S.EXPIRED)]
    assert "has expired" in result.replies[0].text


def test_an_order_with_the_owner_does_not_expire():
    c = with_owner()

    result = expire(c.order, NOW)

    assert result.order.state is S.WAITING_OWNER_CONFIRMATION
    assert (result.replies, result.changed) == ([], False)


def test_the_owners_approval_completes_the_order():
    c = with_owner()

    result = owner_decided(c.order, approved=True, reason=None)

    assert result.order.state is S.ORDER_COMPLETED
    assert result.effects == [OrderClosed("ORD-1", S.ORDER_COMPLETED)]
    assert "approved order ORD-1 (total ₹2,520.00)" in result.replies[0].text


def test_the_owners_rejection_gives_the_customer_the_reason():
    c = with_owner()

    result = owner_decided(c.order, approved=False, reason="rate changed")

    assert result.order.state is S.ORDER_REJECTED
    assert result.replies[0].text.endswith("Reason: rate changed")


def test_the_owner_cannot_decide_twice():
    c = with_owner()
    decided = owner_decided(c.order, approved=True, reason=None).order

    with pytest.raises(IllegalTransition):
        owner_decided(decided, approved=False, reason="late")


# --- The engine is a pure function ---------------------------------------------------------------------------------


def test_step_never_changes_the_order_it_is_given():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")
    given = c.order
    before = given.to_dict()

    c.says("red cancel")

    assert given.to_dict() == before
    assert c.order is not given


def test_a_new_order_takes_the_id_the_service_gives():
    event = TextEvent(PHONE, None, interpret("20m blue cotton", VOCABULARY))

    result = step(None, event, shop_shelf(), VOCABULARY, NOW, lambda: "ORD-42")

    assert result.order.order_id == "ORD-42"
    assert result.changed


def test_an_interpretation_from_another_reader_is_acted_on_the_same_way():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")
    llm_reading = Interpretation.model_validate(
        {
            "intent": Intent.DECISIONS,
            "decisions": [{"kind": "CANCEL_ITEM", "target": "red polyester"}],
            "language": "en",
            "certain": True,
        }
    )

    c.sends_reading(llm_reading)

    assert c.order.line("L2").status is ItemStatus.CANCELLED


@pytest.mark.parametrize("target", ["item 1", "blue", "cotton"])
def test_another_readers_targets_may_be_words(target):
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")
    reading = Interpretation(intent=Intent.DECISIONS, decisions=[{"kind": "CANCEL_ITEM", "target": target}])

    c.sends_reading(reading)

    assert [line.line_id for line in c.order.active_lines] == ["L2"]


def test_a_target_that_names_no_single_line_is_asked_about_and_changes_nothing():
    c = customer()
    c.says("20m blue cotton aur 6m red polyester")
    before = c.order.to_dict()
    reading = Interpretation(intent=Intent.DECISIONS, decisions=[{"kind": "CANCEL_ITEM", "target": "silk"}])

    c.sends_reading(reading)

    assert c.order.to_dict()["lines"] == before["lines"]
    assert c.read.startswith("Kaunsa item? 1. Neela suti, 2. Laal polyester")


# --- Property: whatever the customer does ------------------------------------------------------------------------

_OPENING = [
    "20m blue cotton aur 6m red polyester",
    "6m red polyester, 50m green silk",
    "100m blue cotton",
    "0.3m green silk",
]
_TEXTS = [
    "ok",
    "confirm",
    "1 cancel",
    "2 cancel",
    "red cancel",
    "2 ka option dikhao",
    "1 ko 30m kar do",
    "2 ko 3m kar do",
    "add 10m green silk",
    "6m blue polyester",
    "jitna hai de do",
    "status",
    "help",
    "naya order 5m red cotton",
    "cancel",
    "blue le lo red cancel",
    "hmm",
]
_FIXED_TAPS = [
    "confirm",
    "edit",
    "cancel_order",
    "take_available",
    "accept:L1",
    "cancel:L2",
    "alt:L1",
    "pick:L2:polyester:blue",
]
_action = st.one_of(
    st.tuples(st.just("say"), st.sampled_from(_TEXTS)),
    st.tuples(st.just("tap"), st.sampled_from(_FIXED_TAPS)),
    st.tuples(st.just("offered"), st.integers(min_value=0, max_value=9)),
)


@settings(deadline=None)
@given(opening=st.sampled_from(_OPENING), actions=st.lists(_action, max_size=10), empties=st.booleans())
def test_whatever_the_customer_does_the_order_stays_sound(opening, actions, empties):
    shelf = shop_shelf()
    if empties:
        shelf.empty("polyester", "red")
    c = customer(shelf, max_rounds=2)
    c.says(opening)
    for kind, value in actions:
        before = c.order.state if c.order is not None and c.order.is_active else None
        if before is None:  # a finished order: the customer starts again, so the walk keeps exploring
            c.says(opening)
        elif kind == "say":
            c.says(value)
        elif kind == "tap":
            c.taps(value)
        elif c.choices:
            c.taps(c.choices[value % len(c.choices)])
        else:
            continue
        _assert_sound(c, before)


def _assert_sound(c: Customer, before: OrderState | None) -> None:
    order = c.order
    if order is None:
        return
    if c.last.closed is not None:
        assert c.last.closed.state is S.CANCELLED and S.CANCELLED in TRANSITIONS[before]
    started_here = before is None or (c.last.closed is not None and order.order_id != c.last.closed.order_id)
    start = S.COLLECTING_ITEMS if started_here else before
    assert order.state is start or order.state in TRANSITIONS[start], (start, order.state)
    kinds = [line.kind for line in order.active_lines]
    assert len(kinds) == len(set(kinds)), "two shown lines of the same cloth"
    for line in order.lines_for_summary:
        assert line.allocation.status is InventoryStatus.FULL_AVAILABLE
        assert line.allocation.requested_quantity == line.accepted_quantity
    for line in order.lines:
        if line.status is ItemStatus.REPLACED:
            assert order.line(line.replaced_by) is not None
    if order.state in (S.FINAL_CUSTOMER_CONFIRMATION, S.WAITING_OWNER_CONFIRMATION):
        assert not order.unresolved_lines
        assert order.lines_for_summary
    if any(isinstance(effect, HandOver) for effect in c.last.effects):
        assert order.state is S.WAITING_OWNER_CONFIRMATION
    assert [line.number for line in order.active_lines] == list(range(1, len(order.active_lines) + 1))
