"""The ports the use cases depend on, declared once; adapters (chalicelib/adapters) and the in-memory fakes
(chalicelib/adapters/memory.py) implement them, and chalicelib/bootstrap.py passes them, by name, to each use case.

Errors a port raises are domain errors (chalicelib.domain.errors): StaleOrder, OutOfStock, AlreadyProcessed,
NotFound, and the sending family MessageNotSent / OutsideWindow / DeliveryUncertain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.approval import ApprovalCommit, RejectionCommit
    from chalicelib.domain.catalogue import Term, Vocabulary
    from chalicelib.domain.conversation import StockView
    from chalicelib.domain.gst import GstRate
    from chalicelib.domain.interpretation import Context
    from chalicelib.domain.invoice import Invoice
    from chalicelib.domain.messages import OutboundMessage
    from chalicelib.domain.stock import AllocationPart, Batch, StockChange


# --- settings the use cases need (a value, not the whole Settings) ----------------------------------------------


@dataclass(frozen=True)
class DeskSettings:
    """What the owner-facing use cases need to know: where links point and how long they work, who the owner is,
    the shop as printed on invoices, and how long an invoice link works."""

    public_base_url: str = "http://127.0.0.1:8000"
    link_signing_secret: str = ""
    link_ttl_hours: int = 48
    owner_phone: str = ""
    supplier: dict = field(default_factory=dict)
    invoice_url_ttl_seconds: int = 7 * 24 * 3600
    credit_days: int = 30  # an invoice's due date: its date + the customer's credit days, else these
    upi_vpa: str | None = None  # the shop's UPI id: invoices carry a UPI QR and link when set

    @classmethod
    def from_settings(cls, settings) -> DeskSettings:
        return cls(
            public_base_url=settings.public_base_url,
            link_signing_secret=settings.link_signing_secret,
            link_ttl_hours=settings.link_ttl_hours,
            owner_phone=settings.owner_phone,
            supplier=dict(settings.supplier),
            invoice_url_ttl_seconds=settings.invoice_url_ttl_seconds,
            credit_days=getattr(settings, "credit_days", 30),
            upi_vpa=getattr(settings, "supplier_upi_vpa", None),
        )


# --- idempotency, queues, message log ---------------------------------------------------------------------------


class IdempotencyPort(Protocol):
    def claim(self, key: str, kind: str, ttl_seconds: int, detail: dict | None = None) -> dict | None:
        """Write ``key`` if nobody has (first writer wins). Returns None when this call won, else the record
        already there (with its 'detail' and 'created_at')."""

    def exists(self, key: str) -> bool:
        """Whether someone has claimed ``key`` (a consistent read; writes nothing)."""

    def update_detail(self, key: str, detail: dict) -> None:
        """Replace the detail of a key this process claimed."""

    def release(self, key: str) -> None:
        """Forget ``key`` so it can be claimed again (undoing a claim whose work never happened)."""


class QueuePort(Protocol):
    def send(self, body: dict, group_id: str | None = None, dedup_id: str | None = None) -> str:
        """Enqueue one JSON message; FIFO queues need group_id and dedup_id. Returns the message id."""


class MessageLogPort(Protocol):
    def record(
        self,
        phone: str,
        direction: str,
        wamid: str,
        type: str,
        text: str | None = None,
        status: str | None = None,
        errors: list | None = None,
        at: str | None = None,
    ) -> None:
        """Append one inbound/outbound message or delivery status to a customer's log."""

    def history(self, phone: str, limit: int = 50) -> list[dict]:
        """A customer's log, oldest first."""


