"""Whole conversations on the running stack: a customer's webhook in, the WhatsApp replies out, the order in DynamoDB.

Each test plays what a customer would write and tap, and checks what they would notice: where the order stands, the
lines and prices of the summary, the buttons offered, and the language and script of the answer. Only orders the
customer confirms reserve stock, and those take small quantities of plentiful cloth (the session shares the stock).
Red polyester is 4 m in the sample stock, but another test may have taken it: the walks only need it to be short.
"""

from decimal import Decimal

import pytest

from tests.e2e.conversation_helpers import (
    Chat,
    allocated_meters,
    brisk_worker,
    owner_notification,
    private_batch,
    reserved,
    stored_order,
    written_in_devanagari,
    written_in_latin,
)

pytestmark = pytest.mark.e2e

SUMMARY_BUTTONS = ["confirm", "edit", "cancel_order"]


@pytest.fixture(scope="module", autouse=True)
def _brisk_worker(stack):
    with brisk_worker(stack):
        yield


@pytest.fixture
def chat(client, phone):
    return Chat(client, phone)


# --------------------------------------------------------------------------------------------------------------
# The walk from the first message to the owner, in each language
# --------------------------------------------------------------------------------------------------------------


def opens_negotiation_on_red_polyester(chat, replies):
    """The first reply: blue cotton is there, red polyester is short, and nothing can be confirmed yet."""
    assert chat.state == "CUSTOMER_NEGOTIATION"
    red = next(line for line in chat.order["lines"] if line["color"] == "red")
    assert red["status"] == "NEGOTIATING" and red["allocation"]["status"] != "FULL_AVAILABLE"
    assert "confirm" not in replies.buttons
    assert any(button.endswith(":L2") for button in replies.buttons)  # a question about line 2 with its choices


def hands_over(chat, client, confirm):
    """Confirming the summary: the order waits for the owner, its stock is reserved and the owner has the links."""
    order = chat.order
    assert order["state"] == "FINAL_CUSTOMER_CONFIRMATION"
    taken = allocated_meters(order)
    before = reserved(taken)
    replies = confirm()
    order_id = order["order_id"]
    assert order_id in replies.text
    stored, _ = stored_order(order_id)
    assert stored["state"] == "WAITING_OWNER_CONFIRMATION"
    assert chat.loaded().customer["active_order_id"] == order_id
    after = reserved(taken)
    assert {batch: after[batch] - before[batch] for batch in taken} == taken
    notice = owner_notification(client, order_id)
    assert "Approve: http" in notice and "Reject: http" in notice and "/o/" in notice
    return replies


def test_an_english_order_goes_from_first_message_through_negotiation_to_the_owner(chat, client):
    replies = chat.says("20m blue cotton and 6m red polyester")
    opens_negotiation_on_red_polyester(chat, replies)
    assert "Blue cotton — 20 m" in replies.text and "Red polyester" in replies.text

    offered = chat.taps("alt:L2")
    assert "pick:L2:polyester:blue" in offered.buttons and "cancel:L2" in offered.buttons

    summary = chat.taps("pick:L2:polyester:blue")
    assert "Red polyester replaced with Blue polyester." in summary.text
    assert summary.last.buttons == tuple(SUMMARY_BUTTONS)
    assert "Blue cotton — 20 m" in summary.last.text and "Blue polyester — 6 m" in summary.last.text
    listed = summary.last.text.split("\n", 1)[1]  # the note of the replacement comes first, in the same message
    assert "Red polyester" not in listed and "Amount payable: ₹" in listed

    done = hands_over(chat, client, lambda: chat.says("confirm"))
    assert "sent to the shop owner for approval" in done.text
    assert all(written_in_latin(reply.text) for reply in [*replies, *offered, *summary, *done])


