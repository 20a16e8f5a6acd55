"""Text to tokens: the customer's words, separators and their offsets, and longest-match phrase tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from chalicelib.domain.catalogue import normalise

T = TypeVar("T")


_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_PUNCTUATION = str.maketrans(
    {"’": "'", "‘": "'", "-": " ", "–": " ", "—": " ", "_": " ", "\r": "\n", "×": "x"}  # "10m × 2": a multiplier
)
_NUMBERED_LINE = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+")
_NUMBERED_ITEM = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+(?=[0-9])")  # "1) 20m blue cotton"
_BULLET_LINE = re.compile(r"(?m)^[ \t]*[*•][ \t]+")
_TOKEN = re.compile(
    r"(?P<num>[13]\u2044[24]|[0-9]{1,3}(?:,[0-9]{2})*,[0-9]{3}(?![0-9])|[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<word>(?:[^\W\d_]|[\u0900-\u0963\u0971-\u097f\u200c\u200d'])+|#)"
    r"|(?P<sep>[,;\n+&/:।॥?!.])"
)
_BEFORE_UNIT = r"(?=\s*(?:m\b|mt|mtr|meter|metre|gaj|gaz|yard|yd|than|thaan|roll|मीटर|गज|थान))"
# "10/12 m": two amounts, like "10-12 m" (before a unit only: "1/2 cancel" names lines 1 and 2)
_NUMBER_SLASH = re.compile(r"(?<![0-9/])([0-9]+)/([0-9]+)(?![0-9/])" + _BEFORE_UNIT)
# "1/2 m", "1 1/2 m": a fraction before a unit keeps a fraction slash; "item 1/2" does not
_FRACTION_IN_AMOUNT = re.compile(r"(?:(?<=[0-9] )|(?<![0-9/]))([13])/([24])" + _BEFORE_UNIT)
_ABBREVIATIONS = frozenset("m mt mtr mtrs yd yds no nos sr qty rs".split())  # a dot after these ends no sentence
_SEPARATOR_WORDS = frozenset("aur and और तथा but lekin magar लेकिन मगर".split())
_AUR_KEEPERS = frozenset("koi kuch kya कोई कुछ क्या".split())  # "koi aur colour?" is one phrase, not two lines
# "5 meter aur jodo", "2 than aur chahiye": "aur" means "more" when a verb or nothing follows it
_AUR_VERBS = frozenset(
    "jodo jod chahiye chahie chaiye bhejo bhej dena de dedo add daal dalo lagao lagado bhi extra zyada jyada more "
    "lena le lo lunga lenge karo kar kardo please pls plz ji जोड़ो जोड़ चाहिए भेजो भेज दो दे दीजिए देना लगाओ डालो करो कर "
    "do दो".split()
)
_UNIT_WORDS = frozenset(
    "m mt mtr mtrs meter meters metre metres gaj yard yards than thaan roll rolls मीटर गज थान".split()
)


@dataclass(frozen=True)
class Token:
    word: str
    start: int
    end: int
    sep: bool = False


def prepare(source: str) -> str:
    """Lower-case and tidy ``source`` keeping every character at its offset, so spans index the original."""
    text = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in source)
    text = text.translate(_DEVANAGARI_DIGITS).translate(_PUNCTUATION)
    text = _FRACTION_IN_AMOUNT.sub("\\1\u2044\\2", text)
    text = _NUMBER_SLASH.sub(lambda m: f"{m[1]} {m[2]}", text)
    if len(_NUMBERED_LINE.findall(text)) >= 2:  # a numbered list; a lone "2. cancel" keeps its number
        text = _NUMBERED_LINE.sub(lambda m: " " * len(m.group()), text)
    text = _NUMBERED_ITEM.sub(lambda m: " " * len(m.group()), text)
    return _BULLET_LINE.sub(lambda m: " " * len(m.group()), text)


def tokenise(prepared: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(prepared):
        text = match.group().replace("\u200c", "").replace("\u200d", "")
        if match.lastgroup == "sep":
            if text == "." and tokens and not tokens[-1].sep and tokens[-1].word in _ABBREVIATIONS:
                continue
            tokens.append(Token("\n" if text in "\n" else text, match.start(), match.end(), sep=True))
        elif text:
            tokens.append(Token(text, match.start(), match.end()))
    words = [t.word for t in tokens]
    for i, token in enumerate(tokens):
        if token.word in _SEPARATOR_WORDS:
            before = words[i - 1] if i else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            if token.word in ("aur", "और") and (before in _AUR_KEEPERS or after in _AUR_KEEPERS):
                continue
            if token.word in ("aur", "और") and _means_more(words, i):
                continue
            tokens[i] = Token(token.word, token.start, token.end, sep=True)
    return tokens


def _means_more(words: Sequence[str], i: int) -> bool:
    """ "aur" opening the message, or after a quantity with a verb or nothing after it: "aur 5 meter blue cotton",
    "5 meter aur jodo", "2 than aur"."""
    if i == 0:
        return len(words) > 1
    if words[i - 1] not in _UNIT_WORDS and not words[i - 1].isdigit():
        return False
    rest = [w for w in words[i + 1 :] if w not in ("?", "!", ".", "\n")]
    if not rest:
        return True
    after_next = rest[1] if len(rest) > 1 else ""
    return rest[0] in _AUR_VERBS and not (rest[0] in ("do", "दो") and after_next in _UNIT_WORDS)


def split(tokens: Sequence[Token]) -> list[list[Token]]:
    """The fragments between separators (commas, "aur", "और", new lines, ...)."""
    fragments: list[list[Token]] = [[]]
    for token in tokens:
        if token.sep:
            fragments.append([])
        else:
            fragments[-1].append(token)
    return [f for f in fragments if f]


def words_of(phrase: str) -> tuple[str, ...]:
    return tuple(t.word for t in tokenise(prepare(normalise(phrase))) if not t.sep)


class Phrases(Generic[T]):
    """Longest-match lookup of word sequences; a later entry for the same phrase replaces an earlier one."""

    def __init__(
        self, entries: Iterable[tuple[str, T]], key_of: Callable[[str], tuple[str, ...]] | None = None
    ) -> None:
        self._table: dict[tuple[str, ...], T] = {}
        for phrase, value in entries:
            key = (key_of or words_of)(phrase)
            if key:
                self._table[key] = value
        self._longest = max((len(k) for k in self._table), default=0)

    def match(self, words: Sequence[str], start: int) -> tuple[T, int] | None:
        for length in range(min(self._longest, len(words) - start), 0, -1):
            value = self._table.get(tuple(words[start : start + length]))
            if value is not None:
                return value, start + length
        return None


def phrases(*groups: tuple[str, T]) -> Phrases[T]:
    """Entries from ``(phrases separated by '|', value)`` groups."""
    return Phrases((phrase.strip(), value) for phrases, value in groups for phrase in phrases.split("|"))
