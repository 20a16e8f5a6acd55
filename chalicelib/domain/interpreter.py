"""The deterministic interpreter: reads orders and replies in English, Hinglish and Hindi with no network call."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Generic, TypeVar

from chalicelib.domain.catalogue import Term, Vocabulary, normalise
from chalicelib.domain.interpretation import (
    Context,
    ContextLine,
    CustomerDecision,
    Decision,
    Intent,
    Interpretation,
    ItemRequest,
    Language,
    Unit,
)
from chalicelib.domain.money import format_meters, meters
from chalicelib.domain.numbers import HINGLISH_NUMBER_WORDS, is_digits, parse_number

YARD = Decimal("0.9144")
LARGEST_QUANTITY = Decimal(1_000_000)  # a bigger number is a phone number or a typo, not cloth

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------------------------
# Text to tokens
# ---------------------------------------------------------------------------------------------------------------

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "-": " ", "–": " ", "—": " ", "_": " ", "\r": "\n"})
_NUMBERED_LINE = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+")
_NUMBERED_ITEM = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+(?=[0-9])")  # "1) 20m blue cotton"
_BULLET_LINE = re.compile(r"(?m)^[ \t]*[*•][ \t]+")
_TOKEN = re.compile(
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{2})*,[0-9]{3}(?![0-9])|[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<word>(?:[^\W\d_]|[\u0900-\u0963\u0971-\u097f\u200c\u200d'])+|#)"
    r"|(?P<sep>[,;\n+&/:।॥?!.])"
)
_ABBREVIATIONS = frozenset("m mt mtr mtrs yd yds no nos sr qty rs".split())  # a dot after these ends no sentence
_SEPARATOR_WORDS = frozenset("aur and और तथा but lekin magar लेकिन मगर".split())
_AUR_KEEPERS = frozenset("koi kuch kya कोई कुछ क्या".split())  # "koi aur colour?" is one phrase, not two lines


@dataclass(frozen=True)
class _Token:
    word: str
    start: int
    end: int
    sep: bool = False


def _prepare(source: str) -> str:
    """Lower-case and tidy ``source`` keeping every character at its offset, so spans index the original."""
    text = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in source)
    text = text.translate(_DEVANAGARI_DIGITS).translate(_PUNCTUATION)
    if len(_NUMBERED_LINE.findall(text)) >= 2:  # a numbered list; a lone "2. cancel" keeps its number
        text = _NUMBERED_LINE.sub(lambda m: " " * len(m.group()), text)
    text = _NUMBERED_ITEM.sub(lambda m: " " * len(m.group()), text)
    return _BULLET_LINE.sub(lambda m: " " * len(m.group()), text)


def _tokenise(prepared: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(prepared):
        text = match.group().replace("\u200c", "").replace("\u200d", "")
        if match.lastgroup == "sep":
            if text == "." and tokens and not tokens[-1].sep and tokens[-1].word in _ABBREVIATIONS:
                continue
            tokens.append(_Token("\n" if text in "\n" else text, match.start(), match.end(), sep=True))
        elif text:
            tokens.append(_Token(text, match.start(), match.end()))
    words = [t.word for t in tokens]
    for i, token in enumerate(tokens):
        if token.word in _SEPARATOR_WORDS:
            before = words[i - 1] if i else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            if token.word in ("aur", "और") and (before in _AUR_KEEPERS or after in _AUR_KEEPERS):
                continue
            tokens[i] = _Token(token.word, token.start, token.end, sep=True)
    return tokens


def _split(tokens: Sequence[_Token]) -> list[list[_Token]]:
    """The fragments between separators (commas, "aur", "और", new lines, ...)."""
    fragments: list[list[_Token]] = [[]]
    for token in tokens:
        if token.sep:
            fragments.append([])
        else:
            fragments[-1].append(token)
    return [f for f in fragments if f]


def _words_of(phrase: str) -> tuple[str, ...]:
    return tuple(t.word for t in _tokenise(_prepare(normalise(phrase))) if not t.sep)


class _Phrases(Generic[T]):
    """Longest-match lookup of word sequences; a later entry for the same phrase replaces an earlier one."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._table: dict[tuple[str, ...], T] = {}
        for phrase, value in entries:
            key = _words_of(phrase)
            if key:
                self._table[key] = value
        self._longest = max((len(k) for k in self._table), default=0)

    def match(self, words: Sequence[str], start: int) -> tuple[T, int] | None:
        for length in range(min(self._longest, len(words) - start), 0, -1):
            value = self._table.get(tuple(words[start : start + length]))
            if value is not None:
                return value, start + length
        return None


def _phrases(*groups: tuple[str, T]) -> _Phrases[T]:
    """Entries from ``(phrases separated by '|', value)`` groups."""
    return _Phrases((phrase.strip(), value) for phrases, value in groups for phrase in phrases.split("|"))


# ---------------------------------------------------------------------------------------------------------------
# Words the interpreter knows besides the catalogue
# ---------------------------------------------------------------------------------------------------------------


class _Cue(Enum):
    FILLER = "filler"
    EACH = "each"  # 10m each, 5-5 meter, har ek
    NEGATION = "negation"
    CANCEL = "cancel"  # "cancel", "रद्द": alone they cancel the order
    REMOVE = "remove"  # "hata do", "remove": they need an item
    ACCEPT = "accept"
    CONFIRM = "confirm"
    ALTERNATIVE = "alternative"
    EDIT = "edit"
    ADD = "add"
    REST = "rest"  # "baaki": the lines not named elsewhere
    REF = "ref"  # "item", "no", "#": the number after is a line number


