"""What the customer reads: the same messages in English, Hinglish and Devanagari, within WhatsApp's limits."""

import re
import string
from decimal import Decimal

import pytest

from chalicelib.domain import replies
from chalicelib.domain.messages import BUTTON_TITLE_MAX, ROW_TITLE_MAX
from chalicelib.domain.order import ItemStatus, Order, OrderLine, OrderState
from chalicelib.domain.replies import TEXTS, Choice
from tests.unit.conftest import build_batch
from tests.unit.conversation_helpers import NOW, PHONE, VOCABULARY, Customer, Shelf, shop_shelf

D = Decimal
LANGUAGES = ("en", "hinglish", "hi")
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
LATIN = re.compile(r"[A-Za-z]")


def checked_line(shelf: Shelf, material: str, color: str, quantity: str, unit: str = "m", number: int = 1) -> OrderLine:
    """A line as the engine leaves it after a stock check: accepted when the shelf can fill it."""
    line = OrderLine(f"L{number}", material, color, D(quantity), unit, number=number)
    line.allocation = shelf.allocate(line.request())
    line.alternatives = shelf.alternatives(line.request())
    if line.availability.value == "FULL_AVAILABLE":
        line.status, line.accepted_quantity = ItemStatus.ACCEPTED, line.quantity
    return line


def an_order(language: str, *lines: OrderLine, state: OrderState = OrderState.CUSTOMER_NEGOTIATION) -> Order:
    order = Order.new("ORD-7", PHONE, "Ravi", language, NOW)
    order.state, order.lines = state, list(lines)
    order.renumber()
    return order


def rolls_of_cotton(rolls: int = 3, loose: str = "0") -> Shelf:
    return Shelf([build_batch("cotton", material="cotton", color="blue", rolls=rolls, loose=loose, price="120")])


def buttons_and_rows(message) -> list[tuple[str, str]]:
    return [(b.id, b.title) for b in message.buttons] + [
        (row.id, row.title) for section in message.list_sections for row in section.rows
    ]


# --- The wording table ----------------------------------------------------------------------------------------------


def test_every_message_is_written_in_all_three_languages_with_the_same_blanks():
    for key, row in TEXTS.items():
        assert set(row) == set(LANGUAGES), key
        blanks = {
            language: {name for _, name, _, _ in string.Formatter().parse(row[language]) if name}
            for language in LANGUAGES
        }
        assert blanks["en"] == blanks["hinglish"] == blanks["hi"], key


def test_hindi_is_written_in_devanagari_and_hinglish_and_english_in_roman_script():
    for key, row in TEXTS.items():
        hindi = re.sub(r"\{\w+\}", "", row["hi"])
        if re.search(r"\w", hindi):  # rows of blanks and signs only ("{m} = {r} ({p})") have no script
            assert DEVANAGARI.search(hindi), key
        assert not LATIN.search(hindi), key
        assert not DEVANAGARI.search(row["hinglish"]), key
        assert not DEVANAGARI.search(row["en"]), key


# --- Lines, quantities and prices ----------------------------------------------------------------------------------


def test_a_short_line_says_what_can_be_given():
    line = checked_line(shop_shelf(), "polyester", "red", "6")

    assert replies.line_text(line, "en", VOCABULARY).splitlines() == [
        "1. Red polyester: only 4 m of 6 m available",
        "   4 m × ₹90.00 = ₹360.00",
    ]


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "1. Blue cotton — 40 m = 1 roll (40 m)"),
        ("hinglish", "1. Neela suti — 40 meter = 1 than (40 meter)"),
        ("hi", "1. नीला सूती — 40 मीटर = 1 थान (40 मीटर)"),
    ],
)
def test_a_whole_roll_is_named_with_its_meters(language, expected):
    line = checked_line(rolls_of_cotton(), "cotton", "blue", "40")

    assert replies.line_text(line, language, VOCABULARY).splitlines()[0] == expected