class OutboxPort(Protocol):
    """Outbound messages written before they are sent (the WhatsApp client's; the full contract with its lease and
    attention list is adapters/whatsapp.OutboxPort)."""

    def claim(
        self, key: str, to: str, payload: dict, fallback: dict | None = None, order_id: str | None = None
    ) -> Any: ...

    def mark_sent(self, key: str, wamid: str, template_sent: bool = False) -> None:
        """Settle ``key`` as sent (one conditional update; a sent or unknown key is left alone)."""

    def settle_pending(self, key: str, wamid: str) -> None:
        """A ``sent`` status: settle ``key`` only if it is still pending (one conditional update, no read)."""

    def mark_failed(
        self, key: str, error_code: int | None, message: str, attention: bool = False, wamid: str | None = None
    ) -> Any: ...

    def get(self, key: str) -> Any: ...

    def attention(self) -> list: ...

    def handled(self, key: str) -> bool: ...

    def stale_pending(self, older_than_seconds: float, limit: int = 50) -> list: ...


# --- sending ----------------------------------------------------------------------------------------------------


class MessageSenderPort(Protocol):
    """Sends WhatsApp messages once per idempotency key (at most twice after an unknown outcome).

    A payload may carry ``_fallback``: the approved template to send instead when the recipient is outside the
    24-hour window (business-initiated messages); the sender picks free-form or template, so a use case only says
    what it means. ``_order_id`` names the order (for the owner's attention list).

    Raises DeliveryUncertain (may have gone; ``retryable``: try the work later), OutsideWindow (the window is closed
    and no usable template was given) or another MessageNotSent (``retryable`` says whether a later try may work)."""

    def send(self, message: OutboundMessage, idempotency_key: str, fallback: dict | None = None) -> str:
        """Send one message; returns its WhatsApp message id."""

    def send_payload(self, payload: dict, idempotency_key: str) -> str:
        """Send a Graph API /messages payload as built by ``OutboundMessage.to_graph_payload`` (maybe with
        ``_fallback`` and ``_order_id``)."""

    def mark_read(self, wamid: str, typing: bool = True) -> bool:
        """Mark an inbound message read and show the typing indicator; best effort."""

    def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file to WhatsApp; returns its media id."""

    def resend_as_template(self, key: str) -> str | None:
        """Send a record's fallback template once (after a 131047 reported by a status webhook)."""


# --- orders, customers, conversation ---------------------------------------------------------------------------


class ConversationStorePort(Protocol):
    """Customers, their orders (with a version) and handled messages.

    ``load`` returns an object with ``customer`` (dict, {} for a new number), ``order`` (dict or None) and
    ``version`` (int or None)."""

    def customer(self, phone: str) -> dict:
        """The customer record ({} for a number never seen)."""

    def load(self, phone: str) -> Any:
        """The customer and their active order (else their latest finished one), read consistently."""

    def load_order(self, order_id: str) -> tuple[dict, int] | None:
        """An order and its version, or None."""

    def recent_orders(self, phone: str, limit: int = 10) -> list[dict]:
        """A customer's latest orders, newest first ("status" lists the waiting ones; "repeat" the last done)."""

    def handled(self, wamid: str) -> dict | None:
        """What handling ``wamid`` produced ({"replies", "effects", "delivered"}), or None."""

    def commit(
        self,
        *,
        phone: str,
        name: str | None,
        wamid: str,
        order: dict | None,
        version: int | None,
        previous_active: str | None,
        active_order_id: str | None,
        outcome: dict,
        language: str | None = None,
        closed: dict | None = None,
        closed_version: int | None = None,
        reserve_parts: list | None = None,
        audit: list = (),
        identity: dict | None = None,
    ) -> None:
        """One message's step, all or nothing: the handled key, the order (version-checked), the customer's active
        order and, with ``reserve_parts``, the reservation of every batch (reservation items); ``audit`` holds the
        AuditEntries of the orders the step moved.

        Raises AlreadyProcessed, OutOfStock (naming the batches; nothing written) or StaleOrder."""

    def save_order(self, order: dict, version: int, audit: list = ()) -> int:
        """Save an order outside a message, with ``audit`` (AuditEntries) in the same transaction; returns the new
        version. Raises StaleOrder."""

    def clear_active(self, phone: str, order_id: str) -> None:
        """Forget the customer's active order if it is still ``order_id``."""

    def mark_delivered(self, wamid: str) -> None: ...

    def update_customer(self, phone: str, **fields) -> None:
        """Set the given fields (None leaves a field as it is)."""

    def ledger(self, phone: str) -> list[dict]:
        """A customer's ledger entries, oldest first."""

    def orders_in_state(self, state: str, limit: int = 100, updated_before: datetime | None = None) -> list[dict]:
        """Orders in ``state`` each with its ``_version``: newest change first, or, with ``updated_before``, those
        unchanged since then, oldest first."""