def test_a_hinglish_order_goes_from_first_message_through_negotiation_to_the_owner(chat, client):
    replies = chat.says("20m blue cotton aur 6m red polyester")
    opens_negotiation_on_red_polyester(chat, replies)
    assert "Neela suti — 20 meter" in replies.text and "Laal polyester" in replies.text

    offered = chat.says("2 ke options dikhao")
    assert "pick:L2:polyester:black" in offered.buttons and "Laal polyester" in offered.text

    summary = chat.taps("pick:L2:polyester:black")
    assert summary.last.buttons == tuple(SUMMARY_BUTTONS)
    assert "Neela suti — 20 meter" in summary.last.text and "Kala polyester — 6 meter" in summary.last.text
    listed = summary.last.text.split("\n", 1)[1]
    assert "Laal" not in listed and "Kul dena hai: ₹" in listed

    done = hands_over(chat, client, lambda: chat.says("haan confirm karo"))
    assert "shop owner ko approval ke liye bhej diya" in done.text
    assert all(written_in_latin(reply.text) for reply in [*replies, *offered, *summary, *done])


def test_a_hindi_order_in_devanagari_is_answered_in_devanagari_all_the_way_to_the_owner(chat, client):
    replies = chat.says("20 मीटर नीला सूती और 6 मीटर लाल पॉलिएस्टर")
    opens_negotiation_on_red_polyester(chat, replies)
    assert "नीला सूती — 20 मीटर" in replies.text and "लाल पॉलिएस्टर" in replies.text

    offered = chat.taps("alt:L2")
    assert "pick:L2:polyester:white" in offered.buttons

    summary = chat.says("6 मीटर सफ़ेद पॉलिएस्टर")  # the offered cloth, written: it replaces the short one
    assert summary.last.buttons == tuple(SUMMARY_BUTTONS)
    listed = summary.last.text.split("\n", 1)[1]
    assert "सफ़ेद पॉलिएस्टर — 6 मीटर" in listed and "लाल" not in listed
    assert "कुल देय राशि: ₹" in listed
    assert [line["color"] for line in chat.shown_lines()] == ["blue", "white"]

    done = hands_over(chat, client, lambda: chat.says("पक्का"))
    assert "दुकान मालिक को मंज़ूरी के लिए भेज दिया" in done.text
    every = [*replies, *offered, *summary, *done]
    assert all(written_in_devanagari(reply.text) for reply in every), [r.text for r in every]
    assert all(written_in_devanagari(title) for reply in every for title in reply.titles)


# --------------------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------------------


def test_an_out_of_stock_item_must_be_resolved_before_the_summary_and_leaves_no_ghost_line(chat):
    first = chat.says("2m white cotton and 6m pink polyester")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    assert "Pink polyester (6 m): out of stock" in first.text and "confirm" not in first.buttons

    typed = chat.says("confirm")
    assert chat.state == "CUSTOMER_NEGOTIATION" and "confirm" not in typed.buttons
    tapped = chat.taps("confirm")
    assert "That choice is no longer open" in tapped.text and chat.state == "CUSTOMER_NEGOTIATION"

    summary = chat.taps("cancel:L2")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert "White cotton — 2 m" in summary.text and "polyester" not in summary.text.lower()
    assert "Taxable value: ₹256.00" in summary.text


def test_a_fully_available_order_still_asks_the_customer_to_confirm(chat, client):
    replies = chat.says("3m white cotton")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert replies.last.buttons == tuple(SUMMARY_BUTTONS)
    assert "3 m × ₹128.00 = ₹384.00" in replies.text and "Taxable value: ₹384.00" in replies.text
    owner = client.info["owner_phone"]
    assert not any(chat.order["order_id"] in str(m["payload"]) for m in client.messages(to=owner))


def test_the_final_summary_prices_every_line_totals_them_and_leaves_out_removed_items(chat):
    chat.says("2m white cotton, 3m black polyester and 4m pink polyester")
    summary = chat.taps("cancel:L3")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    text = summary.last.text
    assert "1. White cotton — 2 m" in text and "2 m × ₹128.00 = ₹256.00" in text
    assert "2. Black polyester — 3 m" in text and "3 m × ₹78.00 = ₹234.00" in text
    assert "Taxable value: ₹490.00" in text and "Pink" not in text


