"""Builders for conversation transcripts on the running stack: a customer who writes, taps and reads WhatsApp replies,
and readings of the order, the stock and the owner's phone straight from the emulator."""

from __future__ import annotations

import contextlib
import copy
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from devstack.client import new_wamid, tap_webhook, text_webhook
from devstack.fake_graph import summarise
from tests.conftest import SAMPLES

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
ORDER_ID = re.compile(r"ORD-\d{8}-[0-9A-F]{6}")
SHOWN = ("NEGOTIATING", "ACCEPTED")


@dataclass(frozen=True)
class Reply:
    """One WhatsApp message as the customer sees it: its text and what can be tapped."""

    text: str
    buttons: tuple[str, ...]  # ids of the reply buttons and list rows
    titles: tuple[str, ...]

    @classmethod
    def of(cls, recorded: dict) -> Reply:
        summary = summarise(recorded["payload"])
        choices = [*summary["buttons"], *summary["list"]]
        return cls(summary["text"], tuple(c["id"] for c in choices), tuple(c["title"] for c in choices))


class Replies(list):
    """What one customer message got back, in order."""

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self)

    @property
    def buttons(self) -> list[str]:
        return [button for reply in self for button in reply.buttons]

    @property
    def last(self) -> Reply:
        return self[-1]


class Chat:
    """One customer's WhatsApp thread with the shop, through the signed webhook, the queue and the fake Graph API."""

    def __init__(self, client, phone: str, name: str = "Test Customer"):
        self.client = client
        self.phone = phone
        self.name = name
        self._seen = 0
        self.last_wamid: str | None = None

    # --- the customer's side ---------------------------------------------------------------------------------------
    def says(self, text: str) -> Replies:
        wamid = new_wamid()
        payload = text_webhook(self.phone, text, wamid, self.name, self.client.info["phone_number_id"])
        return self.posts(payload, wamid)

    def taps(self, button_id: str) -> Replies:
        wamid = new_wamid()
        return self.posts(tap_webhook(self.phone, button_id, wamid, "", self.client.info["phone_number_id"]), wamid)

    def sends_sample(self, case: str) -> Replies:
        """A real-shaped webhook from tests/fixtures/whatsapp-samples/pywa/message.json, sent from this customer."""
        wamid = new_wamid()
        return self.posts(sample_webhook(case, self.phone, wamid, self.client.info["phone_number_id"]), wamid)

    def posts(self, payload: dict, wamid: str, timeout: float = 20) -> Replies:
        """Post one webhook and wait until the worker handled it and sent its replies; return those replies."""
        self.last_wamid = wamid
        status, body = self.client.post_webhook(payload)
        assert status == 200, body
        wait_until(lambda: handled(wamid).get("delivered"), timeout, f"no answer to {wamid}")
        return self.read()

    def read(self) -> Replies:
        """Messages sent to this customer since the last read."""
        recorded = self.client.messages(to=self.phone, since=self._seen)
        if recorded:
            self._seen = max(m["seq"] for m in recorded)
        return Replies(Reply.of(m) for m in recorded)

    # --- what the shop's books say -----------------------------------------------------------------------------
    @property
    def order(self) -> dict | None:
        """The customer's active order as stored, or None."""
        loaded = self.loaded()
        active = loaded.customer.get("active_order_id")
        return loaded.order if active and loaded.order and loaded.order["order_id"] == active else None

    def loaded(self):
        from chalicelib.bootstrap import container

        return container().conversation_store.load(self.phone)

    @property
    def state(self) -> str | None:
        order = self.order
        return order["state"] if order else None

    def shown_lines(self) -> list[dict]:
        return [line for line in self.order["lines"] if line["status"] in SHOWN]


@contextlib.contextmanager
def brisk_worker(stack, poll_interval: float = 0.03, status_callbacks: bool = False):
    """While the block runs, the inbound worker polls its queue often and, unless asked, the fake Graph API posts no
    sent/delivered/read webhooks back.

    On AWS the event source mapping long-polls and picks a message up at once; the local mapping's idle pause, and
    the three status webhooks every reply sets off in this one process, would otherwise make a transcript of twenty
    messages slow. Transcripts read replies from the fake Graph API, never from statuses.
    """
    mapping = next(m for m in stack.mappings if m.name.endswith("inbound.fifo"))
    saved = mapping.poll_interval, stack.graph.status_callbacks
    mapping.poll_interval, stack.graph.status_callbacks = poll_interval, status_callbacks
    try:
        yield
    finally:
        for running in stack.mappings:  # a test may have replaced the mapping with a restarted one
            if running.name == mapping.name:
                running.poll_interval = saved[0]
        stack.graph.status_callbacks = saved[1]


