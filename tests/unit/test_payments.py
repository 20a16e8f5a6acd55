"""Payments on a customer's account: validation, idempotency, allocation oldest first, reversal, invoice status."""

import datetime as dt

import pytest

from chalicelib.domain.errors import NotFound
from chalicelib.domain.ledger import InvalidAmount, InvalidPayment
from chalicelib.services.payments import PaymentService
from tests.unit.fake_accounts import FakeAccounts, FakeSender

PHONE = "919811100001"
NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)  # 11:30 IST


def world(language="en", invoices=((dt.date(2026, 10, 1), 100000, "BB/26-27/00001"),)):
    accounts, sender = FakeAccounts(), FakeSender()
    accounts.add_customer(PHONE, language=language, name="Ramesh")
    for issued_on, total, number in invoices:
        accounts.add_invoice(PHONE, number, issued_on, total)
    service = PaymentService(accounts=accounts, sender=sender, shop_name="Bharat Textiles", clock=lambda: NOW)
    return service, accounts, sender


def pay(service, amount="400.00", mode="upi", reference="UTR4321", **extra):
    return service.record(PHONE, {"amount": amount, "mode": mode, "reference": reference} | extra)


def test_a_part_payment_lowers_the_balance_and_leaves_the_invoice_partly_paid():
    service, accounts, sender = world()
    payment, created = pay(service)
    assert created and payment["balance_after"] == "600.00"
    assert accounts.customers[PHONE]["balance_paise"] == 60000
    [invoice] = service.summary(PHONE)["open_invoices"]
    assert (invoice["due"], invoice["status"], invoice["due_on"]) == ("600.00", "overdue", "2026-10-31")


def test_the_customer_is_told_what_was_received_and_the_new_balance_in_their_language():
    service, _, sender = world(language="hi")
    pay(service, amount="400")
    [text] = sender.texts_to(PHONE)
    assert "₹400.00" in text and "₹600.00" in text and "भुगतान" in text


def test_the_same_mode_and_reference_twice_is_one_payment():
    service, accounts, sender = world()
    first, _ = pay(service)
    again, created = pay(service, reference=" utr4321 ")
    assert not created and again == first
    assert accounts.customers[PHONE]["balance_paise"] == 60000 and accounts.writes == 1
    assert len(sender.sent) == 1


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "", None, "1e9", "100000000", "12.345", "NaN", "Infinity"])
def test_a_bad_amount_is_refused_and_nothing_is_written(amount):
    service, accounts, sender = world()
    with pytest.raises(InvalidAmount):
        pay(service, amount=amount)
    assert accounts.writes == 0 and not sender.sent


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "10", "mode": "bitcoin", "reference": "x"},
        {"amount": "10", "mode": "upi"},
        {"amount": "10", "mode": "cash", "received_on": "2027-01-01"},
        {"amount": "10", "mode": "cash", "received_on": "yesterday"},
        {"amount": "10", "mode": "upi", "reference": "R1", "invoice": "BB/26-27/09999"},
    ],
)
def test_an_incomplete_payment_is_refused_with_the_reason(body):
    service, accounts, _ = world()
    with pytest.raises(InvalidPayment):
        service.record(PHONE, body)
    assert accounts.writes == 0


def test_a_float_amount_is_refused_since_it_cannot_hold_paise_exactly():
    service, _, _ = world()
    with pytest.raises(InvalidAmount):
        pay(service, amount=400.1)


def test_a_payment_for_an_unknown_customer_is_not_found():
    service, _, _ = world()
    with pytest.raises(NotFound):
        service.record("919800099999", {"amount": "1", "mode": "cash"})


def test_a_payment_settles_the_oldest_invoices_first_and_keeps_an_advance():
    service, accounts, _ = world(
        invoices=(
            (dt.date(2026, 11, 1), 50000, "BB/26-27/00002"),
            (dt.date(2026, 10, 1), 30000, "BB/26-27/00001"),
        )
    )
    payment, _ = pay(service, amount="1000")
    assert payment["allocations"] == {"BB/26-27/00001": "300.00", "BB/26-27/00002": "500.00"}
    assert payment["unallocated"] == "200.00" and payment["balance_after"] == "-200.00"
    assert service.summary(PHONE)["open_invoices"] == []


def test_a_payment_naming_an_invoice_settles_that_one_first():
    service, _, _ = world(
        invoices=(
            (dt.date(2026, 10, 1), 30000, "BB/26-27/00001"),
            (dt.date(2026, 11, 1), 50000, "BB/26-27/00002"),
        )
    )
    payment, _ = pay(service, amount="600", invoice="BB/26-27/00002")
    assert payment["allocations"] == {"BB/26-27/00002": "500.00", "BB/26-27/00001": "100.00"}


