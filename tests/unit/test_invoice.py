"""Unit tests for invoice maths: taxable values, the CGST/SGST or IGST split, round-off, words and numbering."""

import json
from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.invoice import (
    InvalidInvoiceNumber,
    Invoice,
    InvoiceLine,
    Party,
    State,
    amount_in_words,
    financial_year,
    format_invoice_number,
)

MUMBAI_GSTIN = "27AAPFU0939F1ZV"
SURAT_GSTIN = "24ABCDE1234F1Z5"
PUNE_GSTIN = "27PQRSX5678K1Z2"


def a_supplier(gstin: str = MUMBAI_GSTIN) -> Party:
    return Party("Shree Ganesh Textiles", ("Mulji Jetha Market", "Mumbai 400002"), gstin=gstin, phone="9820012345")


def a_recipient(gstin: str | None = SURAT_GSTIN, state_code: str = "") -> Party:
    return Party("रमेश कपड़ा भंडार", ("Ring Road", "Surat"), gstin=gstin, state_code=state_code, phone="9909054321")


def a_line(quantity: str = "10", rate: str = "100", hsn: str = "5208", gst: str = "5") -> InvoiceLine:
    return InvoiceLine("Cotton, Blue, dye lot DL-114", hsn, Decimal(quantity), Decimal(rate), Decimal(gst))


def an_invoice(*lines: InvoiceLine, recipient: Party | None = None, **overrides) -> Invoice:
    fields = {
        "number": "BB/25-26/00001",
        "date": date(2025, 10, 3),
        "supplier": a_supplier(),
        "recipient": recipient or a_recipient(),
        "lines": lines or (a_line(),),
    }
    return Invoice(**(fields | overrides))


# --- taxable value and rounding ------------------------------------------------------------------------------


def test_a_lines_taxable_value_is_quantity_times_rate():
    assert a_line(quantity="25.5", rate="180").taxable_value == Decimal("4590.00")


def test_half_a_paisa_rounds_up_not_to_even():
    assert a_line(quantity="0.5", rate="0.01").taxable_value == Decimal("0.01")
    assert a_line(quantity="1.25", rate="10.02").taxable_value == Decimal("12.53")


def test_tax_is_charged_on_each_hsn_group_not_rounded_line_by_line():
    # Two lines of 0.10: line by line 0.005 + 0.005 would round to 0.02; on the group's 0.20 it is 0.01.
    invoice = an_invoice(a_line(quantity="1", rate="0.10"), a_line(quantity="1", rate="0.10"))

    assert [row.amount for row in invoice.totals.tax_rows] == [Decimal("0.01")]


def test_lines_of_different_hsn_are_taxed_in_separate_groups():
    invoice = an_invoice(a_line(rate="100", hsn="5208"), a_line(rate="250", hsn="5007"))

    groups = {group.hsn: group.igst for group in invoice.totals.tax_groups}
    assert groups == {"5208": Decimal("50.00"), "5007": Decimal("125.00")}


# --- intra-state vs inter-state ------------------------------------------------------------------------------


def test_a_sale_within_the_suppliers_state_splits_gst_into_cgst_and_sgst():
    invoice = an_invoice(a_line(quantity="10", rate="100"), recipient=a_recipient(gstin=PUNE_GSTIN))

    rows = [(row.label, row.amount) for row in invoice.totals.tax_rows]
    assert rows == [("CGST 2.5%", Decimal("25.00")), ("SGST 2.5%", Decimal("25.00"))]
    assert invoice.intra_state


def test_a_sale_to_another_state_charges_igst_only():
    invoice = an_invoice(a_line(quantity="10", rate="100"), recipient=a_recipient(gstin=SURAT_GSTIN))

    rows = [(row.label, row.amount) for row in invoice.totals.tax_rows]
    assert rows == [("IGST 5%", Decimal("50.00"))]
    assert not invoice.intra_state


def test_cgst_and_sgst_each_round_half_a_paisa_up():
    invoice = an_invoice(a_line(quantity="1", rate="0.20"), recipient=a_recipient(gstin=PUNE_GSTIN))

    assert [row.amount for row in invoice.totals.tax_rows] == [Decimal("0.01"), Decimal("0.01")]


def test_the_place_of_supply_defaults_to_the_recipients_state():
    assert an_invoice(recipient=a_recipient(gstin=SURAT_GSTIN)).place_of_supply == State("Gujarat", "24")


def test_goods_delivered_in_the_suppliers_state_are_intra_state_whatever_the_recipients_gstin():
    invoice = an_invoice(recipient=a_recipient(gstin=SURAT_GSTIN), place_of_supply=State("Maharashtra", "27"))

    assert [row.kind for row in invoice.totals.tax_rows] == ["CGST", "SGST"]


def test_an_unregistered_recipient_is_taxed_by_the_state_code_given():
    invoice = an_invoice(recipient=a_recipient(gstin=None, state_code="08"))

    assert invoice.place_of_supply == State("Rajasthan", "08")
    assert [row.kind for row in invoice.totals.tax_rows] == ["IGST"]


