"""The statement PDF: opening balance, each invoice / payment / reversal with its running balance, closing balance,
₹ and Devanagari as the invoice draws them, and a UPI QR that decodes to the amount owed."""

import datetime as dt
import subprocess
import unicodedata

import pytest

from chalicelib.adapters.statement_pdf import render_statement_pdf
from chalicelib.services.payments import PaymentService
from chalicelib.services.statements import StatementService
from tests.unit.fake_accounts import FakeAccounts, FakeDocuments, FakeSender
from tests.unit.pdf_checks import needs_poppler, needs_zbar, pdf_text, png_pages, qr_codes

PHONE = "919812345678"
NAME = "रमेश कपड़ा भंडार"
NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
SUPPLIER = {"name": "Bharat Textiles", "address": "12 Cloth Market, Surat", "gstin": "24AAAAA0000A1Z5"}


def a_statement_service():
    accounts, sender = FakeAccounts(), FakeSender()
    accounts.add_customer(PHONE, language="hi", name=NAME)
    accounts.add_invoice(PHONE, "BB/26-27/00001", dt.date(2026, 9, 1), 1050000)  # ₹10,500
    accounts.add_invoice(PHONE, "BB/26-27/00007", dt.date(2026, 10, 5), 420000)  # ₹4,200
    payments = PaymentService(accounts=accounts, sender=sender, shop_name="Bharat Textiles", clock=lambda: NOW)
    payments.record(PHONE, {"amount": "6000", "mode": "upi", "reference": "UTR777", "received_on": "2026-10-10"})
    statements = StatementService(
        accounts=accounts,
        documents=FakeDocuments(),
        sender=sender,
        render_pdf=render_statement_pdf,
        supplier=SUPPLIER,
        clock=lambda: NOW,
        upi_vpa="bharat@okaxis",
    )
    return statements


def test_the_statement_runs_the_balance_from_the_opening_to_the_closing():
    doc = a_statement_service().document(PHONE, dt.date(2026, 10, 1), dt.date(2026, 11, 20))
    assert doc.statement.opening_paise == 1050000
    assert [(e.kind, e.balance_after_paise) for e in doc.statement.entries] == [
        ("invoice", 1470000),
        ("payment", 870000),
    ]
    assert doc.statement.closing_paise == 870000
    assert "am=8700.00" in doc.upi


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        a_statement_service().pdf(PHONE, "2026-11-01", "2026-10-01")


@pytest.fixture(scope="module")
def statement_pdf() -> bytes:
    return a_statement_service().pdf(PHONE, "2026-10-01", "2026-11-20")


@needs_poppler
def test_the_pdf_shows_each_entry_with_its_running_balance(statement_pdf, tmp_path):
    text = pdf_text(statement_pdf, tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "STATEMENT OF ACCOUNT" in text
    assert any(line.startswith("01-10-2026 Opening balance") and line.endswith("10,500.00") for line in lines)
    assert any("Invoice BB/26-27/00007" in line and line.endswith("4,200.00 14,700.00") for line in lines)
    assert any("Payment received" in line and line.endswith("6,000.00 8,700.00") for line in lines)
    assert "Closing balance ₹8,700.00" in " ".join(text.split())


@needs_poppler
def test_the_pdf_carries_rupee_signs_and_the_devanagari_name_in_the_invoices_fonts(statement_pdf, tmp_path):
    text = " ".join(unicodedata.normalize("NFC", pdf_text(statement_pdf, tmp_path)).split())
    assert "₹8,700.00" in text and "Balance (₹)" in text
    assert unicodedata.normalize("NFC", NAME) in text
    path = tmp_path / "s.pdf"
    path.write_bytes(statement_pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansDevanagari" in fonts and "NotoSansBold" in fonts.replace("-", "")


@needs_poppler
@needs_zbar
def test_the_pdf_rendered_to_png_has_a_upi_qr_for_the_closing_balance(statement_pdf, tmp_path):
    [page] = png_pages(statement_pdf, tmp_path)
    assert page.read_bytes().startswith(b"\x89PNG")
    [decoded] = qr_codes(page)
    assert decoded.startswith("upi://pay?pa=bharat@okaxis&pn=Bharat%20Textiles&am=8700.00&")
    assert decoded.endswith("&cu=INR")