_FILLER = (
    "i|we|me|my|mine|us|our|need|needed|want|wants|would|like|required|require|please|pls|plz|plzz|kindly|send|"
    "give|get|have|has|can|could|the|a|an|of|for|to|is|it|in|with|some|total|just|this|that|these|those|"
    "sir|madam|maam|bhai|bhaiya|bhaiyya|bhaisahab|ji|sahab|saab|seth|boss|dear|hi|hii|hello|hey|namaste|namaskar|"
    "thanks|thank|you|thx|ty|dhanyavad|dhanyawad|shukriya|colour|color|colours|colors|rang|rung|kapda|kapra|"
    "kapde|kapre|kapdaa|cloth|clothes|fabric|material|mal|maal|mujhe|muje|mujhko|hume|humein|hamein|humko|hamko|"
    "aap|aapko|apna|mera|meri|mere|hamara|hamare|chahiye|chahie|chaiye|chahiyee|chahiya|bhejo|bhej|bhejna|"
    "bhejiye|bhejdo|bhej do|dena|dedo|de do|dijiye|dijie|dijiyega|de|do|kar|karo|kardo|krdo|kar do|karna|"
    "kijiye|karwa|ka|ki|ke|ko|se|me|mein|main|hai|hain|he|h|ho|hoga|tha|wala|wali|wale|vala|vali|vale|waala|"
    "bhi|also|add|plus|extra|ye|yeh|wo|woh|vo|order|bas|ek|one|abhi|aaj|jaldi|ke liye|liye|le lo|lelo|le lijiye|"
    "lijiye|lena|take|i'll take|ill take|will take|utna|itna|उतना|इतना|"
    "मुझे|मुझको|हमें|हमको|मेरा|मेरी|मेरे|कृपया|जी|भाई|साहब|का|की|के|को|से|में|है|हैं|हो|वाला|वाली|वाले|रंग|"
    "कपड़ा|कपड़े|कपडा|कपडे|धन्यवाद|शुक्रिया|नमस्ते|नमस्कार|चाहिए|चाहिये|भेजो|भेज|भेजना|भेजिए|भेजिये|भेजें|"
    "दो|दे|देना|दें|दीजिए|दीजिये|कर|करो|करें|करना|कीजिए|ऑर्डर|आर्डर|यह|ये|वो|वह|कुल|बस|भी|एक|अभी|के लिए|लिए"
)
_EACH = (
    "each|each of|each one|har ek|harek|har|pratyek|per colour|per color|dono|both|all|all of|sab|sabhi|sab ke sab|"
    "हर|हरेक|हर एक|प्रत्येक|दोनों|सब|सभी"
)
_NEGATION = "not|no|nahi|nahin|nai|nhi|mat|dont|don't|do not|never|नहीं|नही|मत|न"
_CANCEL = "cancel|cancelled|canceled|cancle|cancal|cansel|kansal|radd|रद्द|कैंसिल|कैंसल|कैन्सल"
_REMOVE = (
    "remove|delete|drop|hata|hatao|hatado|hata do|hta do|htao|nikal do|nikalo|nahi chahiye|nahin chahiye|"
    "nhi chahiye|not needed|no need|dont want|don't want|do not want|mat bhejo|mat bhejna|"
    "हटा|हटाओ|हटा दो|हटाएं|हटाइए|निकाल|निकालो|निकाल दो|नहीं चाहिए|नही चाहिए|मत भेजो|मत भेजना"
)
_ACCEPT = (
    "ok|okay|okk|okey|k|kk|haan|han|haa|ha|hn|hanji|haan ji|yes|yess|yeah|yep|yup|sure|fine|alright|"
    "theek|thik|theek hai|thik hai|tik hai|chalega|chalegi|chalenge|accept|accepted|le lunga|lelunga|le lenge|"
    "le lo|lunga|lenge|jitna|jitna hai|jitna bhi|jo hai|jo bhi hai|available|de do|bhej do|manjoor|manzoor|"
    "हाँ|हां|हा|हाँ जी|ठीक|ठीक है|चलेगा|ले लूंगा|ले लूँगा|ले लेंगे|जितना|जितना है|जो है|मंजूर|मंज़ूर|स्वीकार"
)
_CONFIRM = (
    "confirm|confirmed|cnfrm|confrm|conform|pakka|pakka hai|done|final|finalise|finalize|go ahead|proceed|"
    "place order|order kar do|order karo|order kardo|order kar dijiye|order confirm|book kar do|"
    "पक्का|कन्फर्म|फाइनल|ऑर्डर कर दो|ऑर्डर करो|आर्डर कर दो"
)
_ALTERNATIVE = (
    "alternative|alternatives|alternate|option|options|other|others|another|different|similar|something else|"
    "koi aur|kuch aur|aur koi|aur kya|dusra|doosra|dusre|doosre|dikhao|dikhaiye|dikha do|show|show me|"
    "विकल्प|कोई और|और कोई|कुछ और|और क्या|दूसरा|दूसरे|दिखाओ|दिखाइए|दिखा दो"
)
_EDIT = (
    "kar do|kardo|karo|kar dijiye|make it|make|change|change to|change it to|badal|badlo|badal do|instead|"
    "only|sirf|bas|hi|कर दो|करो|कर दीजिए|बदल|बदलो|बदल दो|सिर्फ|सिर्फ़"
)
_ADD = "add|add karo|also|plus|extra|bhi|aur bhi|जोड़ो|जोड़|जोड़ दो|भी"
_REST = "baaki|baki|bachi|bacha|rest|the rest|remaining|others|baaki sab|बाकी|बाक़ी|बाकी सब"
_REF = "item|items|line|no|number|num|#|नंबर|आइटम"

_ORDER_CUES: _Phrases[_Cue] = _phrases(
    (_FILLER, _Cue.FILLER), (_EACH, _Cue.EACH), (_NEGATION, _Cue.NEGATION), (_CANCEL, _Cue.NEGATION),
    (_REMOVE, _Cue.NEGATION),
)  # fmt: skip
_DECISION_CUES: _Phrases[_Cue] = _phrases(
    (_FILLER + "|" + _EACH, _Cue.FILLER), (_NEGATION, _Cue.NEGATION), (_EDIT, _Cue.EDIT), (_ADD, _Cue.ADD),
    (_ACCEPT, _Cue.ACCEPT), (_CONFIRM, _Cue.CONFIRM), (_ALTERNATIVE, _Cue.ALTERNATIVE), (_REST, _Cue.REST),
    (_CANCEL, _Cue.CANCEL), (_REMOVE, _Cue.REMOVE), (_REF, _Cue.REF),
)  # fmt: skip
_KIND_CUES = frozenset({_Cue.CANCEL, _Cue.REMOVE, _Cue.NEGATION, _Cue.ACCEPT, _Cue.CONFIRM, _Cue.ALTERNATIVE})

