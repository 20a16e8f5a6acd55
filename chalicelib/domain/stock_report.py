"""The owner's view of stock: every batch, and totals per material and colour."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from chalicelib.domain.money import format_meters, meters, rupees
from chalicelib.domain.stock import Batch


def stock_report(batches: list[Batch], reserved: dict[str, Decimal] | None = None) -> dict:
    """JSON-safe report: batches, per material+colour totals (rolls, loose, total meters, value) and grand totals.

    Totals count what is available to sell (rolls and loose meters on the shelf); ``reserved_meters`` is shown
    apart, because it is promised to customers whose orders wait for the owner.
    """
    reserved = reserved or {}
    groups: dict[tuple[str, str], dict] = defaultdict(
        lambda: {
            "batches": 0,
            "rolls": 0,
            "loose_meters": Decimal(0),
            "total_meters": Decimal(0),
            "value": Decimal(0),
            "reserved_meters": Decimal(0),
            "dye_lots": set(),
        }
    )
    for b in batches:
        g = groups[(b.material, b.color)]
        g["batches"] += 1
        g["rolls"] += b.rolls
        g["loose_meters"] += b.loose_meters
        g["total_meters"] += b.total_meters
        g["value"] += b.value
        g["reserved_meters"] += reserved.get(b.batch_id, Decimal(0))
        if b.dye_lot:
            g["dye_lots"].add(b.dye_lot)
    totals = []
    for (material, color), g in sorted(groups.items()):
        totals.append(
            {
                "material": material,
                "color": color,
                "batches": g["batches"],
                "dye_lots": sorted(g["dye_lots"]),
                "rolls": g["rolls"],
                "loose_meters": format_meters(g["loose_meters"]),
                "total_meters": format_meters(g["total_meters"]),
                "reserved_meters": format_meters(g["reserved_meters"]),
                "value": str(rupees(g["value"])),
            }
        )
    return {
        "batches": [
            b.to_dict()
            | {
                "total_meters": format_meters(b.total_meters),
                "value": str(b.value),
                "reserved_meters": format_meters(reserved.get(b.batch_id, Decimal(0))),
            }
            for b in batches
        ],
        "totals": totals,
        "grand_total": {
            "batches": len(batches),
            "rolls": sum(b.rolls for b in batches),
            "total_meters": format_meters(meters(sum((b.total_meters for b in batches), Decimal(0)))),
            "value": str(rupees(sum((b.value for b in batches), Decimal(0)))),
        },
    }
