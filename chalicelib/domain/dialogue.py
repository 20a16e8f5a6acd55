"""What the engine reads from a message besides the interpreter's reading: shop questions and answers.

The interpreter reads shop questions as intents (RATE, AVAILABILITY, …) and answers as ``Intent.ANSWER``; these
small readers are the engine's fallback for readings that do not carry them (an older or an LLM's reading), so a
rate question is never taken for an incomplete order:

``read_shop_question(text, vocabulary)``
    A question shops get that is not an order line: the rate of a cloth, which colours are there, a repeat of the
    last order, a discount or a delivery date, thanks, "wait", a bare "no", a question about GST. None otherwise.

``answer_text(pending, text)``
    The text to read when the customer answers the question the bot asked: what was already known (as the customer
    wrote it) followed by the answer, so "20m cotton" + "green" is read as "20m cotton green".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.catalogue import Term, Vocabulary, normalise

# --------------------------------------------------------------------------------------------------------------
# Shop questions
# --------------------------------------------------------------------------------------------------------------

QuestionKind = Literal[
    "rate", "availability", "repeat", "discount", "delivery", "gst", "thanks", "wait", "no", "question"
]


@dataclass(frozen=True)
class ShopQuestion:
    """A question or request that is not an order line. ``material``/``color`` are canonical names when named."""

    kind: QuestionKind
    material: str | None = None
    color: str | None = None
    said: str = ""


_CUES: dict[QuestionKind, tuple[str, ...]] = {
    "rate": (
        "rate", "rates", "price", "prices", "pricing", "cost", "costs", "how much", "bhav", "bhaav", "bhaw", "daam",
        "dam", "kitne ka", "kitne ki", "kitna ka", "kitne ka hai", "kya rate", "per meter kitna", "भाव", "दाम", "रेट",
        "कीमत", "कितने का", "कितने की", "प्राइस",
    ),
    "availability": (
        "which colours", "which colors", "what colours", "what colors", "colours available", "colors available",
        "colours do you have", "colors do you have", "kaunse colour", "kaun se colour", "konse colour", "kaunsa colour",
        "kaunse rang", "kaun se rang", "kya kya colour", "kya colour", "colour hai", "colours hai", "color hai",
        "kaunse kapde", "kaun se kapde", "what do you have", "what materials", "which materials", "in stock",
        "available hai", "milega kya", "hai kya", "do you have", "कौन से रंग", "कौनसे रंग", "कौन सा रंग", "रंग है",
        "रंग हैं", "कौन से कपड़े", "उपलब्ध", "मिलेगा क्या", "है क्या",
    ),
    "repeat": (
        "repeat", "same as last", "same as before", "previous order", "last order", "my last order", "pichla",
        "pichhla", "pichla wala", "pichhla wala", "pichle wala", "wahi order", "purana order", "phir se wahi",
        "पिछला", "पिछले", "वही पिछला", "वही माल", "दोबारा",
    ),
    "discount": (
        "discount", "discounts", "best price", "best rate", "kam karo", "kam kar do", "kam kijiye", "kuch kam",
        "chhoot", "chhut", "concession", "less price", "lower price", "rate kam", "छूट", "डिस्काउंट", "कम करो",
        "कम कर दो", "कुछ कम",
    ),
    "delivery": (
        "delivery", "deliver", "delivered", "dispatch", "ship", "by tomorrow", "by monday", "kab tak", "kab milega",
        "kab aayega", "kal tak", "parso tak", "parson tak", "tak chahiye", "tak bhej", "jaldi", "urgent", "डिलीवरी",
        "कब तक", "कब मिलेगा", "कल तक", "परसों तक", "तक चाहिए", "जल्दी",
    ),
    "gst": ("gst", "tax", "जीएसटी", "टैक्स", "bill with", "pakka bill"),
    "thanks": (
        "thanks", "thank you", "thank u", "thx", "ty", "shukriya", "dhanyavaad", "dhanyawad", "धन्यवाद", "शुक्रिया",
    ),
    "wait": (
        "wait", "hold on", "one minute", "one min", "a minute", "ek minute", "ek min", "ruko", "ruk jao", "rukiye",
        "thehro", "baad mein", "later", "रुको", "रुकिए", "एक मिनट", "बाद में",
    ),
    "no": ("no", "nope", "nahi", "nahin", "nai", "na", "नहीं", "नही", "ना", "no thanks", "nahi chahiye", "नहीं चाहिए"),
}  # fmt: skip
_CUE_PATTERNS = {kind: [normalise(c) for c in cues] for kind, cues in _CUES.items()}
# Order of precedence: what the customer most wants answered first.
_ORDER: tuple[QuestionKind, ...] = ("repeat", "rate", "availability", "gst", "discount", "delivery")
_ALONE: tuple[QuestionKind, ...] = ("thanks", "wait", "no")  # only when the message is nothing else


def _words(text: str) -> str:
    return " " + normalise(re.sub(r"[?？!.,;:।]+", " ", text)) + " "


def _has(said: str, kind: QuestionKind) -> bool:
    return any(f" {cue} " in said for cue in _CUE_PATTERNS[kind])


def terms_in(text: str, vocabulary: Vocabulary, kind: str) -> list[Term]:
    """The catalogue terms of ``kind`` named in ``text``, longest names first, each once."""
    said = _words(text)
    found: list[Term] = []
    for alias, term in vocabulary.aliases(kind):
        if f" {alias} " in said and term not in found:
            found.append(term)
            said = said.replace(f" {alias} ", " ")
    return found


def read_shop_question(text: str, vocabulary: Vocabulary) -> ShopQuestion | None:
    """See the module docstring. A message that also orders a quantity is an order with a note, not a question."""
    said = _words(text)
    materials = terms_in(text, vocabulary, "material")
    colors = terms_in(text, vocabulary, "color")
    material = materials[0].name if materials else None
    color = colors[0].name if colors else None
    for kind in _ORDER:
        if kind == "discount" and re.search(r"\d", said) and not _has(said, "rate"):
            continue  # "2 kam kar do" takes 2 m off a line; it asks no discount
        if _has(said, kind):
            return ShopQuestion(kind, material, color, text.strip())
    if material is None and color is None and not re.search(r"\d", said):
        for kind in _ALONE:
            if _has(said, kind) and _only_cues(said, kind):
                return ShopQuestion(kind, said=text.strip())
    return None


_SMALL = frozenset(
    normalise(w)
    for w in ("ok", "okay", "sir", "ji", "bhai", "please", "pls", "abhi", "so", "much", "a", "lot", "very", "bahut")
)


def _only_cues(said: str, kind: QuestionKind) -> bool:
    """The message is that cue and small words only ("thank you so much", "ek minute ruko")."""
    rest = said
    for cue in sorted(_CUE_PATTERNS[kind], key=len, reverse=True):
        rest = rest.replace(f" {cue} ", " ")
    return all(word in _SMALL for word in rest.split())


# --------------------------------------------------------------------------------------------------------------
# Answers to the bot's own questions
# --------------------------------------------------------------------------------------------------------------


def answer_text(known: str, slot: str, text: str) -> str:
    """What was known, then the answer; a bare number answering "how many meters?" is meters."""
    answer = text.strip()
    if slot == "quantity" and re.fullmatch(r"[\d.,]+|[०-९]+", answer):
        answer += " m"
    return f"{known} {answer}"