_ORDINALS: _Phrases[int] = _phrases(
    ("first|1st|pehla|pahla|pehle|pahle|pehli|pahli|पहला|पहले|पहली", 1),
    ("second|2nd|dusra|doosra|dusre|doosre|dusri|doosri|दूसरा|दूसरे|दूसरी", 2),
    ("third|3rd|teesra|tisra|teesre|tisre|teesri|tisri|तीसरा|तीसरे|तीसरी", 3),
    ("fourth|4th|chautha|chauthe|chauthi|चौथा|चौथे|चौथी", 4),
    ("fifth|5th|paanchva|panchva|paanchvi|पांचवा|पाँचवाँ|पांचवी", 5),
)
_ORDINAL_SUFFIXES = frozenset("st nd rd th".split())
# "dusra colour dikhao" asks for an alternative; "dusra wala cancel" means line 2.
_DOOSRA = frozenset(_words_of("dusra doosra dusre doosre dusri doosri दूसरा दूसरे दूसरी"))
_ALTERNATIVE_NOUNS = frozenset(
    _words_of("colour color colours colors rang option options kapda design shade dikhao dikhaiye batao रंग कपड़ा दिखाओ")
)

_UNITS: _Phrases[tuple[Unit, Decimal]] = _phrases(
    ("m|mt|mtr|mtrs|meter|meters|metre|metres|miter|mitar|meeter|मीटर|मीटरस|मी|मिटर", ("m", Decimal(1))),
    ("gaj|gaz|gajj|yard|yards|yd|yds|गज|गज़", ("m", YARD)),
    ("than|thaan|thans|thaans|roll|rolls|थान|रोल|रोल्स", ("roll", Decimal(1))),
)

_POLITE = frozenset(
    _words_of(
        "please pls plz kindly ji bhai bhaiya sir madam sahab the my mera meri mere me mujhe ka ki ke ko is it this "
        "karo kar do kardo krdo dijiye kijiye karna karein kare hai hain ho kya batao bataiye bata i need want can "
        "you जी भाई कृपया मेरा मेरी मेरे का की के को करो कर दो दीजिए कीजिए है हैं क्या बताओ बताइए"
    )
)
_CANCEL_HEADS = frozenset(_words_of(_CANCEL.replace("|", " ")))
_WHOLE_ORDER = frozenset(
    _words_of(
        "sab sabhi saara sara saari pura poora puraa order all everything whole entire full complete it "
        "सब सभी सारा पूरा ऑर्डर आर्डर"
    )
)
_STATUS_HEADS = frozenset(
    _words_of("status stithi sthiti track tracking kahan kaha kahaan where kab when update स्थिति कहाँ कहां कब")
)
_STATUS_WORDS = _STATUS_HEADS | frozenset(
    _words_of(
        "order ऑर्डर आर्डर what of check aayega ayega aaega aega milega hua tak pahuncha pahucha dispatch "
        "bheja gaya aaya abhi tak है आएगा मिलेगा पहुंचा भेजा गया तक"
    )
)
_POSSESSIVES = frozenset(_words_of("mera meri mere my hamara मेरा मेरी मेरे हमारा"))
_ORDER_WORDS = frozenset(_words_of("order ऑर्डर आर्डर"))
_HELP_HEADS = frozenset(_words_of("help madad sahayata helpline मदद सहायता"))
_HELP_WORDS = _HELP_HEADS | frozenset(
    _words_of("me need chahiye how to order kaise karu karun kare karein krna chahiye चाहिए कैसे करें करूँ")
)
_GREETINGS = frozenset(
    _words_of(
        "hi hii hiii hello helo hellow hey hlo namaste namastey namaskar pranam ram jai jay shri shree sri krishna "
        "krishn radhe good morning evening afternoon gm salaam salam assalamualaikum adaab sat akal kaise how are "
        "नमस्ते नमस्कार प्रणाम राम जय श्री राधे कृष्ण"
    )
)
_NEW_WORDS = frozenset(_words_of("naya nayi naye new fresh another दूसरा नया नई"))

_HINGLISH_MARKERS = frozenset(  # split by hand: _words_of would drop "aur" as a separator
    normalise(
        "aur hai hain chahiye chahie chaiye kar karo kardo de dedo bhi wala wali wale mujhe hume bhejo bhejna haan "
        "nahi nahin theek thik ji bhai naya sab hata hatao lunga lenge dikhao pakka madad namaste koi kuch kya ka ki "
        "ke ko mein gaj than thaan baaki baki jitna chalega kitna kitne rang kapda ye yeh wo dijiye kijiye accha "
        "acha lo lijiye lena"
    ).split()
)
_AMBIGUOUS_NUMBER_WORDS = frozenset(_words_of("do sat tin tera no"))  # also ordinary words; not a Hinglish sign


# ---------------------------------------------------------------------------------------------------------------
# The vocabulary, compiled for matching
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    terms: _Phrases[Term]
    hinglish_words: frozenset[str]

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> _Lexicon:
        """The compiled lexicon, built once per distinct vocabulary (the owner may extend it at run time)."""
        return _compile(tuple(vocabulary.materials.values()), tuple(vocabulary.colors.values()))


@functools.lru_cache(maxsize=8)
def _compile(materials: tuple[Term, ...], colors: tuple[Term, ...]) -> _Lexicon:
    vocabulary = Vocabulary.from_terms([*materials, *colors])
    entries = [(alias, term) for kind in ("color", "material") for alias, term in vocabulary.aliases(kind)]
    return _Lexicon(terms=_Phrases(entries), hinglish_words=frozenset(_hinglish_aliases(vocabulary)))


def _hinglish_aliases(vocabulary: Vocabulary) -> Iterable[str]:
    """Roman-script aliases closer to a term's Hinglish name than to its English one ("neela", "suti")."""
    for kind in ("color", "material"):
        for alias, term in vocabulary.aliases(kind):
            hinglish = normalise(term.hinglish)
            if not alias.isascii() or hinglish == term.name:
                continue
            to_hinglish = difflib.SequenceMatcher(None, alias, hinglish).ratio()
            to_english = difflib.SequenceMatcher(None, alias, term.name).ratio()
            if to_hinglish > to_english:
                yield from _words_of(alias)


