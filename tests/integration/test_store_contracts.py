"""One contract, two implementations: the in-memory fakes (chalicelib/adapters/memory.py) and the DynamoDB/S3
adapters on the emulator run through the same assertions, including the writes production makes: the reservation
a customer's confirmation commits, and the deduction and release an owner's decision commits."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.approval import ApprovalCommit, LedgerEntry, RejectionCommit
from chalicelib.domain.catalogue import Term
from chalicelib.domain.errors import AlreadyProcessed, OutOfStock, StaleOrder
from chalicelib.domain.gst import GstRate
from chalicelib.domain.stock import Batch, LineRequest, StockChange, allocate

pytestmark = pytest.mark.integration


@dataclass
class World:
    store: object
    invoices: object
    stock: object
    idempotency: object
    catalogue: object
    customers: object
    message_log: object
    reservation: object  # order_id -> the reservation record's detail, or None


@pytest.fixture(params=["memory", "dynamodb"])
def world(request) -> World:
    if request.param == "memory":
        from chalicelib.adapters import memory as m

        t = m.InMemoryTables()
        store = m.InMemoryConversationStore(t)
        return World(
            store,
            m.InMemoryInvoiceStore(t),
            m.InMemoryStockRepository(tables=t),
            m.InMemoryIdempotency(t),
            m.InMemoryCatalogue(tables=t),
            m.InMemoryCustomers(t),
            m.InMemoryMessageLog(t),
            store.reservation,
        )
    c = request.getfixturevalue("aws").container
    from chalicelib.adapters.conversation_store import DynamoCustomers

    def reservation(order_id):
        from pynamodb.exceptions import DoesNotExist

        try:
            return c.tables.ProcessedKey.get(f"reservation#{order_id}", consistent_read=True).detail
        except DoesNotExist:
            return None

    return World(
        c.conversation_store,
        c.invoice_store,
        c.stock_repository,
        c.idempotency,
        c.catalogue,
        DynamoCustomers(c.tables),
        c.message_log,
        reservation,
    )


# --- builders -----------------------------------------------------------------------------------------------------
def new_phone() -> str:
    return "9197" + uuid.uuid4().hex[:8].translate(str.maketrans("abcdef", "123456"))


def an_order(phone: str, state: str = "COLLECTING_ITEMS", updated_at: str | None = None) -> dict:
    at = updated_at or datetime.now(UTC).isoformat()
    return {
        "order_id": f"ORD-T-{uuid.uuid4().hex[:10]}",
        "customer_phone": phone,
        "state": state,
        "created_at": at,
        "updated_at": at,
    }


def a_batch(rolls=2, loose="5") -> Batch:
    return Batch(
        batch_id=str(uuid.uuid4()),
        material=f"test-{uuid.uuid4().hex[:8]}",
        color="blue",
        dye_lot="DL-1",
        rolls=rolls,
        meters_per_roll=Decimal("40.00"),
        loose_meters=Decimal(loose).quantize(Decimal("0.01")),
        price_per_meter=Decimal("100.00"),
        received_on=date(2025, 1, 1),
        hsn="5208",
    )


def parts_for(world, batch: Batch, meters: str):
    world.stock.import_batches([batch])
    allocation = allocate(LineRequest(batch.material, "blue", Decimal(meters)), [batch])
    return list(allocation.parts)


def commit(world, phone, order, *, version=None, previous_active=None, wamid=None, reserve=None, active=True):
    world.store.commit(
        phone=phone,
        name="Test",
        wamid=wamid or f"wamid.{uuid.uuid4().hex}",
        order=order,
        version=version,
        previous_active=previous_active,
        active_order_id=order["order_id"] if active else None,
        outcome={"replies": [{"to": phone, "type": "text", "text": {"body": "ok"}}], "effects": []},
        language="en",
        reserve_parts=reserve,
    )


def shelf(world, batch_id):
    b = world.stock.get(batch_id)
    return b.rolls, b.loose_meters, world.stock.reserved_meters(batch_id)


def waiting_order(world, meters="47"):
    """A customer whose confirmed order holds a reservation, as a message's commit leaves it."""
    phone, batch = new_phone(), a_batch()
    parts = parts_for(world, batch, meters)
    order = an_order(phone, "WAITING_OWNER_CONFIRMATION")
    commit(world, phone, order, reserve=parts)
    return phone, batch, parts, order


