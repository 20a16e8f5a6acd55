"""Builders shared by the unit tests of the stock domain."""

import uuid
from datetime import date
from decimal import Decimal

from chalicelib.domain.stock import Batch


def build_batch(
    name: str = "b1",
    material: str = "cotton",
    color: str = "blue",
    dye_lot: str | None = "DL-1",
    rolls: int = 0,
    meters_per_roll: str = "40",
    loose: str = "0",
    price: str = "100",
    received_on: str = "2025-01-01",
) -> Batch:
    """A batch whose id is derived from ``name`` so a test can refer to it and ties break predictably."""
    return Batch(
        batch_id=str(uuid.uuid5(uuid.NAMESPACE_OID, name)),
        material=material,
        color=color,
        dye_lot=dye_lot,
        rolls=rolls,
        meters_per_roll=Decimal(meters_per_roll).quantize(Decimal("0.01")),
        loose_meters=Decimal(loose).quantize(Decimal("0.01")),
        price_per_meter=Decimal(price).quantize(Decimal("0.01")),
        received_on=date.fromisoformat(received_on),
        hsn="5208",
    )
