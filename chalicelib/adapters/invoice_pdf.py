"""Render a GST tax invoice as an A4 PDF with fpdf2, in Latin, ₹ and Devanagari, readable on a phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from chalicelib.domain.invoice import Invoice, InvoiceLine, Party, amount_in_words
from chalicelib.domain.money import format_inr

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

# Static fonts only: with a variable font fpdf2 takes seconds a page.
# Noto Sans carries Latin and ₹, Noto Sans Devanagari carries Hindi; fpdf2 falls back to the second
# for any character the first lacks, so one string may mix both scripts.
LATIN = "NotoSans"
DEVANAGARI = "NotoSansDevanagari"
FONT_FILES = {
    (LATIN, ""): "NotoSans-Regular.ttf",
    (LATIN, "B"): "NotoSans-Bold.ttf",
    (DEVANAGARI, ""): "NotoSansDevanagari-Regular.ttf",
    (DEVANAGARI, "B"): "NotoSansDevanagari-Bold.ttf",
}

MARGIN = 12  # mm
BODY_PT = 10.5  # an A4 page fits a phone screen's width at about 40%, so smaller text is unreadable there
LINE_MM = 5.4
MUTED = (90, 90, 90)
RULE = (170, 170, 170)
HEADING_FILL = (232, 236, 243)


def render_invoice_pdf(invoice: Invoice, upi: str | None = None) -> bytes:
    """The invoice as PDF bytes; the same invoice always renders to the same bytes. With ``upi`` (a upi://pay URI)
    a QR code to pay the invoice is drawn beside the totals.

    Raises FileNotFoundError if a bundled font is missing from chalicelib/fonts.
    """
    # fpdf2 pulls in fontTools and uharfbuzz: imported here so that only the invoice Lambda pays for them.
    from fpdf import FPDF

    class InvoicePDF(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(LATIN, size=8.5)
            self.set_text_color(*MUTED)
            what = "credit note" if invoice.is_credit_note else "invoice"
            self.cell(0, 5, f"This is a computer generated {what}.", align="C", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, f"{invoice.number} · page {self.page_no()} of {{nb}}", align="C")

    pdf = InvoicePDF(orientation="portrait", unit="mm", format="A4")
    title = "Credit note" if invoice.is_credit_note else "Tax invoice"
    setup_pdf(pdf, invoice.date, f"{title} {invoice.number}", invoice.supplier.name)

    _title(pdf, "CREDIT NOTE" if invoice.is_credit_note else "TAX INVOICE")
    _supplier_and_invoice_details(pdf, invoice)
    _recipient(pdf, invoice)
    _lines_table(pdf, invoice.lines)
    _totals(pdf, invoice, upi)
    return bytes(pdf.output())


def setup_pdf(pdf: FPDF, on: dt.date, title: str, author: str) -> None:
    """Margins, the bundled fonts with Devanagari fallback and shaping, fixed metadata; then the first page."""
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    for (family, style), filename in FONT_FILES.items():
        pdf.add_font(family, style, str(FONT_DIR / filename))
    pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(True)  # HarfBuzz joins Devanagari conjuncts and places matras
    # A fixed creation date keeps the output byte-identical across renders, so a re-upload is a no-op.
    pdf.set_creation_date(dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Bharat Biz")
    pdf.add_page()


def draw_upi_qr(pdf: FPDF, uri: str, x: float, y: float, size: float, caption: str) -> None:
    """A QR code of ``uri`` (segno, pure Python, imported here: only PDFs with a UPI id pay for it), captioned."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    pdf.image(buffer, x=x, y=y, w=size, h=size)
    pdf.set_xy(x, y + size)
    pdf.set_font(LATIN, size=BODY_PT - 2)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(size + 10, LINE_MM - 1, caption, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _title(pdf: FPDF, title: str = "TAX INVOICE") -> None:
    pdf.set_font(LATIN, "B", 18)
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    _rule(pdf)


def _supplier_and_invoice_details(pdf: FPDF, invoice: Invoice) -> None:
    top = pdf.get_y() + 2
    left_w = pdf.epw * 0.56
    right_x = MARGIN + left_w + 4
    right_w = pdf.epw - left_w - 4

    pdf.set_xy(MARGIN, top)
    _party(pdf, invoice.supplier, width=left_w, label="Sold by")
    left_bottom = pdf.get_y()

    pdf.set_xy(right_x, top)
    if invoice.is_credit_note:
        details = (
            ("Credit Note No.", invoice.number),
            ("Date", invoice.date.strftime("%d-%m-%Y")),
            ("Against Invoice", invoice.original_number or ""),
            ("Invoice Date", invoice.original_date.strftime("%d-%m-%Y") if invoice.original_date else ""),
            ("Place of Supply", str(invoice.supply_state)),
            ("Reason", "Goods returned"),
        )
    else:
        details = _invoice_details(invoice)
    for label, value in details:
        pdf.set_x(right_x)
        pdf.set_font(LATIN, size=BODY_PT - 1)
        pdf.set_text_color(*MUTED)
        pdf.cell(right_w * 0.42, LINE_MM + 0.6, label)
        pdf.set_font(LATIN, "B", BODY_PT)
        pdf.set_text_color(0)
        pdf.multi_cell(right_w * 0.58, LINE_MM + 0.6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 2)
    _rule(pdf)


def _invoice_details(invoice: Invoice) -> tuple:
    return (
        ("Invoice No.", invoice.number),
        ("Invoice Date", invoice.date.strftime("%d-%m-%Y")),
        *((("Due Date", invoice.due_date.strftime("%d-%m-%Y")),) if invoice.due_date else ()),
        ("Place of Supply", str(invoice.supply_state)),
        ("Reverse Charge", "No"),
    )


def _recipient(pdf: FPDF, invoice: Invoice) -> None:
    pdf.set_y(pdf.get_y() + 2)
    _party(pdf, invoice.recipient, width=pdf.epw, label="Bill to")
    pdf.set_y(pdf.get_y() + 3)


def _party(pdf: FPDF, party: Party, *, width: float, label: str) -> None:
    x = pdf.get_x()
    pdf.set_font(LATIN, size=BODY_PT - 1.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(width, LINE_MM - 0.6, label.upper(), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(LATIN, "B", BODY_PT + 2.5)
    pdf.multi_cell(width, LINE_MM + 1.8, party.name, new_x="LEFT", new_y="NEXT")
    pdf.set_font(LATIN, size=BODY_PT)
    rows = list(party.address_lines)
    if party.phone:
        rows.append(f"Phone: {party.phone}")
    if party.gstin:
        rows.append(f"GSTIN: {party.gstin}")
    rows.append(f"State: {party.state_name}, Code: {party.state_code}")
    for row in rows:
        pdf.set_x(x)
        pdf.multi_cell(width, LINE_MM, row, new_x="LEFT", new_y="NEXT")


def _lines_table(pdf: FPDF, lines: tuple[InvoiceLine, ...]) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(LATIN, size=BODY_PT)
    pdf.set_draw_color(*RULE)
    headings = ("S.No", "Description", "HSN", "Qty (MTR)", "Rate (₹/m)", "Taxable Value (₹)")
    with pdf.table(
        col_widths=(9, 63, 14, 18, 18, 26),
        text_align=("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL, size_pt=BODY_PT - 1),
        line_height=LINE_MM + 0.6,
        padding=(1.2, 1.5),
        v_align="MIDDLE",
    ) as table:
        heading = table.row()
        for text in headings:
            heading.cell(text, align="CENTER")
        for number, line in enumerate(lines, start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(line.description)
            row.cell(line.hsn)
            row.cell(f"{line.quantity_m:.2f}")
            row.cell(format_inr(line.rate, symbol=False))
            row.cell(format_inr(line.taxable_value, symbol=False))


def _totals(pdf: FPDF, invoice: Invoice, upi: str | None = None) -> None:
    totals = invoice.totals
    rows = [("Taxable Value", format_inr(totals.taxable_value))]
    rows += [(row.label, format_inr(row.amount)) for row in totals.tax_rows]
    rows.append(("Round Off", _signed_inr(totals.round_off)))

    label_w, value_w = 48, 36
    x = MARGIN + pdf.epw - label_w - value_w
    # Totals, words and signature stay on one page: a grand total split from its tax rows reads as a mistake.
    block_height = len(rows) * (LINE_MM + 0.8) + 54  # + grand total, words (two lines), signature
    if pdf.get_y() + block_height > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_y(pdf.get_y() + 2)
    qr_bottom = 0.0
    if upi:
        top = pdf.get_y()
        caption = f"Scan to pay {format_inr(invoice.totals.grand_total)} by UPI"
        draw_upi_qr(pdf, upi, MARGIN, top, 34, caption)
        qr_bottom = pdf.get_y()
        pdf.set_y(top)
    pdf.set_font(LATIN, size=BODY_PT)
    for label, value in rows:
        pdf.set_x(x)
        pdf.cell(label_w, LINE_MM + 0.8, label)
        pdf.cell(value_w, LINE_MM + 0.8, value, align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.set_draw_color(*RULE)
    pdf.line(x, pdf.get_y() + 0.5, MARGIN + pdf.epw, pdf.get_y() + 0.5)
    pdf.set_y(pdf.get_y() + 1.5)
    pdf.set_x(x)
    pdf.set_font(LATIN, "B", BODY_PT + 2.5)
    pdf.cell(label_w, LINE_MM + 3, "Grand Total")
    pdf.cell(value_w, LINE_MM + 3, format_inr(totals.grand_total), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(max(pdf.get_y() + 4, qr_bottom + 2))
    pdf.set_font(LATIN, size=BODY_PT - 1.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, LINE_MM - 0.6, "AMOUNT IN WORDS", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(LATIN, "B", BODY_PT)
    pdf.multi_cell(0, LINE_MM + 0.4, amount_in_words(totals.grand_total), new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(pdf.get_y() + 8)
    signatory(pdf, invoice.supplier.name)


def signatory(pdf: FPDF, supplier: str) -> None:
    """'For <supplier>', room to sign, and 'Authorised Signatory' under it (right-aligned)."""
    pdf.set_font(LATIN, size=BODY_PT)
    pdf.cell(0, LINE_MM, f"For {supplier}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 10)
    pdf.set_font(LATIN, "B", BODY_PT - 0.5)
    pdf.cell(0, LINE_MM, "Authorised Signatory", align="R", new_x="LMARGIN", new_y="NEXT")


def _signed_inr(amount: Decimal) -> str:
    """'+₹0.50' or '-₹0.49': a round-off shows which way it went."""
    return ("+" if amount > 0 else "") + format_inr(amount)


def _rule(pdf: FPDF) -> None:
    pdf.set_draw_color(*RULE)
    y = pdf.get_y() + 1
    pdf.line(MARGIN, y, MARGIN + pdf.epw, y)
    pdf.set_y(y + 1)