# --- parties -------------------------------------------------------------------------------------------------


def test_a_registered_partys_state_comes_from_the_first_two_digits_of_its_gstin():
    party = Party("Delhi Cloth House", gstin="07AABCD1234E1Z9")

    assert (party.state_code, party.state_name) == ("07", "Delhi")


def test_a_state_code_that_contradicts_the_gstin_is_refused():
    with pytest.raises(ValueError, match="does not match"):
        Party("Delhi Cloth House", gstin="07AABCD1234E1Z9", state_code="27")


def test_a_party_without_gstin_or_state_is_refused():
    with pytest.raises(ValueError):
        Party("Walk-in customer")


def test_a_malformed_gstin_is_refused():
    with pytest.raises(ValueError, match="not a GSTIN"):
        Party("Typo Traders", gstin="27AAPFU0939F1Z")


# --- round-off and grand total -------------------------------------------------------------------------------


def test_a_total_ending_in_fifty_paise_rounds_up_to_the_next_rupee():
    totals = an_invoice(a_line(quantity="1", rate="10.00")).totals  # 10.00 + IGST 0.50

    assert (totals.subtotal, totals.round_off, totals.grand_total) == (
        Decimal("10.50"),
        Decimal("0.50"),
        Decimal("11.00"),
    )


def test_a_total_ending_in_forty_nine_paise_rounds_down_with_a_negative_round_off():
    totals = an_invoice(a_line(quantity="1", rate="9.99")).totals  # 9.99 + IGST 0.4995 -> 0.50

    assert (totals.subtotal, totals.round_off, totals.grand_total) == (
        Decimal("10.49"),
        Decimal("-0.49"),
        Decimal("10.00"),
    )


def test_the_grand_total_is_taxable_value_plus_tax_plus_round_off():
    totals = an_invoice(a_line("25.5", "180"), a_line("12.25", "845.5", hsn="5007"), a_line("100", "95.75")).totals

    assert totals.grand_total == totals.taxable_value + totals.total_tax + totals.round_off
    assert totals.grand_total == totals.grand_total.to_integral_value()


# --- amount in words -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("123456.50", "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only"),
        ("10000000", "Rupees One Crore Only"),
        ("10000000.00", "Rupees One Crore Only"),
        ("25749", "Rupees Twenty-Five Thousand Seven Hundred Forty-Nine Only"),
        ("999999999.99", "Rupees Ninety-Nine Crore Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred "
         "Ninety-Nine and Ninety-Nine Paise Only"),
        ("1000000000000", "Rupees One Lakh Crore Only"),
        ("100", "Rupees One Hundred Only"),
        ("0", "Rupees Zero Only"),
        ("0.01", "Rupees Zero and One Paisa Only"),
        ("0.005", "Rupees Zero and One Paisa Only"),
        ("17.10", "Rupees Seventeen and Ten Paise Only"),
    ],
)  # fmt: skip
def test_amounts_are_written_in_the_indian_system(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_a_negative_amount_cannot_be_written_in_words():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))


# --- numbering -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2026, 3, 31), "25-26"),
        (date(2026, 4, 1), "26-27"),
        (date(2025, 4, 1), "25-26"),
        (date(2025, 12, 31), "25-26"),
        (date(2000, 1, 15), "99-00"),
    ],
)
def test_the_financial_year_runs_from_april_to_march(day, fy):
    assert financial_year(day) == fy


def test_an_invoice_number_is_prefix_financial_year_and_a_padded_serial():
    assert format_invoice_number(financial_year(date(2025, 10, 3)), 1) == "BB/25-26/00001"


def test_invoice_numbers_never_exceed_sixteen_characters():
    assert len(format_invoice_number("25-26", 999_999, prefix="BBT")) == 16

    with pytest.raises(InvalidInvoiceNumber):
        format_invoice_number("25-26", 1_000_000, prefix="BBT")
    with pytest.raises(InvalidInvoiceNumber):
        format_invoice_number("25-26", 1, prefix="BHARAT")


def test_an_invoice_number_may_hold_only_letters_digits_dash_and_slash():
    with pytest.raises(InvalidInvoiceNumber):
        format_invoice_number("25-26", 1, prefix="B B")


def test_an_invoice_with_a_seventeen_character_number_is_refused():
    with pytest.raises(InvalidInvoiceNumber):
        an_invoice(number="BB/25-26/00000001")


# --- storage -------------------------------------------------------------------------------------------------


def test_an_invoice_survives_a_json_round_trip_with_money_as_strings():
    invoice = an_invoice(a_line("25.5", "180"), a_line("12.25", "845.5", hsn="5007"))

    stored = json.loads(json.dumps(invoice.to_dict()))

    assert stored["lines"][1] == {
        "description": "Cotton, Blue, dye lot DL-114",
        "hsn": "5007",
        "quantity_m": "12.25",
        "rate": "845.50",
        "gst_rate": "5",
    }
    assert Invoice.from_dict(stored) == invoice
    assert Invoice.from_dict(stored).totals == invoice.totals