def test_an_edit_at_the_final_summary_rechecks_stock_and_can_reopen_negotiation(chat):
    chat.says("2m white cotton and 1m pink cambric")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"

    replies = chat.says("change 2 to 5m")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    assert "Pink cambric: only 2 m of 5 m available" in replies.text
    assert {"accept:L2", "cancel:L2"} <= set(replies.buttons) and "confirm" not in replies.buttons

    back = chat.says("change 2 to 1.5m")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION" and "Pink cambric — 1.5 m" in back.text


def test_removing_every_item_ends_the_order(chat):
    chat.says("2m white cotton and 6m pink polyester")
    order_id = chat.order["order_id"]
    chat.taps("cancel:L2")
    edit = chat.taps("edit")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION" and edit.text

    replies = chat.says("1 cancel")
    assert chat.order is None  # no active order any more
    assert stored_order(order_id)[0]["state"] == "CANCELLED"
    assert order_id in replies.text and "cancel" in replies.text.lower()

    status = chat.says("status")  # the ended order is not forgotten
    assert f"Your last order {order_id}: cancelled." in status.text and "You have no open order" in status.text


def test_items_added_at_the_final_summary_are_checked_and_priced_like_the_first(chat):
    chat.says("2m white cotton")
    added = chat.says("add 3m black polyester")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert "2. Black polyester — 3 m" in added.text and "Taxable value: ₹490.00" in added.text

    short = chat.says("add 6m pink polyester")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    assert "Pink polyester (6 m): out of stock" in short.text and "confirm" not in short.buttons
    assert [line["material"] for line in chat.shown_lines()] == ["cotton", "polyester", "polyester"]


def test_a_cloth_added_after_taking_part_of_a_short_item_joins_the_order_instead_of_replacing_it(chat):
    offered = chat.says("5m pink cambric")
    assert "alt:L1" in offered.buttons  # white cambric was among the cloths that could replace it
    chat.taps("accept:L1")

    summary = chat.says("add 5m white cambric")
    assert "replaced" not in summary.text
    assert [(line["color"], line["status"]) for line in chat.shown_lines()] == [
        ("pink", "ACCEPTED"),
        ("white", "ACCEPTED"),
    ]
    assert "Pink cambric — 2 m (you asked 5 m)" in summary.text and "Taxable value: ₹682.00" in summary.text


def test_one_message_can_accept_one_item_and_cancel_another(chat):
    chat.says("5m pink cambric, 6m pink polyester and 2m white cotton")
    summary = chat.says("1 le lo aur 2 cancel")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    text = summary.last.text
    assert "Gulabi cambric — 2 meter (5 meter maanga tha)" in text
    assert "Safed suti — 2 meter" in text and "polyester" not in text.lower()
    assert "Taxable value: ₹458.00" in text
    statuses = {line["line_id"]: line["status"] for line in chat.order["lines"]}
    assert statuses == {"L1": "ACCEPTED", "L2": "CANCELLED", "L3": "ACCEPTED"}


def test_negotiation_that_goes_round_in_circles_ends_with_one_clear_choice(chat):
    chat.says("3m white cotton and 6m pink cambric")
    for meters in (7, 8):
        replies = chat.says(f"change 2 to {meters}m")
        assert "accept:L2" in replies.buttons
    bounded = chat.says("change 2 to 9m")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    assert bounded.buttons == ["take_available", "cancel_order"]
    assert "White cotton 3 m, Pink cambric 2 m" in bounded.last.text

    summary = chat.taps("take_available")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert "Pink cambric — 2 m (you asked 9 m)" in summary.text and "Taxable value: ₹586.00" in summary.text


