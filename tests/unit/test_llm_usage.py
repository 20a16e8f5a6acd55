"""`python -m devstack llm-usage` measures real conversations: each must still end where it was written to."""

import io
import json

from devstack.llm_usage import CONVERSATIONS, main


def test_every_measured_conversation_ends_in_the_state_it_was_written_to_reach():
    out = io.StringIO()
    assert main(["--json"], stdout=out) == 0
    figures = json.loads(out.getvalue())
    assert [c["final_state"] for c in figures["conversations"]] == [c.ends_in for c in CONVERSATIONS]
    assert {c.language for c in CONVERSATIONS} == {"en", "hinglish", "hi"}


def test_the_report_counts_every_text_message_once_as_deterministic_or_llm():
    out = io.StringIO()
    main([], stdout=out)
    figures = io.StringIO()
    main(["--json"], stdout=figures)
    data = json.loads(figures.getvalue())
    assert all(c["deterministic"] + c["llm"] == c["texts"] for c in data["conversations"])
    assert f"{data['texts'] - data['llm']} of {data['texts']} messages settled deterministically" in out.getvalue()