def detect_language(text: str, vocabulary: Vocabulary) -> Language:
    """Any Devanagari is "hi"; Hindi written in Roman script is "hinglish"; anything else "en"."""
    return _detect_language(_tokenise(_prepare(unicodedata.normalize("NFC", text))), _Lexicon.of(vocabulary))


def _detect_language(tokens: Sequence[_Token], lexicon: _Lexicon) -> Language:
    words = [t.word for t in tokens]  # separators too: "aur" is the surest sign of Hinglish
    if any("\u0900" <= ch <= "\u097f" for word in words for ch in word):
        return "hi"
    for word in words:
        if word in _HINGLISH_MARKERS or word in lexicon.hinglish_words:
            return "hinglish"
        if word in HINGLISH_NUMBER_WORDS and word not in _AMBIGUOUS_NUMBER_WORDS:
            return "hinglish"
    return "en"


# ---------------------------------------------------------------------------------------------------------------
# Quantities
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Quantity:
    number: Decimal  # as written: 20 (gaj), 2.5, 150
    unit: Unit | None  # None when the customer wrote no unit
    factor: Decimal  # to meters: 1, or 0.9144 for yards
    each: bool  # "5-5 meter", "das das meter"
    end: int
    range: bool = False  # "10-12 m": no one amount to read

    @property
    def amount(self) -> Decimal:
        return meters(self.number * self.factor)


def _read_quantity(words: Sequence[str], start: int) -> _Quantity | None:
    """A number and its unit at ``words[start]``; numerals without a unit come back with ``unit`` None."""
    number = parse_number(words, start)
    if number is None or number[0] > LARGEST_QUANTITY:
        return None
    value, index = number
    each = False
    again = parse_number(words, index)
    if again is not None and again[0] == value:  # "5-5 meter", "das das meter": that much of each
        each, index = True, again[1]
    elif again is not None and again[1] - index == 1:  # "10-12 m"
        unit = _UNITS.match(words, again[1])
        return _Quantity(value, None, Decimal(1), False, unit[1] if unit else again[1], range=True)
    unit = _UNITS.match(words, index)
    if unit is not None:
        (name, factor), index = unit
        return _Quantity(value, name, factor, each, index)
    if is_digits(words[start]):
        return _Quantity(value, None, Decimal(1), each, index)
    return None  # "do", "ek" without a unit are words, not quantities


# ---------------------------------------------------------------------------------------------------------------
# Questions, in the customer's language
# ---------------------------------------------------------------------------------------------------------------

_UNIT_NAMES = {
    "en": {"m": "m", "roll": "rolls"},
    "hinglish": {"m": "meter", "roll": "than"},
    "hi": {"m": "मीटर", "roll": "थान"},
}
_QUESTIONS = {
    "what": {
        "en": "{q}: which material and colour?",
        "hinglish": "{q}: kaunsa kapda aur kaunsa colour?",
        "hi": "{q}: कौन सा कपड़ा और कौन सा रंग?",
    },
    "color": {
        "en": "Which colour of {m}?",
        "hinglish": "{m} kis colour mein chahiye?",
        "hi": "{m} किस रंग में चाहिए?",
    },
    "material": {
        "en": "Which material in {c}?",
        "hinglish": "{c} mein kaunsa kapda chahiye?",
        "hi": "{c} में कौन सा कपड़ा चाहिए?",
    },
    "quantity": {
        "en": "How many meters of {c} {m}?",
        "hinglish": "{c} {m} kitne meter chahiye?",
        "hi": "{c} {m} कितने मीटर चाहिए?",
    },
    "unit": {
        "en": "{n} meters or {n} rolls of {c} {m}?",
        "hinglish": "{c} {m}: {n} meter ya {n} than?",
        "hi": "{c} {m}: {n} मीटर या {n} थान?",
    },
    "bare_unit": {
        "en": "{n} meters or {n} rolls?",
        "hinglish": "{n} meter ya {n} than?",
        "hi": "{n} मीटर या {n} थान?",
    },
    "which_line": {
        "en": "Which item do you mean: {options}?",
        "hinglish": "Kaunsa item: {options}?",
        "hi": "कौन सा आइटम: {options}?",
    },
    "no_line": {
        "en": "There is no {t} in your order. Which item do you mean?",
        "hinglish": "Order mein {t} nahi hai. Kaunsa item?",
        "hi": "ऑर्डर में {t} नहीं है। कौन सा आइटम?",
    },
    "edit_which": {
        "en": "Which item should be {q}?",
        "hinglish": "Kaunsa item {q} karna hai?",
        "hi": "कौन सा आइटम {q} करना है?",
    },
    "remove_which": {
        "en": "Which item should I remove?",
        "hinglish": "Kaunsa item hatana hai?",
        "hi": "कौन सा आइटम हटाना है?",
    },
    "rest_which": {
        "en": "Which items do you mean by the rest?",
        "hinglish": "Baaki mein kaunse items?",
        "hi": "बाकी में कौन से आइटम?",
    },
    "unread": {
        "en": 'Sorry, I could not understand "{f}". Please write it like: 20m blue cotton.',
        "hinglish": 'Maaf kijiye, "{f}" samajh nahi aaya. Aise likhiye: 20 meter neela suti.',
        "hi": 'माफ़ कीजिए, "{f}" समझ नहीं आया। ऐसे लिखिए: 20 मीटर नीला सूती।',
    },
}


def _ask(key: str, language: Language, **parts: str) -> str:
    return _QUESTIONS[key][language].format(**parts)


def _name(term: Term | None, language: Language) -> str:
    return term.display(language) if term is not None else ""


def _amount_text(quantity: _Quantity, language: Language) -> str:
    if quantity.unit is None:
        return format_meters(quantity.number)
    return f"{format_meters(quantity.amount)} {_UNIT_NAMES[language][quantity.unit]}"


def _line_name(line: ContextLine, vocabulary: Vocabulary, language: Language) -> str:
    color, material = vocabulary.color(line.color), vocabulary.material(line.material)
    color_name = color.display(language) if color else line.color
    material_name = material.display(language) if material else line.material
    return f"{line.number} ({color_name} {material_name})"


