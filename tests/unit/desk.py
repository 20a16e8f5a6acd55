"""A whole order desk built from the in-memory fakes (chalicelib/adapters/memory.py), wired like bootstrap.py wires
the real one: the world every use-case unit test acts on. No I/O; a test runs in milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from itertools import count

from chalicelib.adapters import memory
from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.gst import load_seed_rates
from chalicelib.domain.interpreter import interpret
from chalicelib.domain.stock import AllocationPolicy
from chalicelib.domain.webhook import InboundMessage
from chalicelib.services.approval import ApprovalService
from chalicelib.services.conversation import ConversationService
from chalicelib.services.customers import CustomerService
from chalicelib.services.drafting import InvoiceDrafting
from chalicelib.services.expiry import ExpiryService
from chalicelib.services.links import ApprovalLinks
from chalicelib.services.order_views import OrderViews
from chalicelib.services.ports import DeskSettings
from chalicelib.services.reference import CachedVocabulary, GstRates, ReferenceService
from chalicelib.services.reminders import ReminderService
from chalicelib.services.stock import StockService
from chalicelib.services.understanding import Understanding
from tests.unit.conftest import build_batch

OWNER = "919800000001"
SECRET = "unit-link-secret"
SUPPLIER = {
    "name": "Test Textiles",
    "address": "1 Cloth Market, Surat",
    "gstin": "24AAAAA0000A1Z5",
    "state": "Gujarat",
    "state_code": "24",
    "phone": OWNER,
}


@cache
def seed_terms():
    vocabulary = Vocabulary.from_seed()
    return [*vocabulary.materials.values(), *vocabulary.colors.values()]


@cache
def seed_rates():
    return load_seed_rates()


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Flaky:
    """Wraps a port; ``fail(name, *errors)`` makes the next calls of ``name`` raise those errors first."""

    def __init__(self, inner):
        self._inner = inner
        self._errors: dict[str, list] = {}
        self.calls: dict[str, int] = {}

    def fail(self, name, *errors):
        self._errors.setdefault(name, []).extend(errors)
        return self

    def __getattr__(self, name):
        target = getattr(self._inner, name)

        def call(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            pending = self._errors.get(name)
            if pending:
                error = pending.pop(0)
                raise error(self._inner, *args, **kwargs) if callable(error) else error
            return target(*args, **kwargs)

        return call


class Desk:
    """Fakes, and the use cases wired to them. Attributes a test may swap (``store``, ``invoices``, ``queue``) are
    swapped before the first use of the use case that takes them (each is built on first use)."""

    def __init__(self, batches=None, now: datetime | None = None):
        self.tables = memory.InMemoryTables()
        self.store = memory.InMemoryConversationStore(self.tables)
        self.stock_repository = memory.InMemoryStockRepository(
            batches if batches is not None else shop_batches(), tables=self.tables
        )
        self.idempotency = memory.InMemoryIdempotency(self.tables)
        self.invoices = memory.InMemoryInvoiceStore(self.tables)
        self.catalogue = memory.InMemoryCatalogue(seed_terms(), seed_rates(), tables=self.tables)
        self.message_log = memory.InMemoryMessageLog(self.tables)
        self.queue = memory.InMemoryQueue()
        self.sender = memory.RecordingSender()
        self.vocabulary = CachedVocabulary(self.catalogue)
        self.clock = Clock(now)
        self.sleeps: list[float] = []
        self.settings = DeskSettings(
            public_base_url="https://shop.example",
            link_signing_secret=SECRET,
            owner_phone=OWNER,
            supplier=SUPPLIER,
        )
        self._wamids = count(1)
        self._stock = self._conversation = self._approval = None

    @property
    def stock(self) -> StockService:
        if self._stock is None:
            self._stock = StockService(self.stock_repository, self.vocabulary, AllocationPolicy())
        return self._stock

    @property
    def approval(self) -> ApprovalService:
        if self._approval is None:
            self._approval = ApprovalService(
                store=self.store,
                invoices=self.invoices,
                approvals_queue=self.queue,
                sender=self.sender,
                draft=self.drafting,
                render_pdf=lambda invoice: b"%PDF-1.4 " + invoice.number.encode(),
                settings=self.settings,
                clock=self.clock,
                sleep=self.sleeps.append,
            )
        return self._approval

    @property
    def drafting(self) -> InvoiceDrafting:
        return InvoiceDrafting(
            vocabulary=self.vocabulary, gst_rates=GstRates(self.catalogue), settings=self.settings, clock=self.clock
        )

    @property
    def links(self) -> ApprovalLinks:
        return ApprovalLinks(
            idempotency=self.idempotency, decisions=self.approval, settings=self.settings, clock=self.clock
        )

    @property
    def order_views(self) -> OrderViews:
        return OrderViews(store=self.store, draft=self.drafting)

    @property
    def conversation(self) -> ConversationService:
        if self._conversation is None:
            self._conversation = ConversationService(
                store=self.store,
                message_log=self.message_log,
                stock=self.stock,
                vocabulary=self.vocabulary,
                understanding=Understanding(interpret),
                sender=self.sender,
                owner_notifier=self.approval,
                clock=self.clock,
                sleep=self.sleeps.append,
            )
        return self._conversation

    def expiry(self) -> ExpiryService:
        return ExpiryService(store=self.store, sender=self.sender)

    def customers(self) -> CustomerService:
        return CustomerService(self.store)

    def reference(self) -> ReferenceService:
        return ReferenceService(self.catalogue, self.vocabulary.forget)

    def reminders(self) -> ReminderService:
        return ReminderService(memory.InMemoryCustomers(self.tables), self.sender, "Test Textiles", clock=self.clock)

    # --- acting as a customer ----------------------------------------------------------------------------------
    def message(self, phone: str, text: str | None = None, tap: str | None = None) -> InboundMessage:
        return InboundMessage(
            wamid=f"wamid.unit{next(self._wamids)}",
            phone=phone,
            timestamp=str(int(self.clock().timestamp())),
            type="tap" if tap else "text",
            name="Asha",
            text=text,
            reply_id=tap,
        )

    def says(self, phone: str, text: str) -> list[str]:
        """Handle a text from ``phone``; returns the texts sent to that phone in answer."""
        return self._handle(phone, self.message(phone, text=text))

    def taps(self, phone: str, button: str) -> list[str]:
        return self._handle(phone, self.message(phone, tap=button))

    def _handle(self, phone, message) -> list[str]:
        before = len(self.sender.texts_to(phone))
        self.conversation.handle(message)
        return self.sender.texts_to(phone)[before:]

    def waiting_order(self, phone: str, text: str = "20m blue cotton") -> str:
        """A customer's order, confirmed and waiting for the owner; returns its id."""
        self.says(phone, text)
        self.taps(phone, "confirm")
        loaded = self.store.load(phone)
        assert loaded.order["state"] == "WAITING_OWNER_CONFIRMATION", loaded.order["state"]
        return loaded.order["order_id"]

    def state(self, order_id: str) -> str:
        return self.store.load_order(order_id)[0]["state"]

    def shelf(self, batch_id: str):
        """(meters on the shelf, meters reserved) of a batch."""
        return self.stock_repository.get(batch_id).total_meters, self.stock_repository.reserved_meters(batch_id)


def shop_batches():
    return [
        build_batch("blue cotton", material="cotton", color="blue", rolls=2, price="120"),
        build_batch("red poly", material="polyester", color="red", loose="4", price="90"),
        build_batch("blue poly", material="polyester", color="blue", rolls=1, price="85"),
    ]


BLUE_COTTON = shop_batches()[0].batch_id
