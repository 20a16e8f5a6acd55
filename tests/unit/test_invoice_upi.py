"""The invoice states its due date and an Authorised Signatory line, and with a UPI id carries a QR that decodes
to the UPI payment link for its amount."""

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from chalicelib.adapters.invoice_pdf import render_invoice_pdf
from chalicelib.domain.invoice import Invoice, InvoiceLine, Party
from chalicelib.domain.ledger import upi_uri
from tests.unit.pdf_checks import needs_poppler, needs_zbar, pdf_text, png_pages, qr_codes


def an_invoice() -> Invoice:
    return Invoice(
        number="BB/26-27/00042",
        date=date(2026, 10, 3),
        due_date=date(2026, 11, 2),
        supplier=Party("Shree Ganesh Textiles", ("Mulji Jetha Market",), gstin="27AAPFU0939F1ZV"),
        recipient=Party("रमेश कपड़ा भंडार", ("रिंग रोड",), gstin="24ABCDE1234F1Z5"),
        lines=(InvoiceLine("Cotton, Blue, dye lot DL-114", "5208", Decimal("25.5"), Decimal("180"), Decimal("5")),),
    )


def test_the_upi_link_names_the_payee_the_amount_and_the_invoice():
    uri = upi_uri("shop@okaxis", "Shree Ganesh Textiles", Decimal("4820"), "BB/26-27/00042")
    query = parse_qs(urlparse(uri).query)
    assert uri.startswith("upi://pay?")
    assert query == {
        "pa": ["shop@okaxis"],
        "pn": ["Shree Ganesh Textiles"],
        "am": ["4820.00"],
        "tn": ["BB/26-27/00042"],
        "cu": ["INR"],
    }


def test_an_invoice_round_trips_its_due_date():
    invoice = an_invoice()
    assert Invoice.from_dict(invoice.to_dict()).due_date == date(2026, 11, 2)


@needs_poppler
def test_the_invoice_states_its_due_date_and_has_an_authorised_signatory_line(tmp_path):
    text = pdf_text(render_invoice_pdf(an_invoice()), tmp_path)
    assert "Due Date" in text and "02-11-2026" in text
    assert "Authorised Signatory" in text


@needs_poppler
@needs_zbar
def test_with_a_upi_id_the_invoice_carries_a_qr_that_decodes_to_the_amount(tmp_path):
    invoice = an_invoice()
    uri = upi_uri("shop@okaxis", "Shree Ganesh Textiles", invoice.totals.grand_total, invoice.number)
    [page] = png_pages(render_invoice_pdf(invoice, upi=uri), tmp_path)
    [decoded] = qr_codes(page)
    assert decoded == uri and "am=4820.00" in decoded


@needs_poppler
@needs_zbar
def test_without_a_upi_id_there_is_no_qr(tmp_path):
    [page] = png_pages(render_invoice_pdf(an_invoice()), tmp_path)
    assert qr_codes(page) == []
