"""Replies typed at the final summary: only an explicit yes with nothing else in it is a confirmation."""

from __future__ import annotations

import pytest

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import ConsentKind
from chalicelib.domain.interpreter import classify_consent, interpret

VOCABULARY = Vocabulary.from_seed()

C, Q, W, N, IF, E, X, OTHER = (
    ConsentKind.CONFIRM,
    ConsentKind.QUESTION,
    ConsentKind.WAIT,
    ConsentKind.NEGATION,
    ConsentKind.CONDITION,
    ConsentKind.EDIT,
    ConsentKind.CANCEL,
    ConsentKind.OTHER,
)

REPLIES = [
    # English
    ("ok", C),
    ("OK.", C),
    ("yes", C),
    ("Yes please, send it", C),
    ("confirm", C),
    ("Confirmed!", C),
    ("go ahead", C),
    ("looks good, place the order", C),
    ("sure, thanks", C),
    ("ok?", Q),
    ("hold on", W),
    ("wait", W),
    ("one sec", W),
    ("let me check with my partner", W),
    ("not yet", N),
    ("no", N),
    ("ok but make it 15m", E),
    ("yes but remove the red one", E),
    ("yes if it reaches by friday", IF),
    ("ok but deliver tomorrow", IF),
    ("is GST included?", Q),
    ("what is the total with gst", Q),
    ("can you confirm the rate first", Q),
    ("cancel it", X),
    ("send me photos first", OTHER),
    ("👍", OTHER),
    ("thank you", OTHER),
    ("shukriya ji", OTHER),
    # Hinglish
    ("haan", C),
    ("haan ji", C),
    ("theek hai bhej do", C),
    ("thik h", C),
    ("pakka, order kar do", C),
    ("ha bhai confirm karo", C),
    ("sahi hai", C),
    ("chalega", C),
    ("ruko ek minute", W),
    ("ek min", W),
    ("sochke batata hoon", W),
    ("baad mein batata hu", W),
    ("GST alag lagega?", Q),
    ("haan par kal bhejna", IF),
    ("theek hai lekin parso tak chahiye", IF),
    ("nahi abhi nahi", N),
    ("mat bhejo", N),
    ("haan 25 meter kar do", E),
    ("red wala hata do", E),
    ("kitna hua total?", Q),
    ("kya discount milega", Q),
    ("rehne do", X),
    ("hmm ok", W),
    ("bhai rate thoda kam karo", IF),
    # Hindi (Devanagari)
    ("हाँ", C),
    ("हाँ जी पक्का", C),
    ("ठीक है भेज दो", C),
    ("कन्फर्म", C),
    ("नहीं अभी रुको", N),
    ("रुको", W),
    ("एक मिनट", W),
    ("सोच के बताता हूँ", W),
    ("हाँ पर कल भेजना", IF),
    ("जीएसटी अलग लगेगा?", Q),
    ("क्या यह कल तक आएगा", Q),
    ("हाँ लेकिन 15 मीटर कर दो", E),
    ("रद्द करो", X),
    ("नहीं", N),
]


def test_the_table_is_big_enough_and_mostly_not_yes() -> None:
    refusals = [text for text, kind in REPLIES if kind is not C]
    assert len(REPLIES) >= 40
    assert len(refusals) * 2 >= len(REPLIES)


@pytest.mark.parametrize(("text", "kind"), REPLIES, ids=[text for text, _ in REPLIES])
def test_only_an_explicit_yes_confirms(text: str, kind: ConsentKind) -> None:
    consent = classify_consent(text, VOCABULARY)
    assert consent.kind is kind
    assert consent.confirms is (kind is C)


@pytest.mark.parametrize(("text", "kind"), REPLIES, ids=[text for text, _ in REPLIES])
def test_every_reading_carries_the_same_consent(text: str, kind: ConsentKind) -> None:
    reading = interpret(text, VOCABULARY)
    assert reading.consent is not None
    assert reading.consent.kind is kind


def test_a_refusal_says_which_words_made_it_so() -> None:
    assert classify_consent("haan par kal bhejna", VOCABULARY).reason == "par"
    assert classify_consent("ruko ek minute", VOCABULARY).reason == "ruko"
    assert classify_consent("GST alag lagega?", VOCABULARY).reason == "?"