@pytest.mark.parametrize("state", ["none", "COLLECTING_ITEMS", "CUSTOMER_NEGOTIATION", "FINAL_CUSTOMER_CONFIRMATION"])
def test_status_help_and_cancel_work_in_every_state_before_the_owner(chat, state):
    opening = {
        "COLLECTING_ITEMS": "2m white cotton and black polyester",  # no quantity for the second item
        "CUSTOMER_NEGOTIATION": "2m white cotton and 6m pink polyester",
        "FINAL_CUSTOMER_CONFIRMATION": "2m white cotton",
    }
    if state != "none":
        chat.says(opening[state])
        assert chat.state == state
    order_id = chat.order["order_id"] if chat.order else None

    status = chat.says("status")
    assert chat.state == (None if state == "none" else state)
    assert ("White cotton" in status.text) if order_id else ("You have no open order" in status.text)
    helped = chat.says("help")
    assert "How to order" in helped.text and chat.state == (None if state == "none" else state)

    cancelled = chat.says("cancel")
    assert chat.order is None
    if order_id:
        assert stored_order(order_id)[0]["state"] == "CANCELLED" and order_id in cancelled.text
    else:
        assert "You have no open order" in cancelled.text


@pytest.mark.parametrize("words", ["naya order", "new order"])
def test_a_new_order_asks_then_cancels_the_open_one_so_a_customer_has_one_open_order(chat, words):
    chat.says("2m white cotton and 6m pink polyester")
    first = chat.order["order_id"]

    asked = chat.says(f"{words} 3m black polyester")
    assert first in asked.text and asked.buttons == ["ans:yes", "ans:no"]  # asked before cancelling
    assert chat.order["order_id"] == first and chat.state == "CUSTOMER_NEGOTIATION"
    replies = chat.taps("ans:yes")
    second = chat.order["order_id"]
    assert second != first and first in replies.text
    assert stored_order(first)[0]["state"] == "CANCELLED"
    assert chat.loaded().customer["active_order_id"] == second
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert [(line["color"], line["material"]) for line in chat.shown_lines()] == [("black", "polyester")]


def test_an_order_waiting_for_the_owner_cannot_be_changed_but_another_can_start_beside_it(chat, client):
    chat.says("1m white cotton")
    hands_over(chat, client, lambda: chat.taps("confirm"))
    order_id = chat.order["order_id"]
    kept, version = stored_order(order_id)

    edit = chat.says("change 1 to 5m")
    assert "is with the shop owner for approval, so it cannot be changed now" in edit.text
    tap = chat.taps("cancel:L1")
    assert "cannot be changed now" in tap.text
    cancel = chat.says("cancel")
    assert "owner decides now" in cancel.text
    status = chat.says("status")
    assert "is with the shop owner for approval" in status.text
    new = chat.says("new order 2m white cotton")  # a second order starts beside the waiting one
    assert "this is a new order" in new.text and order_id in new.text
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION" and chat.order["order_id"] != order_id
    status = chat.says("status")
    assert f"With the shop owner for approval: {order_id}" in status.text

    assert stored_order(order_id) == (kept, version)
    assert chat.loaded().customer["active_order_id"] == chat.order["order_id"]


def test_photos_voice_notes_locations_stickers_and_reactions_get_a_polite_answer_in_the_customers_script(chat):
    chat.says("2 मीटर सफ़ेद सूती")
    order = chat.order
    for case, called in [
        ("image", "फ़ोटो"),
        ("voice", "वॉइस नोट"),
        ("current_location", "लोकेशन"),
        ("static_sticker", "स्टिकर"),
        ("reaction", "रिएक्शन"),
    ]:
        replies = chat.sends_sample(case)
        assert len(replies) == 1 and called in replies.text and "माफ़ कीजिए" in replies.text, case
        assert written_in_devanagari(replies.text), case
    assert chat.order == order  # nothing about the order changed


def test_a_new_customer_sending_a_photo_is_answered_in_english_and_shown_how_to_order(chat):
    replies = chat.sends_sample("image")
    assert replies.text.startswith("Sorry, I can read text orders only, not photos")
    assert "20m blue cotton" in replies.text and chat.order is None


# --------------------------------------------------------------------------------------------------------------
# Hard cases
# --------------------------------------------------------------------------------------------------------------


