"""Render a customer's statement of account as an A4 PDF, in the invoice's fonts and look (₹ and Devanagari)."""

from __future__ import annotations

from chalicelib.adapters.invoice_pdf import (
    BODY_PT,
    HEADING_FILL,
    LATIN,
    LINE_MM,
    MARGIN,
    MUTED,
    RULE,
    _party,
    _rule,
    draw_upi_qr,
    setup_pdf,
    signatory,
)
from chalicelib.domain.ledger import StatementDocument, describe_entry, from_paise
from chalicelib.domain.money import format_inr


def render_statement_pdf(doc: StatementDocument) -> bytes:
    """The statement as PDF bytes: opening balance, each entry with its running balance, closing balance, open
    invoices, and a UPI QR for the closing balance when ``doc.upi`` is set."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class StatementPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(LATIN, size=8.5)
            self.set_text_color(*MUTED)
            self.cell(0, 5, "This is a computer generated statement.", align="C", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, f"{doc.number} · page {self.page_no()} of {{nb}}", align="C")

    pdf = StatementPDF(orientation="portrait", unit="mm", format="A4")
    setup_pdf(pdf, doc.issued_on, f"Statement of account {doc.number}", doc.supplier.name)
    pdf.set_font(LATIN, "B", 18)
    pdf.cell(0, 10, "STATEMENT OF ACCOUNT", align="C", new_x="LMARGIN", new_y="NEXT")
    _rule(pdf)

    top = pdf.get_y() + 2
    left_w = pdf.epw * 0.56
    right_x = MARGIN + left_w + 4
    pdf.set_xy(MARGIN, top)
    _party(pdf, doc.supplier, width=left_w, label="From")
    left_bottom = pdf.get_y()
    start = doc.statement.start.strftime("%d-%m-%Y") if doc.statement.start else "beginning"
    end = (doc.statement.end or doc.issued_on).strftime("%d-%m-%Y")
    details = (("Customer", doc.customer_name), ("Phone", f"+{doc.customer_phone}"), ("Period", f"{start} to {end}"))
    pdf.set_xy(right_x, top)
    for label, value in details:
        pdf.set_x(right_x)
        pdf.set_font(LATIN, size=BODY_PT - 1)
        pdf.set_text_color(*MUTED)
        pdf.cell(24, LINE_MM + 0.6, label)
        pdf.set_font(LATIN, "B", BODY_PT)
        pdf.set_text_color(0)
        pdf.multi_cell(pdf.epw - left_w - 28, LINE_MM + 0.6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 2)
    _rule(pdf)
    pdf.set_y(pdf.get_y() + 3)

    pdf.set_font(LATIN, size=BODY_PT)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(22, 78, 26, 26, 30),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL, size_pt=BODY_PT - 1),
        line_height=LINE_MM + 0.6,
        padding=(1.2, 1.5),
        v_align="MIDDLE",
    ) as table:
        heading = table.row()
        for text in ("Date", "Particulars", "Debit (₹)", "Credit (₹)", "Balance (₹)"):
            heading.cell(text, align="CENTER")
        opening = table.row()
        opening.cell(doc.statement.start.strftime("%d-%m-%Y") if doc.statement.start else "")
        opening.cell("Opening balance")
        opening.cell("")
        opening.cell("")
        opening.cell(format_inr(from_paise(doc.statement.opening_paise), symbol=False))
        for entry in doc.statement.entries:
            row = table.row()
            row.cell(entry.on.strftime("%d-%m-%Y"))
            row.cell(describe_entry(entry))
            row.cell(format_inr(from_paise(entry.debit_paise), symbol=False) if entry.debit_paise else "")
            row.cell(format_inr(from_paise(entry.credit_paise), symbol=False) if entry.credit_paise else "")
            row.cell(format_inr(from_paise(entry.balance_after_paise), symbol=False))

    pdf.set_y(pdf.get_y() + 3)
    if pdf.get_y() + 70 > pdf.page_break_trigger:
        pdf.add_page()
    block_top = pdf.get_y()
    qr_bottom = block_top
    if doc.upi and doc.statement.closing_paise > 0:
        caption = f"Scan to pay {format_inr(from_paise(doc.statement.closing_paise))} by UPI"
        draw_upi_qr(pdf, doc.upi, MARGIN, block_top, 34, caption)
        qr_bottom = pdf.get_y()
    x = MARGIN + pdf.epw - 84
    pdf.set_xy(x, block_top)
    pdf.set_font(LATIN, "B", BODY_PT + 2.5)
    closing = doc.statement.closing_paise
    pdf.cell(48, LINE_MM + 3, "Closing balance" if closing >= 0 else "In your favour")
    pdf.cell(36, LINE_MM + 3, format_inr(from_paise(abs(closing))), align="R", new_x="LMARGIN", new_y="NEXT")
    if doc.open_invoices:
        pdf.set_y(pdf.get_y() + 2)
        pdf.set_font(LATIN, size=BODY_PT - 1.5)
        pdf.set_text_color(*MUTED)
        pdf.set_x(x)
        pdf.cell(84, LINE_MM - 0.6, "OPEN INVOICES", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_font(LATIN, size=BODY_PT - 0.5)
        for invoice in doc.open_invoices:
            pdf.set_x(x)
            pdf.cell(48, LINE_MM, f"{invoice.number} due {invoice.due_on:%d-%m-%Y}")
            pdf.cell(36, LINE_MM, format_inr(from_paise(invoice.due_paise)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), qr_bottom) + 8)
    signatory(pdf, doc.supplier.name)
    return bytes(pdf.output())