def test_several_whole_rolls_of_one_length_say_each():
    line = checked_line(rolls_of_cotton(), "cotton", "blue", "80")

    assert "80 m = 2 rolls (40 m each)" in replies.line_text(line, "en", VOCABULARY)


def test_rolls_and_a_cut_piece_are_named_apart():
    line = checked_line(rolls_of_cotton(), "cotton", "blue", "60")

    assert replies.line_text(line, "en", VOCABULARY).splitlines()[0] == "1. Blue cotton — 60 m: 1 roll + 20 m cut"


def test_a_piece_cut_from_loose_stock_is_just_meters():
    line = checked_line(rolls_of_cotton(loose="30"), "cotton", "blue", "20")

    assert replies.line_text(line, "en", VOCABULARY).splitlines()[0] == "1. Blue cotton — 20 m"


def test_a_line_in_rolls_counts_rolls_and_their_meters():
    line = checked_line(rolls_of_cotton(), "cotton", "blue", "2", unit="roll")

    assert replies.line_text(line, "hi", VOCABULARY).splitlines()[0] == "1. नीला सूती — 2 थान (80 मीटर)"


def test_prices_are_rupees_with_indian_digit_grouping():
    shelf = Shelf([build_batch("lot", material="cotton", color="blue", rolls=30, price="123.45")])
    line = checked_line(shelf, "cotton", "blue", "1000")

    assert "1000 m × ₹123.45 = ₹1,23,450.00" in replies.line_text(line, "en", VOCABULARY)


def test_a_line_the_customer_took_short_says_what_was_asked():
    line = checked_line(shop_shelf(), "polyester", "red", "4")
    line.quantity = D("6")

    assert "Laal polyester — 4 meter (6 meter maanga tha)" in replies.line_text(line, "hinglish", VOCABULARY)


# --- Choices within WhatsApp's limits -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_and_row_title_fits_in_every_language(language):
    shelf = shop_shelf()
    short = checked_line(shelf, "polyester", "red", "6", number=1)
    full = checked_line(shelf, "cotton", "blue", "20", number=2)
    order = an_order(language, short, full)

    messages = [
        replies.line_choice(order, short, VOCABULARY),
        replies.alternatives(order, short, VOCABULARY),
        replies.bounded_choice(order, VOCABULARY),
        replies.edit_help(order, VOCABULARY),
        *replies.summary(an_order(language, full, state=OrderState.FINAL_CUSTOMER_CONFIRMATION), VOCABULARY),
    ]

    titles = [title for message in messages for _, title in buttons_and_rows(message)]
    assert titles
    assert all(len(title) <= BUTTON_TITLE_MAX for message in messages for title in (b.title for b in message.buttons))
    assert all(len(title) <= ROW_TITLE_MAX for title in titles)
    if language == "hi":
        assert all(DEVANAGARI.search(title) for message in messages for title in (b.title for b in message.buttons))


def test_more_than_three_choices_become_a_list():
    shelf = Shelf(
        [
            build_batch("red", material="polyester", color="red", loose="2"),
            build_batch("blue", material="polyester", color="blue", rolls=2),
            build_batch("black", material="polyester", color="black", rolls=3),
            build_batch("red cotton", material="cotton", color="red", rolls=1),
        ]
    )
    line = checked_line(shelf, "polyester", "red", "6")
    order = an_order("en", line)

    message = replies.alternatives(order, line, VOCABULARY)

    assert message.buttons == ()
    assert message.list_button == "Choose"
    assert buttons_and_rows(message) == [
        ("pick:L1:polyester:black", "Black polyester"),
        ("pick:L1:polyester:blue", "Blue polyester"),
        ("pick:L1:cotton:red", "Red cotton"),
        ("cancel:L1", "Remove item"),
    ]
    assert message.list_sections[0].rows[0].description == "₹100.00/m · ₹600.00"