def approval_of(world, phone, order, parts, *, amount=4700_00, seq=None, fy=None, balance_before=0):
    fy = fy or f"T{uuid.uuid4().hex[:6]}"
    seq = world.invoices.current_seq(fy) if seq is None else seq
    number = f"BB/{fy}/{seq + 1:05d}"
    now = datetime.now(UTC).isoformat()
    return ApprovalCommit(
        order=order | {"state": "ORDER_COMPLETED", "updated_at": now, "invoice": {"number": number}},
        version=world.store.load_order(order["order_id"])[1],
        fy=fy,
        seq_before=seq,
        invoice={"number": number, "lines": []},
        parts=tuple(parts),
        ledger=LedgerEntry(phone, "debit", amount, balance_before, number, now),
        clears_active=True,
    )


def rejection_of(world, phone, order, parts):
    return RejectionCommit(
        order=order | {"state": "ORDER_REJECTED"},
        version=world.store.load_order(order["order_id"])[1],
        parts=tuple(parts),
        phone=phone,
        clears_active=True,
    )


# --- idempotency and the message log --------------------------------------------------------------------------------
def test_a_released_key_can_be_claimed_again(world):
    key = f"link#{uuid.uuid4()}"
    assert world.idempotency.claim(key, "link", 60) is None
    world.idempotency.release(key)
    assert world.idempotency.exists(key) is False
    assert world.idempotency.claim(key, "link", 60) is None


def test_the_message_log_returns_a_customers_messages_oldest_first(world):
    phone = new_phone()
    world.message_log.record(phone, "in", "w1", "text", text="hello", at="2026-01-01T10:00:00+00:00")
    world.message_log.record(phone, "out", "w2", "text", text="namaste", at="2026-01-01T10:00:01+00:00")
    history = world.message_log.history(phone)
    assert [(h["direction"], h["text"]) for h in history] == [("in", "hello"), ("out", "namaste")]


# --- reference data ----------------------------------------------------------------------------------------------
def test_a_term_and_a_gst_rate_put_are_read_back(world):
    name = f"test-{uuid.uuid4().hex[:8]}"
    world.catalogue.put_term(Term("material", name, "परीक्षण", "pariksha", ("t-alias",), "5208"))
    hsn = str(uuid.uuid4().int)[:8]
    world.catalogue.put_gst_rate(GstRate(hsn, Decimal("5"), date(2025, 4, 1)))
    assert world.catalogue.vocabulary().materials[name].aliases == ("t-alias",)
    assert [r.rate_percent for r in world.catalogue.gst_rates() if r.hsn == hsn] == [Decimal("5")]


# --- a customer's message -----------------------------------------------------------------------------------------
def test_a_committed_step_is_loaded_back_with_its_version_and_its_outcome(world):
    phone, wamid = new_phone(), f"wamid.{uuid.uuid4().hex}"
    order = an_order(phone)
    commit(world, phone, order, wamid=wamid)

    loaded = world.store.load(phone)
    assert loaded.order["order_id"] == order["order_id"] and loaded.version == 1
    assert loaded.customer["active_order_id"] == order["order_id"] and loaded.customer["name"] == "Test"
    assert world.store.handled(wamid)["delivered"] is False
    world.store.mark_delivered(wamid)
    assert world.store.handled(wamid)["delivered"] is True


def test_the_same_message_cannot_be_committed_twice(world):
    phone, wamid = new_phone(), f"wamid.{uuid.uuid4().hex}"
    order = an_order(phone)
    commit(world, phone, order, wamid=wamid)
    with pytest.raises(AlreadyProcessed):
        commit(world, phone, order, wamid=wamid, version=1, previous_active=order["order_id"])


def test_a_step_on_an_order_that_moved_on_is_stale(world):
    phone = new_phone()
    order = an_order(phone)
    commit(world, phone, order)
    commit(world, phone, order, version=1, previous_active=order["order_id"])
    with pytest.raises(StaleOrder):
        commit(world, phone, order, version=1, previous_active=order["order_id"])
    assert world.store.load(phone).version == 2