class CustomerDirectoryPort(Protocol):
    def with_balance(self) -> list[dict]:
        """Every customer with a positive balance (``balance_paise``)."""


# --- stock -------------------------------------------------------------------------------------------------------


class StockRepositoryPort(Protocol):
    """Batches, changed only through conditional movements (OutOfStock names the batches that refused)."""

    def get(self, batch_id: str) -> Batch | None: ...

    def reserved_meters(self, batch_id: str) -> Decimal: ...

    def all(self) -> list[Batch]: ...

    def all_with_reserved(self) -> tuple[list[Batch], dict[str, Decimal]]: ...

    def of_material(self, material: str, color: str | None = None) -> list[Batch]: ...

    def of_color(self, color: str) -> list[Batch]: ...

    def import_batches(self, batches: list[Batch]) -> Any:
        """Insert batches not on the books yet (never overwrite); returns counts created/unchanged."""

    def adjust(self, changes: list[StockChange]) -> None: ...

    def reserve(self, parts: list[AllocationPart]) -> None: ...

    def release(self, parts: list[AllocationPart]) -> None: ...


class StockViewsPort(Protocol):
    def view(self) -> StockView:
        """What the conversation engine allocates against, read per call."""


# --- reference data ----------------------------------------------------------------------------------------------


class CataloguePort(Protocol):
    def vocabulary(self) -> Vocabulary: ...

    def gst_rates(self) -> list[GstRate]: ...

    def put_term(self, term: Term) -> None: ...

    def put_gst_rate(self, rate: GstRate) -> None: ...


class VocabularyProvider(Protocol):
    def __call__(self) -> Vocabulary:
        """The catalogue vocabulary customers' words are read against (cached briefly)."""


class GstRatesProvider(Protocol):
    def __call__(self) -> list[GstRate]:
        """Every GST rate by HSN and effective date."""


# --- understanding -----------------------------------------------------------------------------------------------


class UnderstandingPort(Protocol):
    def understand(
        self, text: str, vocabulary: Vocabulary, context: Context | None = None, dialogue: Any = None
    ) -> Any:
        """Read one message (with the ``Dialogue`` around it, for an LLM); returns an ``Understood``
        (interpretation and source). Never raises for an LLM."""

    def read_deterministic(self, text: str, vocabulary: Vocabulary, context: Context | None = None) -> Any:
        """The deterministic interpreter alone: an Interpretation, never an LLM call."""


# --- the owner's decision ----------------------------------------------------------------------------------------


class InvoiceStorePort(Protocol):
    """The gapless invoice series, invoices, the decisions' transactions and the PDFs."""

    def current_seq(self, fy: str) -> int: ...

    def commit_approval(self, commit: ApprovalCommit) -> None:
        """Write the approval, all or nothing (see domain/approval.py). Raises StaleOrder (something moved: read
        again and retry) or OutOfStock (the reservation is not there)."""

    def commit_rejection(self, commit: RejectionCommit) -> None:
        """Order rejected and its reservation released; one transaction. Raises StaleOrder / OutOfStock."""

    def ensure_pdf(self, number: str, render: Callable[[dict], bytes]) -> str:
        """The invoice's PDF stored under a deterministic key (rendered once); returns the key."""

    def link(self, key: str, ttl_seconds: int) -> str:
        """A time-limited URL of a stored PDF."""

    def pdf(self, key: str) -> bytes:
        """A stored PDF's bytes (to upload to WhatsApp's media endpoint)."""

    def invoices_of(self, order_id: str) -> list[dict]: ...


