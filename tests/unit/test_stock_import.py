"""Reading stock sheets into batches: canonical names, shopkeeper-readable errors, all or nothing, stable ids."""

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.catalogue import Term, Vocabulary
from chalicelib.domain.stock import SAME_COLOUR, SAME_MATERIAL, InventoryStatus, LineRequest, allocate, alternatives
from chalicelib.domain.stock_import import (
    SAMPLE_STOCK_FILE,
    RowError,
    StockImportError,
    parse_stock_csv,
    parse_stock_rows,
)

D = Decimal
HEADER = "material,color,dye_lot,rolls,meters_per_roll,loose_meters,price_per_meter,received_on,hsn"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_terms(
        [
            Term("material", "cotton", "सूती", "suti", ("suti", "sooti"), hsn="5208"),
            Term("material", "polyester", "पॉलिएस्टर", "polyester", ("poly",), hsn="5407"),
            Term("material", "mystery", "?", "?", ()),  # a material the owner added without an HSN code
            Term("color", "blue", "नीला", "neela", ("neela",)),
            Term("color", "red", "लाल", "laal", ("laal", "lal")),
            Term("color", "sky blue", "आसमानी", "aasmani", ("aasmani",)),
        ]
    )


def sheet(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_sample_stock_parses():
    batches = parse_stock_csv(SAMPLE_STOCK_FILE.read_text(encoding="utf-8"), Vocabulary.from_seed())

    assert len({b.material for b in batches}) >= 12
    blue_cotton = allocate(LineRequest("cotton", "blue", D("400")), batches)
    assert blue_cotton.status is InventoryStatus.FULL_AVAILABLE and not blue_cotton.spans_lots
    red_polyester = LineRequest("polyester", "red", D("6"))
    assert allocate(red_polyester, batches).status is InventoryStatus.PARTIAL_AVAILABLE
    assert [a.reason for a in alternatives(red_polyester, batches)] == [SAME_MATERIAL] * 3
    assert len([a for a in alternatives(red_polyester, batches, limit=20) if a.reason == SAME_COLOUR]) >= 3
    assert any(b.rolls == 0 and b.loose_meters == 0 for b in batches)


def test_aliases_are_stored_as_canonical_names(vocabulary):
    (batch,) = parse_stock_csv(sheet("Suti,Neela,dl-114,12,40,17,145,2025-02-03,"), vocabulary)

    assert (batch.material, batch.color, batch.dye_lot) == ("cotton", "blue", "DL-114")
    assert (batch.rolls, batch.meters_per_roll, batch.loose_meters) == (12, D("40"), D("17"))
    assert (batch.price_per_meter, batch.received_on) == (D("145.00"), date(2025, 2, 3))


def test_hsn_defaults_to_the_materials_code(vocabulary):
    defaulted, given = parse_stock_csv(
        sheet("poly,red,DL-1,1,50,0,85,2025-03-05,", "poly,blue,DL-2,1,50,0,85,2025-03-05,540752"), vocabulary
    )

    assert (defaulted.hsn, given.hsn) == ("5407", "540752")


def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_row(vocabulary):
    text = sheet(
        "cotton,blue,DL-1,12,40,17,145,2025-02-03,",
        "cotton,red,DL-2,abc,40,0,150,2025-02-03,",
        "cotton,sky blue,DL-3,2,40,0,155,2025-02-03,",
    )

    with pytest.raises(StockImportError) as rejected:
        parse_stock_csv(text, vocabulary)

    assert rejected.value.errors == [RowError(3, "rolls must be a whole number ≥ 0, got 'abc'")]


def test_every_bad_row_is_reported_with_a_reason_a_shopkeeper_understands(vocabulary):
    text = sheet(
        "velvett,blue,DL-1,1,40,0,145,2025-02-03,",
        "cotton,purple-ish,DL-1,1,40,0,145,2025-02-03,",
        "cotton,blue,DL-2,-1,0,x,free,03/02/2025,",
        "cotton,blue,DL-3,1,40.005,0,145.999,2025-02-30,",
        "mystery,blue,DL-4,1,40,0,145,2025-02-03,",
    )

    with pytest.raises(StockImportError) as rejected:
        parse_stock_csv(text, vocabulary)

    assert [(e.line, e.reason) for e in rejected.value.errors] == [
        (2, "material 'velvett' is not in the catalogue"),
        (3, "colour 'purple-ish' is not in the catalogue"),
        (4, "rolls must be a whole number ≥ 0, got '-1'"),
        (4, "meters_per_roll must be a number of meters greater than 0, got '0'"),
        (4, "loose_meters must be a number of meters ≥ 0, got 'x'"),
        (4, "price_per_meter must be a number of rupees greater than 0, got 'free'"),
        (4, "received_on must be a date written YYYY-MM-DD, got '03/02/2025'"),
        (5, "meters_per_roll can have at most two decimals (meters), got '40.005'"),
        (5, "price_per_meter can have at most two decimals (rupees), got '145.999'"),
        (5, "received_on must be a date written YYYY-MM-DD, got '2025-02-30'"),
        (6, "hsn must be a 4, 6 or 8 digit HSN code, got ''"),
    ]


def test_reimporting_the_same_file_gives_the_same_batch_ids(vocabulary):
    text = sheet("cotton,blue,DL-114,12,40,17,145,2025-02-03,", "poly,red,,0,50,4,85,2025-03-05,")

    first, again = parse_stock_csv(text, vocabulary), parse_stock_csv(text, vocabulary)

    assert [b.batch_id for b in first] == [b.batch_id for b in again]
    assert len({b.batch_id for b in first}) == 2


def test_the_batch_key_ignores_counts_spelling_and_number_format(vocabulary):
    (original,) = parse_stock_csv(sheet("cotton,blue,DL-114,12,40,17,145,2025-02-03,"), vocabulary)
    (recounted,) = parse_stock_csv(sheet("Suti,neela, dl-114 ,10,40.00,3,₹145.00,2025-02-03,5208"), vocabulary)
    (repriced,) = parse_stock_csv(sheet("cotton,blue,DL-114,12,40,17,150,2025-02-03,"), vocabulary)

    assert recounted.batch_id == original.batch_id
    assert repriced.batch_id != original.batch_id


def test_duplicate_batch_rows_in_one_sheet_are_an_error(vocabulary):
    text = sheet("cotton,blue,DL-1,1,40,0,145,2025-02-03,", "suti,blue,dl-1,2,40,5,145.00,2025-02-03,")

    with pytest.raises(StockImportError) as rejected:
        parse_stock_csv(text, vocabulary)

    (error,) = rejected.value.errors
    assert error.line == 3 and error.reason.startswith("same batch as line 2")


def test_json_rows_are_named_by_their_position(vocabulary):
    rows = [
        {"material": "cotton", "color": "blue", "rolls": 2, "meters_per_roll": 40.5, "price_per_meter": "145",
         "received_on": "2025-02-03"},
        {"material": "cotton", "color": "blue", "rolls": 2.5, "meters_per_roll": 40, "price_per_meter": 145,
         "received_on": "2025-02-04"},
    ]  # fmt: skip

    with pytest.raises(StockImportError) as rejected:
        parse_stock_rows(rows, vocabulary)

    assert rejected.value.errors == [RowError(2, "rolls must be a whole number ≥ 0, got '2.5'")]
    (batch,) = parse_stock_rows(rows[:1], vocabulary)
    assert (batch.meters_per_roll, batch.loose_meters, batch.dye_lot) == (D("40.5"), D("0"), None)


def test_a_missing_column_is_reported_on_the_header_line(vocabulary):
    with pytest.raises(StockImportError) as rejected:
        parse_stock_csv("material,colour,rolls\ncotton,blue,1\n", vocabulary)

    assert rejected.value.errors == [
        RowError(1, "the header is missing the column(s): meters_per_roll, price_per_meter, received_on")
    ]


def test_blank_lines_are_skipped_and_line_numbers_still_match_the_file(vocabulary):
    text = sheet("cotton,blue,DL-1,1,40,,145,2025-02-03,", "", ",,,,,,,,", "cotton,red,DL-1,x,40,,145,2025-02-03,")

    with pytest.raises(StockImportError) as rejected:
        parse_stock_csv(text, vocabulary)

    assert [e.line for e in rejected.value.errors] == [5]


def test_an_empty_sheet_imports_nothing(vocabulary):
    assert parse_stock_csv("", vocabulary) == []
    assert parse_stock_csv(HEADER + "\n", vocabulary) == []
