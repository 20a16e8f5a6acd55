"""Number words customers write in Hindi (Roman and Devanagari) and English, read into Decimal values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from chalicelib.domain.catalogue import normalise

# Roman-script Hindi spellings as customers type them; the first of each row is the one replies would use.
_ROMAN = {
    1: "ek aek",
    2: "do doo",
    3: "teen tin",
    4: "char chaar",
    5: "paanch panch paach",
    6: "chhe chhah chah che chha chhai chhey",
    7: "saat sat",
    8: "aath ath aat",
    9: "nau nao nou",
    10: "das dus dass",
    11: "gyarah gyara gyaarah igyarah",
    12: "barah bara baarah baara",
    13: "terah tera",
    14: "chaudah chauda chodah",
    15: "pandrah pandra pundrah pandhra",
    16: "solah sola",
    17: "satrah satra sattrah",
    18: "atharah athara attharah atthara",
    19: "unnis unees unnees unis",
    20: "bees bis",
    21: "ikkis ikkees",
    22: "bais baees baais",
    23: "teis taees tais",
    24: "chaubis chaubees chobis",
    25: "pachees pachis pachchis pacchis pachchees",
    26: "chhabbis chhabbees chabbis",
    27: "sattais sattaees",
    28: "atthais atthaees athais",
    29: "untees untis",
    30: "tees tis",
    31: "ikattis iktees iktis",
    32: "battis battees",
    33: "taintis taintees tentis",
    34: "chauntis chauntees chontis",
    35: "paintis paintees pentis",
    36: "chhattis chhattees chattis",
    37: "saintis saintees",
    38: "adtis adtees artis artees",
    39: "untalis untalees",
    40: "chalis chalees chaalis chaalees",
    41: "iktalis iktalees",
    42: "bayalis bayalees",
    43: "taintalis taintalees",
    44: "chavalis chawalis chauvalis",
    45: "paintalis paintalees pentalis",
    46: "chhiyalis chhiyalees",
    47: "saintalis saintalees",
    48: "adtalis adtalees artalis",
    49: "unchas unchaas",
    50: "pachaas pachas",
    51: "ikyavan ikyaavan",
    52: "bavan baavan",
    53: "tirpan tirepan",
    54: "chauvan chowan",
    55: "pachpan",
    56: "chhappan chappan",
    57: "sattavan sattawan",
    58: "atthavan athavan",
    59: "unsath unsaath",
    60: "saath sath",
    61: "iksath iksaath",
    62: "basath baasath",
    63: "tirsath tirsaath",
    64: "chausath chaunsath",
    65: "painsath pensath",
    66: "chhiyasath chiyasath",
    67: "sadsath sarsath",
    68: "adsath arsath",
    69: "unhattar",
    70: "sattar",
    71: "ikhattar ikahattar",
    72: "bahattar",
    73: "tihattar",
    74: "chauhattar",
    75: "pachhattar pachattar",
    76: "chhihattar chihattar",
    77: "sathattar",
    78: "athhattar athattar",
    79: "unasi unnasi",
    80: "assi",
    81: "ikyasi",
    82: "bayasi",
    83: "tirasi",
    84: "chaurasi",
    85: "pachasi",
    86: "chhiyasi",
    87: "sattasi",
    88: "atthasi",
    89: "navasi nawasi",
    90: "nabbe nabbey",
    91: "ikyanave ikyanve",
    92: "banave baanve",
    93: "tiranave tiranve",
    94: "chauranave chauranve",
    95: "pachanave pachanve",
    96: "chhiyanave chhiyanve",
    97: "sattanave sattanve",
    98: "atthanave atthanve",
    99: "ninyanave ninyanve",
}

_DEVANAGARI = {
    1: "एक",
    2: "दो",
    3: "तीन",
    4: "चार",
    5: "पाँच पांच",
    6: "छह छः छे",
    7: "सात",
    8: "आठ",
    9: "नौ",
    10: "दस",
    11: "ग्यारह",
    12: "बारह",
    13: "तेरह",
    14: "चौदह",
    15: "पंद्रह पन्द्रह",
    16: "सोलह",
    17: "सत्रह",
    18: "अठारह",
    19: "उन्नीस",
    20: "बीस",
    21: "इक्कीस",
    22: "बाईस",
    23: "तेईस",
    24: "चौबीस",
    25: "पच्चीस",
    26: "छब्बीस",
    27: "सत्ताईस",
    28: "अट्ठाईस",
    29: "उनतीस",
    30: "तीस",
    31: "इकतीस",
    32: "बत्तीस",
    33: "तैंतीस",
    34: "चौंतीस",
    35: "पैंतीस",
    36: "छत्तीस",
    37: "सैंतीस",
    38: "अड़तीस",
    39: "उनतालीस",
    40: "चालीस",
    41: "इकतालीस",
    42: "बयालीस",
    43: "तैंतालीस",
    44: "चवालीस",
    45: "पैंतालीस",
    46: "छियालीस",
    47: "सैंतालीस",
    48: "अड़तालीस",
    49: "उनचास",
    50: "पचास",
    51: "इक्यावन",
    52: "बावन",
    53: "तिरेपन",
    54: "चौवन",
    55: "पचपन",
    56: "छप्पन",
    57: "सत्तावन",
    58: "अट्ठावन",
    59: "उनसठ",
    60: "साठ",
    61: "इकसठ",
    62: "बासठ",
    63: "तिरसठ",
    64: "चौंसठ",
    65: "पैंसठ",
    66: "छियासठ",
    67: "सड़सठ",
    68: "अड़सठ",
    69: "उनहत्तर",
    70: "सत्तर",
    71: "इकहत्तर",
    72: "बहत्तर",
    73: "तिहत्तर",
    74: "चौहत्तर",
    75: "पचहत्तर",
    76: "छिहत्तर",
    77: "सतहत्तर",
    78: "अठहत्तर",
    79: "उनासी",
    80: "अस्सी",
    81: "इक्यासी",
    82: "बयासी",
    83: "तिरासी",
    84: "चौरासी",
    85: "पचासी",
    86: "छियासी",
    87: "सतासी",
    88: "अट्ठासी",
    89: "नवासी",
    90: "नब्बे",
    91: "इक्यानबे",
    92: "बानबे",
    93: "तिरानबे",
    94: "चौरानबे",
    95: "पचानबे",
    96: "छियानबे",
    97: "सत्तानबे",
    98: "अट्ठानबे",
    99: "निन्यानबे",
}

_ENGLISH_ONES = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen"
).split()
_ENGLISH_TENS = dict(
    zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10), strict=True)
)


def _table(rows: dict[int, str]) -> dict[str, Decimal]:
    return {normalise(word): Decimal(value) for value, words in rows.items() for word in words.split()}


CARDINALS: dict[str, Decimal] = {
    **_table(_ROMAN),
    **_table(_DEVANAGARI),
    **{word: Decimal(i) for i, word in enumerate(_ENGLISH_ONES, start=1)},
    **{word: Decimal(value) for word, value in _ENGLISH_TENS.items()},
}
"""Whole numbers 1-99 by every spelling we accept."""

MULTIPLIERS: dict[str, Decimal] = _table(
    {100: "sau sou सौ hundred", 1000: "hazaar hazar hajar hajaar हज़ार हजार thousand"}
)

FRACTIONS: dict[str, Decimal] = {
    **{normalise(w): Decimal("1.5") for w in "dedh dedhh derh dhedh डेढ़ डेढ".split()},
    **{normalise(w): Decimal("2.5") for w in "dhai dhaai dhaee dhaayi adhai adhaai ढाई अढ़ाई".split()},
    **{normalise(w): Decimal("0.5") for w in "aadha adha aadhaa आधा half".split()},
    **{normalise(w): Decimal("0.75") for w in "pauna pona पौना".split()},
}
"""Words that are a number by themselves: dedh = 1.5, dhai = 2.5 (and "dedh sau" = 150)."""

PREFIXES: dict[str, Decimal] = {
    **{normalise(w): Decimal("0.5") for w in "saadhe sadhe saade sade साढ़े साढे".split()},
    **{normalise(w): Decimal("0.25") for w in "sava savaa sawa sawaa सवा".split()},
    **{normalise(w): Decimal("-0.25") for w in "paune pone पौने".split()},
}
"""Words that shift the number after them: saadhe das = 10.5, sava do = 2.25, paune teen = 2.75."""

_HALF_PREFIXES = frozenset(w for w, shift in PREFIXES.items() if shift == Decimal("0.5"))  # "saadhe" needs a number

NUMBER_WORDS = frozenset(CARDINALS) | frozenset(MULTIPLIERS) | frozenset(FRACTIONS) | frozenset(PREFIXES)

_ENGLISH = frozenset(_ENGLISH_ONES) | frozenset(_ENGLISH_TENS) | {"hundred", "thousand", "half"}
HINGLISH_NUMBER_WORDS = frozenset(w for w in NUMBER_WORDS if w.isascii()) - _ENGLISH
"""Roman-script Hindi number words ("bees", "dedh", "saadhe"): a sign the customer writes Hinglish."""


_NUMERAL = re.compile(r"[0-9]+(?:,[0-9]{2,3})*(?:\.[0-9]+)?")
_FRACTION = re.compile(
    r"([13])[/\u2044]([24])"
)  # "1/2", "3/4", "1 1/2": halves and quarters only ("10/12" is no number)


def is_digits(token: str) -> bool:
    """True for a numeral token such as "20", "2.5" or "1,000" (Devanagari digits are translated before)."""
    return _NUMERAL.fullmatch(token) is not None


def parse_number(words: Sequence[str], start: int) -> tuple[Decimal, int] | None:
    """Read the number that begins at ``words[start]``; return its value and the index after it, or None.

    Handles numerals ("20", "2.5"), cardinals ("bees", "बीस", "twenty five"), fractions ("dedh", "ढाई"),
    prefixes ("saadhe das", "sava do", "paune teen"), multipliers ("dedh sau", "do hazaar paanch sau").
    """
    head = _read_term(words, start)
    if head is None:
        return None
    value, index = head
    if index < len(words) and value == value.to_integral_value() and _FRACTION.fullmatch(words[index]) is not None:
        fraction = _read_term(words, index)  # "1 1/2"
        if fraction is not None and fraction[0] < 1 and not _FRACTION.fullmatch(words[start]):
            return value + fraction[0], fraction[1]
    if index < len(words) and words[index] in MULTIPLIERS:
        multiplier = MULTIPLIERS[words[index]]
        value, index = value * multiplier, index + 1
        rest = parse_number(words, index)
        if rest is not None and rest[0] < multiplier:
            value, index = value + rest[0], rest[1]
    return value, index


def _read_term(words: Sequence[str], start: int) -> tuple[Decimal, int] | None:
    if start >= len(words):
        return None
    word = words[start]
    fraction = _FRACTION.fullmatch(word)
    if fraction is not None:
        return Decimal(fraction.group(1)) / Decimal(fraction.group(2)), start + 1
    if is_digits(word):
        return Decimal(word.replace(",", "")), start + 1
    if word in FRACTIONS:
        return FRACTIONS[word], start + 1
    if word in MULTIPLIERS:
        return MULTIPLIERS[word], start + 1
    if word in PREFIXES:
        base = _read_cardinal(words, start + 1)
        if base is None:
            if word not in _HALF_PREFIXES or (start + 1 < len(words) and words[start + 1] in MULTIPLIERS):
                return Decimal(1) + PREFIXES[word], start + 1  # "sava sau" = 1.25 x 100
            return None
        return base[0] + PREFIXES[word], base[1]
    return _read_cardinal(words, start)


def _read_cardinal(words: Sequence[str], start: int) -> tuple[Decimal, int] | None:
    if start >= len(words):
        return None
    word = words[start]
    if is_digits(word):
        return Decimal(word.replace(",", "")), start + 1
    if word not in CARDINALS:
        return None
    value = CARDINALS[word]
    if word in _ENGLISH_TENS and start + 1 < len(words) and words[start + 1] in _ENGLISH_ONES[:9]:
        return value + CARDINALS[words[start + 1]], start + 2  # "twenty five"
    return value, start + 1
