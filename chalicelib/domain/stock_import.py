"""Reading a shop's stock sheet (CSV text or a list of row dicts) into batches, all rows or none.

Columns: material, color (or colour), dye_lot, rolls, meters_per_roll, loose_meters, price_per_meter,
received_on (YYYY-MM-DD), hsn. Material and colour may be any catalogue alias ("suti", "laal") and are stored
canonical. dye_lot may be blank (an unlabelled batch) and is stored upper-case, so "dl-114" and "DL-114" are one
lot. loose_meters may be blank (0). hsn may be blank: the material's HSN code from the catalogue is used. Prices may
carry a rupee sign or thousands commas ("₹1,200"). Other columns are ignored.

Errors name the row: for CSV its line number counting the header as line 1; for a list of dicts its 1-based
position. Every bad row is reported, and if there is any, ``StockImportError`` is raised and nothing is imported.

Batch key (what makes re-importing the same sheet idempotent): the batch_id is
``uuid5(BATCH_NAMESPACE, "material|color|dye_lot|received_on|meters_per_roll|price_per_meter")`` with the
canonical material and colour, the upper-case dye lot ("" when blank), the ISO date, the roll length to two
decimals ("40.00") and the price to two decimals ("450.00"). Stock counts (rolls, loose meters) and the HSN code are
not part of the key, so a corrected count re-imports onto the same batch. Two rows with the same key in one sheet
are an error: the shopkeeper should add them up into one row.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.errors import BadRequest
from chalicelib.domain.money import CENTIMETER, PAISE
from chalicelib.domain.stock import Batch

SAMPLE_STOCK_FILE = Path(__file__).resolve().parent.parent / "data" / "sample_stock.csv"
BATCH_NAMESPACE = uuid.UUID("6f1d3c1e-8a4b-5d2e-9c7f-2b8e4a6d0b51")
REQUIRED_COLUMNS = ("material", "color", "rolls", "meters_per_roll", "price_per_meter", "received_on")
HEADER_ALIASES = {"colour": "color"}
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
HSN_PATTERN = re.compile(r"\d{4}(\d{2}){0,2}")  # 4, 6 or 8 digits


@dataclass(frozen=True)
class RowError:
    """One problem with one row of a stock sheet."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class StockImportError(BadRequest):
    """The sheet has bad rows; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("stock sheet not imported: " + "; ".join(str(error) for error in errors))


def batch_key(
    material: str, color: str, dye_lot: str | None, received_on: date, meters_per_roll: Decimal, price: Decimal
) -> str:
    """The normalised key described in the module docstring."""
    lot = (dye_lot or "").strip().upper()
    return f"{material}|{color}|{lot}|{received_on.isoformat()}|{meters_per_roll:.2f}|{price:.2f}"


def batch_id_for(key: str) -> str:
    return str(uuid.uuid5(BATCH_NAMESPACE, key))


def parse_stock_csv(text: str, vocabulary: Vocabulary) -> list[Batch]:
    """Batches from CSV text with a header row; raises StockImportError naming every bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel on Windows writes a byte-order mark
    if reader.fieldnames is None:
        return []  # an empty file
    header = [_column(name) for name in reader.fieldnames]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise StockImportError([RowError(1, "the header is missing the column(s): " + ", ".join(missing))])
    numbered = []
    for row in reader:
        # line_num is the physical line the row ended on, which is what a shopkeeper sees in a text editor
        numbered.append((reader.line_num, row))
    return _parse(numbered, vocabulary)


def parse_stock_rows(rows: list[dict], vocabulary: Vocabulary) -> list[Batch]:
    """Batches from a list of row dicts (JSON); errors name rows by their 1-based position."""
    return _parse(enumerate(rows, start=1), vocabulary)


def _column(name: str | None) -> str:
    key = (name or "").strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # JSON numbers arrive as floats; repr is the shortest text that reads back as the same number,
        # i.e. what the sender wrote, so Decimal gets "40.5" and not 40.5's binary expansion.
        return repr(value)
    return str(value).strip()


