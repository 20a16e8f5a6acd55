"""The catalogue vocabulary: canonical materials and colours, and every name a customer may write for them.

The vocabulary is data (seeded from ``chalicelib/data/catalogue.json`` into the catalogue table, where the owner
can extend it without a deploy). The interpreter uses it to read orders and the replies use it to name things in
the customer's language and script.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"


def normalise(text: str) -> str:
    """Lower-case, NFC, collapse whitespace and hyphens: the form aliases are matched in."""
    text = unicodedata.normalize("NFC", text).lower().replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Term:
    """One canonical material or colour with its display names and aliases."""

    kind: str  # "material" | "color"
    name: str  # canonical English name: "cotton", "sky blue"
    hi: str  # Devanagari display name
    hinglish: str  # Roman-script Hindi display name
    aliases: tuple[str, ...]
    hsn: str | None = None  # materials only

    def display(self, language: str) -> str:
        """The name to show a customer who writes in ``language`` ("en", "hinglish", "hi")."""
        if language == "hi":
            return self.hi
        if language == "hinglish":
            return self.hinglish
        return self.name


@dataclass
class Vocabulary:
    """Lookup from any alias to its canonical term; longest aliases match first ("sky blue" before "blue")."""

    materials: dict[str, Term] = field(default_factory=dict)
    colors: dict[str, Term] = field(default_factory=dict)

    @classmethod
    def from_terms(cls, terms: list[Term]) -> Vocabulary:
        vocab = cls()
        for term in terms:
            target = vocab.materials if term.kind == "material" else vocab.colors
            target[term.name] = term
        return vocab

    @classmethod
    def from_seed(cls, path: Path = SEED_FILE) -> Vocabulary:
        return cls.from_terms(load_seed_terms(path))

    def aliases(self, kind: str) -> list[tuple[str, Term]]:
        """(normalised alias, term) pairs for ``kind``, longest alias first."""
        source = self.materials if kind == "material" else self.colors
        pairs = {}
        for term in source.values():
            for alias in (term.name, term.hi, term.hinglish, *term.aliases):
                pairs.setdefault(normalise(alias), term)
        return sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0]))

    def material(self, name: str) -> Term | None:
        return self._lookup(self.materials, name, "material")

    def color(self, name: str) -> Term | None:
        """The colour term for ``name``; a shade of a known colour ("dark green") gets a term of its own."""
        term = self._lookup(self.colors, name, "color")
        if term is not None:
            return term
        split = split_shade(name)
        if split is None:
            return None
        shade, rest = split
        base = self._lookup(self.colors, rest, "color")
        return shade_of(shade, base) if base is not None else None

    def _lookup(self, source: dict[str, Term], name: str, kind: str) -> Term | None:
        key = normalise(name)
        if key in source:
            return source[key]
        for alias, term in self.aliases(kind):
            if alias == key:
                return term
        return None

    def base_color(self, name: str) -> str | None:
        """The catalogue colour a shade is of ("dark green" -> "green"); a catalogue colour is its own base."""
        term = self._lookup(self.colors, name, "color")
        if term is not None:
            return term.name
        split = split_shade(name)
        base = self._lookup(self.colors, split[1], "color") if split is not None else None
        return base.name if base is not None else None

    def hsn_for(self, material: str) -> str | None:
        term = self.material(material)
        return term.hsn if term else None


@dataclass(frozen=True)
class Shade:
    """A word that qualifies a colour ("dark", "light", "bottle"): with it the colour is a different one."""

    name: str
    hi: str
    hinglish: str
    aliases: tuple[str, ...]


SHADES: tuple[Shade, ...] = (
    Shade("light", "हल्का", "halka", ("light", "lite", "halka", "halki", "halke", "hulka", "हल्का", "हल्की", "हल्के")),
    Shade(
        "dark",
        "गहरा",
        "gehra",
        ("dark", "gehra", "gehri", "gehre", "gahra", "gahri", "gahre", "गहरा", "गहरी", "गहरे", "डार्क"),
    ),
    Shade("pale", "फीका", "pheeka", ("pale", "pheeka", "feeka", "pheeki", "feeki", "फीका", "फीकी", "फीके")),
    Shade("deep", "गाढ़ा", "gaadha", ("deep", "gaadha", "gadha", "gaadhi", "गाढ़ा", "गाढ़ी", "गाढ़े")),
    Shade("bright", "चटक", "chatak", ("bright", "chatak", "chatkila", "chatkeela", "चटक", "चटकीला", "चटकीली")),
    Shade("off", "ऑफ़", "off", ("off", "ऑफ़", "ऑफ")),
    Shade("bottle", "बॉटल", "bottle", ("bottle", "बॉटल", "बोतल")),
    Shade("royal", "रॉयल", "royal", ("royal", "रॉयल")),
    Shade("baby", "बेबी", "baby", ("baby", "बेबी")),
    Shade("parrot", "तोतिया", "totiya", ("parrot", "tota", "totiya", "तोता", "तोतिया")),
    Shade("rani", "रानी", "rani", ("rani", "रानी")),
    Shade("peacock", "मोरपंखी", "morpankhi", ("peacock", "morpankhi", "मोरपंखी")),
    Shade("lemon", "नींबू", "nimbu", ("lemon", "nimbu", "neembu", "नींबू")),
    Shade("sea", "समुद्री", "samudri", ("sea", "samudri", "समुद्री")),
    Shade("olive", "ज़ैतूनी", "olive", ("olive", "ज़ैतूनी")),
    Shade("mehendi", "मेहंदी", "mehendi", ("mehendi", "mehndi", "mehandi", "मेहंदी")),
)
"""Shade words; "dark green" is read as the colour "dark green", never as green."""

_SHADE_BY_ALIAS = {normalise(alias): shade for shade in SHADES for alias in (shade.name, *shade.aliases)}


def shade_of(shade: Shade, base: Term) -> Term:
    """The term of ``base`` qualified by ``shade``: "dark" and green give "dark green" (गहरा हरा, gehra hara)."""
    return Term(
        kind="color",
        name=f"{shade.name} {base.name}",
        hi=f"{shade.hi} {base.hi}",
        hinglish=f"{shade.hinglish} {base.hinglish}",
        aliases=(),
    )


def shade_named(word: str) -> Shade | None:
    """The shade a single word names ("gehri" is dark), or None."""
    return _SHADE_BY_ALIAS.get(normalise(word))


def split_shade(name: str) -> tuple[Shade, str] | None:
    """("dark", "green") for "dark green": the shade word at the start and the colour after it."""
    first, _, rest = normalise(name).partition(" ")
    shade = _SHADE_BY_ALIAS.get(first)
    return (shade, rest) if shade is not None and rest else None


def load_seed_terms(path: Path = SEED_FILE) -> list[Term]:
    """Read the seed file into terms (materials first, then colours)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    terms = []
    for kind, key in (("material", "materials"), ("color", "colors")):
        for row in data[key]:
            terms.append(
                Term(
                    kind=kind,
                    name=normalise(row["name"]),
                    hi=row["hi"],
                    hinglish=row["hinglish"],
                    aliases=tuple(row.get("aliases", ())),
                    hsn=row.get("hsn"),
                )
            )
    return terms
