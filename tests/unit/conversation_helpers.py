"""Builders for conversation transcripts: a shop's shelf in memory and a customer who writes, taps and reads."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from chalicelib.domain import stock as stock_domain
from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.conversation import Step, TapEvent, TextEvent, UnsupportedEvent, read_text, step
from chalicelib.domain.interpretation import Context, Interpretation
from chalicelib.domain.interpreter import interpret
from chalicelib.domain.order import Order
from chalicelib.domain.stock import Allocation, Alternative, Batch, LineRequest
from tests.unit.conftest import build_batch

VOCABULARY = Vocabulary.from_seed()
NOW = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)
PHONE = "919812345678"


class Shelf:
    """The StockView the engine needs, over batches in memory; a test may change ``batches`` between messages."""

    def __init__(self, batches: list[Batch]):
        self.batches = list(batches)

    def allocate(self, line: LineRequest) -> Allocation:
        return stock_domain.allocate(line, self.batches)

    def alternatives(self, line: LineRequest) -> list[Alternative]:
        return stock_domain.alternatives(line, self.batches)

    def on_shelf(self, material: str | None = None, color: str | None = None) -> list[Batch]:
        return [b for b in self.batches if material in (None, b.material) and color in (None, b.color)]

    def empty(self, material: str, color: str) -> None:
        """Another customer bought all of this cloth."""
        self.batches = [b for b in self.batches if (b.material, b.color) != (material, color)]


def shop_shelf() -> Shelf:
    """Blue cotton in two 40 m rolls, 4 m of red polyester, and cloth to offer instead of it."""
    return Shelf(
        [
            build_batch("blue cotton", material="cotton", color="blue", rolls=2, price="120"),
            build_batch("red poly", material="polyester", color="red", loose="4", price="90"),
            build_batch("blue poly", material="polyester", color="blue", rolls=1, price="85"),
            build_batch("red cotton", material="cotton", color="red", rolls=3, price="110"),
            build_batch("green silk", material="silk", color="green", rolls=1, meters_per_roll="30", price="300"),
        ]
    )


class Customer:
    """One customer talking to the engine; keeps the latest order between messages, as the service does."""

    def __init__(self, shelf: Shelf, phone: str = PHONE, name: str | None = "Ravi", max_rounds: int = 3):
        self.shelf = shelf
        self.phone = phone
        self.name = name
        self.max_rounds = max_rounds
        self.order: Order | None = None
        self.others: list[Order] = []  # the customer's other orders (waiting for the owner, completed)
        self.last: Step | None = None
        self.steps: list[Step] = []
        self._ids = count(1)

    def reading(self, text: str) -> Interpretation:
        return interpret(text, VOCABULARY, self.order.context() if self.order else Context())

    def says(self, text: str) -> Step:
        """Send a text as the service does: read (as the answer to a pending question first), then one step."""
        reading, answering = read_text(self.order, text, lambda said, context: interpret(said, VOCABULARY, context))
        return self._step(TextEvent(self.phone, self.name, reading, text=text, answering=answering))

    def sends_reading(self, interpretation: Interpretation) -> Step:
        return self._step(TextEvent(self.phone, self.name, interpretation))

    def taps(self, button_id: str, language_hint: str = "en") -> Step:
        return self._step(TapEvent(self.phone, self.name, button_id, language_hint))

    def sends(self, message_type: str, language_hint: str = "en") -> Step:
        return self._step(UnsupportedEvent(self.phone, self.name, message_type, language_hint))

    def _step(self, event) -> Step:
        result = step(self.order, event, self.shelf, VOCABULARY, NOW, self._new_id, self.max_rounds, others=self.others)
        if result.order is not None and self.order is not None and result.order.order_id != self.order.order_id:
            self.others = [o for o in self.others if o.order_id != self.order.order_id] + [self.order]
        self.order, self.last = result.order, result
        self.steps.append(result)
        return result

    def _new_id(self) -> str:
        return f"ORD-{next(self._ids)}"

    @property
    def read(self) -> str:
        """Every reply of the last step, as the customer reads them."""
        assert self.last is not None
        return "\n---\n".join(reply.text for reply in self.last.replies)

    @property
    def choices(self) -> list[str]:
        """The ids of every button and list row in the last step's replies."""
        assert self.last is not None
        ids = []
        for reply in self.last.replies:
            ids += [button.id for button in reply.buttons]
            ids += [row.id for section in reply.list_sections for row in section.rows]
        return ids

    def line(self, number: int):
        assert self.order is not None
        return self.order.numbered(number)