# ---------------------------------------------------------------------------------------------------------------
# Reading a message
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Reading:
    """What has been read so far; questions and unclear fragments make it uncertain."""

    items: list[ItemRequest] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)

    def ask(self, question: str) -> None:
        if question not in self.questions:
            self.questions.append(question)

    def not_read(self, fragment: str) -> None:
        fragment = fragment.strip()
        if fragment and fragment not in self.unclear:
            self.unclear.append(fragment)


@dataclass
class _Message:
    source: str  # the customer's text, NFC
    tokens: list[_Token]
    lexicon: _Lexicon
    vocabulary: Vocabulary
    language: Language

    def raw(self, tokens: Sequence[_Token]) -> str:
        return self.source[tokens[0].start : tokens[-1].end] if tokens else ""

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.tokens if not t.sep]


def interpret(text: str, vocabulary: Vocabulary, context: Context | None = None) -> Interpretation:
    """Read one WhatsApp message: new items, replies about the order on the table, or a command.

    It reads only what it is sure of: a fragment missing its colour, material, quantity or unit becomes a question
    back to the customer, never an item, and ``certain`` is then False so the caller can ask an LLM instead.
    ``context`` gives the order's state and lines so "2 cancel" or "the red one" can be resolved; without it the
    message is read as a new order (or as replies if it holds no items).
    """
    context = context or Context()
    source = unicodedata.normalize("NFC", text or "")
    lexicon = _Lexicon.of(vocabulary)
    tokens = _tokenise(_prepare(source))
    message = _Message(source, tokens, lexicon, vocabulary, _detect_language(tokens, lexicon))

    command = _read_command(message)
    if command is not None:
        return command
    if context.state == "none":
        order = _read_order(message, _split(tokens))
        if order.items:
            return _result(message, Intent.ORDER, order)
        replies = _read_replies(message, context)
        if replies.decisions and not any(d.kind in _CHANGES for d in replies.decisions):
            return _result(message, _replies_intent(replies), replies)
        if order.questions:
            return _result(message, Intent.ORDER, order)
        return _result(message, Intent.UNKNOWN, order)
    replies = _read_replies(message, context)
    if replies.decisions or replies.questions:
        return _result(message, _replies_intent(replies), replies)
    return _result(message, Intent.UNKNOWN, replies)


_CHANGES = frozenset({CustomerDecision.EDIT_ITEM, CustomerDecision.ADD_ITEM})  # need an order on the table


def _replies_intent(reading: _Reading) -> Intent:
    if any(d.kind is CustomerDecision.CANCEL_ORDER for d in reading.decisions):
        return Intent.CANCEL_ORDER
    return Intent.DECISIONS


def _result(message: _Message, intent: Intent, reading: _Reading) -> Interpretation:
    if intent is Intent.UNKNOWN:
        reading.not_read(message.source)
    if reading.unclear and not reading.questions and not reading.items and not reading.decisions:
        reading.ask(_ask("unread", message.language, f=" / ".join(reading.unclear)))
    return Interpretation(
        intent=intent,
        items=reading.items,
        decisions=reading.decisions,
        questions=reading.questions,
        unclear=reading.unclear,
        language=message.language,
        certain=intent is not Intent.UNKNOWN and not reading.questions and not reading.unclear,
    )


# --- Commands that mean the same in every state -----------------------------------------------------------------


def _read_command(message: _Message) -> Interpretation | None:
    words = message.words
    new_order = _find_new_order(message)
    if new_order is not None:
        rest = [t for t in message.tokens if t.sep or t not in new_order]
        return _result(message, Intent.NEW_ORDER, _read_order(message, _split(rest)))
    if not words:
        return None
    said = {w for w in words if w not in _POLITE}
    bag = said or set(words)
    if bag & _CANCEL_HEADS and bag <= _CANCEL_HEADS | _WHOLE_ORDER:
        reading = _Reading(decisions=[Decision(kind=CustomerDecision.CANCEL_ORDER, raw=message.source.strip())])
        return _result(message, Intent.CANCEL_ORDER, reading)
    if (bag & _STATUS_HEADS and bag <= _STATUS_WORDS) or (bag <= _ORDER_WORDS and set(words) & _POSSESSIVES):
        return _result(message, Intent.STATUS, _Reading())
    if bag & _HELP_HEADS and bag <= _HELP_WORDS:
        return _result(message, Intent.HELP, _Reading())
    if bag <= _GREETINGS | _POLITE and set(words) & _GREETINGS:
        return _result(message, Intent.GREETING, _Reading())
    return None


def _find_new_order(message: _Message) -> set[_Token] | None:
    """The tokens of "naya order" / "new order" when the message starts a new order (after any greeting)."""
    tokens = [t for t in message.tokens if not t.sep]
    for i in range(len(tokens) - 1):
        if tokens[i].word in _NEW_WORDS and tokens[i + 1].word in _ORDER_WORDS:
            if all(t.word in _GREETINGS or t.word in _POLITE for t in tokens[:i]):
                return {tokens[i], tokens[i + 1]}
            return None
    return None


# --- New items ---------------------------------------------------------------------------------------------------


@dataclass
class _Fragment:
    """One item's worth of a message, as far as it was read."""

    tokens: list[_Token]
    quantity: _Quantity | None = None
    color: Term | None = None
    material: Term | None = None
    each: bool = False
    negated: bool = False
    leftover: list[str] = field(default_factory=list)
    shared_raw: str | None = None  # set when "10m each" lent its quantity to this fragment
    group: int | None = None  # which "10m each" it belongs to
    header: bool = False  # "cotton 10m each: blue, red": the fragment that only lends

    @property
    def complete(self) -> bool:
        return bool(self.quantity and self.quantity.unit and self.color and self.material)

    @property
    def read_anything(self) -> bool:
        return bool(self.quantity or self.color or self.material)


