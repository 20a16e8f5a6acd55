"""The one home of customer- and owner-facing wording: rows of text per language, kept as data beside the code.

The rows live in ``chalicelib/data/wording/*.json`` (one file per area: ``conversation.json`` for the order desk,
``owner.json`` for the owner's messages, …); every file is a JSON object ``{key: {"en": …, "hinglish": …, "hi": …}}``
and keys starting with ``_`` are comments. Code only picks a row and fills its ``{fields}`` with ``text``; it never
holds a sentence of its own. Adding wording for a new feature is adding a file (or rows) there: a key may be defined
once across all files, every row has the three languages, and every language of a row uses the same fields
(``tests/unit/test_wording.py`` checks all three).

    text("handed_over", "hinglish", id="ORD-1", total="₹1,234.00")
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path
from typing import Literal

Language = Literal["en", "hinglish", "hi"]
LANGUAGES: tuple[Language, ...] = ("en", "hinglish", "hi")
WORDING_DIR = Path(__file__).resolve().parent.parent / "data" / "wording"


class WordingError(ValueError):
    """A wording file breaks the rules above (a key twice, a language missing, fields that differ)."""


def load(directory: Path = WORDING_DIR) -> dict[str, dict[Language, str]]:
    """Every row of every ``*.json`` file in ``directory``; raises WordingError when the rules above are broken."""
    rows: dict[str, dict[Language, str]] = {}
    where: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, row in data.items():
            if key.startswith("_"):
                continue
            if key in rows:
                raise WordingError(f"{key!r} is defined in both {where[key]} and {path.name}")
            if not isinstance(row, dict) or set(row) != set(LANGUAGES):
                raise WordingError(f"{path.name}: {key!r} needs exactly the languages {LANGUAGES}")
            fields = {lang: _fields(row[lang]) for lang in LANGUAGES}
            if len({frozenset(f) for f in fields.values()}) != 1:
                raise WordingError(f"{path.name}: {key!r} uses different fields per language: {fields}")
            rows[key], where[key] = row, path.name
    return rows


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def rows() -> dict[str, dict[Language, str]]:
    """The wording of the shipped files, read once per process."""
    return load()


def has(key: str) -> bool:
    return key in rows()


def text(key: str, language: Language, **parts: object) -> str:
    """One row in ``language``, filled in; an unknown language reads English."""
    row = rows()[key]
    return row.get(language, row["en"]).format(**parts)