def test_partial_acceptance_across_several_items_bills_only_what_the_shop_can_give(chat):
    first = chat.says("5m pink cambric, 6m purple rayon and 2m white cotton")
    assert {"accept:L1", "accept:L2"} <= set(first.buttons)

    still_open = chat.taps("accept:L1")
    assert chat.state == "CUSTOMER_NEGOTIATION" and "accept:L2" in still_open.buttons

    summary = chat.says("2 le lo")  # Hinglish in, Hinglish out from here on
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    text = summary.last.text
    assert "Gulabi cambric — 2 meter (5 meter maanga tha)" in text and "2 meter × ₹101.00 = ₹202.00" in text
    assert "3.5 meter × ₹120.00 = ₹420.00" in text
    assert "Safed suti — 2 meter" in text and "Taxable value: ₹878.00" in text


def test_a_chain_of_edits_keeps_one_line_with_the_last_quantity(chat):
    chat.says("2m white cotton")
    chat.says("1 ko 3m kar do")
    chat.says("white cotton 4m kar do")
    last = chat.says("1 ko 2.5m kar do")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert [Decimal(line["quantity"]) for line in chat.shown_lines()] == [Decimal("2.5")]
    assert "2.5 meter × ₹128.00 = ₹320.00" in last.text and "Taxable value: ₹320.00" in last.text


def test_replacing_a_replacement_three_times_leaves_one_line_in_its_place(chat):
    chat.says("6m pink polyester and 5m blue cotton")
    chat.taps("pick:L1:polyester:black")
    chat.taps("alt:L3")
    chat.taps("pick:L3:polyester:white")
    chat.taps("alt:L4")
    summary = chat.taps("pick:L4:polyester:blue")

    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    assert [(line["color"], line["material"]) for line in chat.shown_lines()] == [
        ("blue", "polyester"),
        ("blue", "cotton"),
    ]
    chain = {line["line_id"]: line["replaced_by"] for line in chat.order["lines"] if line["status"] == "REPLACED"}
    assert chain == {"L1": "L3", "L3": "L4", "L4": "L5"}
    text = summary.last.text.split("\n", 1)[1]
    assert text.count("polyester") == 1 and "1. Blue polyester — 6 m" in text and "2. Blue cotton — 5 m" in text


def test_cancelling_the_whole_order_in_one_message_ends_it(chat):
    chat.says("2 मीटर सफ़ेद सूती और 6 मीटर गुलाबी पॉलिएस्टर")
    order_id = chat.order["order_id"]
    replies = chat.says("पूरा ऑर्डर रद्द कर दो")
    assert chat.order is None and stored_order(order_id)[0]["state"] == "CANCELLED"
    assert order_id in replies.text and "रद्द" in replies.text and written_in_devanagari(replies.text)


def test_an_offered_alternative_written_as_text_replaces_the_short_item(chat):
    first = chat.says("5m pink polyester")
    assert "pick:L1:polyester:white" in first.buttons
    summary = chat.says("5m white polyester")
    assert "Pink polyester replaced with White polyester." in summary.text
    assert [(line["color"], Decimal(line["quantity"])) for line in chat.shown_lines()] == [("white", 5)]
    assert "5 m × ₹75.00 = ₹375.00" in summary.text


def test_choosing_an_alternative_already_in_the_order_adds_to_that_line_instead_of_duplicating_it(chat):
    chat.says("5m black polyester and 6m pink polyester")
    summary = chat.taps("pick:L2:polyester:black")
    assert [(line["color"], Decimal(line["quantity"])) for line in chat.shown_lines()] == [("black", 11)]
    assert "Black polyester — 11 m" in summary.text and "Taxable value: ₹858.00" in summary.text


def test_when_another_customer_takes_the_last_meters_first_confirming_reopens_negotiation(client, chat, phone):
    material, color = private_batch(loose="3")
    rival = Chat(client, "9197" + phone[4:])
    rival.says(f"3m {color} {material}")
    chat.says(f"3m {color} {material}")
    assert rival.state == chat.state == "FINAL_CUSTOMER_CONFIRMATION"

    hands_over(rival, client, lambda: rival.taps("confirm"))
    late = chat.taps("confirm")
    assert chat.state == "CUSTOMER_NEGOTIATION"
    assert "out of stock" in late.text and "confirm" not in late.buttons
    assert allocated_meters(chat.order) == {}
    assert sum(reserved([b for b in allocated_meters(rival.order)]).values()) == Decimal(3)