def _read_order(message: _Message, parts: list[list[_Token]]) -> _Reading:
    fragments = [f for part in parts for f in _read_fragments(message, part)]
    _share_each(message, fragments)
    reading = _Reading()
    seen: set[tuple[str, str, int]] = set()
    for fragment in fragments:
        raw = message.raw(fragment.tokens)
        if fragment.header:
            continue
        if fragment.negated:
            reading.not_read(raw)
        elif fragment.complete:
            assert fragment.quantity and fragment.quantity.unit and fragment.color and fragment.material
            if fragment.quantity.amount <= 0:
                reading.not_read(raw)
                continue
            item = ItemRequest(
                material=fragment.material.name,
                color=fragment.color.name,
                quantity=fragment.quantity.amount,
                unit=fragment.quantity.unit,
                raw=fragment.shared_raw or raw,
            )
            if fragment.group is None:
                reading.items.append(item)
            elif (key := (item.material, item.color, fragment.group)) not in seen:  # "cotton 10m each: blue"
                seen.add(key)
                reading.items.append(item)
            if fragment.leftover:
                reading.not_read(" ".join(fragment.leftover))
        elif fragment.read_anything:
            reading.ask(_missing_question(fragment, message.language))
            reading.not_read(raw)
        elif fragment.leftover:
            reading.not_read(raw)
    return reading


def _read_fragments(message: _Message, tokens: list[_Token]) -> list[_Fragment]:
    """Read one separated part; a second quantity, colour or material starts the next item ("20m blue 6m red")."""
    words = [t.word for t in tokens]
    fragments = [_Fragment(tokens=[])]
    i = 0
    while i < len(words):
        current = fragments[-1]
        quantity = _read_quantity(words, i)
        term = None if quantity else message.lexicon.terms.match(words, i)
        slot = "quantity" if quantity and not quantity.range else (term[0].kind if term else None)
        if slot is not None and getattr(current, slot) is not None:
            current = _Fragment(tokens=[])
            fragments.append(current)
        if quantity is not None and quantity.range:
            current.leftover.extend(words[i : quantity.end])
            end = quantity.end
        elif quantity is not None:
            current.quantity, current.each, end = quantity, current.each or quantity.each, quantity.end
        elif term is not None:
            setattr(current, term[0].kind, term[0])
            end = term[1]
        else:
            cue = _ORDER_CUES.match(words, i)
            if cue is None:
                current.leftover.append(words[i])
                end = i + 1
            else:
                current.each = current.each or cue[0] is _Cue.EACH
                current.negated = current.negated or cue[0] is _Cue.NEGATION
                end = cue[1]
        current.tokens.extend(tokens[i:end])
        i = end
    return [f for f in fragments if f.tokens]


def _share_each(message: _Message, fragments: list[_Fragment]) -> None:
    """Spread "10m each" over the items it covers: "10m each of blue and red cotton", "blue, red cotton 5-5 m"."""
    taken: set[int] = set()
    for index, lender in enumerate(fragments):
        if not (lender.each and lender.quantity and lender.quantity.unit) or index in taken:
            continue
        group = [index]
        for step in (-1, 1):
            k = index + step
            while 0 <= k < len(fragments) and fragments[k].quantity is None and k not in taken:
                group.append(k)
                k += step
        if len(group) == 1:
            continue
        group.sort()
        taken.update(group)
        members = [fragments[k] for k in group]
        raw = message.source[members[0].tokens[0].start : members[-1].tokens[-1].end]
        colors = {m.color.name: m.color for m in members if m.color}
        materials = {m.material.name: m.material for m in members if m.material}
        for member in members:
            member.quantity = member.quantity or lender.quantity
            member.shared_raw, member.group = raw, index
            if member.material is None and member.color is not None and len(materials) == 1:
                member.material = next(iter(materials.values()))
            if member.color is None and member.material is not None and len(colors) == 1:
                member.color = next(iter(colors.values()))
        done = [m for m in members if m.complete]
        done_colors = {m.color.name for m in done if m.color}
        done_materials = {m.material.name for m in done if m.material}
        for member in members:
            if member.complete or member.negated or not done:
                continue
            lent_color = member.color is None or member.color.name in done_colors
            lent_material = member.material is None or member.material.name in done_materials
            if lent_color and lent_material and not member.leftover:
                member.header = True


def _missing_question(fragment: _Fragment, language: Language) -> str:
    color, material = _name(fragment.color, language), _name(fragment.material, language)
    if fragment.color is None and fragment.material is None:
        assert fragment.quantity is not None
        return _ask("what", language, q=_amount_text(fragment.quantity, language))
    if fragment.color is None:
        return _ask("color", language, m=material)
    if fragment.material is None:
        return _ask("material", language, c=color)
    if fragment.quantity is None:
        return _ask("quantity", language, c=color, m=material)
    return _ask("unit", language, n=format_meters(fragment.quantity.number), c=color, m=material)


# --- Replies about the order on the table ------------------------------------------------------------------------


@dataclass
class _Reply:
    """One decision's worth of a reply: what it names (targets) and what it says about them (cues, quantity)."""

    tokens: list[_Token] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    bare: list[Decimal] = field(default_factory=list)  # numerals with no unit: line numbers or unit-less amounts
    colors: list[Term] = field(default_factory=list)
    materials: list[Term] = field(default_factory=list)
    rest: bool = False
    cues: set[_Cue] = field(default_factory=set)
    quantity: _Quantity | None = None
    leftover: list[str] = field(default_factory=list)
    verb_after_name: bool = False  # "blue le lunga": the next name starts the next reply

    @property
    def names_something(self) -> bool:
        return bool(self.refs or self.bare or self.colors or self.materials or self.rest)

    @property
    def says_something(self) -> bool:
        return bool(self.cues - {_Cue.FILLER} or self.quantity)


def _read_replies(message: _Message, context: Context) -> _Reading:
    reading = _Reading()
    parts = _split(message.tokens)
    if not _has_kind_cues(message, parts):
        order = _read_order(message, parts)
        if order.items and not order.questions and not order.unclear:
            cues = _cues_in(message.words)
            for item in order.items:
                reading.decisions.append(_item_decision(item, context, add=_Cue.ADD in cues, edit=_Cue.EDIT in cues))
            return reading
    replies = [reply for part in parts for reply in _read_reply_parts(message, part)]
    for reply in replies:
        _settle_numbers(reply)
    kinds = [_reply_kind(r) for r in replies]
    _inherit_kinds(replies, kinds)
    named: set[int] = set()
    rests: list[tuple[_Reply, CustomerDecision]] = []
    for reply, kind in zip(replies, kinds, strict=True):
        raw = message.raw(reply.tokens)
        if reply.leftover:
            reading.not_read(" ".join(reply.leftover))
        if kind is None:
            _explain_unread_reply(message, reply, reading, raw)
            continue
        if kind in _INHERITABLE and reply.rest and not (reply.refs or reply.colors or reply.materials):
            rests.append((reply, kind))
            continue
        for decision in _decide(message, reply, kind, context, reading, raw):
            reading.decisions.append(decision)
            if decision.target and decision.target.isdigit():
                named.add(int(decision.target))
    for reply, kind in rests:
        raw = message.raw(reply.tokens)
        if not context.lines:
            reading.ask(_ask("rest_which", message.language))
            reading.not_read(raw)
            continue
        for line in context.lines:
            if line.number not in named:
                reading.decisions.append(Decision(kind=kind, target=str(line.number), raw=raw))
    return reading