def _parse(numbered: Iterable[tuple[int, dict]], vocabulary: Vocabulary) -> list[Batch]:
    batches: list[Batch] = []
    errors: list[RowError] = []
    first_line_of_batch: dict[str, int] = {}
    for line, raw in numbered:
        row = {_column(name): _text(value) for name, value in raw.items() if name is not None}
        if not any(row.values()):
            continue  # a blank line between blocks of a sheet is not a mistake
        problems: list[str] = []
        batch = _parse_row(row, vocabulary, problems)
        if batch is not None:
            # the id is a hash of the batch key, so equal ids mean the same batch written twice
            if batch.batch_id in first_line_of_batch:
                problems.append(
                    f"same batch as line {first_line_of_batch[batch.batch_id]} (material, colour, dye lot, "
                    "date received, meters per roll and price all match); add the two rows up into one"
                )
            else:
                first_line_of_batch[batch.batch_id] = line
                batches.append(batch)
        errors.extend(RowError(line, problem) for problem in problems)
    if errors:
        raise StockImportError(errors)
    return batches


def _parse_row(row: dict[str, str], vocabulary: Vocabulary, problems: list[str]) -> Batch | None:
    """One row's batch, or None after appending every problem found to ``problems``."""
    material_term = vocabulary.material(row.get("material", "")) if row.get("material") else None
    if material_term is None:
        problems.append(f"material {row.get('material', '')!r} is not in the catalogue")
    color_term = vocabulary.color(row.get("color", "")) if row.get("color") else None
    if color_term is None:
        problems.append(f"colour {row.get('color', '')!r} is not in the catalogue")

    rolls = _whole_number(row.get("rolls", ""), "rolls", problems)
    per_roll = _amount(row.get("meters_per_roll", ""), "meters_per_roll", CENTIMETER, "meters", problems, False)
    loose_text = row.get("loose_meters", "") or "0"
    loose = _amount(loose_text, "loose_meters", CENTIMETER, "meters", problems, True)
    price_text = re.sub(r"^(₹|rs\.?|inr)\s*", "", row.get("price_per_meter", ""), flags=re.IGNORECASE)
    price = _amount(price_text.replace(",", ""), "price_per_meter", PAISE, "rupees", problems, False)
    received = _date(row.get("received_on", ""), problems)

    hsn = row.get("hsn", "") or (material_term.hsn if material_term else "") or ""
    if material_term is not None and not HSN_PATTERN.fullmatch(hsn):
        problems.append(f"hsn must be a 4, 6 or 8 digit HSN code, got {hsn!r}")

    if problems:
        return None
    dye_lot = re.sub(r"\s+", " ", row.get("dye_lot", "")).upper() or None
    key = batch_key(material_term.name, color_term.name, dye_lot, received, per_roll, price)
    return Batch(
        batch_id=batch_id_for(key),
        material=material_term.name,
        color=color_term.name,
        dye_lot=dye_lot,
        rolls=rolls,
        meters_per_roll=per_roll,
        loose_meters=loose,
        price_per_meter=price,
        received_on=received,
        hsn=hsn,
    )


def _whole_number(text: str, column: str, problems: list[str]) -> int | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value != value.to_integral_value():
        problems.append(f"{column} must be a whole number ≥ 0, got {text!r}")
        return None
    return int(value)


def _amount(
    text: str, column: str, step: Decimal, unit: str, problems: list[str], zero_allowed: bool
) -> Decimal | None:
    bound = "≥ 0" if zero_allowed else "greater than 0"
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (value == 0 and not zero_allowed):
        problems.append(f"{column} must be a number of {unit} {bound}, got {text!r}")
        return None
    if value != value.quantize(step):
        problems.append(f"{column} can have at most two decimals ({unit}), got {text!r}")
        return None
    return value.quantize(step)


def _date(text: str, problems: list[str]) -> date | None:
    # fromisoformat alone would also take 20240105 and week dates; a sheet should say 2024-01-05
    if DATE_PATTERN.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(f"received_on must be a date written YYYY-MM-DD, got {text!r}")
    return None
