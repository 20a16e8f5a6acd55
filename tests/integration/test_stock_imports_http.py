"""Stock imports over HTTP are all or nothing at any size, and stock-taking adjusts a batch with who and why."""

import time
import uuid
from decimal import Decimal

import pytest

from chalicelib.domain.stock import AllocationPart
from tests.integration.test_owner_input_http import owner


def rows(lot: str, count: int, **last) -> list[dict]:
    sheet = [
        {
            "material": "linen",
            "color": "white",
            "dye_lot": f"{lot}-{n:05d}",
            "rolls": 1,
            "meters_per_roll": 30,
            "price_per_meter": "420",
            "received_on": "2025-07-01",
        }
        for n in range(count)
    ]
    sheet[-1] |= last
    return sheet


def batches_of(lot: str) -> list:
    from chalicelib.bootstrap import container

    return [b for b in container().stock_repository.of_material("linen", "white") if (b.dye_lot or "").startswith(lot)]


def wait_applied(client, import_id: str, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    record = None
    while time.time() < deadline:
        # a busy emulator may time a read out (500); the import's outcome is what this waits for
        status, answer = owner(client, "GET", f"/owner/stock/imports/{import_id}")
        if status == 200:
            record = answer
            if record["state"] == "applied":
                return record
        time.sleep(0.3)
    raise AssertionError(f"import {import_id} not applied in {timeout} s: {record}")


def test_a_150_row_import_whose_last_row_is_bad_writes_nothing(client):
    lot = f"I{uuid.uuid4().hex[:6].upper()}"
    status, body = owner(client, "POST", "/owner/stock/batches", rows(lot, 150, rolls=-1))
    assert status == 400 and [r["line"] for r in body["rows"]] == [150]
    assert batches_of(lot) == []


def test_an_import_larger_than_one_transaction_is_queued_and_applied_whole(client):
    lot = f"I{uuid.uuid4().hex[:6].upper()}"
    status, body = owner(client, "POST", "/owner/stock/batches", rows(lot, 250))
    assert status == 202 and body["status_url"] == f"/owner/stock/imports/{body['import_id']}"
    record = wait_applied(client, body["import_id"])
    assert (record["rows"], record["created"], record["unchanged"], record["chunks_done"]) == (250, 250, 0, 3)
    assert len(batches_of(lot)) == 250
    from chalicelib.bootstrap import container

    [entry] = container().audit.history(f"import#{body['import_id']}")
    assert (entry["who"], entry["via"], entry["to"]) == ("owner", "api", "applied")


def test_an_idempotency_key_returns_the_same_import_and_refuses_other_rows(client):
    lot = f"I{uuid.uuid4().hex[:6].upper()}"
    key = f"sheet-{uuid.uuid4().hex}"
    headers = {"Idempotency-Key": key}
    first = owner(client, "POST", "/owner/stock/batches", rows(lot, 3), headers=headers)
    again = owner(client, "POST", "/owner/stock/batches", rows(lot, 3), headers=headers)
    assert first[0] == again[0] == 200 and first[1]["import_id"] == again[1]["import_id"] == key
    assert again[1]["created"] == 3
    status, body = owner(client, "POST", "/owner/stock/batches", rows(lot, 4), headers=headers)
    assert status == 409 and "other rows" in body["error"]
    assert len(batches_of(lot)) == 3


def one_batch(client, lot: str, rolls: int = 3, loose: str = "5"):
    status, _ = owner(client, "POST", "/owner/stock/batches", rows(lot, 1, rolls=rolls, loose_meters=loose))
    assert status == 200
    [batch] = batches_of(lot)
    return batch


def reserve(batch, meters_: Decimal) -> None:
    from chalicelib.bootstrap import container

    part = AllocationPart(
        batch.batch_id, batch.dye_lot, batch.meters_per_roll, 1, meters_ - batch.meters_per_roll, 0,
        Decimal(0), Decimal(0), batch.price_per_meter,
    )  # fmt: skip
    container().stock_repository.reserve([part])


def test_a_count_below_the_reserved_meters_is_refused_and_changes_nothing(client):
    batch = one_batch(client, f"A{uuid.uuid4().hex[:6].upper()}")
    reserve(batch, Decimal("35"))  # one 30 m roll and 5 m loose: the shelf still holds them
    body = {"rolls": 1, "loose_meters": "4", "reason": "damage"}
    status, answer = owner(client, "POST", f"/owner/stock/batches/{batch.batch_id}/adjustments", body)
    assert status == 409 and answer["reserved_meters"] == "35.00"
    [after] = batches_of(batch.dye_lot)
    assert (after.rolls, after.loose_meters) == (2, Decimal(0))


def test_a_count_shows_in_the_stock_report_and_the_batch_history(client):
    batch = one_batch(client, f"A{uuid.uuid4().hex[:6].upper()}")
    reserve(batch, Decimal("35"))
    body = {"rolls": 2, "loose_meters": "12.5", "reason": "cut_loss", "note": "short roll"}
    status, change = owner(client, "POST", f"/owner/stock/batches/{batch.batch_id}/adjustments", body)
    assert status == 200
    # 3 rolls + 5 m were on the books (95 m); 2 rolls + 12.5 m are on the shelf, 35 m of it reserved:
    # 1 roll and 7.5 m loose are left to sell, 22.5 m fewer than the books said
    assert (change["after"], change["meters_change"]) == ({"rolls": 1, "loose_meters": "7.50"}, "-22.50")
    _, report = owner(client, "GET", "/owner/stock")
    [row] = [b for b in report["batches"] if b["batch_id"] == batch.batch_id]
    assert (row["rolls"], row["loose_meters"], row["reserved_meters"]) == (1, "7.50", "35")
    shown = next(a for a in report["adjustments"] if a["detail"]["batch_id"] == batch.batch_id)
    assert (shown["who"], shown["via"], shown["detail"]["reason"], shown["detail"]["note"]) == (
        "owner", "api", "cut_loss", "short roll",
    )  # fmt: skip
    from chalicelib.bootstrap import container

    [entry] = container().audit.history(f"batch#{batch.batch_id}")
    assert (entry["from"], entry["to"]) == ("2 rolls + 0.00 m", "1 rolls + 7.50 m")


@pytest.mark.parametrize("body", [[], {"rolls": "3", "reason": "count"}, {"rolls": 3, "reason": "lost"}])
def test_a_malformed_count_answers_400(client, body):
    batch = one_batch(client, f"A{uuid.uuid4().hex[:6].upper()}")
    assert owner(client, "POST", f"/owner/stock/batches/{batch.batch_id}/adjustments", body)[0] == 400


def test_a_count_of_an_unknown_batch_answers_404(client):
    body = {"rolls": 1, "reason": "count"}
    assert owner(client, "POST", "/owner/stock/batches/nope/adjustments", body)[0] == 404