def _cues_in(words: Sequence[str]) -> set[_Cue]:
    cues, i = set(), 0
    while i < len(words):
        cue = _DECISION_CUES.match(words, i)
        if cue is None:
            i += 1
        else:
            cues.add(cue[0])
            i = cue[1]
    return cues


def _has_kind_cues(message: _Message, parts: list[list[_Token]]) -> bool:
    for part in parts:
        words = [t.word for t in part]
        i = 0
        while i < len(words):
            quantity = _read_quantity(words, i)
            if quantity is not None:
                i = quantity.end
                continue
            term = message.lexicon.terms.match(words, i)
            if term is not None:
                i = term[1]
                continue
            cue = _DECISION_CUES.match(words, i)
            if cue is not None and cue[0] in _KIND_CUES | {_Cue.REF, _Cue.REST}:
                return True
            if _ORDINALS.match(words, i) is not None:
                return True
            i = cue[1] if cue else i + 1
    return False


def _item_decision(item: ItemRequest, context: Context, *, add: bool, edit: bool) -> Decision:
    """A fully read item in a reply: a change to the line it names, else a new line."""
    matches = [line for line in context.lines if _names(line) == (item.color, item.material)]
    if not add and len(matches) == 1:
        return Decision(
            kind=CustomerDecision.EDIT_ITEM,
            target=str(matches[0].number),
            quantity=item.quantity,
            unit=item.unit,
            raw=item.raw,
        )
    if edit and not add and not context.lines:
        target = f"{item.color} {item.material}"
        return Decision(
            kind=CustomerDecision.EDIT_ITEM, target=target, quantity=item.quantity, unit=item.unit, raw=item.raw
        )
    return Decision(kind=CustomerDecision.ADD_ITEM, item=item, raw=item.raw)


def _names(line: ContextLine) -> tuple[str, str]:
    return normalise(line.color), normalise(line.material)


def _read_reply_parts(message: _Message, tokens: list[_Token]) -> list[_Reply]:
    """Read one separated part; naming a new line after a verb starts the next reply ("blue le lo red cancel")."""
    words = [t.word for t in tokens]
    replies = [_Reply()]
    i = 0
    while i < len(words):
        current = replies[-1]
        _, names, _ = _read_reply_word(message, words, i, current, probe=True)
        if names and current.verb_after_name:
            current = _Reply()
            replies.append(current)
        named_before = current.names_something
        end, _, says = _read_reply_word(message, words, i, current, probe=False)
        current.verb_after_name = current.verb_after_name or (says and named_before)
        current.tokens.extend(tokens[i:end])
        i = end
    return [r for r in replies if r.tokens]


def _read_reply_word(
    message: _Message, words: Sequence[str], i: int, reply: _Reply, *, probe: bool
) -> tuple[int, bool, bool]:
    """Read what starts at ``words[i]`` into ``reply`` (unless probing); return (end, names a line, says a verb)."""
    quantity = _read_quantity(words, i)
    if quantity is not None and quantity.range:
        if not probe:
            reply.leftover.extend(words[i : quantity.end])
        return quantity.end, False, False
    if quantity is not None and quantity.unit is not None:
        if not probe:
            if quantity.amount > 0:
                reply.quantity = quantity
            else:  # "0m": nothing to set a line to
                reply.leftover.extend(words[i : quantity.end])
        return quantity.end, False, True
    if quantity is not None:
        end = quantity.end
        if end < len(words) and words[end] in _ORDINAL_SUFFIXES:  # "2nd"
            if not probe:
                reply.refs.append(int(quantity.number))
            return end + 1, True, False
        if not probe:
            reply.bare.append(quantity.number)
        return end, True, False
    ordinal = _ORDINALS.match(words, i)
    asks_other = i + 1 < len(words) and words[i + 1] in _ALTERNATIVE_NOUNS and words[i] in _DOOSRA
    if ordinal is not None and not asks_other:
        if not probe:
            reply.refs.append(ordinal[0])
        return ordinal[1], True, False
    term = message.lexicon.terms.match(words, i)
    if term is not None:
        if not probe:
            (reply.colors if term[0].kind == "color" else reply.materials).append(term[0])
        return term[1], True, False
    cue = _DECISION_CUES.match(words, i)
    if cue is not None and cue[0] is _Cue.REF and cue[1] < len(words) and is_digits(words[cue[1]]):
        if not probe:
            reply.refs.append(int(Decimal(words[cue[1]].replace(",", ""))))
        return cue[1] + 1, True, False
    if cue is not None:
        if not probe:
            reply.cues.add(cue[0])
            reply.rest = reply.rest or cue[0] is _Cue.REST
        return cue[1], cue[0] is _Cue.REST, cue[0] not in (_Cue.FILLER, _Cue.REF, _Cue.REST)
    if not probe:
        reply.leftover.append(words[i])
    return i + 1, False, False


def _settle_numbers(reply: _Reply) -> None:
    """Numerals without a unit name lines when the reply says what to do with them: "2 cancel", "1 ko 25 m"."""
    if reply.bare and (reply.quantity is not None or reply.cues & _KIND_CUES):
        _bare_to_refs(reply)


def _bare_to_refs(reply: _Reply) -> None:
    reply.refs.extend(int(n) for n in reply.bare if n == n.to_integral_value())
    reply.bare = [n for n in reply.bare if n != n.to_integral_value()]


