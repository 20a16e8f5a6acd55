"""Builders for the owner-approval e2e tests: a private batch, a confirmed order, the owner's links and API, and
readings of stock, invoices and the ledger straight from the emulator."""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from devstack.client import follow_refresh, http, new_wamid, tap_webhook, text_webhook

COLORS = ("golden", "purple", "orange", "maroon", "green", "yellow", "pink", "grey", "cream")
MATERIALS = ("wool", "denim", "crepe", "khadi", "cambric", "chiffon", "muslin", "linen", "velvet", "georgette")
_taken: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class TestBatch:
    batch_id: str
    material: str
    color: str
    meters_per_roll: Decimal

    def order_text(self, quantity: str) -> str:
        return f"{quantity}m {self.color} {self.material}"


def private_batch(
    rolls: int, meters_per_roll: str, loose: str, price: str = "210.00", material: str | None = None
) -> TestBatch:
    """Import one batch of a material and colour nobody else in this session stocks, so allocation can only use it
    (one lot, nothing older to prefer) and no other test's orders touch it."""
    from chalicelib.bootstrap import container

    c = container()
    combos = [(m, k) for m in MATERIALS for k in COLORS if (m, k) not in _taken and material in (None, m)]
    random.shuffle(combos)
    for material, color in combos:
        _taken.add((material, color))
        if c.stock_repository.of_material(material, color):
            continue  # the sample stock or another test has this one
        lot = f"T-{uuid.uuid4().hex[:8].upper()}"
        row = {
            "material": material,
            "color": color,
            "dye_lot": lot,
            "rolls": rolls,
            "meters_per_roll": meters_per_roll,
            "loose_meters": loose,
            "price_per_meter": price,
            "received_on": date(2020, 1, 1 + random.randrange(28)).isoformat(),
        }
        assert c.stock.import_rows([row]).created == 1
        (batch,) = c.stock_repository.of_material(material, color)
        return TestBatch(batch.batch_id, material, color, batch.meters_per_roll)
    raise AssertionError("no unused material and colour left for a private batch")


@dataclass(frozen=True)
class Shelf:
    """One batch as the books hold it."""

    rolls: int
    loose: Decimal
    reserved: Decimal
    meters_per_roll: Decimal

    @property
    def on_shelf(self) -> Decimal:
        return self.rolls * self.meters_per_roll + self.loose


def shelf(batch_id: str) -> Shelf:
    from chalicelib.bootstrap import container

    BatchRecord = container().tables.BatchRecord

    r = BatchRecord.get(batch_id, consistent_read=True)
    return Shelf(int(r.rolls), Decimal(r.loose_meters), Decimal(r.reserved_meters or 0), Decimal(r.meters_per_roll))


# --- talking as the customer -----------------------------------------------------------------------------------
def say(client, phone: str, text: str, name: str = "Test Customer") -> list[dict]:
    """A text from ``phone`` with WhatsApp profile ``name``; returns what was sent to the customer in answer."""
    wamid = new_wamid()
    payload = text_webhook(phone, text, wamid, name=name, phone_number_id=client.info["phone_number_id"])
    return client.converse(phone, payload, wamid, timeout=60)


def tap(client, phone: str, button_id: str, name: str = "Test Customer") -> list[dict]:
    wamid = new_wamid()
    payload = tap_webhook(phone, button_id, wamid, phone_number_id=client.info["phone_number_id"])
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = name
    return client.converse(phone, payload, wamid, timeout=60)


def all_at_once(client, phones: list[str], texts: list[str] | None = None, button: str | None = None, timeout=90):
    """Every customer sends at the same moment (a text each, or a tap of ``button``); waits until the worker has
    handled and answered every one. Polls the handled keys in bulk, so the waiting adds little load of its own."""
    from chalicelib.bootstrap import container

    ProcessedKey = container().tables.ProcessedKey

    wamids = [new_wamid() for _ in phones]
    pid = client.info["phone_number_id"]
    payloads = [
        tap_webhook(p, button, w, phone_number_id=pid) if button else text_webhook(p, t, w, phone_number_id=pid)
        for p, t, w in zip(phones, texts or [""] * len(phones), wamids, strict=True)
    ]
    with ThreadPoolExecutor(10) as pool:
        statuses = [status for status, _ in pool.map(client.post_webhook, payloads)]
    assert statuses == [200] * len(phones)
    pending = {f"handled#{w}" for w in wamids}
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        time.sleep(0.5)
        done = {r.key for r in ProcessedKey.batch_get(list(pending), consistent_read=True) if r.done}
        pending -= done
    assert not pending, f"{len(pending)} of {len(phones)} messages not answered within {timeout} s"


