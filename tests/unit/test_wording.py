"""The one home of wording: rows of text per language as data, the rules every file keeps, and code that only fills."""

import json
import re
from pathlib import Path

import pytest

from chalicelib.domain import wording

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"


def test_every_shipped_row_has_the_three_languages_with_the_same_blanks():
    rows = wording.load()

    assert len(rows) > 100
    for key, row in rows.items():
        assert set(row) == {"en", "hinglish", "hi"}, key
        blanks = [{n for _, n, _, _ in __import__("string").Formatter().parse(row[lang]) if n} for lang in row]
        assert blanks[0] == blanks[1] == blanks[2], key


def test_a_row_fills_in_the_customers_language():
    assert wording.text("handed_over", "hi", id="ORD-1", total="₹10.00").startswith("धन्यवाद! ऑर्डर ORD-1")
    assert wording.text("invoice_caption", "hinglish", number="BB/26-27/00001", total="₹5.00") == (
        "Bill BB/26-27/00001: ₹5.00"
    )


def test_a_new_file_of_rows_is_read_beside_the_others(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"one": {"en": "1 {x}", "hinglish": "ek {x}", "hi": "एक {x}"}}))
    (tmp_path / "b.json").write_text(
        json.dumps({"_about": "comment", "two": {"en": "2", "hinglish": "do", "hi": "दो"}})
    )

    rows = wording.load(tmp_path)

    assert set(rows) == {"one", "two"}


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (
            {
                "a.json": {"k": {"en": "x", "hinglish": "x", "hi": "x"}},
                "b.json": {"k": {"en": "y", "hinglish": "y", "hi": "y"}},
            },
            "both",
        ),
        ({"a.json": {"k": {"en": "x", "hi": "x"}}}, "languages"),
        ({"a.json": {"k": {"en": "{a}", "hinglish": "{b}", "hi": "{a}"}}}, "different fields"),
    ],
    ids=["a key defined twice", "a language missing", "blanks that differ"],
)
def test_a_broken_wording_file_is_refused_with_the_reason(tmp_path, files, problem):
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data))

    with pytest.raises(wording.WordingError, match=problem):
        wording.load(tmp_path)


def test_the_conversation_and_the_owners_messages_hold_no_sentences_of_their_own():
    """The sentences are data: the engine's reply module and the approval service only pick and fill rows."""
    replies = (CHALICELIB / "domain" / "replies.py").read_text(encoding="utf-8")
    approval = (CHALICELIB / "services" / "approval.py").read_text(encoding="utf-8")

    code = [line for line in replies.splitlines() if '"""' not in line]  # docstrings may show examples
    assert "TEXTS: dict" not in replies and not any(DEVANAGARI.search(line) for line in code)
    for sentence in ("waiting for your approval", "Total with GST:", "Tax invoice", "Pay by UPI"):
        assert sentence not in approval, sentence