def handled(wamid: str) -> dict:
    from chalicelib.bootstrap import container

    return container().conversation_store.handled(wamid) or {}


def stored_order(order_id: str) -> tuple[dict, int]:
    from chalicelib.bootstrap import container

    found = container().conversation_store.load_order(order_id)
    assert found is not None, f"no order {order_id}"
    return found


def wait_until(condition, timeout: float, message: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(message)


def sample_webhook(case: str, phone: str, wamid: str, phone_number_id: str) -> dict:
    """A pywa sample message with its sender, message id, time and business number replaced."""
    body = copy.deepcopy(json.loads((SAMPLES / "pywa" / "message.json").read_text())[case])
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = phone_number_id
    for contact in value.get("contacts", []):
        contact["wa_id"] = phone
        contact.pop("user_id", None)  # the sample's BSUID would make every test customer the same person
        contact.pop("parent_user_id", None)
    for message in value["messages"]:
        message.update({"from": phone, "id": wamid, "timestamp": str(int(time.time()))})
    return body


# --- stock --------------------------------------------------------------------------------------------------------


def reserved(batch_ids) -> dict[str, Decimal]:
    from chalicelib.bootstrap import container

    repository = container().stock_repository
    return {batch_id: repository.reserved_meters(batch_id) for batch_id in batch_ids}


def allocated_meters(order: dict) -> dict[str, Decimal]:
    """Meters per batch that the order's accepted lines take."""
    per_batch: dict[str, Decimal] = {}
    for line in order["lines"]:
        if line["status"] == "ACCEPTED" and line["allocation"]:
            for part in line["allocation"]["parts"]:
                per_batch[part["batch_id"]] = per_batch.get(part["batch_id"], Decimal(0)) + Decimal(part["meters"])
    return per_batch


def batches_of(material: str, color: str) -> list[str]:
    from chalicelib.bootstrap import container

    return [b.batch_id for b in container().stock_repository.of_material(material, color)]


# Colours and materials the approval tests never use for their private batches, and the sample stock lacks.
_PRIVATE = [(m, c) for m in ("silk", "rayon", "wool", "chiffon") for c in ("white", "blue", "navy blue", "black")]


def private_batch(loose: str, price: str = "100.00") -> tuple[str, str]:
    """One batch of a cloth nobody else in the session stocks, with only ``loose`` meters; returns (material, colour).

    For tests that must confirm an order of a cloth in short supply without starving other tests.
    """
    from chalicelib.bootstrap import container

    c = container()
    while _PRIVATE:
        material, color = _PRIVATE.pop(0)
        if c.stock_repository.of_material(material, color):
            continue
        row = {
            "material": material,
            "color": color,
            "dye_lot": f"T-{uuid.uuid4().hex[:8].upper()}",
            "rolls": 0,
            "meters_per_roll": "40",
            "loose_meters": loose,
            "price_per_meter": price,
            "received_on": date(2024, 1, 1).isoformat(),
        }
        assert c.stock.import_rows([row]).created == 1
        return material, color
    raise AssertionError("no unused cloth left for a private batch")


# --- the owner's phone --------------------------------------------------------------------------------------------


def owner_notification(client, order_id: str) -> str:
    """The text of the owner's WhatsApp notification about ``order_id``."""
    owner = client.info["owner_phone"]
    # A template's URL buttons are part of what the owner sees ("Approve: <url>"), as links are in a free-form text.
    replies = [Reply.of(m) for m in client.messages(to=owner)]
    texts = [r.text + "".join(f"\n{t}: {b}" for t, b in zip(r.titles, r.buttons, strict=True)) for r in replies]
    found = [text for text in texts if order_id in text]
    assert found, f"the owner was not told about {order_id}"
    return found[-1]


# --- language -----------------------------------------------------------------------------------------------------


def written_in_devanagari(text: str) -> bool:
    """Hindi in Devanagari: Devanagari letters, and no Latin words besides the order id."""
    latin = re.findall(r"[A-Za-z]+", ORDER_ID.sub("", text))
    return bool(DEVANAGARI.search(text)) and not latin


def written_in_latin(text: str) -> bool:
    return not DEVANAGARI.search(text)
