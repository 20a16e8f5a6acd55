"""Whole conversations with the pure engine over the shop's sample stock, in English, Hinglish and Hindi.

Each transcript is what a customer writes or taps, turn by turn, and what they would notice after each turn: the
order's state, words in the reply, the buttons offered, whether the order went to the owner. The engine is driven
the way the worker drives it (the text read as the answer to the bot's pending question first, then on its own),
with the deterministic interpreter and no I/O, so the whole table runs in a few seconds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.domain.conversation import HandOver
from chalicelib.domain.order import Order, OrderState
from chalicelib.domain.stock_import import parse_stock_csv
from tests.unit.conversation_helpers import VOCABULARY, Customer, Shelf

SAMPLE = Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "sample_stock.csv"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def sample_shelf() -> Shelf:
    return Shelf(parse_stock_csv(SAMPLE.read_text(encoding="utf-8"), VOCABULARY))


@dataclass(frozen=True)
class Turn:
    """One thing the customer does and what they should then see."""

    say: str = ""
    tap: str = ""
    state: str | None = None  # the order's state after the turn ("none": no open order)
    reads: tuple[str, ...] = ()  # words the replies contain
    not_reads: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()  # buttons or list rows offered (a subset)
    handed_over: bool = False  # the order went to the owner in this turn
    script: str | None = None  # "hi": every reply in Devanagari; "latin": none in Devanagari
    at_most: int | None = None  # messages sent in this turn


def say(text: str, **expect) -> Turn:
    return Turn(say=text, **expect)


def tap(button: str, **expect) -> Turn:
    return Turn(tap=button, **expect)


@dataclass(frozen=True)
class Transcript:
    name: str
    turns: tuple[Turn, ...]
    setup: tuple[str, ...] = field(default=())  # orders completed before ("repeat my last order")


FINAL = "FINAL_CUSTOMER_CONFIRMATION"
OPEN = "CUSTOMER_NEGOTIATION"
COLLECTING = "COLLECTING_ITEMS"
WAITING = "WAITING_OWNER_CONFIRMATION"
SUMMARY = ("confirm", "edit", "cancel_order")

TRANSCRIPTS: list[Transcript] = [
    # --- 1. Hand-over only on explicit consent ------------------------------------------------------------------
    Transcript(
        "en: a question about GST at the summary is answered and the summary's buttons come back",
        (
            say("12m white cotton", state=FINAL, reads=("Amount payable: ₹",), buttons=SUMMARY),
            say("is GST extra?", state=FINAL, reads=("GST ₹",), buttons=SUMMARY),
            tap("confirm", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "hinglish: ruko ek minute at the summary waits and hands nothing over",
        (
            say("8 meter kala polyester chahiye", state=FINAL),
            say("ruko ek minute", state=FINAL, reads=("aaram se",), buttons=SUMMARY),
            say("haan bhej do", state=WAITING, handed_over=True, reads=("bhej diya",)),
        ),
    ),
    Transcript(
        "hi: नहीं अभी नहीं at the summary keeps the order with the customer",
        (
            say("5 मीटर लाल रेशम", state=FINAL, script="hi"),
            say("नहीं अभी नहीं", state=FINAL, buttons=SUMMARY, script="hi"),
            say("ठीक है भेज दो", state=WAITING, handed_over=True, script="hi"),
        ),
    ),
    Transcript(
        "en: ok but wait is no yes",
        (
            say("20m blue cotton", state=FINAL),
            say("ok but wait", state=FINAL, reads=("not sent",), buttons=SUMMARY),
            say("yes please confirm", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "hinglish: haan par kal bhejna is a condition, not a yes",
        (
            say("10 meter safed muslin", state=FINAL),
            say("haan par kal bhejna", state=FINAL, buttons=SUMMARY),
            tap("confirm", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "en: a bare no at the summary keeps the order and offers its buttons",
        (
            say("3m black velvet", state=FINAL),
            say("no", state=FINAL, reads=("not sent",), buttons=SUMMARY),
        ),
    ),
    Transcript(
        "hi: क्या जीएसटी अलग है? is answered in Devanagari, nothing handed over",
        (
            say("4 मीटर सफ़ेद लिनन", state=FINAL, script="hi"),
            say("क्या जीएसटी अलग है?", state=FINAL, reads=("जीएसटी",), buttons=SUMMARY, script="hi"),
        ),
    ),
    Transcript(
        "en: hold on, then a thumbs-up word confirms",
        (
            say("6m grey polyester", state=FINAL),
            say("hold on", state=FINAL),
            say("okay confirm it", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "hinglish: confirm? with a question mark is a question",
        (
            say("2 than neela denim", state=FINAL),
            say("confirm?", state=FINAL, buttons=SUMMARY),
        ),
    ),
    Transcript(
        "en: ok make it 15m changes the order instead of handing it over",
        (
            say("10m red cotton", state=FINAL),
            say("ok make it 15m", state=FINAL, reads=("15 m",), not_reads=("sent to the shop owner",)),
        ),
    ),
    # --- 2. Dialogue memory: the bot's questions are answered in one turn ---------------------------------------
    Transcript(
        "en: which colour? answered with a bare colour",
        (
            say("20m cotton", state=COLLECTING, reads=("Which colour of cotton?",)),
            say("white", state=FINAL, reads=("White cotton — 20 m",)),
        ),
    ),
    Transcript(
        "hinglish: the follow-up question is asked in Hinglish and answered with a Hinglish colour",
        (
            say("15 meter suti chahiye", state=COLLECTING, reads=("kis colour mein chahiye",), script="latin"),
            say("safed", state=FINAL, reads=("Safed suti — 15 meter",)),
        ),
    ),
    Transcript(
        "hi: the question comes in Devanagari and a Devanagari colour answers it",
        (
            say("10 मीटर सूती", state=COLLECTING, reads=("किस रंग में चाहिए",), script="hi"),
            say("काला", state=FINAL, reads=("काला सूती — 10 मीटर",), script="hi"),
        ),
    ),
    Transcript(
        "en: how many meters? answered with a bare number",
        (
            say("blue cotton", state=COLLECTING, reads=("How many meters of blue cotton?",)),
            say("25", state=FINAL, reads=("Blue cotton — 25 m",)),
        ),
    ),
    Transcript(
        "hinglish: kitne meter? answered with meters written out",
        (
            say("laal rayon chahiye", state=COLLECTING, reads=("kitne meter chahiye",)),
            say("12 meter", state=FINAL, reads=("Laal rayon — 12 meter",)),
        ),
    ),
    Transcript(
        "en: which cloth? answered with a material",
        (
            say("10m green", state=COLLECTING, reads=("Which cloth in green?",)),
            say("polyester", state=FINAL, reads=("Green polyester — 10 m",)),
        ),
    ),
    Transcript(
        "en: a question asked twice comes with the colours in stock, and a tap answers it",
        (
            say("20m cotton", state=COLLECTING),
            say("??", state=COLLECTING, reads=("Which colour of cotton?",), buttons=("ans:blue", "ans:white")),
            tap("ans:white", state=FINAL, reads=("White cotton — 20 m",)),
        ),
    ),
    Transcript(
        "en: a question is never asked a third time",
        (
            say("20m cotton", state=COLLECTING),
            say("??", state=COLLECTING),
            say("what?", state="none", reads=("left out",), not_reads=("Which colour",)),
        ),
    ),
    Transcript(
        "hinglish: ok goes on with the item already noted and drops the open question",
        (
            say("10 meter neela suti aur 5 meter polyester", state=COLLECTING, reads=("Abhi tak likha",)),
            say("ok", state=FINAL, reads=("Neela suti — 10 meter",)),
        ),
    ),
    Transcript(
        "en: a range is asked back with both ends as buttons",
        (
            say("15-20 m blue cotton", state=COLLECTING, buttons=("ans:15.00|m", "ans:20.00|m")),
            tap("ans:20.00|m", state=FINAL, reads=("Blue cotton — 20 m",)),
        ),
    ),
    Transcript(
        "en: a range answered in words",
        (
            say("15-20 m blue cotton", state=COLLECTING),
            say("20", state=FINAL, reads=("Blue cotton — 20 m",)),
        ),
    ),
    Transcript(
        "en: the item written again in full answers the question about it",
        (
            say("blue cotton please", state=COLLECTING),
            say("15 meter blue cotton", state=FINAL, reads=("Blue cotton — 15 m",), not_reads=("How many",)),
        ),
    ),
    Transcript(
        "hi: कितने मीटर? answered with a Devanagari number word",
        (
            say("नीला सूती चाहिए", state=COLLECTING, reads=("कितने मीटर",), script="hi"),
            say("बीस मीटर", state=FINAL, reads=("नीला सूती — 20 मीटर",), script="hi"),
        ),
    ),
    # --- 3. Open vocabulary, near misses, shades ---------------------------------------------------------------
    Transcript(
        "en: a cloth the shop does not carry is named and what it has in that colour is offered",
        (
            say("10m blue tweed", reads=("tweed",), buttons=("ans:cotton", "ans:polyester")),
            tap("ans:polyester", state=FINAL, reads=("Blue polyester — 10 m",)),
        ),
    ),
    Transcript(
        "en: a near-miss spelling is confirmed with a button, never corrected silently",
        (
            say("blu cottn 10m", state=COLLECTING, reads=("Did you mean",), buttons=("ans:yes", "ans:no")),
            tap("ans:yes", state=FINAL, reads=("Blue cotton — 10 m",)),
        ),
    ),
    Transcript(
        "en: a near-miss answered yes in words",
        (
            say("blu cottn 10m", state=COLLECTING),
            say("yes", state=FINAL, reads=("Blue cotton — 10 m",)),
        ),
    ),
    Transcript(
        "en: a near-miss refused leaves nothing ordered",
        (
            say("blu cottn 10m", state=COLLECTING),
            tap("ans:no", state="none", not_reads=("Blue cotton — 10 m",)),
        ),
    ),
    Transcript(
        "en: a dark shade in stock is kept as the shade",
        (say("10m dark blue cotton", state=FINAL, reads=("Dark blue cotton — 10 m",)),),
    ),
    Transcript(
        "en: navy blue is its own colour, not blue",
        (say("5m navy blue polyester", state=FINAL, reads=("Navy blue polyester — 5 m",)),),
    ),
    Transcript(
        "hinglish: a shade not in stock is never turned into another colour silently",
        (say("5 meter light green cotton", state=OPEN, not_reads=("Hara suti — 5",)),),
    ),
    # --- 4. Shop questions answered from stock -----------------------------------------------------------------
    Transcript(
        "hinglish: the rate of silk, by colour, from the batches",
        (say("silk ka rate?", state="none", reads=("₹780.00", "₹820.00", "₹890.00"), script="latin"),),
    ),
    Transcript(
        "en: a rate that varies by lot is given as a range",
        (say("price of blue cotton", state="none", reads=("from ₹145.00 to ₹149.00",)),),
    ),
    Transcript(
        "hi: सूती का भाव in Devanagari",
        (say("सूती का भाव", state="none", reads=("₹128.00",), script="hi"),),
    ),
    Transcript(
        "en: the rate of a kind not in stock says so and gives the material's other colours",
        (say("price of black rayon", state="none", reads=("no black rayon", "Red rayon: ₹118.00")),),
    ),
    Transcript(
        "hinglish: which colours of cotton, with meters in stock",
        (say("kaunse colour hai cotton mein?", state="none", reads=("Neela suti: 943.5 meter",)),),
    ),
    Transcript(
        "en: which colours of velvet",
        (say("which colours do you have in velvet?", state="none", reads=("Maroon velvet: 66 m",)),),
    ),
    Transcript(
        "en: a rate asked at the summary is answered and the summary's buttons follow",
        (
            say("10m white cotton", state=FINAL),
            say("what is the rate of silk?", state=FINAL, reads=("₹780.00",), buttons=SUMMARY),
        ),
    ),
    Transcript(
        "hinglish: a delivery date beside the items is kept as a note and shown in the summary",
        (
            say(
                "20 meter neela suti, parso tak chahiye",
                state=FINAL,
                reads=("note kar liya", 'Owner ke liye aapki baat: "parso tak chahiye"'),
            ),
        ),
    ),
    Transcript(
        "en: a discount request at the summary is noted, the price stays",
        (
            say("10m white cotton", state=FINAL, reads=("Amount payable: ₹1,344.00",)),
            say("any discount?", state=FINAL, reads=("Noted for the shop owner", "Amount payable: ₹1,344.00")),
        ),
    ),
    Transcript(
        "hi: छूट मिलेगी? is noted for the owner in Devanagari",
        (
            say("5 मीटर लाल रेशम", state=FINAL),
            say("छूट मिलेगी?", state=FINAL, reads=("मालिक के लिए आपकी बात",), script="hi"),
        ),
    ),
    Transcript(
        "en: thank you mid-order gets a short answer, not the new-order example",
        (
            say("20m blue cotton and 6m red polyester", state=OPEN),
            say("thank you", state=OPEN, not_reads=("for example",)),
        ),
    ),
    Transcript(
        "hinglish: a greeting mid-order shows the order, not the welcome",
        (
            say("10 meter safed suti", state=FINAL),
            say("namaste", state=FINAL, reads=("Namaste",), not_reads=("jaise:",), buttons=SUMMARY),
        ),
    ),
    Transcript(
        "en: wait mid-negotiation is acknowledged",
        (
            say("20m blue cotton and 6m red polyester", state=OPEN),
            say("wait", state=OPEN, reads=("take your time",)),
        ),
    ),
    Transcript(
        "en: repeat my last order starts a new order from the last completed one",
        (say("repeat my last order", state=FINAL, reads=("Your last order", "Blue cotton — 10 m")),),
        setup=("10m blue cotton",),
    ),
    Transcript(
        "hinglish: pichla wala fir se",
        (say("pichla wala fir se", state=FINAL, reads=("pichhla order", "Safed suti — 5 meter")),),
        setup=("5 meter safed suti",),
    ),
    Transcript(
        "hi: वही पिछला माल",
        (say("वही पिछला माल भेज दो", state=FINAL, reads=("पिछला ऑर्डर",), script="hi"),),
        setup=("3 मीटर लाल रेशम",),
    ),
    Transcript(
        "en: repeat with no completed order says so",
        (say("repeat my previous order", state="none", reads=("could not find a completed order",)),),
    ),
    # --- 5. Honest amounts -------------------------------------------------------------------------------------
    Transcript(
        "en: the summary shows taxable value, GST and the amount payable, and the hand-over quotes it",
        (
            say("10m white cotton", reads=("Taxable value: ₹1,280.00", "CGST 2.5%: ₹32.00", "₹1,344.00")),
            tap("confirm", handed_over=True, reads=("₹1,344.00",)),
        ),
    ),
    Transcript(
        "hinglish: gaj is converted and the conversion shown",
        (say("10 gaj neela suti", state=FINAL, reads=("10 gaj = 9.14 meter",)),),
    ),
    Transcript(
        "hi: the amount payable in Devanagari",
        (say("10 मीटर सफ़ेद सूती", state=FINAL, reads=("कुल देय राशि: ₹1,344.00",), script="hi"),),
    ),
    Transcript(
        "en: a round-off is shown when the GST leaves paise",
        (say("10m blue cotton", state=FINAL, reads=("Round off: ₹0.50", "Amount payable: ₹1,523.00")),),
    ),
    # --- 6. Orders side by side --------------------------------------------------------------------------------
    Transcript(
        "hinglish: naya order while one is open asks first; keeping it changes nothing",
        (
            say("10 meter safed suti", state=FINAL),
            say("naya order", state=FINAL, buttons=("ans:yes", "ans:no")),
            tap("ans:no", state=FINAL, reads=("rakha hai",)),
        ),
    ),
    Transcript(
        "en: new order with items, confirmed, cancels the open one and starts with them",
        (
            say("10m white cotton", state=FINAL),
            say("new order 5m red silk", state=FINAL, reads=("Cancel it and start a new one?",)),
            say("yes", state=FINAL, reads=("previous order", "Red silk — 5 m")),
        ),
    ),
    Transcript(
        "en: an order waiting for the owner does not stop a second one",
        (
            say("10m white cotton", state=FINAL),
            tap("confirm", state=WAITING, handed_over=True),
            say("5m black velvet", state=FINAL, reads=("still with the shop owner", "Black velvet — 5 m")),
            say("status", state=FINAL, reads=("With the shop owner for approval",)),
        ),
    ),
    Transcript(
        "hi: नया ऑर्डर while one waits for the owner",
        (
            say("10 मीटर सफ़ेद सूती", state=FINAL),
            say("हाँ", state=WAITING, handed_over=True),
            say("नया ऑर्डर 5 मीटर काला सूती", state=FINAL, reads=("नया ऑर्डर",), script="hi"),
        ),
    ),
    # --- 7. Fewer, fuller messages -----------------------------------------------------------------------------
    Transcript(
        "en: an ok that changes nothing gets a one-line nudge, not the same block again",
        (
            say("20m blue cotton and 6m red polyester", state=OPEN),
            say("hmm", state=OPEN),
            say("hmm", state=OPEN, reads=("Nothing has changed",), at_most=1),
        ),
    ),
    Transcript(
        "en: a replacement and the new summary come as one message",
        (
            say("20m blue cotton and 6m red polyester", state=OPEN, at_most=1),
            tap("pick:L2:polyester:blue", state=FINAL, reads=("replaced with",), at_most=1),
        ),
    ),
    Transcript(
        "hinglish: a negotiation turn is one message with its buttons",
        (say("20 meter neela suti aur 6 meter laal polyester", state=OPEN, at_most=1, buttons=("accept:L2",)),),
    ),
    # --- 8. Relative and referential edits ---------------------------------------------------------------------
    Transcript(
        "en: add 5 meters more adds to the line",
        (
            say("10m red silk", state=FINAL),
            say("add 5 meters more", state=FINAL, reads=("10 m + 5 m = 15 m", "Red silk — 15 m")),
        ),
    ),
    Transcript(
        "hinglish: 5 meter aur jodo adds to the line",
        (
            say("10 meter laal resham", state=FINAL),
            say("5 meter aur jodo", state=FINAL, reads=("Laal resham — 15 meter",)),
        ),
    ),
    Transcript(
        "en: an edit by number replaces the quantity",
        (
            say("10m white cotton and 5m black velvet", state=FINAL),
            say("change 1 to 20m", state=FINAL, reads=("White cotton — 20 m",)),
        ),
    ),
    Transcript(
        "en: removing a line by colour",
        (
            say("10m white cotton and 5m black velvet", state=FINAL),
            say("remove the velvet", state=FINAL, not_reads=("Black velvet — 5 m",)),
        ),
    ),
    Transcript(
        "hi: a line removed by number in Devanagari",
        (
            say("10 मीटर सफ़ेद सूती और 5 मीटर काला मखमल", state=FINAL),
            say("2 हटा दो", state=FINAL, not_reads=("मखमल",), script="hi"),
        ),
    ),
    Transcript(
        "en: an item added at the summary is checked and priced",
        (
            say("10m white cotton", state=FINAL),
            say("also 5m red silk", state=FINAL, reads=("Red silk — 5 m", "White cotton — 10 m")),
        ),
    ),
    # --- Negotiation, as before, in the three languages --------------------------------------------------------
    Transcript(
        "en: a short line taken as available",
        (
            say("20m blue cotton and 10m red polyester", state=OPEN, buttons=("accept:L2",)),
            tap("accept:L2", state=FINAL, reads=("4 m (you asked 10 m)",)),
        ),
    ),
    Transcript(
        "hinglish: jitna hai utna de do takes what is there",
        (
            say("10 meter laal polyester", state=OPEN),
            say("jitna hai utna de do", state=FINAL, reads=("4 meter",)),
        ),
    ),
    Transcript(
        "hi: an out-of-stock line replaced with an offered cloth",
        (
            say("10 मीटर गुलाबी पॉलिएस्टर", state=OPEN, script="hi"),
            tap("pick:L1:polyester:black", state=FINAL, script="hi"),
        ),
    ),
    Transcript(
        "en: other options shown for a short line",
        (
            say("10m red polyester", state=OPEN),
            say("show other options", state=OPEN, buttons=("pick:L1:polyester:black",)),
        ),
    ),
    Transcript(
        "hinglish: a line removed in words while negotiating",
        (
            say("20 meter neela suti aur 10 meter laal polyester", state=OPEN),
            say("laal wala hata do", state=FINAL, not_reads=("polyester —",)),
        ),
    ),
    Transcript(
        "en: cancel in the middle ends the order",
        (
            say("20m blue cotton and 10m red polyester", state=OPEN),
            say("cancel", state="none", reads=("cancelled",)),
        ),
    ),
    Transcript(
        "hi: status shows the order in Devanagari",
        (
            say("10 मीटर सफ़ेद सूती", state=FINAL),
            say("स्थिति", state=FINAL, script="hi"),
        ),
    ),
    Transcript(
        "en: help mid-order explains and keeps the order",
        (
            say("10m white cotton", state=FINAL),
            say("help", state=FINAL, reads=("How to order",)),
        ),
    ),
    Transcript(
        "hinglish: rolls (than) ordered and confirmed",
        (
            say("2 than safed suti", state=FINAL, reads=("2 than",)),
            say("pakka", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "en: a whole-roll order priced per meter",
        (say("1 roll black velvet", state=FINAL, reads=("1 roll (20 m)",)),),
    ),
    Transcript(
        "hi: a Devanagari order goes to the owner with पक्का",
        (
            say("बीस मीटर नीला सूती", state=FINAL, script="hi"),
            say("पक्का", state=WAITING, handed_over=True, script="hi"),
        ),
    ),
    Transcript(
        "hinglish: a mixed order, one short, settled and confirmed",
        (
            say("10 meter kala makhmal aur 30 meter laal makhmal", state=OPEN),
            tap("accept:L2", state=FINAL),
            say("haan confirm karo", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "en: an order of three kinds reaches the summary in one turn",
        (
            say(
                "5m white cotton, 3m red silk and 2m black velvet",
                state=FINAL,
                reads=("White cotton — 5 m", "Red silk — 3 m", "Black velvet — 2 m"),
                at_most=1,
            ),
        ),
    ),
    Transcript(
        "en: thanks at the summary is answered and the summary's buttons come back",
        (
            say("10m white cotton", state=FINAL),
            say("thanks", state=FINAL, reads=("welcome",), buttons=SUMMARY),
        ),
    ),
    Transcript(
        "hinglish: thank you after the hand-over",
        (
            say("10 meter safed suti", state=FINAL),
            say("confirm", state=WAITING, handed_over=True),
            say("shukriya", state=WAITING, reads=("swagat",)),
        ),
    ),
    Transcript(
        "en: the answer to which cloth? keeps the quantity and colour already given",
        (
            say("12m maroon", state=COLLECTING),
            say("silk", state=FINAL, reads=("Maroon silk — 12 m",)),
        ),
    ),
    Transcript(
        "hinglish: a colour answer after a second item is written",
        (
            say("10 meter suti", state=COLLECTING),
            say("kala", state=FINAL, reads=("Kala suti — 10 meter",)),
            say("haan", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "en: a bare number with no question pending is asked about, not taken for an order",
        (say("20", not_reads=("Please check your order",), reads=("which cloth and which colour?",)),),
    ),
    Transcript(
        "hi: a rate question in Devanagari does not start an order",
        (say("रेशम का भाव क्या है?", state="none", reads=("₹780.00",), script="hi"),),
    ),
    Transcript(
        "hinglish: a rate asked, then the order, then an explicit yes",
        (
            say("muslin ka rate kya hai?", state="none", reads=("₹58.00",)),
            say("20 meter safed malmal", state=FINAL, reads=("Safed malmal — 20 meter",)),
            say("theek hai", state=WAITING, handed_over=True),
        ),
    ),
    Transcript(
        "en: colours asked, one chosen, then a delivery date at the summary",
        (
            say("what colours do you have in georgette?", state="none", reads=("Black georgette",)),
            say("4m black georgette", state=FINAL),
            say("can you deliver by monday?", state=FINAL, reads=("Noted for the shop owner",)),
        ),
    ),
    Transcript(
        "hi: a question answered, then a hedge, then the yes",
        (
            say("10 मीटर सूती", state=COLLECTING, script="hi"),
            say("सफ़ेद", state=FINAL, script="hi"),
            say("रुको", state=FINAL, script="hi"),
            say("हाँ जी", state=WAITING, handed_over=True, script="hi"),
        ),
    ),
    Transcript(
        "en: a near-miss material with a good colour",
        (
            say("10m white cottn", state=COLLECTING, reads=("Did you mean",)),
            tap("ans:yes", state=FINAL, reads=("White cotton — 10 m",)),
        ),
    ),
    Transcript(
        "hinglish: two questions in a row, each answered",
        (
            say("suti chahiye", state=COLLECTING),
            say("safed", state=COLLECTING, reads=("kitne meter",)),
            say("12", state=FINAL, reads=("Safed suti — 12 meter",)),
        ),
    ),
    Transcript(
        "en: cancel from the summary with the button",
        (
            say("3m red silk", state=FINAL),
            tap("cancel_order", state="none", reads=("cancelled",)),
        ),
    ),
    Transcript(
        "hinglish: after the hand-over a change is refused politely",
        (
            say("5 meter safed suti", state=FINAL),
            tap("confirm", state=WAITING, handed_over=True),
            say("1 ko 10 meter kar do", state=WAITING, reads=("badla nahi ja sakta",)),
        ),
    ),
    Transcript(
        "hi: a range in Devanagari is asked back",
        (
            say("15-20 मीटर नीला सूती", state=COLLECTING, buttons=("ans:15.00|m", "ans:20.00|m"), script="hi"),
            tap("ans:15.00|m", state=FINAL, reads=("नीला सूती — 15 मीटर",), script="hi"),
        ),
    ),
]


def _replies_text(c: Customer) -> str:
    return "\n".join(reply.text for reply in c.last.replies)


def _play_setup(shelf: Shelf, texts: tuple[str, ...]) -> list[Order]:
    """Orders completed before the transcript starts (as the owner approved them)."""
    from chalicelib.domain.conversation import owner_decided

    done = []
    for text in texts:
        c = Customer(shelf, name="Earlier")
        c._ids = itertools.count(100)  # the earlier orders' ids differ from the transcript's
        c.says(text)
        c.taps("confirm")
        done.append(owner_decided(c.order, approved=True, reason=None).order)
    return done


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t.name for t in TRANSCRIPTS])
def test_transcript(transcript: Transcript):
    shelf = sample_shelf()
    c = Customer(shelf)
    c.others = _play_setup(shelf, transcript.setup)
    for number, turn in enumerate(transcript.turns, 1):
        where = f"turn {number} ({turn.say or turn.tap!r})"
        c.taps(turn.tap) if turn.tap else c.says(turn.say)
        read = _replies_text(c)
        if turn.state is not None:
            state = c.order.state.value if c.order is not None and c.order.is_active else "none"
            assert state == turn.state, f"{where}: {state}\n{read}"
        for words in turn.reads:
            assert words in read, f"{where}: {words!r} not in\n{read}"
        for words in turn.not_reads:
            assert words not in read, f"{where}: {words!r} in\n{read}"
        for button in turn.buttons:
            assert button in c.choices, f"{where}: no {button} in {c.choices}\n{read}"
        handed = any(isinstance(effect, HandOver) for effect in c.last.effects)
        assert handed == turn.handed_over, f"{where}: handed over = {handed}\n{read}"
        if turn.script == "hi":
            assert all(DEVANAGARI.search(reply.text) for reply in c.last.replies), f"{where}\n{read}"
        if turn.script == "latin":
            assert not DEVANAGARI.search(read), f"{where}\n{read}"
        if turn.at_most is not None:
            assert len(c.last.replies) <= turn.at_most, f"{where}: {len(c.last.replies)} messages\n{read}"


def test_there_are_at_least_eighty_transcripts_in_the_three_languages():
    languages = {name.split(":", 1)[0] for name in (t.name for t in TRANSCRIPTS)}
    assert len(TRANSCRIPTS) >= 80 and languages == {"en", "hinglish", "hi"}


# --------------------------------------------------------------------------------------------------------------
# The consent table: at the final summary only an explicit yes hands over
# --------------------------------------------------------------------------------------------------------------

CONSENT_TABLE: list[tuple[str, str, bool]] = [
    # (language of the order, the reply, hands over)
    ("en", "confirm", True),
    ("en", "yes", True),
    ("en", "ok", True),
    ("en", "yes please", True),
    ("en", "okay confirm it", True),
    ("en", "go ahead", True),
    ("en", "ok thanks", True),
    ("hinglish", "haan", True),
    ("hinglish", "haan ji", True),
    ("hinglish", "theek hai", True),
    ("hinglish", "pakka", True),
    ("hinglish", "haan bhej do", True),
    ("hinglish", "confirm karo", True),
    ("hinglish", "ji haan confirm", True),
    ("hi", "हाँ", True),
    ("hi", "ठीक है", True),
    ("hi", "पक्का", True),
    ("hi", "हाँ जी भेज दो", True),
    ("hi", "जी हाँ", True),
    ("hi", "कन्फर्म", True),
    ("en", "hold on", False),
    ("en", "ok but wait", False),
    ("en", "not yet", False),
    ("en", "no", False),
    ("en", "is GST extra?", False),
    ("en", "confirm?", False),
    ("en", "ok if you deliver tomorrow", False),
    ("en", "let me think", False),
    ("en", "wait a minute", False),
    ("en", "yes but change it to 15m", False),
    ("hinglish", "ruko ek minute", False),
    ("hinglish", "GST alag lagega?", False),
    ("hinglish", "nahi abhi nahi", False),
    ("hinglish", "haan par kal bhejna", False),
    ("hinglish", "sochta hoon", False),
    ("hinglish", "theek hai lekin rate kam karo", False),
    ("hinglish", "baad mein batata hoon", False),
    ("hi", "रुको", False),
    ("hi", "नहीं", False),
    ("hi", "क्या जीएसटी अलग है?", False),
    ("hi", "हाँ पर कल भेजना", False),
    ("hi", "अभी नहीं", False),
    ("hi", "सोच के बताता हूँ", False),
    ("hi", "ठीक है लेकिन रुको", False),
]

_ORDER_IN = {"en": "10m white cotton", "hinglish": "10 meter safed suti", "hi": "10 मीटर सफ़ेद सूती"}


@pytest.mark.parametrize(("language", "reply", "hands_over"), CONSENT_TABLE, ids=[r for _, r, _ in CONSENT_TABLE])
def test_at_the_summary_only_an_explicit_yes_hands_the_order_over(language, reply, hands_over):
    c = Customer(sample_shelf())
    c.says(_ORDER_IN[language])
    assert c.order.state is OrderState.FINAL_CUSTOMER_CONFIRMATION

    c.says(reply)

    handed = [effect for effect in c.last.effects if isinstance(effect, HandOver)]
    assert bool(handed) is hands_over, _replies_text(c)
    if hands_over:
        assert c.order.state is OrderState.WAITING_OWNER_CONFIRMATION
    else:
        assert c.order.state is OrderState.FINAL_CUSTOMER_CONFIRMATION
        assert "confirm" in c.choices or "Nothing has changed" in _replies_text(c) or c.order.lines_for_summary


def test_the_consent_table_has_forty_replies_half_of_which_must_not_hand_over():
    refusals = [row for row in CONSENT_TABLE if not row[2]]
    assert len(CONSENT_TABLE) >= 40 and len(refusals) * 2 >= len(CONSENT_TABLE)
    assert {language for language, _, _ in CONSENT_TABLE} == {"en", "hinglish", "hi"}


def test_a_customers_summary_payable_is_the_invoice_grand_total_for_the_same_order():
    """The same lines, HSNs, GST rates and rounding: what the customer confirms is what the invoice will say."""
    from chalicelib.domain.bill import Tax, invoice_lines
    from chalicelib.domain.gst import load_seed_rates
    from chalicelib.domain.invoice import compute_totals
    from tests.unit.conversation_helpers import NOW

    c = Customer(sample_shelf())
    c.says("7.5m blue cotton, 3m red silk and 2 than safed muslin")
    lines = invoice_lines(c.order.lines_for_summary, VOCABULARY, Tax().rates_or_seed(), NOW.date())
    invoice = compute_totals(tuple(lines), intra_state=True)

    assert c.order.payable == invoice.grand_total
    assert f"{invoice.grand_total:,.2f}" in _replies_text(c)
    assert load_seed_rates()  # the seed rates the engine falls back to are the invoice's too
    assert Decimal(invoice.grand_total) > invoice.taxable_value
