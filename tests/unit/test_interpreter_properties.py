"""Generated phrasings: the interpreter returns exactly the items written, and never one it was not sure of."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context, ContextLine, CustomerDecision, Intent
from chalicelib.domain.interpreter import interpret
from chalicelib.domain.money import meters

VOCABULARY = Vocabulary.from_seed()
COLORS = [(alias, term.name) for alias, term in VOCABULARY.aliases("color")]
MATERIALS = [(alias, term.name) for alias, term in VOCABULARY.aliases("material")]
EXAMPLES = settings(deadline=None)

# Number words written out here, independently of the interpreter's own tables.
NUMBER_WORDS = {
    "ek": "1", "do": "2", "teen": "3", "char": "4", "paanch": "5", "chhe": "6", "saat": "7", "aath": "8",
    "nau": "9", "das": "10", "gyarah": "11", "barah": "12", "pandrah": "15", "bees": "20", "pachees": "25",
    "tees": "30", "chalees": "40", "pachaas": "50", "sau": "100", "dedh sau": "150", "dhai sau": "250",
    "saadhe das": "10.5", "sava do": "2.25", "paune teen": "2.75", "dedh": "1.5", "dhai": "2.5", "dhaai": "2.5",
    "saadhe teen sau": "350", "do hazaar": "2000", "एक": "1", "दो": "2", "पाँच": "5", "दस": "10", "बीस": "20",
    "पच्चीस": "25", "पचास": "50", "सौ": "100", "ढाई": "2.5", "डेढ़": "1.5", "साढ़े दस": "10.5", "डेढ़ सौ": "150",
    "twenty": "20", "five": "5",
}  # fmt: skip
METERS = ["m", "mtr", "mtrs", "meter", "meters", "metre", "metres", "मीटर"]
YARDS = ["yard", "yards", "yd", "gaj", "गज"]
ROLLS = ["than", "roll", "rolls", "थान", "रोल"]
GLUED = {"m", "mtr", "mtrs", "yd"}  # units customers write stuck to the digits: "20m"
SEPARATORS = [", ", " aur ", " and ", " & ", " + ", " और ", " तथा ", "; ", "\n", ",\n"]
TRAILERS = ["", "", " chahiye", " please", " bhejo", " चाहिए", " bhi"]
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")


@dataclass(frozen=True)
class Phrase:
    """One generated item: its text, and the item it must be read as (None when a part was left out)."""

    text: str
    expected: tuple[str, str, Decimal, str] | None


@st.composite
def numbers(draw: st.DrawFn) -> tuple[str, Decimal, bool]:
    """(text, value, written in digits)."""
    kind = draw(st.sampled_from(["digits", "decimal", "devanagari", "words"]))
    if kind == "words":
        text, value = draw(st.sampled_from(sorted(NUMBER_WORDS.items())))
        return text, Decimal(value), False
    whole = draw(st.integers(min_value=1, max_value=999))
    if kind == "decimal":
        fraction = draw(st.sampled_from(["5", "25", "75", "1"]))
        return f"{whole}.{fraction}", Decimal(f"{whole}.{fraction}"), True
    text = str(whole).translate(DEVANAGARI_DIGITS) if kind == "devanagari" else str(whole)
    return text, Decimal(whole), True


@st.composite
def quantities(draw: st.DrawFn, with_unit: bool = True) -> tuple[str, Decimal, str]:
    """(text, expected quantity, expected unit)."""
    number, value, digits = draw(numbers())
    if not with_unit:
        return number, value, "?"
    family = draw(st.sampled_from(["m", "yard", "roll"]))
    unit = draw(st.sampled_from({"m": METERS, "yard": YARDS, "roll": ROLLS}[family]))
    gap = "" if digits and unit in GLUED and draw(st.booleans()) else " "
    if family == "yard":
        return f"{number}{gap}{unit}", meters(value * Decimal("0.9144")), "m"
    return f"{number}{gap}{unit}", meters(value), "m" if family == "m" else "roll"


@st.composite
def phrases(draw: st.DrawFn, omit: str | None = None) -> Phrase:
    """An item in random word order; ``omit`` ("color", "material", "unit", "quantity") leaves that part out."""
    color_alias, color = draw(st.sampled_from(COLORS))
    material_alias, material = draw(st.sampled_from(MATERIALS))
    quantity, amount, unit = draw(quantities(with_unit=omit != "unit"))
    parts = {"quantity": quantity, "color": color_alias, "material": material_alias}
    if omit in parts:
        del parts[omit]
    order = draw(st.permutations(sorted(parts)))
    text = " ".join(parts[p] for p in order) + draw(st.sampled_from(TRAILERS))
    if omit is not None or amount <= 0:
        return Phrase(text, None)
    return Phrase(text, (color, material, amount, unit))


def join(draw: st.DrawFn, items: list[Phrase]) -> str:
    if len(items) > 1 and draw(st.booleans()):
        return "\n".join(f"{n}. {p.text}" for n, p in enumerate(items, start=1))
    text = items[0].text
    for phrase in items[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + phrase.text
    return text


@st.composite
def orders(draw: st.DrawFn) -> tuple[str, list[Phrase]]:
    items = draw(st.lists(phrases(), min_size=1, max_size=5))
    return join(draw, items), items


@st.composite
def orders_with_a_gap(draw: st.DrawFn) -> tuple[str, list[Phrase]]:
    """Some items whole, at least one missing its colour, material, quantity or unit."""
    whole = draw(st.lists(phrases(), max_size=3))
    gaps = draw(st.lists(st.sampled_from(["color", "material", "unit", "quantity"]), min_size=1, max_size=2))
    items = draw(st.permutations(whole + [draw(phrases(omit=gap)) for gap in gaps if gap != "material"]))
    # an item naming no material right after a whole one takes its material ("blue cotton 10m, red 5m"): put those first
    items = [draw(phrases(omit="material")) for gap in gaps if gap == "material"] + items
    return join(draw, items), items


def read_items(text: str) -> list[tuple[str, str, Decimal, str]]:
    return [(i.color, i.material, i.quantity, i.unit) for i in interpret(text, VOCABULARY).items]


@EXAMPLES
@given(orders())
def test_returns_exactly_the_items_written_in_any_order_script_and_separator(order):
    text, items = order

    result = interpret(text, VOCABULARY)

    assert read_items(text) == [p.expected for p in items]
    assert result.intent is Intent.ORDER
    assert result.certain, (result.questions, result.unclear)


@EXAMPLES
@given(orders_with_a_gap())
def test_never_returns_an_item_that_was_not_fully_written(order):
    text, items = order

    result = interpret(text, VOCABULARY)

    assert read_items(text) == [p.expected for p in items if p.expected is not None]
    assert not result.certain
    assert result.questions


EACH_TEMPLATES = [
    "{n}-{n} meter {colors} {material}",
    "{n}m each of {colors} {material}",
    "{colors} {material} {n}-{n} m",
]


@EXAMPLES
@given(
    st.lists(st.sampled_from(sorted({name for _, name in COLORS})), min_size=2, max_size=4, unique=True),
    st.sampled_from(MATERIALS),
    st.integers(min_value=1, max_value=99),
    st.sampled_from(EACH_TEMPLATES),
    st.sampled_from([", ", " aur ", " and ", " और "]),
)
def test_a_quantity_for_each_gives_every_listed_colour_that_quantity(colors, material, n, template, separator):
    material_alias, material_name = material
    text = template.format(n=n, colors=separator.join(colors), material=material_alias)

    assert read_items(text) == [(c, material_name, Decimal(n), "m") for c in colors]


@st.composite
def orders_on_the_table(draw: st.DrawFn) -> Context:
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(VOCABULARY.colors)), st.sampled_from(sorted(VOCABULARY.materials))),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    lines = tuple(
        ContextLine(number=n, color=color, material=material, quantity=Decimal(10))
        for n, (color, material) in enumerate(pairs, start=1)
    )
    return Context(state=draw(st.sampled_from(["negotiating", "confirming"])), lines=lines)


def alias_of(name: str, kind: str, draw: st.DrawFn) -> str:
    return draw(
        st.sampled_from([alias for alias, canonical in (COLORS if kind == "color" else MATERIALS) if canonical == name])
    )


@EXAMPLES
@given(orders_on_the_table(), st.data())
def test_a_reply_naming_a_line_by_colour_and_material_resolves_to_its_number(context, data):
    line = data.draw(st.sampled_from(context.lines))
    verb = data.draw(st.sampled_from(["cancel", "hata do", "रद्द", "le lunga", "ok"]))
    color, material = alias_of(line.color, "color", data.draw), alias_of(line.material, "material", data.draw)

    result = interpret(f"{color} {material} {verb}", VOCABULARY, context)

    kind = CustomerDecision.ACCEPT_AVAILABLE if verb in ("le lunga", "ok") else CustomerDecision.CANCEL_ITEM
    assert [(d.kind, d.target) for d in result.decisions] == [(kind, str(line.number))]
    assert result.certain


@EXAMPLES
@given(orders_on_the_table(), st.data())
def test_a_reply_naming_a_line_by_number_is_resolved_only_when_the_line_exists(context, data):
    number = data.draw(st.integers(min_value=1, max_value=7))

    result = interpret(f"{number} cancel", VOCABULARY, context)

    if number <= len(context.lines):
        assert [(d.kind, d.target) for d in result.decisions] == [(CustomerDecision.CANCEL_ITEM, str(number))]
    else:
        assert result.decisions == [] and result.questions and not result.certain


JUNK = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789 .,-+&#:m\n०२५ीा्", max_size=40),
    st.lists(
        st.sampled_from(
            [a for a, _ in COLORS[:20]]
            + [a for a, _ in MATERIALS[:20]]
            + ["20", "2.5", "0", "m", "than", "gaj", "each", "5-5", "cancel", "ok", "nahi", "aur", ",", "dedh", "sau"]
            + ["saadhe", "sava", "paune", "item", "2nd", "baaki", "koi aur", "confirm", "naya order", "#", "?"]
        ),
        max_size=12,
    ).map(" ".join),
)


@EXAMPLES
@given(JUNK, st.sampled_from([None, "table"]))
def test_any_text_is_read_without_raising_and_every_item_is_whole(text, with_context):
    context = Context(
        state="negotiating",
        lines=(ContextLine(number=1, color="blue", material="cotton", quantity=Decimal(20)),),
    )

    result = interpret(text, VOCABULARY, context if with_context else None)

    for line in result.items + [d.item for d in result.decisions if d.item is not None]:
        assert line.quantity > 0
        assert VOCABULARY.color(line.color) is not None and VOCABULARY.material(line.material) is not None
    if result.certain:
        assert not result.questions and not result.unclear
    assert result.to_json_dict()["intent"] == result.intent.value
