"""`python -m devstack.extract_score [CORPUS]`: how `devstack extract --jsonl` does on a corpus of messages.

Each corpus line is ``{"text": …, "expected": [{"material", "color", "quantity", "unit"}, …]}``; an empty
``expected`` means the message holds no whole item and the right reading is a question (or no order at all).
The messages go through ``devstack extract --jsonl`` as they are, and each reading is scored:

- right:     exactly the expected items, and no question back;
- abstained: no item that was not expected, but a question back (or nothing read): the customer is asked;
- wrong:     an item that was not expected, or an expected item silently left out with no question.

A wrong reading is worse than a question: a question costs one message, a wrong item a wrong order.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from devstack.extract import main as extract

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "extraction.jsonl"

Item = tuple[str, str, Decimal, str]


@dataclass
class Score:
    right: int = 0
    abstained: int = 0
    wrong: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.abstained + self.wrong

    def share(self, count: int) -> float:
        return 100.0 * count / self.total if self.total else 0.0

    def summary(self) -> str:
        return (
            f"{self.total} messages: right {self.right} ({self.share(self.right):.1f} %), "
            f"abstained {self.abstained} ({self.share(self.abstained):.1f} %), "
            f"wrong {self.wrong} ({self.share(self.wrong):.1f} %)"
        )


def _items(rows: list[dict[str, Any]]) -> Counter[Item]:
    return Counter(
        (row["material"], row["color"], Decimal(str(row["quantity"])).normalize(), row["unit"]) for row in rows
    )


def judge(expected: list[dict[str, Any]], reading: dict[str, Any]) -> str:
    """'right', 'abstained' or 'wrong' for one reading (see the module docstring)."""
    want, got = _items(expected), _items(reading.get("items", []))
    asks = bool(reading.get("questions")) or reading.get("intent") == "UNKNOWN"
    if got - want:
        return "wrong"
    if got == want and not (want and asks):
        return "right"
    return "abstained" if asks or not got else "wrong"


def score(corpus: Path = CORPUS) -> Score:
    """Run the corpus through ``devstack extract --jsonl`` and score every reading."""
    cases = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = io.StringIO()
    extract(["--jsonl"], stdin=io.StringIO("\n".join(json.dumps({"text": c["text"]}) for c in cases)), stdout=out)
    readings = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(readings) == len(cases), "one reading per message"
    result = Score()
    for case, reading in zip(cases, readings, strict=True):
        verdict = judge(case["expected"], reading)
        setattr(result, verdict, getattr(result, verdict) + 1)
        if verdict != "right":
            result.failures.append(
                {"verdict": verdict, "text": case["text"], "expected": case["expected"], "items": reading["items"],
                 "questions": reading["questions"]}
            )  # fmt: skip
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.extract_score", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every reading that is not right")
    args = parser.parse_args(argv)
    result = score(args.corpus)
    if args.verbose:
        for failure in result.failures:
            print(json.dumps(failure, ensure_ascii=False))
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
