"""No log line of the e2e run carries a customer's phone number (in any encoding: digits, base64 inside a WhatsApp
message id, hex), an approval link's token or a secret. Named to run last, so it reads the whole run's logs; it
plays a whole order with Meta-shaped message ids itself, so it means something when run alone too."""

import base64
import json
import os
import re

import pytest

from devstack.client import text_webhook
from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e

B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{12,}")


def meta_wamid(phone: str) -> str:
    """A message id shaped like Meta's: base64 of a small envelope that holds the sender's number."""
    raw = b"\x18\x0c" + phone.encode() + b"\x15\x02\x00\x12\x18\x14" + os.urandom(10)
    return "wamid." + base64.b64encode(raw).decode()


def decoded(text: str) -> str:
    """Every base64 run of ``text`` decoded at each alignment (standard and URL-safe), as one string."""
    out = []
    for run in B64_RUN.findall(text):
        for shift in range(4):
            chunk = run[shift:]
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    out.append(decode(chunk.replace("-", "+").replace("_", "/") if decode is base64.b64decode else
                                      chunk.replace("+", "-").replace("/", "_")).decode("latin-1"))  # fmt: skip
                except ValueError:
                    pass
    return "\n".join(out)


def leaks(line: str, phones: set[str], tokens: set[str], secrets: set[str]) -> list[str]:
    found = [f"secret {s[:4]}…" for s in secrets if s in line]
    found += [f"link token {t[:6]}…" for t in tokens if t in line or t.split(".")[-1] in line]
    hidden = decoded(line)
    for phone in phones:
        if phone in line:
            found.append(f"phone {phone[:2]}…{phone[-2:]} in digits")
        if phone in hidden:
            found.append(f"phone {phone[:2]}…{phone[-2:]} in base64")
        if phone.encode().hex() in line:
            found.append(f"phone {phone[:2]}…{phone[-2:]} in hex")
    return found


def test_no_log_line_of_the_run_carries_a_phone_number_a_link_token_or_a_secret(client, stack, aws, log_lines):
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="5")
    phone = h.new_phone()
    wamid = meta_wamid(phone)
    client.converse(phone, text_webhook(phone, batch.order_text("12"), wamid), wamid)
    h.tap(client, phone, "confirm")
    order_id = h.active_order_id(phone)
    link = h.owner_links(client, order_id)["approve"]
    h.open_link(link)
    assert h.press(link)[0] == 200
    h.drain(aws)
    h.open_link(link)  # a used link: its page is logged as an access-log line like any other
    assert h.owner_api(client, "GET", f"/owner/customers/{phone}")[0] == 200

    messages = client.messages()
    phones = {m["to"] for m in messages} | {phone}
    tokens = {t for m in messages for t in re.findall(r"/o/([A-Za-z0-9_.-]+)", json.dumps(m["payload"]))}
    tokens |= {url.rsplit("/", 1)[1] for url in h.owner_links(client, order_id).values()}
    info = stack.describe()
    secrets = {info["whatsapp_app_secret"], info["whatsapp_verify_token"], info["owner_api_key"]}
    secrets |= {os.environ["LINK_SIGNING_SECRET"], os.environ["WHATSAPP_TOKEN"]}
    assert tokens and len(phones) > 1 and len(log_lines) > 50, "the run logged and linked something to look at"
    assert any("/o/" in line for line in log_lines), "the access log was captured"

    bad = {}
    for line in log_lines:
        found = leaks(line, phones, tokens, secrets)
        if found:
            bad.setdefault(tuple(found), line[:160])
    assert not bad, "\n".join(f"{found}: {line}" for found, line in bad.items())
