"""PynamoDB models of every table in infra/template.json, and the binding of their names and endpoint to settings.

Keys follow the access patterns documented in the template's Metadata. Table names and the endpoint are not
hard-coded in the models: ``Tables.for_settings(settings)`` binds subclasses of them per container, so the emulator,
LocalStack and AWS differ only in configuration. Money is stored as integer paise or exact decimals
(DecimalAttribute), never floats.
"""

from __future__ import annotations

import json
import zlib
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.constants import BINARY, NUMBER, STRING
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as an exact Decimal (PynamoDB's NumberAttribute goes through float)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return format(Decimal(value), "f")

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class PackedJSONAttribute(Attribute[Any]):
    """JSON stored as a DynamoDB binary: UTF-8 (not JSON's \\u escapes, which double Devanagari), zlib-compressed
    when that is shorter. Used on the large, whole-read attributes that are written often and inside transactions
    (an order's data, a handled message's replies, an outbox payload): write units are per started KB, doubled in a
    transaction, so a 4 KB order that packs into 1 KB costs a quarter. Values written before as JSON strings
    (attribute type S) are still read."""

    attr_type = BINARY
    _RAW, _ZLIB = b"j", b"z"

    def serialize(self, value: Any) -> bytes | None:
        if value is None:
            return None
        # surrogatepass: a lone surrogate ("\\ud800" in a hostile webhook) is stored and read back, never a crash
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        packed = zlib.compress(raw, 6)
        return self._ZLIB + packed if len(packed) < len(raw) else self._RAW + raw

    def get_value(self, value: dict) -> Any:
        return value[BINARY] if BINARY in value else value[STRING]

    def deserialize(self, value: bytes | str) -> Any:
        if isinstance(value, str):  # an item written before packing
            return json.loads(value, strict=False)
        tag, body = value[:1], value[1:]
        return json.loads((zlib.decompress(body) if tag == self._ZLIB else body).decode("utf-8", "surrogatepass"))


class _Base(Model):
    class Meta:
        abstract = True


class ProcessedKey(_Base):
    """First-writer-wins keys: 'wamid#…' (webhook messages), 'link#…' (used approval links)."""

    class Meta:
        table_name = "idempotency"
        short_name = "idempotency"

    key = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    created_at = UnicodeAttribute()
    detail = PackedJSONAttribute(null=True)
    done = BooleanAttribute(null=True)  # handled messages: replies and effects delivered
    hits = NumberAttribute(null=True)  # 'flood#<phone>#<minute>': the customer's messages that minute
    expires_at = TTLAttribute(null=True)


class OrdersByCustomer(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-customer"
        projection = AllProjection()

    customer_phone = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OrdersByState(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-state"
        projection = AllProjection()

    state = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class OrderRecord(_Base):
    """An order with its lines, allocations and conversation state; saved with an optimistic version check."""

    class Meta:
        table_name = "orders"
        short_name = "orders"

    order_id = UnicodeAttribute(hash_key=True)
    customer_phone = UnicodeAttribute()
    state = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    data = PackedJSONAttribute()
    version = VersionAttribute()
    by_customer = OrdersByCustomer()
    by_state = OrdersByState()


class BatchesByMaterial(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-material"
        projection = AllProjection()

    material = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class BatchesByColor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-color"
        projection = AllProjection()

    color = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class BatchRecord(_Base):
    """A batch of one material, colour and dye lot: whole rolls, loose meters, and what is reserved of them."""

    class Meta:
        table_name = "batches"
        short_name = "batches"

    batch_id = UnicodeAttribute(hash_key=True)
    material = UnicodeAttribute()
    color = UnicodeAttribute()
    sort_key = UnicodeAttribute()  # color#received_on#batch_id (material index) / material#… (colour index)
    dye_lot = UnicodeAttribute(null=True)
    rolls = NumberAttribute()
    meters_per_roll = DecimalAttribute()
    loose_meters = DecimalAttribute()
    reserved_meters = DecimalAttribute(default=Decimal)  # confirmed by customers, waiting for the owner
    price_per_meter = DecimalAttribute()
    received_on = UnicodeAttribute()
    hsn = UnicodeAttribute()
    imported_at = UnicodeAttribute(null=True)
    by_material = BatchesByMaterial()
    by_color = BatchesByColor()


class CustomerRecord(_Base):
    """A customer by WhatsApp number, with their balance in paise and their one active order."""

    class Meta:
        table_name = "customers"
        short_name = "customers"

    phone = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(null=True)
    wa_phone = UnicodeAttribute(null=True)  # the phone, when the contact is keyed by its BSUID
    user_id = UnicodeAttribute(null=True)  # the BSUID, when Meta gave one
    username = UnicodeAttribute(null=True)
    gstin = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    state_code = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    balance_paise = NumberAttribute(default=0)
    active_order_id = UnicodeAttribute(null=True)
    last_inbound_at = UnicodeAttribute(null=True)
    # Credit terms and reminders (issue 11): None means the shop's defaults.
    credit_limit_paise = NumberAttribute(null=True)
    credit_days = NumberAttribute(null=True)
    reminders_off = BooleanAttribute(null=True)
    last_payment_on = UnicodeAttribute(null=True)  # YYYY-MM-DD of the last payment recorded
    last_reminded_on = UnicodeAttribute(null=True)  # YYYY-MM-DD (IST) of the last reminder message
    reminders_undeliverable = UnicodeAttribute(null=True)  # why the last reminder could not be delivered


class LedgerEntryRecord(_Base):
    """One debit or credit on a customer's account, with the balance after it."""

    class Meta:
        table_name = "ledger"
        short_name = "ledger"

    phone = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # debit | credit
    amount_paise = NumberAttribute()
    balance_after_paise = NumberAttribute()
    reference = UnicodeAttribute()
    at = UnicodeAttribute()
    # kind of entry (payment, reversal, credit_note, reminder; none = an invoice), the day it counts, and details
    detail = JSONAttribute(null=True)


class InvoicesByOrder(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-order"
        projection = AllProjection()

    order_id = UnicodeAttribute(hash_key=True)


class InvoiceRecord(_Base):
    """An invoice ('INV#<number>'), a financial year's gapless counter ('SEQ#<fy>', credit notes 'CNSEQ#<fy>'), a
    credit note ('CN#<number>') or a payment ('PAY#<payment id>')."""

    class Meta:
        table_name = "invoices"
        short_name = "invoices"

    invoice_key = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute(null=True)
    seq = NumberAttribute(null=True)
    number = UnicodeAttribute(null=True)
    data = JSONAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    # Settlement of an invoice (issue 11), each changed under a condition on its previous value.
    paid_paise = NumberAttribute(null=True)
    credited_paise = NumberAttribute(null=True)
    reversed_at = UnicodeAttribute(null=True)  # 'PAY#…' records: when the payment was reversed
    returned = JSONAttribute(null=True)  # meters returned so far per invoice line ({"1": "2.50"})
    credit_notes = NumberAttribute(null=True)  # credit notes issued against the invoice (the returns' guard)
    by_order = InvoicesByOrder()


class MessageLogRecord(_Base):
    """One inbound or outbound WhatsApp message (or status) of a customer."""

    class Meta:
        table_name = "message-log"
        short_name = "message-log"

    phone = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)  # ISO time#wamid
    direction = UnicodeAttribute()  # in | out | status
    wamid = UnicodeAttribute()
    type = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    errors = JSONAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class OutboxByQueue(GlobalSecondaryIndex):
    """Sparse: only records waiting for something are in it ('pending' sends, 'attention' for the owner)."""

    class Meta:
        index_name = "by-queue"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    queue_at = UnicodeAttribute(range_key=True)


class OutboxRecordModel(_Base):
    """An outbound message written before it is sent, keyed by its idempotency key."""

    class Meta:
        table_name = "outbox"
        short_name = "outbox"

    key = UnicodeAttribute(hash_key=True)
    to = UnicodeAttribute()
    message = PackedJSONAttribute(null=True)  # {"payload": what is sent, "fallback": its template outside the window}
    payload = PackedJSONAttribute(null=True)  # records written before ``message``
    status = UnicodeAttribute()  # pending | sent | failed
    wamid = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    error_code = NumberAttribute(null=True)
    created_at = UnicodeAttribute(null=True)  # not written since packing; nothing read it
    expires_at = TTLAttribute(null=True)
    fallback = PackedJSONAttribute(null=True)  # records written before ``message``: the template outside the window
    order_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    claimed_at = NumberAttribute(null=True)  # epoch seconds of the last claim (the lease)
    template_sent = BooleanAttribute(null=True)
    failed_at = UnicodeAttribute(null=True)
    handled_at = UnicodeAttribute(null=True)
    queue = UnicodeAttribute(null=True)  # pending | attention (absent once settled or handled)
    queue_at = UnicodeAttribute(null=True)
    by_queue = OutboxByQueue()


class CatalogueRecord(_Base):
    """Reference data: kind 'material' / 'color' (vocabulary) and 'gst_rate' (key hsn#effective_from)."""

    class Meta:
        table_name = "catalogue"
        short_name = "catalogue"

    kind = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    data = JSONAttribute()


class AuditRecord(_Base):
    """One entry of the append-only audit trail (see chalicelib/domain/audit.py)."""

    class Meta:
        table_name = "audit"
        short_name = "audit"

    subject = UnicodeAttribute(hash_key=True)  # order#<id>, batch#<id>, import#<id>, catalogue, stock#adjustments
    entry = UnicodeAttribute(range_key=True)  # <iso time>#<entry id>
    action = UnicodeAttribute()
    who = UnicodeAttribute()  # customer | owner | system
    via = UnicodeAttribute()  # whatsapp | link | api | cli | job:<name>
    from_state = UnicodeAttribute(null=True)
    to_state = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    detail = JSONAttribute(null=True)
    at = UnicodeAttribute()


class ImportRecord(_Base):
    """A stock import: part 'record' (state and progress) and parts 'chunk#NNNNN' (the validated batches)."""

    class Meta:
        table_name = "imports"
        short_name = "imports"

    import_id = UnicodeAttribute(hash_key=True)
    part = UnicodeAttribute(range_key=True)
    state = UnicodeAttribute(null=True)  # queued | applied
    fingerprint = UnicodeAttribute(null=True)
    rows = NumberAttribute(null=True)
    chunks = NumberAttribute(null=True)
    chunks_done = NumberAttribute(null=True)
    created = NumberAttribute(null=True)
    unchanged = NumberAttribute(null=True)
    batches = JSONAttribute(null=True)  # a chunk's batches
    who = UnicodeAttribute(null=True)
    via = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


ALL_MODELS = (
    ProcessedKey,
    OrderRecord,
    BatchRecord,
    CustomerRecord,
    LedgerEntryRecord,
    InvoiceRecord,
    MessageLogRecord,
    OutboxRecordModel,
    CatalogueRecord,
    AuditRecord,
    ImportRecord,
)


class Tables:
    """Every model bound to one stage's tables, region and endpoint: per-instance subclasses of the models above,
    so two containers (two prefixes or endpoints) coexist and nothing depends on a module-level binding.

    ``table_name`` maps a short name ('orders') to the real one ('bharatbiz-local-orders'); ``host`` is None in AWS.
    """

    def __init__(self, table_name, region: str, host: str | None, client=None):
        self.host = host
        for model in ALL_MODELS:
            meta = type(
                "Meta",
                (),
                {
                    "table_name": table_name(model.Meta.short_name),
                    "short_name": model.Meta.short_name,
                    "region": region,
                    "host": host,
                    "connect_timeout_seconds": 2,
                    "read_timeout_seconds": 5,
                    "max_retry_attempts": 2,
                },
            )
            bound = type(model.__name__, (model,), {"Meta": meta, "_connection": None, "__module__": __name__})
            if client is not None:
                bound._get_connection().connection._client = client  # builds the connection object; no AWS call
            setattr(self, model.__name__, bound)

    @classmethod
    def for_settings(cls, settings, client=None) -> Tables:
        """With ``client`` (the composition root's DynamoDB client) every model sends through that one client.
        PynamoDB otherwise builds a botocore session and client per model, about 0.1 s each on a cold Lambda (they
        made the first message 17x a warm one); it only calls the client's ``_make_api_call``, which any botocore
        client has."""
        return cls(settings.table_name, settings.region, settings.aws_endpoint_url, client)

    def connection(self):
        """The low-level PynamoDB connection transactions go through (every table shares region and endpoint)."""
        return self.ProcessedKey._get_connection().connection

    # Declared for readers and type checkers; __init__ sets each to its bound subclass.
    ProcessedKey: type[ProcessedKey]
    OrderRecord: type[OrderRecord]
    BatchRecord: type[BatchRecord]
    CustomerRecord: type[CustomerRecord]
    LedgerEntryRecord: type[LedgerEntryRecord]
    InvoiceRecord: type[InvoiceRecord]
    MessageLogRecord: type[MessageLogRecord]
    OutboxRecordModel: type[OutboxRecordModel]
    CatalogueRecord: type[CatalogueRecord]
