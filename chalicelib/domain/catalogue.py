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
        return self._lookup(self.colors, name, "color")

    def _lookup(self, source: dict[str, Term], name: str, kind: str) -> Term | None:
        key = normalise(name)
        if key in source:
            return source[key]
        for alias, term in self.aliases(kind):
            if alias == key:
                return term
        return None

    def hsn_for(self, material: str) -> str | None:
        term = self.material(material)
        return term.hsn if term else None


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