def test_a_reversal_restores_the_balance_and_the_invoice_and_is_done_once():
    service, accounts, sender = world()
    payment, _ = pay(service)
    reversed_ = service.reverse(PHONE, payment["payment_id"])
    assert reversed_["reversed_at"] and accounts.customers[PHONE]["balance_paise"] == 100000
    again = service.reverse(PHONE, payment["payment_id"])
    assert again["reversed_at"] == reversed_["reversed_at"] and accounts.writes == 2
    [invoice] = service.summary(PHONE)["open_invoices"]
    assert invoice["due"] == "1000.00" and invoice["paid"] == "0.00"
    assert "reversed" in sender.texts_to(PHONE)[-1] and "₹1,000.00" in sender.texts_to(PHONE)[-1]


def test_reversing_someone_elses_payment_is_not_found():
    service, accounts, _ = world()
    payment, _ = pay(service)
    accounts.add_customer("919811100002")
    with pytest.raises(NotFound):
        service.reverse("919811100002", payment["payment_id"])


def test_credit_days_move_the_due_date_and_the_status():
    service, accounts, _ = world()
    service.set_terms(PHONE, {"credit_days": 60, "credit_limit": "50000"})
    [invoice] = service.summary(PHONE)["open_invoices"]
    assert (invoice["due_on"], invoice["status"]) == ("2026-11-30", "unpaid")
    assert service.summary(PHONE)["credit_limit"] == "50000.00"


@pytest.mark.parametrize("body", [{"credit_days": -1}, {"credit_days": "soon"}, {"credit_limit": "-5"}])
def test_bad_credit_terms_are_refused(body):
    service, _, _ = world()
    with pytest.raises(ValueError):
        service.set_terms(PHONE, body)


def test_receivables_bucket_by_due_date_and_list_the_most_overdue_first():
    from chalicelib.services.payments import ReceivablesService

    accounts = FakeAccounts()
    accounts.add_customer("919811100001", name="Late")
    accounts.add_invoice("919811100001", "BB/26-27/00001", dt.date(2026, 7, 1), 100000)  # due 31 Jul: 112 days late
    accounts.add_invoice("919811100001", "BB/26-27/00004", dt.date(2026, 10, 1), 20000)  # due 31 Oct: 20 days late
    accounts.add_customer("919811100002", name="Fresh")
    accounts.add_invoice("919811100002", "BB/26-27/00009", dt.date(2026, 11, 15), 500000)  # not yet due
    accounts.add_customer("919811100003", name="Paid up")
    report = ReceivablesService(accounts=accounts, clock=lambda: NOW, credit_days_default=30).report()
    assert [r["name"] for r in report["customers"]] == ["Late", "Fresh"]
    late, fresh = report["customers"]
    assert late["buckets"] == {
        "not_due": "0.00",
        "1_30": "200.00",
        "31_60": "0.00",
        "61_90": "0.00",
        "over_90": "1000.00",
    }
    assert (late["days_overdue"], late["oldest_due_on"]) == (112, "2026-07-31")
    assert fresh["buckets"]["not_due"] == "5000.00" and fresh["days_overdue"] == 0
    assert report["totals"]["over_90"] == "1000.00" and report["totals"]["outstanding"] == "6200.00"


def test_the_owner_is_warned_when_this_order_crosses_the_credit_limit_and_of_overdue_invoices():
    from decimal import Decimal

    from chalicelib.services.payments import CreditControl

    accounts = FakeAccounts()
    accounts.add_customer(PHONE, credit_limit_paise=150000)
    accounts.add_invoice(PHONE, "BB/26-27/00001", dt.date(2026, 9, 1), 100000)  # due 1 Oct: 50 days late
    warnings = CreditControl(accounts=accounts)(PHONE, Decimal("700.00"), NOW)
    assert warnings == [
        "⚠️ OVER CREDIT LIMIT: balance ₹1,000.00 + this order ₹700.00 = ₹1,700.00, limit ₹1,500.00 (over by ₹200.00)",
        "⚠️ OVERDUE: ₹1,000.00 on 1 invoice, oldest BB/26-27/00001 50 days late",
    ]


def test_a_customer_within_limit_and_terms_brings_no_warning():
    from decimal import Decimal

    from chalicelib.services.payments import CreditControl

    accounts = FakeAccounts()
    accounts.add_customer(PHONE, credit_limit_paise=500000)
    accounts.add_invoice(PHONE, "BB/26-27/00001", dt.date(2026, 11, 1), 100000)
    assert CreditControl(accounts=accounts)(PHONE, Decimal("700.00"), NOW) == []
    assert CreditControl(accounts=accounts)("919800000000", Decimal("1"), NOW) == []
