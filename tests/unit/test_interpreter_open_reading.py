"""Shades, unknown words, ranges, shared materials, notes and shop questions, as the interpreter reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import (
    Context,
    ContextLine,
    CustomerDecision,
    Intent,
    Interpretation,
    NoteKind,
    PendingQuestion,
    Unfamiliar,
)
from chalicelib.domain.interpreter import interpret, read_answer

VOCABULARY = Vocabulary.from_seed()


def read(text: str) -> Interpretation:
    return interpret(text, VOCABULARY)


def items_of(result: Interpretation) -> list[tuple[str, str, Decimal, str]]:
    return [(i.color, i.material, i.quantity, i.unit) for i in result.items]


def ids(table: list[tuple]) -> list[str]:
    return [str(row[0]) for row in table]


# --- shades ---------------------------------------------------------------------------------------------------------

SHADES = [
    ("20m dark green cotton", "dark green"),
    ("light blue silk 5m", "light blue"),
    ("halki neeli silk 4 meter", "light blue"),
    ("gehra hara suti 10 meter", "dark green"),
    ("गहरा हरा सूती 5 मीटर", "dark green"),
    ("हल्का गुलाबी रेशम 3 मीटर", "light pink"),
    ("bottle green velvet 3m", "bottle green"),
    ("20m off white linen", "off white"),
    ("5 m baby pink chiffon", "baby pink"),
    ("10m dark blue cotton", "dark blue"),
    ("10m navy cotton", "navy blue"),
    ("aasmani suti 5 meter", "sky blue"),
]


@pytest.mark.parametrize(("text", "color"), SHADES, ids=ids(SHADES))
def test_a_shade_is_part_of_the_colour_never_dropped(text: str, color: str) -> None:
    result = read(text)

    assert [i.color for i in result.items] == [color]
    assert result.certain


def test_a_shade_the_catalogue_lacks_is_still_named_in_the_customers_script() -> None:
    term = VOCABULARY.color("dark green")

    assert term is not None
    assert (term.hi, term.hinglish) == ("गहरा हरा", "gehra hara")
    assert VOCABULARY.base_color("dark green") == "green"
    assert VOCABULARY.base_color("navy blue") == "navy blue"


# --- open vocabulary ---------------------------------------------------------------------------------------------

UNFAMILIAR = [
    ("20m blue tweed", Unfamiliar(slot="material", word="tweed"), 'We don\'t carry "tweed". Which material in blue?'),
    ("5m teal silk", Unfamiliar(slot="color", word="teal"), 'We don\'t carry "teal". Which colour of silk?'),
    ("20m blue coton", Unfamiliar(slot="material", word="coton", suggestion="cotton"), "Did you mean blue cotton?"),
    ("20m gren cotton", Unfamiliar(slot="color", word="gren", suggestion="green"), "Did you mean green cotton?"),
    (
        "neela raion 10 meter",
        Unfamiliar(slot="material", word="raion", suggestion="rayon"),
        "Kya aapka matlab neela rayon hai?",
    ),
]


@pytest.mark.parametrize(("text", "unfamiliar", "question"), UNFAMILIAR, ids=ids(UNFAMILIAR))
def test_an_unknown_cloth_or_colour_is_kept_as_asked_and_never_corrected_silently(text, unfamiliar, question):
    result = read(text)

    assert result.items == []
    (partial,) = result.partial
    assert partial.unfamiliar == (unfamiliar,)
    assert unfamiliar.slot in partial.missing
    assert question in result.questions
    assert not result.certain


# --- ranges and shared words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "question"),
    [
        ("15-20 m blue cotton", (Decimal(15), Decimal(20)), "15 or 20 m of blue cotton?"),
        ("20 se 25 meter laal silk", (Decimal(20), Decimal(25)), "laal resham: 20 ya 25 meter?"),
        ("नीला सूती 10 या 12 मीटर", (Decimal(10), Decimal(12)), "नीला सूती: 10 या 12 मीटर?"),
    ],
)
def test_a_range_is_a_choice_to_ask_about_not_an_amount(text, options, question):
    result = read(text)

    assert result.items == []
    (partial,) = result.partial
    assert partial.quantity_options == options and partial.missing == ("choice",)
    assert result.questions == [question]


@pytest.mark.parametrize(
    "text",
    ["blue cotton 10m aur red 5m", "cotton: blue 10m, red 5m", "neela suti 10 meter, laal 5 meter"],
)
def test_a_colour_only_item_takes_the_material_of_the_item_before_it(text):
    assert items_of(read(text)) == [("blue", "cotton", Decimal(10), "m"), ("red", "cotton", Decimal(5), "m")]


def test_a_material_is_never_lent_backwards():
    result = read("10m blue aur 5m red cotton")

    assert items_of(result) == [("red", "cotton", Decimal(5), "m")]
    assert result.partial[0].missing == ("material",)


# --- notes beside items ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "note"),
    [
        ("20m blue cotton, parso tak chahiye", NoteKind.DELIVERY, "parso tak chahiye"),
        ("20m blue cotton by friday", NoteKind.DELIVERY, "by friday"),
        ("20m blue cotton by 5th dec", NoteKind.DELIVERY, "by 5th dec"),
        ("20m blue cotton 2 din mein", NoteKind.DELIVERY, "2 din mein"),
        ("20 मीटर नीला सूती कल तक भेजना", NoteKind.DELIVERY, "कल तक भेजना"),
        ("20m blue cotton, thoda discount dena", NoteKind.DISCOUNT, "thoda discount dena"),
    ],
)
def test_a_delivery_date_or_discount_beside_items_is_a_note_and_the_items_are_still_read(text, kind, note):
    result = read(text)

    assert items_of(result) == [("blue", "cotton", Decimal(20), "m")]
    assert [(n.kind, n.text) for n in result.notes] == [(kind, note)]
    assert result.certain


# --- shop questions ----------------------------------------------------------------------------------------------

SHOP = [
    ("silk ka rate?", Intent.RATE, ("silk", None)),
    ("price of black rayon", Intent.RATE, ("rayon", "black")),
    ("सूती का भाव", Intent.RATE, ("cotton", None)),
    ("velvet kitne ka hai", Intent.RATE, ("velvet", None)),
    ("kaunse colour hai cotton mein?", Intent.AVAILABILITY, ("cotton", None)),
    ("which colours do you have in silk", Intent.AVAILABILITY, ("silk", None)),
    ("red silk available hai?", Intent.AVAILABILITY, ("silk", "red")),
    ("क्या लाल रेशम मिलेगा?", Intent.AVAILABILITY, ("silk", "red")),
    ("pichla wala fir se", Intent.REPEAT_ORDER, None),
    ("repeat my previous order", Intent.REPEAT_ORDER, None),
    ("वही पिछला माल", Intent.REPEAT_ORDER, None),
    ("same as last time", Intent.REPEAT_ORDER, None),
    ("thoda discount milega?", Intent.DISCOUNT, None),
    ("best price batao", Intent.DISCOUNT, None),
    ("कुछ छूट मिलेगी?", Intent.DISCOUNT, None),
    ("parso tak chahiye", Intent.DELIVERY, None),
    ("need it by monday", Intent.DELIVERY, None),
    ("thank you", Intent.THANKS, None),
    ("thank you so much", Intent.THANKS, None),
    ("nahi chahiye", Intent.NO, None),
    ("stock list bhejo", Intent.AVAILABILITY, (None, None)),
    ("bahut shukriya", Intent.THANKS, None),
    ("धन्यवाद", Intent.THANKS, None),
    ("nahi", Intent.NO, None),
    ("no thanks", Intent.NO, None),
    ("ruko ek minute", Intent.WAIT, None),
    ("hold on", Intent.WAIT, None),
    ("रुको", Intent.WAIT, None),
    ("hisaab", Intent.STATEMENT, None),
    ("mera balance", Intent.STATEMENT, None),
    ("statement bhejo", Intent.STATEMENT, None),
    ("बकाया कितना है", Intent.STATEMENT, None),
    ("STOP", Intent.OPT_OUT, None),
    ("band karo", Intent.OPT_OUT, None),
    ("बंद करो", Intent.OPT_OUT, None),
    ("START", Intent.OPT_IN, None),
    ("GST alag lagega?", Intent.QUESTION, None),
]


@pytest.mark.parametrize(("text", "intent", "subject"), SHOP, ids=ids(SHOP))
def test_a_shop_question_is_its_own_intent_and_starts_no_order(text, intent, subject):
    result = read(text)

    assert result.intent is intent
    assert result.items == [] and result.decisions == []
    if subject is not None:
        assert result.subject is not None
        assert (result.subject.material, result.subject.color) == subject


def test_a_rate_question_about_a_cloth_the_shop_lacks_keeps_the_word():
    result = read("tweed ka rate kya hai")

    assert result.intent is Intent.RATE
    assert result.subject is not None and result.subject.unfamiliar == (Unfamiliar(slot="material", word="tweed"),)


# --- relative and referential edits ------------------------------------------------------------------------------

ONE_LINE = Context(
    state="negotiating", lines=(ContextLine(number=1, color="blue", material="cotton", quantity=Decimal(20)),)
)
TWO_LINES = Context(
    state="confirming",
    lines=(
        ContextLine(number=1, color="blue", material="cotton", quantity=Decimal(20)),
        ContextLine(number=2, color="red", material="polyester", quantity=Decimal(6)),
    ),
)
D = CustomerDecision

DELTAS = [
    ("5 meter aur jodo", ONE_LINE, D.ADD_QUANTITY, "1", "5"),
    ("add 5 meters more", ONE_LINE, D.ADD_QUANTITY, "1", "5"),
    ("10 meter aur", ONE_LINE, D.ADD_QUANTITY, "1", "10"),
    ("2 kam kar do", ONE_LINE, D.REDUCE_QUANTITY, "1", "2"),
    ("red 2 meter kam", TWO_LINES, D.REDUCE_QUANTITY, "2", "2"),
    ("item 2 mein 3 meter aur", TWO_LINES, D.ADD_QUANTITY, "2", "3"),
    ("5 मीटर और जोड़ो", ONE_LINE, D.ADD_QUANTITY, "1", "5"),
    ("1 ko 25 m", TWO_LINES, D.EDIT_ITEM, "1", "25"),
]


@pytest.mark.parametrize(("text", "context", "kind", "target", "quantity"), DELTAS, ids=ids(DELTAS))
def test_adding_to_or_taking_from_a_line_is_a_change_by_that_much_not_a_new_quantity(
    text, context, kind, target, quantity
):
    result = interpret(text, VOCABULARY, context)

    assert [(d.kind, d.target, d.quantity) for d in result.decisions] == [(kind, target, Decimal(quantity))]


def test_a_change_by_an_amount_asks_which_line_when_several_could_be_meant():
    result = interpret("5 meter aur jodo", VOCABULARY, TWO_LINES)

    assert result.decisions == []
    assert result.questions == ["Kis item mein 5 meter aur?"]


COPIES = [
    ("same in green", ONE_LINE, D.ADD_ITEM, None, ("green", "cotton", "20")),
    ("wahi maroon mein bhi", ONE_LINE, D.ADD_ITEM, None, ("maroon", "cotton", "20")),
    ("red bhi 5m", ONE_LINE, D.ADD_ITEM, None, ("red", "cotton", "5")),
    ("same polyester in black too", TWO_LINES, D.ADD_ITEM, None, ("black", "polyester", "6")),
    ("cotton ki jagah rayon", TWO_LINES, D.REPLACE_ITEM, "1", ("blue", "rayon", "20")),
    ("rayon instead of cotton", ONE_LINE, D.REPLACE_ITEM, "1", ("blue", "rayon", "20")),
    ("change red to green", TWO_LINES, D.REPLACE_ITEM, "2", ("green", "polyester", "6")),
    ("लाल की जगह हरा", TWO_LINES, D.REPLACE_ITEM, "2", ("green", "polyester", "6")),
    ("polyester ki jagah cotton", TWO_LINES, D.REPLACE_ITEM, "2", ("red", "cotton", "6")),
    ("replace cotton with silk", TWO_LINES, D.REPLACE_ITEM, "1", ("blue", "silk", "20")),
    ("black kar do", ONE_LINE, D.REPLACE_ITEM, "1", ("black", "cotton", "20")),
    ("aur 5 meter blue cotton", ONE_LINE, D.ADD_ITEM, None, ("blue", "cotton", "5")),
]


@pytest.mark.parametrize(("text", "context", "kind", "target", "item"), COPIES, ids=ids(COPIES))
def test_a_line_is_copied_or_changed_by_naming_the_new_colour_or_material(text, context, kind, target, item):
    result = interpret(text, VOCABULARY, context)

    (decision,) = result.decisions
    assert (decision.kind, decision.target) == (kind, target)
    assert decision.item is not None
    assert (decision.item.color, decision.item.material, decision.item.quantity) == (*item[:2], Decimal(item[2]))


def test_replacing_what_no_line_has_asks_instead_of_turning_the_sentence_around():
    result = interpret("polyester ki jagah cotton", VOCABULARY, ONE_LINE)

    assert result.decisions == []
    assert result.questions == ["Order mein polyester nahi hai. Kaunsa item?"]


def test_naming_a_line_by_its_colour_with_a_quantity_is_an_edit_not_a_new_colour():
    result = interpret("make the blue one 30m", VOCABULARY, ONE_LINE)

    assert [(d.kind, d.target, d.quantity) for d in result.decisions] == [(D.EDIT_ITEM, "1", Decimal(30))]


def test_a_copy_asks_which_line_when_several_could_be_meant():
    result = interpret("same in green", VOCABULARY, TWO_LINES)

    assert result.decisions == []
    assert result.questions == ["Which item do you mean: 1 (blue cotton), 2 (red polyester)?"]


# --- answers to the pending question -----------------------------------------------------------------------------


def pending(slot: str, *options: str) -> Context:
    return ONE_LINE.model_copy(update={"pending": PendingQuestion(slot=slot, line=1, options=options)})


ANSWERS = [
    ("green", "color", (), {"color": "green"}),
    ("hara", "color", (), {"color": "green"}),
    ("गहरा हरा", "color", (), {"color": "dark green"}),
    ("green 20m", "color", (), {"color": "green", "quantity": Decimal(20), "unit": "m"}),
    ("teal", "color", (), {"unfamiliar": (Unfamiliar(slot="color", word="teal"),)}),
    ("silk", "material", (), {"material": "silk"}),
    ("suti wala", "material", (), {"material": "cotton"}),
    ("tweed", "material", (), {"unfamiliar": (Unfamiliar(slot="material", word="tweed"),)}),
    ("coton", "material", (), {"unfamiliar": (Unfamiliar(slot="material", word="coton", suggestion="cotton"),)}),
    ("20", "quantity", (), {"quantity": Decimal(20), "unit": "m"}),
    ("bees", "quantity", (), {"quantity": Decimal(20), "unit": "m"}),
    ("साढ़े दस", "quantity", (), {"quantity": Decimal("10.5"), "unit": "m"}),
    ("bees meter", "quantity", (), {"quantity": Decimal(20), "unit": "m"}),
    ("2 than", "quantity", (), {"quantity": Decimal(2), "unit": "roll"}),
    ("gaj", "unit", ("10",), {"quantity": Decimal("9.14"), "unit": "m"}),
    ("than", "unit", (), {"unit": "roll"}),
    ("20", "choice", ("15", "20"), {"choice": "20"}),
    ("pehla", "choice", ("15", "20"), {"choice": "15"}),
    ("red wala", "choice", ("blue cotton", "red silk"), {"choice": "red silk"}),
]


@pytest.mark.parametrize(("text", "slot", "options", "expected"), ANSWERS, ids=ids(ANSWERS))
def test_a_bare_answer_fills_the_slot_the_bot_asked_about(text, slot, options, expected):
    result = interpret(text, VOCABULARY, pending(slot, *options))

    assert result.intent is Intent.ANSWER
    assert result.answer is not None and result.answer.slot == slot
    assert {key: getattr(result.answer, key) for key in expected} == expected
    assert read_answer(text, VOCABULARY, PendingQuestion(slot=slot, line=1, options=options), ONE_LINE) == result.answer


@pytest.mark.parametrize(
    ("text", "slot", "intent"),
    [
        ("cancel", "color", Intent.CANCEL_ORDER),
        ("silk ka rate?", "material", Intent.RATE),
        ("10m red silk", "color", Intent.DECISIONS),
        ("parso tak chahiye", "color", Intent.DELIVERY),
        ("ek minute", "color", Intent.WAIT),
        ("koi bhi", "color", Intent.UNKNOWN),
    ],
)
def test_a_message_that_is_no_answer_is_read_as_itself(text, slot, intent):
    result = interpret(text, VOCABULARY, pending(slot))

    assert result.intent is intent
    assert result.answer is None


def test_which_line_is_answered_by_a_number_an_ordinal_or_a_name():
    for text in ("2", "dusra", "red wala"):
        context = TWO_LINES.model_copy(update={"pending": PendingQuestion(slot="line")})
        result = interpret(text, VOCABULARY, context)
        assert result.answer is not None and result.answer.line == 2, text


@pytest.mark.parametrize(
    ("text", "choice"),
    [("haan", "yes"), ("yes please", "yes"), ("ठीक है", "yes"), ("nahi", "no"), ("no", "no"), ("नहीं", "no")],
)
def test_a_yes_no_question_is_answered_only_by_a_plain_yes_or_no(text, choice):
    assert interpret(text, VOCABULARY, pending("choice", "yes", "no")).answer.choice == choice


@pytest.mark.parametrize("text", ["haan par kal", "ruko", "ok?", "nahi 15 meter"])
def test_a_hedged_reply_to_a_yes_no_question_is_no_answer(text):
    assert interpret(text, VOCABULARY, pending("choice", "yes", "no")).answer is None


@pytest.mark.parametrize("text", ["1-2 cancel", "1/2 cancel"])
def test_a_half_read_cancel_never_cancels_the_whole_order(text):
    result = interpret(text, VOCABULARY, ONE_LINE)

    assert all(d.kind is not D.CANCEL_ORDER for d in result.decisions)
    assert result.intent is not Intent.CANCEL_ORDER


@pytest.mark.parametrize("text", ["tweed 5 meter", "5 meter tweed chahiye", "mujhe tweed 5m"])
def test_an_unknown_cloth_with_a_quantity_never_edits_the_line_on_the_table(text):
    context = Context(
        state="confirming",
        lines=[ContextLine(number=1, material="cotton", color="blue", quantity=Decimal(20), open=False)],
    )

    reading = interpret(text, VOCABULARY, context)

    assert reading.decisions == []
    assert [u.word for p in reading.partial for u in p.unfamiliar] == ["tweed"]  # answered: "we don't carry tweed"
