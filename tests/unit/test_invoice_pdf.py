"""Tests for the invoice PDF: what poppler reads back from it, that it rasterises, and that importing it stays light."""

import shutil
import subprocess
import sys
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.adapters.invoice_pdf import render_invoice_pdf
from chalicelib.domain.invoice import Invoice, InvoiceLine, Party

REPO_ROOT = Path(__file__).resolve().parents[2]
RECIPIENT_NAME = "रमेश कपड़ा भंडार"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install -y poppler-utils",
)


def an_inter_state_invoice() -> Invoice:
    return Invoice(
        number="BB/25-26/00042",
        date=date(2025, 10, 3),
        supplier=Party("Shree Ganesh Textiles", ("Mulji Jetha Market", "Mumbai 400002"), gstin="27AAPFU0939F1ZV"),
        recipient=Party(RECIPIENT_NAME, ("रिंग रोड", "Surat 395002"), gstin="24ABCDE1234F1Z5", phone="+91 99090 54321"),
        lines=(
            InvoiceLine("Cotton, Blue, dye lot DL-114", "5208", Decimal("25.5"), Decimal("180"), Decimal("5")),
            InvoiceLine("Silk, Maroon, dye lot DL-207", "5007", Decimal("12.25"), Decimal("845.5"), Decimal("5")),
        ),
    )


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("invoice") / "invoice.pdf"
    path.write_bytes(render_invoice_pdf(an_inter_state_invoice()))
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf_file) -> str:
    text = subprocess.run(["pdftotext", str(pdf_file), "-"], check=True, capture_output=True, text=True).stdout
    # Words wrap and scripts may come back decomposed; compare one normal form with single spaces.
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_pdf_starts_like_a_pdf():
    assert render_invoice_pdf(an_inter_state_invoice()).startswith(b"%PDF-")


def test_the_same_invoice_renders_to_the_same_bytes():
    assert render_invoice_pdf(an_inter_state_invoice()) == render_invoice_pdf(an_inter_state_invoice())


@needs_poppler
def test_the_pdf_reads_back_as_a_tax_invoice_with_both_gstins_and_hsn_codes(pdf_text):
    for expected in ("TAX INVOICE", "BB/25-26/00042", "27AAPFU0939F1ZV", "24ABCDE1234F1Z5", "5208", "5007"):
        assert expected in pdf_text


@needs_poppler
def test_the_pdf_shows_the_igst_split_the_total_in_figures_and_words(pdf_text):
    # 4,590.00 + 10,357.38 taxable; IGST 229.50 + 517.87; 15,694.75 rounds up to 15,695.
    for expected in (
        "IGST 5%",
        "₹747.37",
        "₹15,695.00",
        "Rupees Fifteen Thousand Six Hundred Ninety-Five Only",
        "This is a computer generated invoice",
    ):
        assert expected in pdf_text
    assert "CGST" not in pdf_text


@needs_poppler
def test_the_devanagari_recipient_name_reads_back_intact(pdf_text):
    assert unicodedata.normalize("NFC", RECIPIENT_NAME) in pdf_text


@needs_poppler
def test_the_pdf_rasterises_to_a_png_page(pdf_file, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf_file), str(tmp_path / "page")], check=True)

    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    assert pages[0].read_bytes().startswith(b"\x89PNG")


def test_importing_the_adapter_loads_neither_fpdf_nor_harfbuzz():
    check = "import sys, chalicelib.adapters.invoice_pdf; assert not {'fpdf', 'uharfbuzz'} & set(sys.modules)"

    subprocess.run([sys.executable, "-c", check], check=True, cwd=REPO_ROOT)