def test_a_summary_too_long_for_one_message_goes_as_text_then_buttons():
    shelf = Shelf(
        [build_batch(f"b{i}", material="cotton", color=color, rolls=5, dye_lot=f"DL-{i}") for i, color in
         enumerate(["blue", "red", "white", "black", "green", "yellow", "pink", "sky blue", "purple", "maroon",
                    "golden", "orange", "grey", "cream", "navy blue"])]
    )  # fmt: skip
    lines = [checked_line(shelf, "cotton", b.color, "60", number=i + 1) for i, b in enumerate(shelf.batches)]

    messages = replies.summary(an_order("en", *lines, state=OrderState.FINAL_CUSTOMER_CONFIRMATION), VOCABULARY)

    assert [message.kind for message in messages] == ["text", "interactive"]
    assert "Navy blue cotton" in messages[0].text
    assert [button.id for button in messages[1].buttons] == ["confirm", "edit", "cancel_order"]


@pytest.mark.parametrize(
    "choice_id",
    [
        "confirm",
        "edit",
        "cancel_order",
        "take_available",
        "accept:L1",
        "cancel:L12",
        "alt:L3",
        "pick:L2:cotton:sky blue",
    ],
)
def test_choice_ids_read_back_as_the_same_choice(choice_id):
    assert Choice.parse(choice_id).id == choice_id


@pytest.mark.parametrize("choice_id", ["", "confirm:L1", "accept", "pick:L2:cotton", "delete:L1", "alt:L1:x"])
def test_ids_the_engine_never_sends_are_not_choices(choice_id):
    assert Choice.parse(choice_id) is None


# --- The other messages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, message_type, expected",
    [
        ("en", "image", "I can read text orders only, not photos"),
        ("hinglish", "audio", "sirf likha hua order padh sakte hain, voice note nahi"),
        ("hi", "location", "हम सिर्फ़ लिखा हुआ ऑर्डर पढ़ सकते हैं, लोकेशन नहीं"),
        ("en", "order", "not this kind of message"),
    ],
)
def test_an_unsupported_message_says_what_cannot_be_read(language, message_type, expected):
    assert expected in replies.unsupported(PHONE, language, message_type).text


def test_a_rejection_without_a_reason_asks_the_customer_to_call_the_shop():
    order = an_order("hi", state=OrderState.ORDER_REJECTED)

    assert "दुकान पर फ़ोन कीजिए" in replies.rejected(order, "  ").text


def test_the_welcome_greets_the_customer_by_name_with_an_example():
    assert replies.welcome(PHONE, "hinglish", "Ravi").text.startswith("Namaste Ravi! Apna order yahan bhejiye")


# --- Whole conversations in each language ---------------------------------------------------------------------------

CONVERSATIONS = {
    "en": ["hello", "20m blue cotton, 6m red polyester", "other options for red", "red cancel", "status", "confirm"],
    "hinglish": [
        "namaste",
        "20 meter neela suti aur 6 meter laal polyester chahiye",
        "laal ka koi aur rang dikhao",
        "laal hata do",
        "status",
        "pakka",
    ],
    "hi": ["नमस्ते", "20 मीटर नीला सूती और 6 मीटर लाल पॉलिएस्टर", "लाल का दूसरा विकल्प", "लाल रद्द", "स्थिति", "पक्का"],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_customer_is_answered_in_the_language_and_script_they_write(language):
    c = Customer(shop_shelf(), name="रवि" if language == "hi" else "Ravi")
    read = []
    for text in CONVERSATIONS[language]:
        c.says(text)
        read += [reply.text for reply in c.last.replies]
        read += [title for reply in c.last.replies for _, title in buttons_and_rows(reply)]

    assert c.order.state is OrderState.WAITING_OWNER_CONFIRMATION
    for text in read:
        words = re.sub(r"ORD-\d+", "", text)
        if language == "hi":
            assert DEVANAGARI.search(words) and not LATIN.search(words), text
        else:
            assert not DEVANAGARI.search(words), text
    if language == "en":
        assert "has been sent to the shop owner for approval" in read[-1]
    if language == "hinglish":
        assert "shop owner ko approval ke liye bhej diya hai" in read[-1]