def _reply_kind(reply: _Reply) -> CustomerDecision | None:
    """What one reply says, strongest first: cancel, alternative, a quantity, confirm, accept."""
    named = bool(reply.refs or reply.colors or reply.materials or reply.rest)
    if _Cue.CANCEL in reply.cues:
        return CustomerDecision.CANCEL_ITEM if named else CustomerDecision.CANCEL_ORDER
    if _Cue.REMOVE in reply.cues or (_Cue.NEGATION in reply.cues and named):
        return CustomerDecision.CANCEL_ITEM
    if _Cue.ALTERNATIVE in reply.cues:
        return CustomerDecision.REQUEST_ALTERNATIVE
    if reply.quantity is not None:
        if reply.colors and reply.materials and len(reply.colors) == len(reply.materials) == 1:
            return CustomerDecision.ADD_ITEM  # becomes an edit when it names an existing line, see _decide
        return CustomerDecision.EDIT_ITEM
    if reply.bare:
        return None
    if _Cue.CONFIRM in reply.cues:
        return CustomerDecision.CONFIRM
    if _Cue.ACCEPT in reply.cues:
        return CustomerDecision.ACCEPT_AVAILABLE
    return None


_INHERITABLE = frozenset(
    {CustomerDecision.CANCEL_ITEM, CustomerDecision.ACCEPT_AVAILABLE, CustomerDecision.REQUEST_ALTERNATIVE}
)


def _inherit_kinds(replies: list[_Reply], kinds: list[CustomerDecision | None]) -> None:
    """A reply that only names a line takes the verb of its neighbour: "red aur blue cancel"."""
    for index, (reply, kind) in enumerate(zip(replies, kinds, strict=True)):
        if kind is not None or reply.leftover or not reply.names_something or reply.says_something:
            continue
        after = [k for k in kinds[index + 1 :] if k is not None]
        before = [k for k in kinds[:index] if k is not None]
        for candidate in after[:1] + before[-1:]:
            if candidate in _INHERITABLE:
                kinds[index] = candidate
                _bare_to_refs(reply)  # "2 aur 3 cancel"
                break


def _explain_unread_reply(message: _Message, reply: _Reply, reading: _Reading, raw: str) -> None:
    language = message.language
    if reply.bare:
        reading.ask(_ask("bare_unit", language, n=format_meters(reply.bare[0])))
        reading.not_read(raw)
    elif reply.says_something or reply.names_something or reply.leftover:
        reading.not_read(raw)


def _decide(
    message: _Message, reply: _Reply, kind: CustomerDecision, context: Context, reading: _Reading, raw: str
) -> list[Decision]:
    language = message.language
    if kind is CustomerDecision.CANCEL_ORDER or kind is CustomerDecision.CONFIRM:
        return [Decision(kind=kind, raw=raw)]
    if kind is CustomerDecision.ADD_ITEM:
        assert reply.quantity is not None and reply.quantity.unit is not None
        item = ItemRequest(
            material=reply.materials[0].name,
            color=reply.colors[0].name,
            quantity=reply.quantity.amount,
            unit=reply.quantity.unit,
            raw=raw,
        )
        return [_item_decision(item, context, add=_Cue.ADD in reply.cues, edit=_Cue.EDIT in reply.cues)]
    targets = _targets(message, reply, context, reading, raw)
    if targets is None:
        return []
    if kind is CustomerDecision.EDIT_ITEM:
        assert reply.quantity is not None and reply.quantity.unit is not None
        open_lines = [line for line in context.lines if line.open]
        if not targets:
            if len(context.lines) == 1:
                targets = [str(context.lines[0].number)]
            elif len(open_lines) == 1:  # "4 meter le lo" while one line is still open: that line
                targets = [str(open_lines[0].number)]
            elif context.lines:
                reading.ask(_ask("edit_which", language, q=_amount_text(reply.quantity, language)))
                reading.not_read(raw)
                return []
            else:
                targets = [None]
        return [
            Decision(kind=kind, target=t, quantity=reply.quantity.amount, unit=reply.quantity.unit, raw=raw)
            for t in targets
        ]
    if kind is CustomerDecision.CANCEL_ITEM and not targets:
        if len(context.lines) == 1:
            return [Decision(kind=kind, target=str(context.lines[0].number), raw=raw)]
        reading.ask(_ask("remove_which", language))
        reading.not_read(raw)
        return []
    return [Decision(kind=kind, target=t, raw=raw) for t in targets or [None]]


def _targets(
    message: _Message, reply: _Reply, context: Context, reading: _Reading, raw: str
) -> list[str | None] | None:
    """The lines a reply names, as line numbers when the order is known; None when they cannot be told apart."""
    language = message.language
    if reply.refs:
        targets: list[str | None] = []
        for ref in dict.fromkeys(reply.refs):
            if context.lines and all(line.number != ref for line in context.lines):
                reading.ask(_ask("no_line", language, t=f"item {ref}" if language != "hi" else f"आइटम {ref}"))
                reading.not_read(raw)
                return None
            targets.append(str(ref))
        return targets
    colors, materials = reply.colors, reply.materials
    if not colors and not materials:
        return []
    if len(colors) > 1 and len(materials) > 1:
        reading.not_read(raw)
        reading.ask(_ask("which_line", language, options=_options(message, context.lines, language)))
        return None
    pairs: list[tuple[Term | None, Term | None]]
    if len(colors) > 1:
        pairs = [(c, materials[0] if materials else None) for c in colors]
    else:
        pairs = [(colors[0] if colors else None, m) for m in materials] or [(colors[0], None)]
    targets = []
    for color, material in pairs:
        if not context.lines:
            targets.append(" ".join(t.name for t in (color, material) if t is not None))
            continue
        matches = [
            line
            for line in context.lines
            if (color is None or _names(line)[0] == color.name)
            and (material is None or _names(line)[1] == material.name)
        ]
        if len(matches) == 1:
            targets.append(str(matches[0].number))
            continue
        reading.not_read(raw)
        if matches:
            reading.ask(_ask("which_line", language, options=_options(message, matches, language)))
        else:
            named = " ".join(_name(t, language) for t in (color, material) if t is not None)
            reading.ask(_ask("no_line", language, t=named))
        return None
    return targets


def _options(message: _Message, lines: Sequence[ContextLine], language: Language) -> str:
    return ", ".join(_line_name(line, message.vocabulary, language) for line in lines)
