"""One contract, two implementations: the in-memory FakeAccounts the money unit tests use, and DynamoAccountStore
on the emulator, through the same assertions (payments, their idempotency and conditions, reversal, reminders,
credit notes)."""

import datetime as dt
import random
import uuid

import pytest

from chalicelib.domain.errors import AlreadyReversed, DuplicatePayment, StaleAccount
from tests.unit.fake_accounts import FakeAccounts

pytestmark = pytest.mark.integration

ISSUED = dt.date(2026, 10, 1)


@pytest.fixture(params=["fake", "dynamodb"])
def world(request):
    """(store, seed): ``seed(total_paise)`` creates a customer with one invoice as an approval leaves them."""
    phone = "9196" + "".join(random.choice("0123456789") for _ in range(8))
    number = f"T{uuid.uuid4().hex[:4].upper()}/26-27/00001"
    if request.param == "fake":
        store = FakeAccounts()

        def seed(total):
            store.add_customer(phone, language="hi", name="रमेश")
            store.add_invoice(phone, number, ISSUED, total)
            return phone, number

        return store, seed
    c = request.getfixturevalue("aws").container
    t = c.tables

    def seed(total):
        at = f"{ISSUED.isoformat()}T06:00:00+00:00"
        t.CustomerRecord(phone, name="रमेश", language="hi", balance_paise=total).save()
        t.InvoiceRecord(f"INV#{number}", number=number, data={"date": ISSUED.isoformat()}, created_at=at).save()
        t.LedgerEntryRecord(
            phone,
            f"{at}#{number}",
            kind="debit",
            amount_paise=total,
            balance_after_paise=total,
            reference=number,
            at=at,
        ).save()
        return phone, number

    return c.accounts, seed


def payment(phone, amount, allocations, pid=None):
    return {
        "payment_id": pid or f"PAY-{uuid.uuid4().hex[:10].upper()}",
        "phone": phone,
        "amount_paise": amount,
        "mode": "upi",
        "reference": "UTR1",
        "received_on": "2026-11-20",
        "invoice": None,
        "allocations": allocations,
        "at": "2026-11-20T06:00:00+00:00",
        "balance_after_paise": 0,
        "reversed_at": None,
    }


def test_an_account_reads_back_with_its_invoice_due_date_and_balance(world):
    store, seed = world
    phone, number = seed(100000)
    account = store.load(phone, 30)
    assert (account.balance_paise, account.language, account.name) == (100000, "hi", "रमेश")
    [invoice] = account.invoices
    assert (invoice.number, invoice.due_on, invoice.due_paise) == (number, dt.date(2026, 10, 31), 100000)
    assert store.load("919100000000", 30) is None


def test_a_payment_moves_balance_and_invoice_once_and_a_second_with_the_same_id_is_a_duplicate(world):
    store, seed = world
    phone, number = seed(100000)
    account = store.load(phone, 30)
    first = payment(phone, 40000, {number: 40000})
    store.record_payment(account, first, {number: 40000}, first["at"])
    after = store.load(phone, 30)
    assert after.balance_paise == 60000 and after.invoices[0].paid_paise == 40000
    assert after.debits_paise - after.credits_paise == after.balance_paise
    assert store.payment(first["payment_id"])["amount_paise"] == 40000
    with pytest.raises(DuplicatePayment):
        store.record_payment(after, first, {number: 40000}, first["at"])


def test_a_payment_on_a_stale_read_writes_nothing(world):
    store, seed = world
    phone, number = seed(100000)
    stale = store.load(phone, 30)
    one = payment(phone, 10000, {number: 10000})
    store.record_payment(stale, one, {number: 10000}, one["at"])
    two = payment(phone, 20000, {number: 20000})
    with pytest.raises(StaleAccount):
        store.record_payment(stale, two, {number: 20000}, two["at"])
    assert store.payment(two["payment_id"]) is None and store.load(phone, 30).balance_paise == 90000


def test_a_reversal_restores_balance_and_invoice_and_happens_once(world):
    store, seed = world
    phone, number = seed(100000)
    one = payment(phone, 30000, {number: 30000})
    store.record_payment(store.load(phone, 30), one, {number: 30000}, one["at"])
    store.reverse_payment(store.load(phone, 30), store.payment(one["payment_id"]), "2026-11-21T06:00:00+00:00")
    account = store.load(phone, 30)
    assert account.balance_paise == 100000 and account.invoices[0].paid_paise == 0
    assert store.payment(one["payment_id"])["reversed_at"]
    with pytest.raises(AlreadyReversed):
        store.reverse_payment(account, store.payment(one["payment_id"]), "2026-11-22T06:00:00+00:00")


def test_reminders_opt_out_records_and_undeliverable_read_back(world):
    store, seed = world
    phone, number = seed(100000)
    store.set_reminders(phone, True)
    store.mark_undeliverable(phone, "#131026 Message undeliverable")
    account = store.load(phone, 30)
    assert account.reminders_off and account.reminders_undeliverable.startswith("#131026")
    store.record_reminder(phone, dt.date(2026, 10, 28), {number: "before_3"}, "2026-10-28T05:30:00+00:00", 100000)
    account = store.load(phone, 30)
    [reminder] = [e for e in account.entries if e.kind == "reminder"]
    assert (reminder.on, reminder.detail["stages"]) == (dt.date(2026, 10, 28), {number: "before_3"})
    assert account.reminders_undeliverable is None and account.balance_paise == 100000


def test_terms_set_and_clear(world):
    store, seed = world
    phone, _ = seed(100000)
    store.set_terms(phone, 500000, 45)
    account = store.load(phone, 30)
    assert (account.credit_limit_paise, account.credit_days, account.invoices[0].due_on) == (
        500000,
        45,
        dt.date(2026, 11, 15),
    )
    store.set_terms(phone, None, None)
    assert (store.load(phone, 30).credit_limit_paise, store.load(phone, 30).credit_days) == (None, None)
