"""`make demo`: a whole order on a fresh local stack — the customer's messages, a negotiation, the confirmation,
the owner's approval through the signed link over HTTP, and the invoice PDF in the bucket sent on WhatsApp.

It starts its own stack on free ports (so it runs beside `make run`), prints the conversation and where the invoice
is, and exits 0 only if every step happened.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path

CUSTOMER = "919812345678"
OUT_DIR = Path(__file__).resolve().parent.parent / "build" / "demo"


class DemoFailed(RuntimeError):
    pass


def _show(who: str, text: str) -> None:
    lines = text.strip().splitlines() or [""]
    print(f"{who:>10} › {lines[0]}")
    for line in lines[1:]:
        print(f"{'':>10}   {line}")


def _replies(messages: list[dict]) -> list[dict]:
    from devstack.fake_graph import summarise

    out = []
    for message in messages:
        summary = summarise(message["payload"])
        out.append(summary)
        text = summary.get("text") or ""
        if summary.get("buttons"):
            text += "\n" + "  ".join(f"[{b['title']}]" for b in summary["buttons"])
        if summary.get("list"):
            text += "\n" + "\n".join(f"  • {row['title']} ({row.get('description', '')})" for row in summary["list"])
        if summary.get("document"):
            text += f"\n📄 {summary['document']['filename']}"
        _show("shop", text)
    return out


def _say(client, text: str) -> list[dict]:
    _show("customer", text)
    return _replies(client.send(CUSTOMER, text))


def _tap(client, button_id: str, title: str) -> list[dict]:
    _show("customer", f"(taps “{title}”)")
    return _replies(client.tap(CUSTOMER, button_id))


def _find_button(replies: list[dict], prefix: str) -> dict:
    for reply in replies:
        for choice in (reply.get("buttons") or []) + (reply.get("list") or []):
            if choice["id"].startswith(prefix):
                return choice
    raise DemoFailed(f"no choice starting with {prefix!r} was offered")


def play(client, stack) -> int:
    from devstack.client import follow_refresh, http

    print("\n— A customer orders on WhatsApp (Hinglish) —\n")
    _say(client, "namaste")
    replies = _say(client, "20m blue cotton aur 6m red polyester")
    alt = _find_button(replies, "alt:")
    replies = _tap(client, alt["id"], alt["title"])
    pick = _find_button(replies, "pick:")
    replies = _tap(client, pick["id"], pick["title"])
    confirm = _find_button(replies, "confirm")
    _tap(client, confirm["id"], confirm["title"])

    print("\n— The owner gets a WhatsApp notification —\n")
    owner_messages = client.messages(to=client.info["owner_phone"])
    if not owner_messages:
        raise DemoFailed("the owner was not notified")
    payload = owner_messages[-1]["payload"]
    if payload["type"] == "template":  # the owner has not written in 24 hours: the approved template, with buttons
        rendered = payload["_rendered"]
        buttons = "  ".join(f"[{b['text']}]" for b in rendered["buttons"])
        _show("owner inbox", f"{rendered['text']}\n{buttons}   (template {payload['template']['name']})")
        approve_url = rendered["buttons"][0]["url"]
    else:
        notice = payload["text"]["body"]
        _show("owner inbox", notice)
        approve_url = re.search(r"Approve: (\S+)", notice).group(1)

    print("\n— The owner opens the Approve link and presses Approve —\n")
    since = client.last_seq()
    status, page = http("GET", approve_url)
    title = re.search(r"<title>(.*?)</title>", page.decode()).group(1)
    _show("owner", f"GET {approve_url[:60]}… → {status} “{title}”")
    status, page = http("POST", approve_url, b"", {"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    status, shown = follow_refresh(approve_url, status, page.decode())  # "being applied" reloads until decided
    title = re.search(r"<title>(.*?)</title>", shown).group(1)
    _show("owner", f"POST (Approve) → {status} “{title}”")

    print("\n— The invoice reaches the customer —\n")
    document = _wait_for_document(client)
    _replies(client.messages(to=CUSTOMER, since=since))
    _save_invoice(stack, document)
    return _money(client)


def _owner_api(client, method: str, path: str, body: dict | None = None) -> dict:
    import json

    from devstack.client import http

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {client.info['owner_api_key']}"}
    raw = json.dumps(body).encode() if body is not None else None
    status, data = http(method, client.info["app_url"] + path, raw, headers, timeout=30)
    if status >= 300:
        raise DemoFailed(f"{method} {path} answered {status}: {data[:300]!r}")
    return json.loads(data)


def _money(client) -> int:
    """After the invoice: a part payment, the customer's hisaab with its statement PDF, and a return."""
    from decimal import Decimal

    account = _owner_api(client, "GET", f"/owner/customers/{CUSTOMER}")
    invoice = account["open_invoices"][0]
    part = (Decimal(invoice["due"]) / 2).quantize(Decimal("1"))

    print("\n— The customer pays part of it by UPI; the owner records it —\n")
    since = client.last_seq()
    body = {"amount": str(part), "mode": "upi", "reference": "UTR-DEMO-0001"}
    payment = _owner_api(client, "POST", f"/owner/customers/{CUSTOMER}/payments", body)
    _show("owner", f"POST …/payments {body} → balance ₹{payment['balance_after']}")
    _replies(client.messages(to=CUSTOMER, since=since))
    again = _owner_api(client, "POST", f"/owner/customers/{CUSTOMER}/payments", body)
    if again["payment_id"] != payment["payment_id"] or again["balance_after"] != payment["balance_after"]:
        raise DemoFailed("the same payment posted twice was recorded twice")
    status = _owner_api(client, "GET", f"/owner/customers/{CUSTOMER}")["open_invoices"][0]["status"]
    _show("owner", f"(posted again: the same payment, nothing changed) invoice {invoice['number']} is {status}")
    if status != "partly paid":
        raise DemoFailed(f"the invoice should be partly paid, not {status}")

    print("\n— The customer asks for their hisaab —\n")
    replies = _say(client, "hisaab")
    if not any(r.get("document") for r in replies):
        raise DemoFailed("no statement PDF came with the hisaab")

    print("\n— The customer returns 2 m; the owner records the return —\n")
    since = client.last_seq()
    path = f"/owner/invoices/{invoice['number'].replace('/', '-')}/returns"
    note = _owner_api(client, "POST", path, {"lines": [{"line": 1, "meters": "2"}]})
    lot = note["lines"][0]["dye_lot"] or "no lot"
    _show(
        "owner",
        f"POST …/returns → credit note {note['credit_note']} ₹{note['amount']} against {note['against']['number']}"
        f" (2 m back in dye lot {lot}); balance ₹{note['balance_after']}",
    )
    _replies(client.messages(to=CUSTOMER, since=since))
    receivables = _owner_api(client, "GET", "/owner/receivables")
    print(f"\nReceivables: ₹{receivables['totals']['outstanding']} outstanding, by age {receivables['totals']}")
    return 0


