"""Examples of what the deterministic interpreter reads in orders and replies, and what it refuses to guess."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import (
    Context,
    ContextLine,
    CustomerDecision,
    Decision,
    Intent,
    Interpretation,
    ItemRequest,
)
from chalicelib.domain.interpreter import detect_language, interpret
from devstack.extract import main

VOCABULARY = Vocabulary.from_seed()


# --- builders ------------------------------------------------------------------------------------------------------


def item(color: str, material: str, quantity: str, unit: str = "m") -> tuple[str, str, Decimal, str]:
    return color, material, Decimal(quantity), unit


def items_of(result: Interpretation) -> list[tuple[str, str, Decimal, str]]:
    return [(i.color, i.material, i.quantity, i.unit) for i in result.items]


def order_on_the_table(*lines: tuple[str, str, str], state: str = "negotiating") -> Context:
    """Lines as (colour, material, meters), numbered from 1 as the customer sees them."""
    return Context(
        state=state,
        lines=tuple(
            ContextLine(number=n, color=color, material=material, quantity=Decimal(qty))
            for n, (color, material, qty) in enumerate(lines, start=1)
        ),
    )


BLUE_COTTON_AND_RED_POLYESTER = order_on_the_table(("blue", "cotton", "20"), ("red", "polyester", "6"))


def decisions_of(result: Interpretation) -> list[tuple[CustomerDecision, str | None, Decimal | None]]:
    return [(d.kind, d.target, d.quantity) for d in result.decisions]


def read(text: str, context: Context | None = None) -> Interpretation:
    return interpret(text, VOCABULARY, context)


def cases(table: list[tuple]) -> dict:
    return {"argvalues": table, "ids": [str(row[0]).replace("\n", " / ") for row in table]}


# --- orders --------------------------------------------------------------------------------------------------------

QUANTITY_FORMS = [
    ("20m blue cotton", "20", "m"),
    ("20 m blue cotton", "20", "m"),
    ("20 mtr blue cotton", "20", "m"),
    ("20mtrs blue cotton", "20", "m"),
    ("20 meter blue cotton", "20", "m"),
    ("20 metre blue cotton", "20", "m"),
    ("20 meters blue cotton", "20", "m"),
    ("20 मीटर blue cotton", "20", "m"),
    ("2.5m blue cotton", "2.5", "m"),
    ("1,000 m blue cotton", "1000", "m"),
    ("bees meter blue cotton", "20", "m"),
    ("pachees meter blue cotton", "25", "m"),
    ("tees meter blue cotton", "30", "m"),
    ("chalees meter blue cotton", "40", "m"),
    ("pachaas meter blue cotton", "50", "m"),
    ("gyarah meter blue cotton", "11", "m"),
    ("barah meter blue cotton", "12", "m"),
    ("paanch meter blue cotton", "5", "m"),
    ("das meter blue cotton", "10", "m"),
    ("sau meter blue cotton", "100", "m"),
    ("dedh sau meter blue cotton", "150", "m"),
    ("dhai sau meter blue cotton", "250", "m"),
    ("saadhe das meter blue cotton", "10.5", "m"),
    ("sava do meter blue cotton", "2.25", "m"),
    ("paune teen meter blue cotton", "2.75", "m"),
    ("dedh meter blue cotton", "1.5", "m"),
    ("dhai meter blue cotton", "2.5", "m"),
    ("dhaai meter blue cotton", "2.5", "m"),
    ("ek sau bees meter blue cotton", "120", "m"),
    ("twenty meters blue cotton", "20", "m"),
    ("बीस मीटर blue cotton", "20", "m"),
    ("दस मीटर blue cotton", "10", "m"),
    ("ढाई मीटर blue cotton", "2.5", "m"),
    ("डेढ़ मीटर blue cotton", "1.5", "m"),
    ("साढ़े दस मीटर blue cotton", "10.5", "m"),
    ("२० मीटर blue cotton", "20", "m"),
    ("२.५ मीटर blue cotton", "2.5", "m"),
    ("10 yards blue cotton", "9.14", "m"),
    ("1 yard blue cotton", "0.91", "m"),
    ("20 gaj blue cotton", "18.29", "m"),
    ("5 yd blue cotton", "4.57", "m"),
    ("5 गज blue cotton", "4.57", "m"),
    ("2 than blue cotton", "2", "roll"),
    ("1 roll blue cotton", "1", "roll"),
    ("3 rolls blue cotton", "3", "roll"),
    ("2 थान blue cotton", "2", "roll"),
    ("2 रोल blue cotton", "2", "roll"),
    ("do than blue cotton", "2", "roll"),
]


@pytest.mark.parametrize("text, quantity, unit", **cases(QUANTITY_FORMS))
def test_reads_the_quantity_in_every_number_form_and_unit(text, quantity, unit):
    result = read(text)

    assert items_of(result) == [item("blue", "cotton", quantity, unit)]
    assert result.certain


def test_quantities_are_decimal_meters_quantised_to_centimeters():
    (line,) = read("3 yards blue cotton").items

    assert line.quantity == Decimal("2.74") and line.quantity.as_tuple().exponent == -2


CATALOGUE_WORDS = [
    ("20m blue cotton", item("blue", "cotton", "20")),
    ("20m sky blue cotton", item("sky blue", "cotton", "20")),
    ("20m sky-blue cotton", item("sky blue", "cotton", "20")),
    ("20m SKY BLUE COTTON", item("sky blue", "cotton", "20")),
    ("20m navy blue silk", item("navy blue", "silk", "20")),
    ("20m off white linen", item("off white", "linen", "20")),
    ("20m gehra neela suti", item("dark blue", "cotton", "20")),
    ("cotton blue 20m", item("blue", "cotton", "20")),
    ("blue cotton 20 meter", item("blue", "cotton", "20")),
    ("laal resham 5 meter", item("red", "silk", "5")),
    ("5 meter neela suti", item("blue", "cotton", "5")),
    ("safed malmal 10 mtr", item("white", "muslin", "10")),
    ("नीला सूती कपड़ा 20 मीटर", item("blue", "cotton", "20")),
    ("20 मीटर लाल पॉलिएस्टर", item("red", "polyester", "20")),
    ("गहरा नीला रेशम 3 मीटर", item("dark blue", "silk", "3")),
    ("सफ़ेद लिनन 4 मीटर", item("white", "linen", "4")),
    ("सफेद लिनन 4 मीटर", item("white", "linen", "4")),
    ("mujhe 20 meter laal resham chahiye", item("red", "silk", "20")),
    ("namaste ji, 20m neela suti chahiye", item("blue", "cotton", "20")),
    ("bhai 20m blue cotton bhej do jaldi", item("blue", "cotton", "20")),
    ("Hello, I need 20 meters of blue cotton please", item("blue", "cotton", "20")),
    ("मुझे 20 मीटर नीला सूती कपड़ा चाहिए", item("blue", "cotton", "20")),
    ("20m blue cotton.", item("blue", "cotton", "20")),
    ("1) 20m blue cotton", item("blue", "cotton", "20")),
]


@pytest.mark.parametrize("text, expected", **cases(CATALOGUE_WORDS))
def test_reads_colours_and_materials_in_any_script_and_word_order(text, expected):
    result = read(text)

    assert result.intent is Intent.ORDER
    assert items_of(result) == [expected]
    assert result.certain


TWO_LINES = [item("blue", "cotton", "20"), item("red", "polyester", "6")]
SEVERAL_LINES = [
    ("20m blue cotton aur 6m red polyester", TWO_LINES),
    ("20m blue cotton and 6m red polyester", TWO_LINES),
    ("20m blue cotton, 6m red polyester", TWO_LINES),
    ("20m blue cotton & 6m red polyester", TWO_LINES),
    ("20m blue cotton + 6m red polyester", TWO_LINES),
    ("20m blue cotton; 6m red polyester", TWO_LINES),
    ("20m blue cotton और 6m red polyester", TWO_LINES),
    ("20m blue cotton तथा 6m red polyester", TWO_LINES),
    ("20m blue cotton\n6m red polyester", TWO_LINES),
    ("1. 20m blue cotton\n2. 6m red polyester", TWO_LINES),
    ("1) 20m blue cotton\n2) 6m red polyester", TWO_LINES),
    ("- 20m blue cotton\n- 6m red polyester", TWO_LINES),
    ("• 20m blue cotton\n• 6m red polyester", TWO_LINES),
    ("20m blue cotton 6m red polyester", TWO_LINES),
    ("blue cotton 20m red polyester 6m", TWO_LINES),
    ("बीस मीटर नीला सूती और छह मीटर लाल पॉलिएस्टर", TWO_LINES),
    ("20m blue cotton, 20m blue cotton", [item("blue", "cotton", "20"), item("blue", "cotton", "20")]),
]


@pytest.mark.parametrize("text, expected", **cases(SEVERAL_LINES))
def test_reads_several_lines_in_one_message(text, expected):
    result = read(text)

    assert items_of(result) == expected
    assert result.certain


BLUE_AND_RED_COTTON_10 = [item("blue", "cotton", "10"), item("red", "cotton", "10")]
EACH = [
    ("10m each of blue and red cotton", BLUE_AND_RED_COTTON_10),
    ("blue and red cotton 10m each", BLUE_AND_RED_COTTON_10),
    ("blue, red cotton 10m each", BLUE_AND_RED_COTTON_10),
    ("blue red cotton 10m each", BLUE_AND_RED_COTTON_10),
    ("10-10 m blue aur red cotton", BLUE_AND_RED_COTTON_10),
    ("blue aur red cotton 10-10 meter", BLUE_AND_RED_COTTON_10),
    ("das das meter neela aur laal suti", BLUE_AND_RED_COTTON_10),
    ("दस-दस मीटर नीला और लाल सूती", BLUE_AND_RED_COTTON_10),
    ("blue aur red cotton har ek 10 meter", BLUE_AND_RED_COTTON_10),
    ("cotton 10m each: blue, red", BLUE_AND_RED_COTTON_10),
    (
        "5-5 meter blue, red aur green cotton",
        [item("blue", "cotton", "5"), item("red", "cotton", "5"), item("green", "cotton", "5")],
    ),
    ("blue cotton aur silk 5-5 meter", [item("blue", "cotton", "5"), item("blue", "silk", "5")]),
    ("5-5 meter: blue cotton, red silk", [item("blue", "cotton", "5"), item("red", "silk", "5")]),
    (
        "20m white linen, blue aur red cotton 10m each",
        [item("white", "linen", "20"), *BLUE_AND_RED_COTTON_10],
    ),
]


@pytest.mark.parametrize("text, expected", **cases(EACH))
def test_a_quantity_for_each_applies_to_every_item_of_the_list(text, expected):
    result = read(text)

    assert items_of(result) == expected
    assert result.certain


def test_an_item_keeps_the_text_it_came_from():
    result = read("20m Blue Cotton aur 6m red polyester")

    assert [i.raw for i in result.items] == ["20m Blue Cotton", "6m red polyester"]


# --- uncertainty -------------------------------------------------------------------------------------------------

NOT_SURE = [
    ("20m cotton", "Which colour of cotton?"),
    ("20m blue", "Which material in blue?"),
    ("20 blue cotton", "20 meters or 20 rolls of blue cotton?"),
    ("blue cotton", "How many meters of blue cotton?"),
    ("20m", "20 m: which material and colour?"),
    ("bees meter suti", "suti kis colour mein chahiye?"),
    ("neela suti 20", "neela suti: 20 meter ya 20 than?"),
    ("20 मीटर सूती", "सूती किस रंग में चाहिए?"),
    ("20 मीटर नीला", "नीला में कौन सा कपड़ा चाहिए?"),
    ("नीला सूती 20", "नीला सूती: 20 मीटर या 20 थान?"),
    ("20m blue and red cotton", "Which material in blue?"),
    ("10-12 m blue cotton", "10 or 12 m of blue cotton?"),
    ("das barah meter neela suti", "neela suti: 10 ya 12 meter?"),
    ("20m blue aur red cotton", "neela mein kaunsa kapda chahiye?"),
]


@pytest.mark.parametrize("text, question", **cases(NOT_SURE))
def test_a_fragment_missing_colour_material_quantity_or_unit_becomes_a_question_not_an_item(text, question):
    result = read(text)

    assert result.items == []
    assert question in result.questions
    assert not result.certain


def test_the_items_it_is_sure_of_are_kept_beside_the_question_about_the_others():
    result = read("20m cotton and 10m red silk")

    assert items_of(result) == [item("red", "silk", "10")]
    assert result.questions == ["Which colour of cotton?"]
    assert result.unclear == ["20m cotton"]
    assert not result.certain


def test_a_quantity_before_a_list_without_each_is_not_spread_over_the_list():
    result = read("blue and red cotton 10m")

    assert items_of(result) == [item("red", "cotton", "10")]
    assert result.questions == ["Which material in blue?"]


@pytest.mark.parametrize("text", ["20m blue printed cotton", "20m blue cotton, kuch accha sa"])
def test_words_it_does_not_know_leave_the_reading_uncertain(text):
    result = read(text)

    assert items_of(result) == [item("blue", "cotton", "20")]
    assert result.unclear and not result.certain


@pytest.mark.parametrize("text", ["20m blue cotton nahi", "20m blue cotton mat bhejo", "not 20m blue cotton"])
def test_a_negated_item_is_never_ordered(text):
    result = read(text)

    assert result.items == []
    assert result.intent is not Intent.ORDER


@pytest.mark.parametrize("text", ["0m blue cotton", "0 than red silk"])
def test_a_zero_quantity_is_not_an_item(text):
    result = read(text)

    assert result.items == []
    assert not result.certain


@pytest.mark.parametrize("text", ["asdf qwer", "", "   ", "🙂", "?", "....", "20m blue or"])
def test_text_it_cannot_read_is_unknown_or_a_question_never_a_guess(text):
    result = read(text)

    assert result.items == [] and result.decisions == []
    assert not result.certain


def test_unreadable_text_gets_a_question_in_the_customers_language():
    result = read("kuch accha sa bhai")

    assert result.intent is Intent.UNKNOWN
    assert result.language == "hinglish"
    assert result.questions and "samajh nahi aaya" in result.questions[0]


# --- commands ----------------------------------------------------------------------------------------------------

COMMANDS = [
    ("cancel", Intent.CANCEL_ORDER),
    ("Cancel", Intent.CANCEL_ORDER),
    ("sab cancel", Intent.CANCEL_ORDER),
    ("cancel order", Intent.CANCEL_ORDER),
    ("order cancel karo", Intent.CANCEL_ORDER),
    ("cancel everything please", Intent.CANCEL_ORDER),
    ("रद्द करो", Intent.CANCEL_ORDER),
    ("पूरा ऑर्डर रद्द", Intent.CANCEL_ORDER),
    ("naya order", Intent.NEW_ORDER),
    ("new order", Intent.NEW_ORDER),
    ("नया ऑर्डर", Intent.NEW_ORDER),
    ("status", Intent.STATUS),
    ("order status", Intent.STATUS),
    ("mera order", Intent.STATUS),
    ("mera order kahan hai?", Intent.STATUS),
    ("where is my order", Intent.STATUS),
    ("मेरा ऑर्डर", Intent.STATUS),
    ("help", Intent.HELP),
    ("madad", Intent.HELP),
    ("madad chahiye", Intent.HELP),
    ("मदद", Intent.HELP),
    ("hi", Intent.GREETING),
    ("hello", Intent.GREETING),
    ("namaste", Intent.GREETING),
    ("Namaste ji", Intent.GREETING),
    ("good morning", Intent.GREETING),
    ("नमस्ते", Intent.GREETING),
]


@pytest.mark.parametrize("text, intent", **cases(COMMANDS))
@pytest.mark.parametrize("context", [None, BLUE_COTTON_AND_RED_POLYESTER], ids=["no order", "negotiating"])
def test_global_commands_mean_the_same_in_every_state(text, intent, context):
    result = read(text, context)

    assert result.intent is intent
    assert result.certain


def test_cancel_alone_cancels_the_whole_order():
    result = read("cancel", BLUE_COTTON_AND_RED_POLYESTER)

    assert decisions_of(result) == [(CustomerDecision.CANCEL_ORDER, None, None)]


def test_a_new_order_can_carry_its_items():
    result = read("naya order: 20m blue cotton aur 6m red polyester", BLUE_COTTON_AND_RED_POLYESTER)

    assert result.intent is Intent.NEW_ORDER
    assert items_of(result) == TWO_LINES


def test_a_greeting_before_an_order_does_not_hide_the_order():
    assert items_of(read("hi, 20m blue cotton")) == [item("blue", "cotton", "20")]


# --- replies while negotiating and confirming ----------------------------------------------------------------------

ACCEPT = CustomerDecision.ACCEPT_AVAILABLE
CANCEL_ITEM = CustomerDecision.CANCEL_ITEM
ALTERNATIVE = CustomerDecision.REQUEST_ALTERNATIVE
EDIT = CustomerDecision.EDIT_ITEM
CONFIRM = CustomerDecision.CONFIRM
CANCEL_ORDER = CustomerDecision.CANCEL_ORDER

REPLIES = [
    ("ok", [(ACCEPT, None, None)]),
    ("okay", [(ACCEPT, None, None)]),
    ("haan", [(ACCEPT, None, None)]),
    ("theek hai", [(ACCEPT, None, None)]),
    ("jitna hai de do", [(ACCEPT, None, None)]),
    ("available wala le lunga", [(ACCEPT, None, None)]),
    ("yes accept", [(ACCEPT, None, None)]),
    ("chalega", [(ACCEPT, None, None)]),
    ("हाँ", [(ACCEPT, None, None)]),
    ("हां", [(ACCEPT, None, None)]),
    ("ठीक है", [(ACCEPT, None, None)]),
    ("blue le lunga", [(ACCEPT, "1", None)]),
    ("red polyester cancel", [(CANCEL_ITEM, "2", None)]),
    ("cancel the red one", [(CANCEL_ITEM, "2", None)]),
    ("remove the red one", [(CANCEL_ITEM, "2", None)]),
    ("2 cancel", [(CANCEL_ITEM, "2", None)]),
    ("2 hata do", [(CANCEL_ITEM, "2", None)]),
    ("item 2 cancel", [(CANCEL_ITEM, "2", None)]),
    ("no. 2 cancel", [(CANCEL_ITEM, "2", None)]),
    ("#2 remove", [(CANCEL_ITEM, "2", None)]),
    ("2nd wala hata do", [(CANCEL_ITEM, "2", None)]),
    ("doosra wala cancel", [(CANCEL_ITEM, "2", None)]),
    ("polyester nahi chahiye", [(CANCEL_ITEM, "2", None)]),
    ("लाल वाला हटा दो", [(CANCEL_ITEM, "2", None)]),
    ("लाल रद्द", [(CANCEL_ITEM, "2", None)]),
    ("koi aur colour?", [(ALTERNATIVE, None, None)]),
    ("alternative dikhao", [(ALTERNATIVE, None, None)]),
    ("other options", [(ALTERNATIVE, None, None)]),
    ("dusra colour dikhao", [(ALTERNATIVE, None, None)]),
    ("red ka koi aur colour?", [(ALTERNATIVE, "2", None)]),
    ("कोई और रंग?", [(ALTERNATIVE, None, None)]),
    ("blue cotton 30m kar do", [(EDIT, "1", Decimal("30"))]),
    ("blue 30 meter kar do", [(EDIT, "1", Decimal("30"))]),
    ("item 1 ko 25 meter", [(EDIT, "1", Decimal("25"))]),
    ("1 ko 25 meter kar do", [(EDIT, "1", Decimal("25"))]),
    ("red sirf 4m", [(EDIT, "2", Decimal("4"))]),
    ("नीला 15 मीटर कर दो", [(EDIT, "1", Decimal("15"))]),
    ("confirm", [(CONFIRM, None, None)]),
    ("pakka", [(CONFIRM, None, None)]),
    ("done", [(CONFIRM, None, None)]),
    ("haan confirm", [(CONFIRM, None, None)]),
    ("order kar do", [(CONFIRM, None, None)]),
    ("पक्का", [(CONFIRM, None, None)]),
    ("blue le lunga, red cancel", [(ACCEPT, "1", None), (CANCEL_ITEM, "2", None)]),
    ("blue le lunga red cancel", [(ACCEPT, "1", None), (CANCEL_ITEM, "2", None)]),
    ("नीला ले लूंगा, लाल रद्द", [(ACCEPT, "1", None), (CANCEL_ITEM, "2", None)]),
    ("red aur blue cancel", [(CANCEL_ITEM, "2", None), (CANCEL_ITEM, "1", None)]),
    ("1 aur 2 cancel", [(CANCEL_ITEM, "1", None), (CANCEL_ITEM, "2", None)]),
    ("blue le lunga, baaki cancel", [(ACCEPT, "1", None), (CANCEL_ITEM, "2", None)]),
    ("red cancel, baaki confirm", [(CANCEL_ITEM, "2", None), (CONFIRM, None, None)]),
    ("ok, confirm", [(ACCEPT, None, None), (CONFIRM, None, None)]),
]


@pytest.mark.parametrize("text, expected", **cases(REPLIES))
def test_reads_the_customers_replies_about_the_order_on_the_table(text, expected):
    result = read(text, BLUE_COTTON_AND_RED_POLYESTER)

    assert result.intent is Intent.DECISIONS
    assert decisions_of(result) == expected
    assert result.certain


@pytest.mark.parametrize("state", ["negotiating", "confirming", "waiting_owner"])
def test_replies_are_read_in_every_state_with_an_order_on_the_table(state):
    context = order_on_the_table(("blue", "cotton", "20"), ("red", "polyester", "6"), state=state)

    assert decisions_of(read("2 cancel", context)) == [(CANCEL_ITEM, "2", None)]


@pytest.mark.parametrize("text", ["sab cancel", "cancel order", "order cancel karo", "रद्द करो", "cancel"])
def test_cancelling_everything_while_negotiating_cancels_the_order(text):
    result = read(text, BLUE_COTTON_AND_RED_POLYESTER)

    assert result.intent is Intent.CANCEL_ORDER
    assert decisions_of(result) == [(CANCEL_ORDER, None, None)]


@pytest.mark.parametrize("text", ["aur 5m white linen bhi", "add 5m white linen", "5m white linen bhi chahiye"])
def test_a_new_item_in_a_reply_is_added_to_the_order(text):
    result = read(text, BLUE_COTTON_AND_RED_POLYESTER)

    (decision,) = result.decisions
    assert decision.kind is CustomerDecision.ADD_ITEM
    assert decision.item is not None
    assert (decision.item.color, decision.item.material, decision.item.quantity) == ("white", "linen", Decimal(5))
    assert result.certain


def test_a_full_item_list_in_a_reply_edits_the_lines_it_names_and_adds_the_rest():
    result = read("25m blue cotton aur 5m white linen", BLUE_COTTON_AND_RED_POLYESTER)

    assert [(d.kind, d.target) for d in result.decisions] == [(EDIT, "1"), (CustomerDecision.ADD_ITEM, None)]


def test_make_it_applies_to_the_only_line_of_the_order():
    result = read("make it 15m", order_on_the_table(("blue", "cotton", "20")))

    assert decisions_of(result) == [(EDIT, "1", Decimal(15))]


def test_make_it_with_several_lines_asks_which_line():
    result = read("make it 15m", BLUE_COTTON_AND_RED_POLYESTER)

    assert result.decisions == []
    assert result.questions == ["Which item should be 15 m?"]
    assert not result.certain


def test_without_the_order_lines_a_reply_names_its_target_in_words():
    result = read("red polyester cancel", Context(state="negotiating"))

    assert decisions_of(result) == [(CANCEL_ITEM, "red polyester", None)]


def test_without_context_a_reply_with_no_items_is_still_read_as_decisions():
    result = read("2 cancel")

    assert result.intent is Intent.DECISIONS
    assert decisions_of(result) == [(CANCEL_ITEM, "2", None)]


def test_without_context_a_change_of_quantity_is_read_as_an_order_question():
    result = read("make it 15m")

    assert result.intent is Intent.ORDER
    assert result.decisions == [] and not result.certain


def test_a_line_number_that_is_not_in_the_order_is_asked_about():
    result = read("5 cancel", BLUE_COTTON_AND_RED_POLYESTER)

    assert result.decisions == []
    assert result.questions == ["There is no item 5 in your order. Which item do you mean?"]


def test_a_colour_that_names_two_lines_is_asked_about():
    context = order_on_the_table(("blue", "cotton", "20"), ("blue", "silk", "5"))

    result = read("blue cancel", context)

    assert result.decisions == []
    assert result.questions == ["Which item do you mean: 1 (blue cotton), 2 (blue silk)?"]


def test_a_colour_that_names_no_line_is_asked_about():
    result = read("green cancel", BLUE_COTTON_AND_RED_POLYESTER)

    assert result.decisions == []
    assert result.questions == ["There is no green in your order. Which item do you mean?"]


@pytest.mark.parametrize("text", ["nahi chahiye", "hata do"])
def test_removing_without_saying_which_line_asks_which(text):
    result = read(text, BLUE_COTTON_AND_RED_POLYESTER)

    assert result.decisions == []
    assert result.questions == ["Kaunsa item hatana hai?"]


def test_a_bare_number_in_a_reply_asks_for_the_unit():
    result = read("blue 30 kar do", BLUE_COTTON_AND_RED_POLYESTER)

    assert result.decisions == []
    assert result.questions == ["30 meter ya 30 than?"]


def test_a_reply_with_unknown_words_keeps_its_decisions_but_is_uncertain():
    result = read("blue le lunga, red ka kya scene hai", BLUE_COTTON_AND_RED_POLYESTER)

    assert decisions_of(result) == [(ACCEPT, "1", None)]
    assert not result.certain


# --- language ----------------------------------------------------------------------------------------------------

LANGUAGES = [
    ("20m blue cotton and 6m red polyester", "en"),
    ("ok", "en"),
    ("20m blue cotton aur 6m red polyester", "hinglish"),
    ("20m blue cotton chahiye", "hinglish"),
    ("blue cotton 30m kar do", "hinglish"),
    ("bees meter blue cotton", "hinglish"),
    ("20m neela suti", "hinglish"),
    ("haan", "hinglish"),
    ("नीला सूती 20 मीटर", "hi"),
    ("20m blue सूती", "hi"),
]


@pytest.mark.parametrize("text, language", **cases(LANGUAGES))
def test_detects_the_customers_language(text, language):
    assert read(text).language == language
    assert detect_language(text, VOCABULARY) == language


# --- the result model --------------------------------------------------------------------------------------------


def test_the_json_form_gives_whole_quantities_as_integers_and_others_as_decimal_strings():
    result = read("20m blue cotton aur 2.5m red polyester")

    data = result.to_json_dict()

    assert data["intent"] == "ORDER"
    assert [(i["material"], i["color"], i["quantity"], i["unit"]) for i in data["items"]] == [
        ("cotton", "blue", 20, "m"),
        ("polyester", "red", "2.5", "m"),
    ]
    assert data["certain"] is True and data["language"] == "hinglish"
    assert json.loads(json.dumps(data)) == data


def test_the_json_form_validates_back_into_the_same_interpretation():
    result = read("blue le lunga, red cancel, aur 5m white linen bhi", BLUE_COTTON_AND_RED_POLYESTER)

    assert Interpretation.model_validate(result.to_json_dict()) == result


def test_the_model_refuses_fields_it_does_not_know():
    with pytest.raises(ValidationError):
        ItemRequest.model_validate({"material": "cotton", "color": "blue", "quantity": 2, "unit": "m", "shade": "dark"})


@pytest.mark.parametrize("quantity", ["0", "-1", "0.001"])
def test_the_model_refuses_a_quantity_that_is_not_more_than_zero(quantity):
    with pytest.raises(ValidationError):
        ItemRequest(material="cotton", color="blue", quantity=Decimal(quantity), unit="m")


def test_the_model_refuses_a_certain_reading_with_questions():
    with pytest.raises(ValidationError):
        Interpretation(intent=Intent.ORDER, questions=["Which colour of cotton?"], certain=True)


def test_the_model_refuses_an_edit_without_a_quantity_and_an_add_without_an_item():
    with pytest.raises(ValidationError):
        Decision(kind=CustomerDecision.EDIT_ITEM, target="1")
    with pytest.raises(ValidationError):
        Decision(kind=CustomerDecision.ADD_ITEM)


# --- the CLI -----------------------------------------------------------------------------------------------------


def run_cli(argv: list[str], stdin: str = "") -> tuple[int, list[dict]]:
    out = io.StringIO()
    status = main(argv, stdin=io.StringIO(stdin), stdout=out)
    return status, [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_cli_prints_one_json_line_for_a_message():
    status, lines = run_cli(["20m blue cotton aur 6m red polyester"])

    assert status == 0
    assert [(i["color"], i["quantity"]) for i in lines[0]["items"]] == [("blue", 20), ("red", 6)]


def test_the_cli_reads_json_lines_and_answers_a_bad_line_with_an_error():
    stdin = '{"text": "bees meter neela suti"}\nnot json\n{"txt": 1}\n\n{"text": "2 cancel"}\n'

    status, lines = run_cli(["--jsonl"], stdin)

    assert status == 0
    assert len(lines) == 4
    assert lines[0]["items"][0]["quantity"] == 20
    assert "error" in lines[1] and "error" in lines[2]
    assert lines[3]["decisions"][0]["kind"] == "CANCEL_ITEM"


def test_the_cli_reads_a_line_with_its_order_context():
    context = {"state": "negotiating", "lines": [{"number": 1, "material": "cotton", "color": "blue", "quantity": 20}]}

    _, lines = run_cli(["--jsonl"], json.dumps({"text": "make it 15m", "context": context}) + "\n")

    assert lines[0]["decisions"] == [
        {"kind": "EDIT_ITEM", "target": "1", "quantity": 15, "unit": "m", "item": None, "raw": "make it 15m"}
    ]


def test_the_cli_without_text_is_a_usage_error():
    assert run_cli([])[0] == 2


def test_le_lo_after_an_item_is_hinglish_and_certain():
    from chalicelib.domain.catalogue import Vocabulary
    from chalicelib.domain.interpreter import interpret

    reading = interpret("6m black polyester le lo", Vocabulary.from_seed())
    assert reading.certain and reading.language == "hinglish"
    assert [(i.material, i.color, i.quantity) for i in reading.items] == [("polyester", "black", 6)]


NEGOTIATING_ONE_OPEN = {
    "state": "negotiating",
    "lines": [
        {"number": 1, "material": "cotton", "color": "blue", "quantity": "20", "unit": "m", "open": False},
        {"number": 2, "material": "polyester", "color": "red", "quantity": "6", "unit": "m"},
    ],
}


@pytest.mark.parametrize("text", ["4 meter le lo", "ok take 4m", "take 4m"])
def test_a_bare_quantity_while_one_line_is_open_edits_that_line(text):
    from chalicelib.domain.catalogue import Vocabulary
    from chalicelib.domain.interpretation import Context
    from chalicelib.domain.interpreter import interpret

    reading = interpret(text, Vocabulary.from_seed(), Context.model_validate(NEGOTIATING_ONE_OPEN))
    assert reading.certain
    [decision] = reading.decisions
    assert (decision.kind, decision.target, decision.quantity) == ("EDIT_ITEM", "2", 4)


def test_a_bare_quantity_with_two_open_lines_is_still_a_question():
    from chalicelib.domain.catalogue import Vocabulary
    from chalicelib.domain.interpretation import Context
    from chalicelib.domain.interpreter import interpret

    both_open = {**NEGOTIATING_ONE_OPEN, "lines": [dict(line, open=True) for line in NEGOTIATING_ONE_OPEN["lines"]]}
    reading = interpret("4 meter le lo", Vocabulary.from_seed(), Context.model_validate(both_open))
    assert not reading.certain and reading.questions and not reading.decisions


def test_jitna_hai_utna_de_do_in_devanagari_accepts_what_is_available():
    from chalicelib.domain.catalogue import Vocabulary
    from chalicelib.domain.interpretation import Context
    from chalicelib.domain.interpreter import interpret

    reading = interpret("जितना है उतना दे दो", Vocabulary.from_seed(), Context.model_validate(NEGOTIATING_ONE_OPEN))
    assert reading.certain and [d.kind for d in reading.decisions] == ["ACCEPT_AVAILABLE"]