def text_of(message: dict) -> str:
    payload = message["payload"]
    kind = payload["type"]
    if kind == "text":
        return payload["text"]["body"]
    if kind == "interactive":
        return payload["interactive"]["body"]["text"]
    if kind == "document":
        return payload["document"].get("caption", "")
    if kind == "template":  # as the fake Graph API renders an approved template for the phone
        return payload.get("_rendered", {}).get("text", "")
    return ""


def buttons_of(message: dict) -> list[str]:
    action = message["payload"].get("interactive", {}).get("action", {})
    return [b["reply"]["id"] for b in action.get("buttons", [])]


def active_order_id(phone: str) -> str:
    from chalicelib.bootstrap import container

    return container().conversation_store.load(phone).customer["active_order_id"]


def ask_for(client, phone: str, text: str, name: str = "Test Customer") -> str:
    """The customer orders and sees a summary with a Confirm button; returns the order id."""
    replies = say(client, phone, text, name)
    assert "confirm" in buttons_of(replies[-1]), [text_of(r) for r in replies]
    return active_order_id(phone)


def confirmed_order(client, phone: str, text: str, name: str = "Test Customer") -> str:
    """An order the customer confirmed: its stock reserved, the owner notified; returns the order id."""
    order_id = ask_for(client, phone, text, name)
    tap(client, phone, "confirm", name)
    assert order(order_id)["state"] == "WAITING_OWNER_CONFIRMATION"
    return order_id


# --- the owner -------------------------------------------------------------------------------------------------
def owner_notification_message(client, order_id: str) -> dict:
    messages = [m for m in client.messages(to=client.info["owner_phone"])]
    found = [m for m in messages if text_of(m).startswith(f"🧾 New order {order_id}")]
    assert len(found) == 1, f"expected one notification of {order_id}, got {len(found)}"
    return found[0]


def owner_notification(client, order_id: str) -> str:
    return text_of(owner_notification_message(client, order_id))


def owner_links(client, order_id: str) -> dict[str, str]:
    """The Approve and Reject links: the template's URL buttons (the owner rarely writes, so the notification is
    usually the template), or the links in a free-form notification's text."""
    message = owner_notification_message(client, order_id)
    if message["payload"]["type"] == "template":
        buttons = message["payload"]["_rendered"]["buttons"]
        return {"approve": buttons[0]["url"], "reject": buttons[1]["url"]}
    text = text_of(message)
    return {
        "approve": re.search(r"Approve: (\S+)", text).group(1),
        "reject": re.search(r"Reject: (\S+)", text).group(1),
    }


def owner_texts(client, order_id: str, everything: list[str] | None = None) -> list[str]:
    """Everything told to the owner about ``order_id`` after the notification (from ``everything`` if given)."""
    if everything is None:
        everything = [text_of(m) for m in client.messages(to=client.info["owner_phone"])]
    # Outside the owner's 24-hour window a note comes as the owner_order_note template: "Order … update: <note>."
    everything = [t.removeprefix(f"Order {order_id} update: ") for t in everything]
    return [t for t in everything if f"Order {order_id} " in t and not t.startswith("🧾")]


def owner_told(client, order_ids) -> dict[str, list[str]]:
    everything = [text_of(m) for m in client.messages(to=client.info["owner_phone"])]
    everything = [re.sub(r"^Order \S+ update: ", "", t) for t in everything]
    return {order_id: owner_texts(client, order_id, everything) for order_id in order_ids}


def fresh_link(client, order_id: str, action: str, expires_in: int = 3600) -> str:
    """Another genuine link for the order, signed as the service signs them (a new nonce, so it is unused)."""
    from chalicelib.bootstrap import container
    from chalicelib.domain.links import sign_link

    secret = container().settings.link_signing_secret
    return f"{client.info['app_url']}/o/{sign_link(order_id, action, int(time.time()) + expires_in, secret)}"


def open_link(url: str) -> tuple[int, str]:
    status, body = http("GET", url)
    return status, body.decode()