def _wait_for_document(client, timeout: float = 30) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for message in client.messages(to=CUSTOMER):
            if message["payload"].get("type") == "document":
                return message
        time.sleep(0.3)
    raise DemoFailed("no invoice document was sent to the customer")


def _save_invoice(stack, document: dict) -> int:
    from chalicelib.bootstrap import container

    c = container()
    bucket = c.settings.invoice_bucket
    keys = [o["Key"] for o in c.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    if not keys:
        raise DemoFailed("no invoice PDF in the bucket")
    key = keys[-1]
    head = c.s3.head_object(Bucket=bucket, Key=key)
    body = c.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    local = OUT_DIR / Path(key).name
    local.write_bytes(body)
    print(
        f"\nInvoice PDF: s3://{bucket}/{key} ({len(body):,} bytes, {head.get('ServerSideEncryption')} encrypted)\n"
        f"Saved a copy to {local}\n"
        f"WhatsApp document: media id {document['payload']['document'].get('id')} (uploaded to WhatsApp, no link)\n"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("devstack.fake_graph").setLevel(logging.ERROR)
    from devstack.client import Client
    from devstack.stack import Stack, StackConfig

    config = StackConfig(
        aws_port=0,
        app_port=0,
        graph_port=0,
        prefix="bharatbiz-demo",
        scheduler=False,
        write_state=False,
        quiet=True,
    )
    print("Starting a fresh local stack (embedded AWS emulator, fake WhatsApp, the app, the workers)…")
    stack = Stack(config).start()
    try:
        return play(Client(info=stack.describe()), stack)
    except DemoFailed as exc:
        print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
