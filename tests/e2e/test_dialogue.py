"""Issue 9's dialogue on the running stack: consent, the bot's questions answered, shop questions answered from the
database, requests kept for the owner, honest amounts (the summary's payable is the invoice's total) and a second
order beside one the owner is deciding. The many variations are unit transcripts (tests/unit/test_dialogue_
transcripts.py); these walk each through the webhook, the queue, DynamoDB and the fake Graph API once.
"""

from decimal import Decimal

import pytest

from tests.e2e import approval_helpers as h
from tests.e2e.conversation_helpers import Chat, brisk_worker, owner_notification, written_in_devanagari

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def _brisk_worker(stack):
    with brisk_worker(stack):
        yield


@pytest.fixture
def chat(client, phone):
    return Chat(client, phone)


def test_the_summarys_amount_payable_is_the_grand_total_the_invoice_is_booked_at(client, phone, aws):
    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="7.25", price="143.37")
    summary = h.say(client, phone, batch.order_text("7.25"))
    text = h.text_of(summary[-1])
    assert "Taxable value: ₹1,039.43" in text and "Amount payable: ₹" in text
    payable = Decimal(text.split("Amount payable: ₹", 1)[1].split()[0].replace(",", ""))
    order_id = h.active_order_id(phone)

    handed = h.tap(client, phone, "confirm")
    assert f"₹{payable:,.2f}" in h.text_of(handed[0])  # the hand-over quotes the amount payable
    assert f"Total with GST: ₹{payable:,.2f}" in h.owner_notification(client, order_id)
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    h.drain(aws)

    (debit,) = [e for e in h.ledger(phone) if e.kind == "debit"]
    assert Decimal(int(debit.amount_paise)) / 100 == payable  # what the invoice was booked at
    assert h.owner_api(client, "GET", f"/owner/orders/{order_id}")[1]["totals"]["grand_total"] == f"{payable}"


def test_a_hedge_at_the_summary_hands_nothing_over_and_an_explicit_yes_does(chat):
    chat.says("2m white cotton")
    for reply in ("ruko ek minute", "GST alag lagega?", "ok but wait"):
        answered = chat.says(reply)
        assert chat.state == "FINAL_CUSTOMER_CONFIRMATION", reply
        assert "confirm" in answered.buttons or "Nothing has changed" in answered.text, reply
    done = chat.says("haan bhej do")
    assert chat.state == "WAITING_OWNER_CONFIRMATION" and "bhej diya" in done.text


def test_the_bots_question_is_answered_by_a_bare_colour_in_one_turn(chat):
    asked = chat.says("2 meter suti chahiye")
    assert "kis colour mein chahiye" in asked.text and chat.state == "COLLECTING_ITEMS"
    summary = chat.says("safed")
    assert chat.state == "FINAL_CUSTOMER_CONFIRMATION" and "Safed suti — 2 meter" in summary.text


def test_rates_and_colours_are_answered_from_the_stock_without_starting_an_order(chat):
    rates = chat.says("silk ka rate?")
    assert "₹780.00" in rates.text and "₹820.00" in rates.text and chat.order is None
    colours = chat.says("कौन से रंग हैं मखमल में?")
    assert "मैरून मखमल" in colours.text and written_in_devanagari(colours.text) and chat.order is None


def test_a_delivery_date_and_a_discount_request_are_kept_for_the_owner_and_change_no_price(chat, client):
    summary = chat.says("2m white cotton, parso tak chahiye")
    assert 'aapki baat: "parso tak chahiye"' in summary.text
    payable = summary.text.split("Kul dena hai: ", 1)[1].split()[0]
    again = chat.says("thoda discount milega?")
    assert f"Kul dena hai: {payable}" in again.text and "thoda discount milega" in again.text
    order_id = chat.order["order_id"]
    chat.taps("confirm")
    told = owner_notification(client, order_id)
    assert 'Customer asks: "parso tak chahiye"; "thoda discount milega' in told


def test_a_repeat_order_starts_from_the_last_completed_one_and_the_status_lists_waiting_orders(chat, client, aws):
    first = h.confirmed_order(client, chat.phone, "1m white cotton")
    assert h.owner_api(client, "POST", f"/owner/orders/{first}/approve")[0] == 202
    h.drain(aws)

    again = chat.says("repeat my last order")
    assert first in again.text and "White cotton — 1 m" in again.text and chat.state == "FINAL_CUSTOMER_CONFIRMATION"
    chat.taps("confirm")
    waiting = chat.order["order_id"]
    second = chat.says("1m black polyester")
    assert "still with the shop owner" in second.text and chat.order["order_id"] != waiting
    status = chat.says("status")
    assert f"With the shop owner for approval: {waiting}" in status.text