def test_a_second_active_order_for_the_same_customer_is_stale(world):
    phone = new_phone()
    commit(world, phone, an_order(phone))
    with pytest.raises(StaleOrder):
        commit(world, phone, an_order(phone), previous_active=None)


def test_a_confirmation_reserves_every_batch_and_records_the_reservation_in_the_same_write(world):
    phone, batch = new_phone(), a_batch(rolls=2, loose="5")
    parts = parts_for(world, batch, "47")
    order = an_order(phone, "WAITING_OWNER_CONFIRMATION")

    commit(world, phone, order, reserve=parts)

    rolls, loose, reserved = shelf(world, batch.batch_id)
    assert rolls * 40 + loose == Decimal("85") - Decimal("47") and reserved == Decimal("47")
    assert [p["batch_id"] for p in world.reservation(order["order_id"])["parts"]] == [batch.batch_id]


def test_a_confirmation_that_finds_too_little_stock_writes_nothing_and_names_the_batch(world):
    phone, batch = new_phone(), a_batch(rolls=1, loose="0")
    parts = parts_for(world, batch, "40")
    world.stock.adjust([StockChange(batch.batch_id, rolls_removed=1)])  # someone else sold the roll meanwhile
    order, wamid = an_order(phone, "WAITING_OWNER_CONFIRMATION"), f"wamid.{uuid.uuid4().hex}"

    with pytest.raises(OutOfStock) as refused:
        commit(world, phone, order, wamid=wamid, reserve=parts)

    assert refused.value.batch_ids == (batch.batch_id,)
    assert world.store.handled(wamid) is None and world.store.load_order(order["order_id"]) is None
    assert world.reservation(order["order_id"]) is None


def test_an_order_saved_outside_a_message_is_version_checked(world):
    phone = new_phone()
    order = an_order(phone)
    commit(world, phone, order)
    assert world.store.save_order(order | {"state": "ORDER_EXPIRED"}, 1) == 2
    with pytest.raises(StaleOrder):
        world.store.save_order(order, 1)


def test_clearing_the_active_order_only_clears_that_order(world):
    phone = new_phone()
    order = an_order(phone)
    commit(world, phone, order)
    world.store.clear_active(phone, "ORD-SOMETHING-ELSE")
    assert world.store.customer(phone)["active_order_id"] == order["order_id"]
    world.store.clear_active(phone, order["order_id"])
    assert world.store.customer(phone)["active_order_id"] is None


def test_idle_orders_are_listed_oldest_first_and_recent_ones_newest_first(world):
    state = f"TEST_{uuid.uuid4().hex[:6]}"
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    for hours in (3, 1, 2):
        phone = new_phone()
        order = an_order(phone, state, (base + timedelta(hours=hours)).isoformat())
        commit(world, phone, order)
        ids.append((hours, order["order_id"]))
    by_hour = dict(ids)

    idle = world.store.orders_in_state(state, updated_before=base + timedelta(hours=2, minutes=30))
    recent = world.store.orders_in_state(state)

    assert [o["order_id"] for o in idle] == [by_hour[1], by_hour[2]] and all(o["_version"] == 1 for o in idle)
    assert [o["order_id"] for o in recent] == [by_hour[3], by_hour[2], by_hour[1]]


def test_customer_details_update_only_the_fields_given(world):
    phone = new_phone()
    world.store.update_customer(phone, name="Asha", gstin=None, state_code="24")
    world.store.update_customer(phone, name=None, gstin="24AAAAA0000A1Z5")
    customer = world.store.customer(phone)
    assert (customer["name"], customer["gstin"], customer["state_code"]) == ("Asha", "24AAAAA0000A1Z5", "24")


# --- the owner's decision -----------------------------------------------------------------------------------------
def test_an_approval_deducts_the_reservation_takes_the_next_number_and_debits_the_ledger(world):
    phone, batch, parts, order = waiting_order(world, "47")
    approval = approval_of(world, phone, order, parts, amount=4935_00)

    world.invoices.commit_approval(approval)

    rolls, loose, reserved = shelf(world, batch.batch_id)
    assert rolls * 40 + loose == Decimal("38") and reserved == 0  # sold: off the shelf and out of reservation
    assert world.reservation(order["order_id"]) is None
    assert world.invoices.current_seq(approval.fy) == 1
    assert world.invoices.invoices_of(order["order_id"]) == [{"number": approval.number, "s3_key": None}]
    assert world.store.load_order(order["order_id"])[0]["state"] == "ORDER_COMPLETED"
    assert world.store.customer(phone)["balance_paise"] == 4935_00
    assert world.store.customer(phone)["active_order_id"] is None
    [entry] = world.store.ledger(phone)
    assert (entry["kind"], entry["amount"], entry["balance_after"]) == ("debit", "4935.00", "4935.00")


