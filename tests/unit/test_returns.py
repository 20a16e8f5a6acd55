"""Returns and credit notes: part of a line back into its own batch and dye lot, a credit note with its own
gapless series citing the invoice, the balance down, never more than sold, refused after the statutory deadline."""

import datetime as dt
from decimal import Decimal

import pytest

from chalicelib.adapters.invoice_pdf import render_invoice_pdf
from chalicelib.domain.credit_notes import ReturnRefused, deadline
from chalicelib.domain.invoice import Invoice, InvoiceLine, Party
from chalicelib.services.returns import ReturnsService
from tests.unit.fake_accounts import FakeAccounts, FakeDocuments, FakeSender
from tests.unit.pdf_checks import needs_poppler, pdf_text

PHONE = "919812345678"
NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
SUPPLIER = Party("Bharat Textiles", ("12 Cloth Market, Surat",), gstin="24AAAAA0000A1Z5")


def an_invoice(number="BB/26-27/00001", on=dt.date(2026, 10, 3)) -> Invoice:
    return Invoice(
        number=number,
        date=on,
        supplier=SUPPLIER,
        recipient=Party("रमेश", state_code="24", phone=PHONE),
        lines=(
            InvoiceLine("Cotton, Blue, dye lot DL-1", "5208", Decimal("20"), Decimal("100"), Decimal("5")),
            InvoiceLine("Cotton, Blue, dye lot DL-2", "5208", Decimal("10"), Decimal("100"), Decimal("5")),
        ),
    )


def world(now=NOW, invoice=None):
    accounts, sender, documents = FakeAccounts(), FakeSender(), FakeDocuments()
    accounts.add_customer(PHONE, language="hinglish", name="Ramesh")
    invoice = invoice or an_invoice()
    batches = [{"batch_id": "batch-dl1", "dye_lot": "DL-1"}, {"batch_id": "batch-dl2", "dye_lot": "DL-2"}]
    accounts.add_invoice(PHONE, invoice.number, invoice.date, invoice=invoice, batches=batches)
    service = ReturnsService(
        accounts=accounts,
        returns=accounts,
        documents=documents,
        sender=sender,
        render_pdf=render_invoice_pdf,
        clock=lambda: now,
    )
    return service, accounts, sender, documents


def test_a_part_return_makes_a_credit_note_puts_the_meters_back_in_their_lot_and_lowers_the_balance():
    service, accounts, sender, documents = world()  # invoice: 30 m at ₹100 + 5% = ₹3,150
    note = service.record("BB/26-27/00001", {"lines": [{"line": 2, "meters": "4.5"}]})
    assert note["credit_note"] == "CN/26-27/00001"
    assert note["against"] == {"number": "BB/26-27/00001", "date": "2026-10-03"}
    assert note["amount"] == "473.00"  # 4.5 m × ₹100 = ₹450 + 5% = ₹472.50, rounded
    assert note["lines"] == [{"line": 2, "meters": "4.50", "batch_id": "batch-dl2", "dye_lot": "DL-2"}]
    assert accounts.loose == {"batch-dl2": Decimal("4.50")}
    assert accounts.customers[PHONE]["balance_paise"] == 315000 - 47300
    assert accounts.invoices["BB/26-27/00001"]["credited"] == 47300
    [message] = sender.sent
    assert message.document is not None and message.document.filename == "CN-26-27-00001.pdf"
    assert "CN/26-27/00001" in message.text and "₹2,677.00" in message.text
    assert list(documents.stored) == ["credit-notes/CN-26-27-00001.pdf"]


def test_credit_notes_have_their_own_gapless_series():
    service, _, _, _ = world()
    first = service.record("BB/26-27/00001", {"lines": [{"line": 1, "meters": "1"}]})
    second = service.record("BB/26-27/00001", {"lines": [{"line": 1, "meters": "1"}]})
    assert (first["credit_note"], second["credit_note"]) == ("CN/26-27/00001", "CN/26-27/00002")


def test_never_more_than_was_sold_counting_earlier_returns_and_nothing_is_written():
    service, accounts, _, _ = world()
    service.record("BB/26-27/00001", {"lines": [{"line": 2, "meters": "8"}]})
    with pytest.raises(ReturnRefused, match="2 m sold and not yet returned"):
        service.record("BB/26-27/00001", {"lines": [{"line": 2, "meters": "2.5"}]})
    assert accounts.writes == 1 and accounts.loose == {"batch-dl2": Decimal("8.00")}


@pytest.mark.parametrize(
    "body", [{}, {"lines": []}, {"lines": [{"line": 3, "meters": "1"}]}, {"lines": [{"line": 1, "meters": "0"}]}]
)
def test_a_malformed_return_is_refused(body):
    service, accounts, _, _ = world()
    with pytest.raises(ReturnRefused):
        service.record("BB/26-27/00001", body)
    assert accounts.writes == 0


def test_the_deadline_is_30_november_after_the_financial_year_or_the_annual_return_if_earlier():
    assert deadline(dt.date(2026, 10, 3)) == dt.date(2027, 11, 30)
    assert deadline(dt.date(2027, 3, 31)) == dt.date(2027, 11, 30)
    assert deadline(dt.date(2027, 4, 1)) == dt.date(2028, 11, 30)
    assert deadline(dt.date(2026, 10, 3), annual_return_filed_on=dt.date(2027, 9, 15)) == dt.date(2027, 9, 15)


def test_a_return_after_the_statutory_deadline_is_refused_with_the_reason():
    later = dt.datetime(2027, 12, 1, 6, 0, tzinfo=dt.UTC)
    service, accounts, _, _ = world(now=later)
    with pytest.raises(ReturnRefused, match=r"section 34\(2\) of the CGST Act .* until 30-11-2027"):
        service.record("BB/26-27/00001", {"lines": [{"line": 1, "meters": "1"}]})
    assert accounts.writes == 0


def test_a_credit_note_on_a_paid_invoice_leaves_the_customer_in_credit():
    service, accounts, _, _ = world()
    accounts.invoices["BB/26-27/00001"]["paid"] = 315000
    accounts.customers[PHONE]["balance_paise"] = 0
    service.record("BB/26-27/00001", {"lines": [{"line": 1, "meters": "2"}]})
    assert accounts.customers[PHONE]["balance_paise"] == -21000
    assert accounts.invoices["BB/26-27/00001"]["credited"] == 0


@needs_poppler
def test_the_credit_note_pdf_cites_the_invoice_number_and_date(tmp_path):
    service, _, _, documents = world()
    service.record("BB/26-27/00001", {"lines": [{"line": 2, "meters": "4.5"}]})
    text = " ".join(pdf_text(documents.stored["credit-notes/CN-26-27-00001.pdf"], tmp_path).split())
    for expected in ("CREDIT NOTE", "CN/26-27/00001", "Against Invoice BB/26-27/00001", "03-10-2026", "₹473.00"):
        assert expected in text
