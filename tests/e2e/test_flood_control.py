"""A customer flooding the shop: past the limit a minute, one polite "please wait", and nothing more is read."""

import re
import time

import pytest

from chalicelib.domain.flood import PLEASE_WAIT
from devstack.client import new_wamid, text_webhook

pytestmark = pytest.mark.e2e


def test_a_flood_of_100_messages_in_a_minute_costs_at_most_the_limit_of_interpreter_runs(client, phone, monkeypatch):
    from chalicelib.bootstrap import container

    c = container()
    limit = c.settings.customer_messages_per_minute
    read = []
    understand = c.understanding.understand

    def counting(text, *args, **kwargs):
        if phone in text:  # its own messages, read alone or joined to a pending question
            read.append(text)
        return understand(text, *args, **kwargs)

    monkeypatch.setattr(c.understanding, "understand", counting)
    sent_at = str(int(time.time()))  # all within one minute, as the customer sent them
    wamids = []
    for n in range(100):
        wamid = new_wamid()
        payload = text_webhook(
            phone, f"flood {phone} {n}: 2m blue cotton", wamid, phone_number_id=client.info["phone_number_id"]
        )
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = sent_at
        assert client.post_webhook(payload)[0] == 200
        wamids.append(wamid)

    deadline = time.time() + 240
    while not all(client.handled(w) for w in wamids[-1:] + wamids[::10]) and time.time() < deadline:
        time.sleep(0.5)
    assert all(client.handled(w) for w in wamids), "every message was acknowledged as handled"

    # One understanding (the reading that may ask Gemini) per message read, and only the first `limit` of the
    # minute are read; a re-reading of an answer joined to the pending question is deterministic only.
    assert 0 < len(read) <= limit, f"{len(read)} understandings for {limit} allowed messages"
    messages_read = {re.findall(rf"flood {phone} (\d+):", text)[-1] for text in read}
    assert messages_read == {str(n) for n in range(limit)}, "the first ones of the minute, nothing past the limit"
    texts = [m["payload"].get("text", {}).get("body") for m in client.messages(to=phone)]
    assert texts.count(PLEASE_WAIT["en"]) == 1