def press(url: str, reason: str | None = None, follow: bool = True, **fields) -> tuple[int, str]:
    """Submit the approval page's form (what the Approve or Reject button does); like a browser, follow the page's
    own refresh while the decision is being applied (``follow=False``: the immediate answer)."""
    form = {**({"reason": reason} if reason else {}), **fields}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = http("POST", url, urlencode(form).encode(), headers, timeout=30)
    return follow_refresh(url, status, body.decode()) if follow else (status, body.decode())


def owner_api(client, method: str, path: str, body=None, key: str | None = "auto") -> tuple[int, dict | None]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {client.info['owner_api_key'] if key == 'auto' else key}"
    raw = json.dumps(body).encode() if body is not None else None
    status, data = http(method, client.info["app_url"] + path, raw, headers)
    return status, json.loads(data) if data else None


def queue_decision(aws, order_id: str, action: str, body: str | None = None) -> str:
    """Put a decision on the approvals queue directly (as a redelivery would bring it back); returns the body."""
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    body = body or json.dumps({"order_id": order_id, "action": action, "reason": None, "source": "test"})
    sqs.send_message(
        QueueUrl=aws.resources["ApprovalsQueue"],
        MessageBody=body,
        MessageGroupId=order_id,
        MessageDeduplicationId=uuid.uuid4().hex,
    )
    return body


def queued(aws, queue: str = "ApprovalsQueue") -> int:
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    attributes = sqs.get_queue_attributes(QueueUrl=aws.resources[queue], AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def drain(aws, queue: str = "ApprovalsQueue", timeout: float = 60) -> None:
    """Wait until the queue is empty twice in a row (a record in flight counts as not visible)."""
    deadline = time.time() + timeout
    empty = 0
    while time.time() < deadline:
        empty = empty + 1 if queued(aws, queue) == 0 else 0
        if empty >= 2:
            return
        time.sleep(0.3)
    raise TimeoutError(f"{queue} still had {queued(aws, queue)} message(s) after {timeout:.0f} s")


def wait_for(predicate, timeout: float = 20, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"{what} not reached within {timeout:.0f} s")


@contextlib.contextmanager
def more_workers(stack, queue_suffix: str, count: int):
    """Extra pollers on a queue, as Lambda scales an SQS mapping out to concurrent invocations."""
    from devstack.mapping import QueueMapping

    model = next(m for m in stack.mappings if m.name.endswith(queue_suffix))
    extra = [
        QueueMapping(
            model.sqs,
            model.queue_url,
            model.handler,
            f"{model.name}-extra{i}",
            batch_size=model.batch_size,
            visibility_timeout=model.visibility_timeout,
            retry_delay=model.retry_delay,
        ).start()
        for i in range(count)
    ]
    try:
        yield extra
    finally:
        for mapping in extra:
            mapping.stop()


# --- what the books say ----------------------------------------------------------------------------------------
def order(order_id: str) -> dict:
    from chalicelib.bootstrap import container

    OrderRecord = container().tables.OrderRecord

    record = OrderRecord.get(order_id, consistent_read=True)
    return dict(record.data) | {"_version": int(record.version)}


def invoices(order_id: str) -> list[dict]:
    from chalicelib.bootstrap import container

    return container().invoice_store.invoices_of(order_id)


def ledger(phone: str) -> list:
    from chalicelib.bootstrap import container

    LedgerEntryRecord = container().tables.LedgerEntryRecord

    return list(LedgerEntryRecord.query(phone, consistent_read=True))


def customer(phone: str) -> dict:
    from chalicelib.bootstrap import container

    return container().conversation_store.load(phone).customer


def reservation(order_id: str) -> dict | None:
    from pynamodb.exceptions import DoesNotExist

    from chalicelib.bootstrap import container

    ProcessedKey = container().tables.ProcessedKey

    try:
        return ProcessedKey.get(f"reservation#{order_id}", consistent_read=True).detail
    except DoesNotExist:
        return None


def documents_to(client, phone: str) -> list[dict]:
    return [m["payload"]["document"] for m in client.messages(to=phone) if m["payload"]["type"] == "document"]


def parts_of(order_data: dict) -> list[dict]:
    """The allocation parts of an order's shown lines, as stored."""
    from chalicelib.domain.order import Order

    found = []
    for line in Order.from_dict(order_data).lines_for_summary:
        found += [p.to_dict() | {"meters": str(p.meters)} for p in line.allocation.parts]
    return found


def new_phone() -> str:
    return "9197" + "".join(random.choice("0123456789") for _ in range(8))
