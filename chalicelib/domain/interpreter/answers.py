"""Reading a message as the answer to the question the bot asked last ("which colour?" -> "green").

A message is an answer only when everything in it fits: the slot asked for (and perhaps other slots of the same
line, "green 20m"), courtesy words, nothing else. A cancel, a question, a new whole item or words that fit no slot
make it no answer, and it is read as a message of its own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from chalicelib.domain.catalogue import Term, Vocabulary, normalise
from chalicelib.domain.interpretation import Answer, ConsentKind, Context, PendingQuestion, Unfamiliar
from chalicelib.domain.interpreter.consent import consent_of
from chalicelib.domain.interpreter.lexicon import DECISION_CUES, KIND_CUES, ORDINALS, POLITE, Cue, Lexicon, language_of
from chalicelib.domain.interpreter.message import Message
from chalicelib.domain.interpreter.numbers import is_digits, parse_number
from chalicelib.domain.interpreter.quantities import WrittenQuantity, read_quantity, read_unit
from chalicelib.domain.interpreter.tokens import prepare, tokenise
from chalicelib.domain.money import meters


@dataclass
class _Said:
    materials: list[Term] = field(default_factory=list)
    colors: list[Term] = field(default_factory=list)
    quantity: WrittenQuantity | None = None
    bare: list[Decimal] = field(default_factory=list)
    ordinals: list[int] = field(default_factory=list)
    units: list[tuple[str, Decimal]] = field(default_factory=list)
    strange: list[str] = field(default_factory=list)
    refused: bool = False


def read_answer(
    text: str, vocabulary: Vocabulary, pending: PendingQuestion, context: Context | None = None
) -> Answer | None:
    """``text`` as the answer to ``pending``, or None when it is not one (then read it as a message of its own)."""
    source = unicodedata.normalize("NFC", text or "")
    lexicon = Lexicon.of(vocabulary)
    tokens = tokenise(prepare(source))
    message = Message(source, tokens, lexicon, vocabulary, language_of(tokens, lexicon))
    return answer_of(message, pending, context or Context())


def answer_of(message: Message, pending: PendingQuestion, context: Context) -> Answer | None:
    """As ``read_answer``, for a message already tokenised."""
    if any(t.word == "?" for t in message.tokens):
        return None
    if pending.slot == "choice" and _yes_no(pending):
        return _yes_or_no(message, pending)
    if consent_of(message.tokens, message.lexicon).kind in _NO_ANSWER:  # "ek minute", "nahi", "cancel"
        return None
    said = _scan(message)
    if said is None or said.refused:
        return None
    raw = message.source.strip()
    if pending.slot == "choice":
        return _choice(message, said, pending, raw)
    if pending.slot == "line":
        return _line(said, context, raw)
    if len(said.materials) > 1 or len(said.colors) > 1 or len(said.strange) > 1:
        return None
    if pending.slot in ("material", "color") and said.bare:
        return None  # "green 2": two what?
    if said.materials and said.colors and said.quantity is not None:
        return None  # a whole item: a new line, read as one
    unfamiliar: tuple[Unfamiliar, ...] = ()
    if said.strange:
        if pending.slot not in ("material", "color") or message.lexicon.is_common(said.strange[0]):
            return None
        if not said.strange[0].isalpha() or len(said.strange[0]) < 3:
            return None
        found = message.lexicon.unfamiliar(said.strange[0])
        slot = pending.slot
        if found is not None and found.slot != slot and found.suggestion is None:
            return None  # "teal" asked for a material
        suggestion = found.suggestion if found is not None and found.slot == slot else None
        unfamiliar = (Unfamiliar(slot=slot, word=said.strange[0], suggestion=suggestion),)
    quantity, unit = _amount(said, pending)
    answer = Answer(
        slot=pending.slot,
        material=said.materials[0].name if said.materials else None,
        color=said.colors[0].name if said.colors else None,
        quantity=quantity,
        unit=unit,
        unfamiliar=unfamiliar,
        raw=raw,
    )
    filled = {
        "material": answer.material is not None or any(u.slot == "material" for u in unfamiliar),
        "color": answer.color is not None or any(u.slot == "color" for u in unfamiliar),
        "quantity": answer.quantity is not None,
        "unit": answer.unit is not None,
    }
    return answer if filled.get(pending.slot, False) else None


def _scan(message: Message) -> _Said | None:
    words = message.words
    said, i = _Said(), 0
    while i < len(words):
        quantity = read_quantity(words, i)
        if quantity is None and parse_number(words, i) is not None:  # "bees", "dedh": a number word alone
            number, end = parse_number(words, i)  # type: ignore[misc]
            said.bare.append(number)
            i = end
            continue
        if quantity is not None:
            if quantity.range:
                return None
            if quantity.unit is not None:
                if said.quantity is not None or quantity.amount <= 0:
                    return None
                said.quantity = quantity
            else:
                said.bare.append(quantity.number)
            i = quantity.end
            continue
        term = message.lexicon.match(words, i)
        if term is not None:
            (said.materials if term[0].kind == "material" else said.colors).append(term[0])
            i = term[1]
            continue
        unit = read_unit(words, i)
        if unit is not None:
            said.units.append(unit[0])
            i = unit[1]
            continue
        ordinal = ORDINALS.match(words, i)
        if ordinal is not None:
            said.ordinals.append(ordinal[0])
            i = ordinal[1]
            continue
        cue = DECISION_CUES.match(words, i)
        if cue is not None:
            said.refused = said.refused or cue[0] in KIND_CUES | {Cue.REST, Cue.INSTEAD, Cue.LESS, Cue.MORE}
            i = cue[1]
            continue
        if words[i] not in POLITE and words[i] not in _ANSWER_FILLER:
            said.strange.append(words[i])
        i += 1
    return said


_ANSWER_FILLER = frozenset(
    "wala wali wale waala vala wali mein me main ka ki ke ko hi bas sirf only just colour color rang kapda "
    "cloth fabric material meter metre wale chahiye chahie lena lunga dena de do please pls ji bhai sir "
    "वाला वाली वाले में का की के को ही बस सिर्फ रंग कपड़ा चाहिए".split()
)


def _amount(said: _Said, pending: PendingQuestion) -> tuple[Decimal | None, str | None]:
    if said.quantity is not None and said.quantity.unit is not None:
        return said.quantity.amount, said.quantity.unit
    if pending.slot == "quantity" and len(said.bare) == 1 and said.bare[0] > 0 and not said.units:
        return meters(said.bare[0]), "m"  # "how many meters?" -> "20"
    if pending.slot == "unit" and len(said.units) == 1:
        name, factor = said.units[0]
        written = [Decimal(o) for o in pending.options if is_digits(o)]
        if len(written) == 1:
            return meters(written[0] * factor), name
        return None, name if factor == 1 else None
    return None, None


def _yes_no(pending: PendingQuestion) -> bool:
    return {normalise(o) for o in pending.options} == {"yes", "no"}


def _yes_or_no(message: Message, pending: PendingQuestion) -> Answer | None:
    """A yes/no question is answered only by an explicit yes or a plain no ("haan ji", "nahi")."""
    consent = consent_of(message.tokens, message.lexicon)
    words = set(message.words)
    if consent.kind is ConsentKind.CONFIRM:
        chosen = "yes"
    elif consent.kind is ConsentKind.NEGATION and words <= _PLAIN_NO:
        chosen = "no"
    else:
        return None
    option = next(o for o in pending.options if normalise(o) == chosen)
    return Answer(slot="choice", choice=option, raw=message.source.strip())


_NO_ANSWER = frozenset({ConsentKind.WAIT, ConsentKind.QUESTION, ConsentKind.NEGATION, ConsentKind.CANCEL})
_PLAIN_NO = frozenset("no nope nah nahi nahin nhi nai na mat not ji sir bhai please thanks नहीं नही ना मत जी".split())


def _choice(message: Message, said: _Said, pending: PendingQuestion, raw: str) -> Answer | None:
    options = list(pending.options)
    if not options:
        return None
    text = normalise(raw)
    exact = [o for o in options if normalise(o) == text]
    if not exact and said.ordinals and not said.strange and len(said.ordinals) == 1:
        index = said.ordinals[0] - 1
        exact = [options[index]] if 0 <= index < len(options) else []
    if not exact:
        numbers = said.bare or ([said.quantity.number] if said.quantity is not None else [])
        if len(numbers) == 1 and not said.strange:
            exact = [o for o in options if is_digits(o) and Decimal(o) == numbers[0]]
    if not exact and not said.strange and (said.materials or said.colors):
        names = {t.name for t in [*said.materials, *said.colors]}
        exact = [o for o in options if names <= set(_option_names(message, o))]
    if len(exact) != 1:
        return None
    return Answer(slot="choice", choice=exact[0], raw=raw)


def _option_names(message: Message, option: str) -> list[str]:
    words = [t.word for t in tokenise(prepare(normalise(option))) if not t.sep]
    names, i = [], 0
    while i < len(words):
        term = message.lexicon.match(words, i)
        if term is None:
            i += 1
        else:
            names.append(term[0].name)
            i = term[1]
    return names


def _line(said: _Said, context: Context, raw: str) -> Answer | None:
    if said.strange or said.quantity is not None:
        return None
    numbers = [int(n) for n in said.bare if n == n.to_integral_value()] + said.ordinals
    if numbers:
        if len(numbers) == 1 and any(line.number == numbers[0] for line in context.lines):
            return Answer(slot="line", line=numbers[0], raw=raw)
        return None
    colors = {t.name for t in said.colors}
    materials = {t.name for t in said.materials}
    if not colors and not materials:
        return None
    matches = [
        line
        for line in context.lines
        if (not colors or normalise(line.color) in colors) and (not materials or normalise(line.material) in materials)
    ]
    return Answer(slot="line", line=matches[0].number, raw=raw) if len(matches) == 1 else None
