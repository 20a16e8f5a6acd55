"""Flood control: past the limit a customer gets one "please wait" and the rest of the minute is not read."""

from datetime import UTC, datetime, timedelta

from chalicelib.adapters.flood_counter import InMemoryFloodCounter
from chalicelib.domain.flood import PLEASE_WAIT
from chalicelib.domain.webhook import InboundMessage
from chalicelib.services.flood import FloodControl


class Store:
    def __init__(self, language=None):
        self.handled_keys: dict[str, dict] = {}
        self.delivered: set[str] = set()
        self.language = language

    def handled(self, wamid):
        return self.handled_keys.get(wamid)

    def customer(self, phone):
        return {"phone": phone, "language": self.language}

    def mark_delivered(self, wamid):
        self.delivered.add(wamid)


class Idempotency:
    def __init__(self, store):
        self.store = store

    def claim(self, key, kind, ttl_seconds, detail=None):
        wamid = key.removeprefix("handled#")
        if wamid in self.store.handled_keys:
            return {"key": key}
        self.store.handled_keys[wamid] = detail
        return None


class Sender:
    def __init__(self):
        self.sent = []

    def send_payload(self, payload, idempotency_key):
        self.sent.append((idempotency_key, payload))
        return "wamid.out"


class Log:
    def record(self, *args, **kwargs):
        pass


MINUTE = int(datetime(2026, 12, 2, 16, 47, tzinfo=UTC).timestamp())


def message(n: int, phone: str = "919812345678", sent: int = MINUTE + 5) -> InboundMessage:
    wamid = f"wamid.{phone}.{n}"
    return InboundMessage.from_dict(
        {"wamid": wamid, "phone": phone, "name": "A", "type": "text", "text": f"hi {n}", "timestamp": str(sent)}
    )


def flood_control(limit=10, language=None, clock=None):
    store = Store(language)
    sender = Sender()
    control = FloodControl(
        counter=InMemoryFloodCounter(),
        store=store,
        idempotency=Idempotency(store),
        sender=sender,
        message_log=Log(),
        limit=limit,
        clock=clock or (lambda: datetime(2026, 12, 2, 16, 47, 5, tzinfo=UTC)),
    )
    return control, store, sender


def test_a_hundred_messages_in_a_minute_are_read_at_most_limit_times_with_one_please_wait():
    control, store, sender = flood_control(limit=10, language="hinglish")

    read = [n for n in range(100) if not control.screen(message(n))]

    assert read == list(range(10)), "only the first ten go on to the interpreter"
    assert [payload["text"]["body"] for _, payload in sender.sent] == [PLEASE_WAIT["hinglish"]]
    assert len(store.delivered) == 90, "every screened-out message is acknowledged as handled"


def test_the_next_minute_is_read_again():
    control, _, _ = flood_control(limit=2)
    assert [control.screen(message(n)) for n in range(3)] == [False, False, True]
    assert control.screen(message(3, sent=MINUTE + 61)) is False


def test_messages_count_by_when_they_were_sent_not_when_they_are_worked_off():
    later = [datetime(2026, 12, 2, 16, 47, 5, tzinfo=UTC)]
    control, _, _ = flood_control(limit=2, clock=lambda: later[0])
    screened = []
    for n in range(3):
        later[0] += timedelta(minutes=1)  # a backlog: each worked off a minute after the one before
        screened.append(control.screen(message(n)))
    assert screened == [False, False, True]


def test_other_customers_are_not_held_back():
    control, _, _ = flood_control(limit=1)
    assert [control.screen(message(n)) for n in range(3)] == [False, True, True]
    assert control.screen(message(0, phone="919800000002")) is False


def test_a_redelivered_message_is_not_counted_again_and_goes_to_the_conversation():
    control, store, sender = flood_control(limit=2)
    control.screen(message(0))
    store.handled_keys[message(0).wamid] = {"replies": []}  # the conversation handled it
    assert control.screen(message(0)) is False
    assert control.screen(message(1)) is False, "the redelivery did not use up the minute"
