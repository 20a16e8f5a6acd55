"""What the owner may send is checked at the door: stock rows bounded, catalogue names and GST rates sane, customer
ids phone numbers or BSUIDs; every refusal is a ValueError with a reason."""

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain import owner_input
from chalicelib.domain.catalogue import Term, Vocabulary
from chalicelib.domain.identity import InvalidCustomerId, customer_id
from chalicelib.domain.stock import Batch
from chalicelib.domain.stock_import import StockImportError, parse_stock_rows
from chalicelib.domain.stock_taking import BelowReserved, StockCount, adjustment

VOCABULARY = Vocabulary.from_terms(
    [Term("material", "cotton", "सूती", "suti", ("suti",), hsn="5208"), Term("color", "blue", "नीला", "neela", ())]
)


def row(**changes):
    base = {
        "material": "cotton",
        "color": "blue",
        "rolls": 2,
        "meters_per_roll": 40,
        "price_per_meter": "150",
        "received_on": "2025-06-01",
    }
    return base | changes


def problems(rows, **kwargs):
    with pytest.raises(StockImportError) as refused:
        parse_stock_rows(rows, VOCABULARY, **kwargs)
    return [(e.line, e.reason) for e in refused.value.errors]


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("rolls", 10**30, "at most 10,000"),
        ("rolls", 10_001, "at most 10,000"),
        ("meters_per_roll", 10**27, "at most 1,000"),
        ("meters_per_roll", 1000.01, "at most 1,000"),
        ("loose_meters", 100_000.5, "at most 100,000"),
        ("price_per_meter", "1e30", "at most 100,000"),
        ("price_per_meter", "12.345", "two decimals"),
        ("rolls", float("nan"), "whole number"),
        ("loose_meters", float("inf"), "number of meters"),
        ("rolls", True, "whole number"),
        ("rolls", [3], "whole number"),
        ("dye_lot", "L" * 41, "at most 40"),
        ("material", "x" * 500, "too long"),
    ],
)
def test_an_out_of_bounds_cell_is_refused_with_its_row_number(column, value, words):
    ((line, reason),) = problems([row(dye_lot="A"), row(**{column: value})])
    assert line == 2 and words in reason


def test_rows_that_are_not_objects_are_each_named():
    assert [line for line, _ in problems([row(), [1, 2], "cotton", None, 7])] == [2, 3, 4, 5]


def test_the_largest_sane_row_is_accepted():
    (batch,) = parse_stock_rows(
        [row(rolls=10_000, meters_per_roll=1000, loose_meters=100_000, price_per_meter="100000.00")], VOCABULARY
    )
    assert (batch.rolls, batch.meters_per_roll, batch.price_per_meter) == (10_000, Decimal(1000), Decimal("100000"))


def test_an_hsn_without_a_gst_rate_is_refused_when_rates_are_known():
    assert "no GST rate" in problems([row(hsn="9999")], has_gst_rate=lambda hsn: hsn == "5208")[0][1]


def test_a_sheet_of_more_than_ten_thousand_rows_is_refused_whole():
    assert "at most 10,000 rows" in problems([row()] * 10_001)[0][1]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("919812345678", "919812345678"),
        ("+91 98123-45678", "919812345678"),
        ("US.13491208655302741918", "US.13491208655302741918"),
        ("US.ENT.11815799212886844830", "US.ENT.11815799212886844830"),
        ("IN.abcDEF123", "IN.abcDEF123"),
    ],
)
def test_a_customer_is_a_phone_number_or_a_bsuid(given, stored):
    assert customer_id(given) == stored


@pytest.mark.parametrize("given", ["abc", "", "0812345678", "1234567", "9" * 16, "in.123", "US.", "US.12-34", 5, None])
def test_anything_else_is_not_a_customer(given):
    with pytest.raises(InvalidCustomerId):
        customer_id(given)


def has_rate(hsn):
    return hsn.startswith("5208")


@pytest.mark.parametrize(
    ("kind", "name", "body", "words"),
    [
        ("material", "khadi", {"hsn": "1"}, "4, 6 or 8 digits"),
        ("material", "khadi", {"hsn": "9999"}, "no GST rate on file"),
        ("material", "khadi", [], "JSON object"),
        ("color", "x" * 41, {}, "1 to 40"),
        ("color", "teal;drop", {}, "letters, digits and spaces"),
        ("color", "teal", {"aliases": "teal"}, "list"),
        ("color", "teal", {"aliases": [1]}, "text"),
        ("color", "teal", {"hi": ["x"]}, "text"),
        ("fabric", "teal", {}, "kind"),
    ],
)
def test_a_bad_catalogue_term_is_refused(kind, name, body, words):
    with pytest.raises(ValueError, match=words):
        owner_input.term(kind, name, body, has_rate)


def test_a_term_name_is_normalised_and_its_hsn_checked_against_the_rates():
    term = owner_input.term("material", "  Khadi   COTTON ", {"hsn": "520811", "aliases": ["Khaddar"]}, has_rate)
    assert (term.name, term.aliases, term.hsn) == ("khadi cotton", ("khaddar",), "520811")


@pytest.mark.parametrize("rate", [float("nan"), "NaN", "Infinity", -1, 41, "40.001", True, [5], None])
def test_a_gst_rate_outside_zero_to_forty_percent_is_refused(rate):
    with pytest.raises(ValueError):
        owner_input.gst_rate_fields({"hsn": "5208", "rate_percent": rate, "effective_from": "2026-04-01"})


def test_a_gst_rate_of_forty_percent_is_accepted():
    fields = owner_input.gst_rate_fields({"hsn": 5208, "rate_percent": 40, "effective_from": "2026-04-01"})
    assert fields["rate_percent"] == "40" and fields["hsn"] == "5208"


def batch(rolls=3, loose="5", per_roll="40"):
    return Batch(
        "b1", "cotton", "blue", "L1", rolls, Decimal(per_roll), Decimal(loose), Decimal("100"), date(2025, 1, 1), "5208"
    )


def test_a_count_below_the_reserved_meters_is_refused():
    with pytest.raises(BelowReserved):
        adjustment(batch(), Decimal("50"), StockCount(rolls=1, loose_meters=Decimal("9"), reason="damage"))


def test_a_count_keeps_the_reserved_cloth_reserved_and_the_rest_available():
    # 3 rolls of 40 m and 5 m loose counted; 45 m reserved = one roll and the 5 m loose
    result = adjustment(batch(rolls=1, loose="0"), Decimal("45"), StockCount(3, Decimal("5"), "count"))
    assert (result.rolls_after, result.loose_after) == (2, Decimal("0"))
    # 2 rolls and 3 m counted, 10 m reserved: the 3 m loose and 7 m cut from a roll (33 m loose remain)
    result = adjustment(batch(rolls=0, loose="0"), Decimal("10"), StockCount(2, Decimal("3"), "cut_loss"))
    assert (result.rolls_after, result.loose_after) == (1, Decimal("33"))
    assert result.rolls_after * 40 + result.loose_after + 10 == 2 * 40 + 3


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"rolls": -1, "reason": "count"},
        {"rolls": 1, "reason": "theft"},
        {"rolls": 1.5, "reason": "count"},
        {"rolls": 1, "loose_meters": float("nan"), "reason": "count"},
        {"rolls": 10**30, "reason": "count"},
    ],
)
def test_a_bad_count_is_refused(body):
    with pytest.raises(ValueError):
        StockCount.from_body(body)
