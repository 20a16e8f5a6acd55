"""StockService on the in-memory fakes: imports all or nothing and once, the owner's report, the engine's view."""

from decimal import Decimal

import pytest

from chalicelib.domain.stock import LineRequest, StockChange
from chalicelib.domain.stock_import import StockImportError
from tests.unit.desk import BLUE_COTTON, Desk

ROW = {
    "material": "cotton",
    "color": "blue",
    "dye_lot": "DL-9",
    "rolls": "3",
    "meters_per_roll": "40",
    "loose_meters": "5",
    "price_per_meter": "120",
    "received_on": "2026-01-05",
}


def test_imported_rows_are_on_the_books_once_however_often_they_are_sent():
    desk = Desk(batches=[])
    first = desk.stock.import_rows([ROW])
    again = desk.stock.import_rows([ROW])
    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    assert desk.stock.report()["grand_total"]["total_meters"] == "125"


def test_a_file_with_one_bad_row_imports_nothing():
    desk = Desk(batches=[])
    with pytest.raises(StockImportError):
        desk.stock.import_rows([ROW, ROW | {"rolls": "-1"}])
    assert desk.stock_repository.all() == []


def test_the_view_allocates_against_what_is_on_the_shelf_now():
    desk = Desk()
    view = desk.stock.view()
    assert view.allocate(LineRequest("cotton", "blue", Decimal("20"))).available_meters == Decimal("20")
    desk.stock_repository.adjust([StockChange(BLUE_COTTON, rolls_removed=1)])  # a roll sold since the view was made
    assert view.allocate(LineRequest("cotton", "blue", Decimal("100"))).available_meters == Decimal("40")


def test_the_report_shows_reserved_meters_apart_from_what_can_be_sold():
    desk = Desk()
    desk.waiting_order("919811140001")
    report = desk.stock.report()
    [blue] = [g for g in report["totals"] if (g["material"], g["color"]) == ("cotton", "blue")]
    assert (blue["total_meters"], blue["reserved_meters"]) == ("60", "20")