def test_an_approval_with_a_number_someone_else_took_is_stale_and_writes_nothing(world):
    phone, batch, parts, order = waiting_order(world)
    other_phone, _, other_parts, other = waiting_order(world)
    fy = f"T{uuid.uuid4().hex[:6]}"
    world.invoices.commit_approval(approval_of(world, other_phone, other, other_parts, fy=fy))

    with pytest.raises(StaleOrder):
        world.invoices.commit_approval(approval_of(world, phone, order, parts, fy=fy, seq=0))

    assert world.invoices.current_seq(fy) == 1 and world.store.customer(phone)["balance_paise"] == 0
    assert shelf(world, batch.batch_id)[2] == Decimal("47") and world.reservation(order["order_id"]) is not None


def test_an_approval_whose_balance_moved_is_stale(world):
    phone, batch, parts, order = waiting_order(world)
    with pytest.raises(StaleOrder):
        world.invoices.commit_approval(approval_of(world, phone, order, parts, balance_before=100))


def test_an_approval_without_its_reservation_is_out_of_stock(world):
    phone, batch, parts, order = waiting_order(world)
    world.idempotency.release(f"reservation#{order['order_id']}")
    with pytest.raises(OutOfStock):
        world.invoices.commit_approval(approval_of(world, phone, order, parts))
    assert world.store.load_order(order["order_id"])[0]["state"] == "WAITING_OWNER_CONFIRMATION"


def test_a_rejection_puts_the_reserved_stock_back_and_frees_the_customer(world):
    phone, batch, parts, order = waiting_order(world, "47")

    world.invoices.commit_rejection(rejection_of(world, phone, order, parts))

    rolls, loose, reserved = shelf(world, batch.batch_id)
    assert rolls * 40 + loose == Decimal("85") and reserved == 0
    assert world.reservation(order["order_id"]) is None
    assert world.store.customer(phone)["active_order_id"] is None
    with pytest.raises((OutOfStock, StaleOrder)):  # the second rejection finds nothing to release
        world.invoices.commit_rejection(rejection_of(world, phone, order, parts))


def test_an_invoice_pdf_is_rendered_once_and_linked(world):
    phone, _, parts, order = waiting_order(world)
    approval = approval_of(world, phone, order, parts)
    world.invoices.commit_approval(approval)
    renders = []

    def render(data):
        renders.append(data["number"])
        return b"%PDF-1.4 test"

    first = world.invoices.ensure_pdf(approval.number, render)
    second = world.invoices.ensure_pdf(approval.number, render)

    assert first == second and renders == [approval.number]
    assert first in world.invoices.link(first, 600)


def test_customers_with_a_balance_are_listed_for_reminders(world):
    phone, _, parts, order = waiting_order(world)
    world.invoices.commit_approval(approval_of(world, phone, order, parts, amount=100_00))
    owing = {c["phone"]: c["balance_paise"] for c in world.customers.with_balance()}
    assert owing[phone] == 100_00


def test_a_customers_recent_orders_come_newest_first_and_only_theirs(world):
    phone, other = new_phone(), new_phone()
    first = an_order(phone, "WAITING_OWNER_CONFIRMATION", updated_at="2026-01-01T10:00:00+00:00")
    second = an_order(phone, "FINAL_CUSTOMER_CONFIRMATION", updated_at="2026-01-02T10:00:00+00:00")
    commit(world, phone, first)
    commit(world, phone, second, previous_active=first["order_id"])  # a second order beside the waiting one
    commit(world, other, an_order(other))

    recent = world.store.recent_orders(phone)

    assert [o["order_id"] for o in recent] == [second["order_id"], first["order_id"]]
    assert [o["order_id"] for o in world.store.recent_orders(phone, limit=1)] == [second["order_id"]]
