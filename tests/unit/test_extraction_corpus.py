"""The extraction corpus (tests/corpus/extraction.jsonl) through `devstack extract --jsonl`: right, abstained, wrong."""

from __future__ import annotations

import json

from devstack.extract_score import CORPUS, judge, score


def test_the_corpus_covers_three_hundred_messages_in_the_three_scripts():
    cases = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]

    assert len(cases) >= 300
    assert sum(any("\u0900" <= ch <= "\u097f" for ch in case["text"]) for case in cases) >= 50
    assert sum(not case["expected"] for case in cases) >= 40, "messages whose right reading is a question"


def test_the_interpreter_reads_at_least_95_percent_right_and_almost_never_wrong():
    result = score()

    assert result.share(result.right) >= 95, result.failures
    assert result.share(result.wrong) <= 0.5, [f for f in result.failures if f["verdict"] == "wrong"]


def test_an_extra_item_is_wrong_and_a_question_instead_of_an_item_is_an_abstention():
    blue = {"material": "cotton", "color": "blue", "quantity": "20", "unit": "m"}
    red = {"material": "cotton", "color": "red", "quantity": 5, "unit": "m"}

    assert judge([blue], {"items": [blue], "questions": []}) == "right"
    assert judge([blue], {"items": [blue, red], "questions": []}) == "wrong"
    assert judge([blue, red], {"items": [blue], "questions": []}) == "wrong"
    assert judge([blue, red], {"items": [blue], "questions": ["Which material in red?"]}) == "abstained"
    assert judge([], {"items": [], "questions": ["How many meters?"]}) == "right"
    assert judge([], {"items": [red], "questions": []}) == "wrong"
