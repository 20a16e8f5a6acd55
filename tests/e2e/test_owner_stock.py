"""The owner's stock API on the running stack: authentication, the report, all-or-nothing idempotent imports."""

import json
import uuid
from decimal import Decimal

import pytest

from devstack.client import http

pytestmark = pytest.mark.e2e


def owner(client, method, path, body=None, key="auto"):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {client.info['owner_api_key'] if key == 'auto' else key}"
    raw = json.dumps(body).encode() if body is not None else None
    status, data = http(method, client.info["app_url"] + path, raw, headers)
    return status, json.loads(data) if data else None


def test_the_stock_report_needs_the_owner_credential(client):
    assert owner(client, "GET", "/owner/stock", key=None)[0] == 401
    assert owner(client, "GET", "/owner/stock", key="wrong-key")[0] == 401
    assert owner(client, "POST", "/owner/stock/batches", [], key=None)[0] == 401


def test_a_fresh_stack_has_the_sample_stock_and_its_totals_match_its_batches(client):
    status, report = owner(client, "GET", "/owner/stock")
    assert status == 200
    assert len(report["batches"]) >= 50
    blue_cotton = next(t for t in report["totals"] if (t["material"], t["color"]) == ("cotton", "blue"))
    batches = [b for b in report["batches"] if (b["material"], b["color"]) == ("cotton", "blue")]
    assert blue_cotton["rolls"] == sum(b["rolls"] for b in batches)
    assert Decimal(blue_cotton["total_meters"]) == sum(Decimal(b["total_meters"]) for b in batches)
    assert Decimal(blue_cotton["value"]) == sum(Decimal(b["value"]) for b in batches)
    red_poly = next(t for t in report["totals"] if (t["material"], t["color"]) == ("polyester", "red"))
    assert Decimal(red_poly["total_meters"]) < 6, "the sample keeps red polyester short"


def rows(lot):
    return [
        {
            "material": "suti",
            "color": "neela",
            "dye_lot": lot,
            "rolls": 2,
            "meters_per_roll": 40,
            "loose_meters": 3,
            "price_per_meter": "150.00",
            "received_on": "2025-06-01",
        },
        {
            "material": "linen",
            "color": "white",
            "dye_lot": lot,
            "rolls": 1,
            "meters_per_roll": 30,
            "loose_meters": 0,
            "price_per_meter": "420.00",
            "received_on": "2025-06-01",
        },
    ]


def test_a_list_with_one_bad_row_imports_nothing_and_names_the_row(client):
    lot = f"T-{uuid.uuid4().hex[:6]}"
    bad = rows(lot) + [
        {
            "material": "cotton",
            "color": "blue",
            "rolls": "many",
            "meters_per_roll": 40,
            "price_per_meter": "10",
            "received_on": "2025-06-01",
        }
    ]
    status, body = owner(client, "POST", "/owner/stock/batches", bad)
    assert status == 400
    assert [r["line"] for r in body["rows"]] == [3]
    _, report = owner(client, "GET", "/owner/stock")
    assert not [b for b in report["batches"] if b["dye_lot"] == lot]


def test_importing_the_same_list_twice_leaves_the_same_stock(client):
    lot = f"T-{uuid.uuid4().hex[:6]}"
    status, first = owner(client, "POST", "/owner/stock/batches", rows(lot))
    assert (status, first["state"], first["created"], first["unchanged"]) == (200, "applied", 2, 0)
    _, before = owner(client, "GET", "/owner/stock")
    status, second = owner(client, "POST", "/owner/stock/batches", rows(lot))
    assert (status, second["created"], second["unchanged"]) == (200, 0, 2)
    _, after = owner(client, "GET", "/owner/stock")
    assert before["grand_total"] == after["grand_total"]
    assert [b["material"] for b in after["batches"] if b["dye_lot"] == lot.upper()] == ["cotton", "linen"]