class MoneyDeskPort(Protocol):
    """Messages about money (the owner's payment desk, a customer's statement or reminder opt-out), answered
    instead of the order conversation (services/account_desk.py)."""

    def takes(self, message) -> bool:
        """Whether the desk answers this inbound message (a pure check, no I/O)."""

    def handle(self, message) -> None:
        """Answer it; every send keyed by the message id."""


class CreditCheckPort(Protocol):
    def __call__(self, phone: str, order_total: Decimal, now: datetime) -> list[str]:
        """Warnings for the owner about this customer's credit (over the limit with this order, invoices overdue),
        each a line to show prominently; [] when there is nothing to say."""


class PdfRendererPort(Protocol):
    def __call__(self, invoice: Invoice) -> bytes:
        """The invoice as a PDF document."""


class InvoiceDraftingPort(Protocol):
    def __call__(self, order: Any, customer: dict, number: str = "DRAFT", on: date | None = None) -> Invoice:
        """The invoice ``order`` would get (a draft unless ``number`` is given)."""


class DecisionRequestsPort(Protocol):
    def request(self, order_id: str, action: str, source: str, reason: str | None = None) -> None:
        """Queue the owner's decision. Raises NotFound for an unknown order, BadRequest for an unknown action."""


class OwnerNotifierPort(Protocol):
    def owner_notification(self, order: Any, now: datetime) -> OutboundMessage:
        """The owner's message about an order waiting for approval, with its signed links."""

    def owner_notification_payload(self, order: Any, now: datetime) -> dict:
        """The same as a Graph payload, with its ``owner_new_order`` template (URL buttons) as ``_fallback``."""


# --- owner's books: audit trail, stock imports, stock-taking (chalicelib/adapters/audit_trail.py, stock_imports.py,
# stock_taking.py; the audit entry is chalicelib/domain/audit.py) ------------------------------------------------


class AuditTrailPort(Protocol):
    def item(self, entry: Any) -> tuple[str, Callable[[Any], Any]]:
        """A labelled transaction item appending ``entry`` (an AuditEntry) with the change it records."""

    def append(self, *entries: Any) -> None:
        """Append entries on their own (a change that is not one transaction)."""

    def history(self, subject: str, newest_first: bool = False, limit: int | None = None) -> list[dict]:
        """A subject's entries ('order#<id>', 'batch#<id>', …), oldest first unless asked otherwise."""


class StockImportStorePort(Protocol):
    def find(self, import_id: str) -> dict | None: ...

    def stage(self, import_id: str, fingerprint: str, batches: list[Batch], who: str, via: str, correlation_id):
        """Write the validated batches and then the import record (first writer wins); returns the record."""

    def apply(self, import_id: str, last_items=()) -> dict:
        """Apply what is left of a staged import, resumably; returns the record."""


class StockCountsPort(Protocol):
    def read(self, batch_id: str) -> tuple[Batch, Decimal]:
        """A batch and its reserved meters; raises NotFound."""

    def apply(self, adjustment: Any, items=()) -> None:
        """Write an Adjustment's counts with ``items``, conditional on the counts it was computed from."""


class FloodCounterPort(Protocol):
    def hit(self, phone: str, window: str) -> int:
        """Count one more message of ``phone`` in the window (a minute); returns the count with this one."""


class DeliveryPort(Protocol):
    """Tells the owner about an order (free-form or template) and keeps what could not be delivered."""

    def tell_owner(self, order_id: str, note: str, key: str, text: str | None = None) -> str | None: ...
