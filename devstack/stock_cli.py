"""`python -m devstack stock …`: import a stock CSV into the running local stack, or show the stock."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def local_container():
    """A container pointed at the running stack (from the state file or environment): its AWS endpoint, its fake
    Graph API and its app URL, so nothing a command does can reach Meta or AWS (see devstack/targets.py)."""
    from devstack.client import StackNotRunning, stack_info
    from devstack.emulator import FAKE_CREDENTIALS
    from devstack.targets import require_local

    info = stack_info()
    require_local(aws=info["aws_url"], graph=info["graph_url"], app=info["app_url"])
    for key, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    os.environ["AWS_ENDPOINT_URL"] = info["aws_url"]
    os.environ["WHATSAPP_API_BASE"] = info["graph_url"]  # never the real Graph host with the local token
    os.environ["PUBLIC_BASE_URL"] = info["app_url"]
    os.environ["RESOURCE_PREFIX"] = info["resource_prefix"]
    os.environ["STAGE"] = "local"
    from chalicelib import bootstrap

    container = bootstrap.reset()
    try:
        container.health()
    except Exception as exc:
        raise StackNotRunning(f"no tables at {info['aws_url']} ({type(exc).__name__})") from exc
    return container


def import_file(path: str) -> int:
    from chalicelib.domain.stock_import import StockImportError

    text = Path(path).read_text(encoding="utf-8")
    container = local_container()
    try:
        result = container.stock_imports.submit_csv(text, "owner", "cli")
    except StockImportError as exc:
        print(f"Nothing was imported from {path}:", file=sys.stderr)
        for error in exc.errors:
            print(f"  line {error.line}: {error.reason}", file=sys.stderr)
        return 1
    print(
        f"Imported {path} (import {result['import_id']}): {result['created']} new batches, "
        f"{result['unchanged']} already on the books."
    )
    return 0


def adjust(batch_id: str, rolls: int, loose_meters: str, reason: str, note: str | None) -> int:
    """The owner's count of one batch, as POST /owner/stock/batches/{batch_id}/adjustments takes it."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.stock_taking import StockCount

    try:
        count = StockCount.from_body({"rolls": rolls, "loose_meters": loose_meters, "reason": reason, "note": note})
        change = local_container().stock_taking.adjust(batch_id, count, "owner", "cli")
    except (ValueError, NotFound) as exc:  # BelowReserved is a ValueError
        print(f"Not adjusted: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(change, ensure_ascii=False))
    return 0


def show() -> int:
    container = local_container()
    report = container.stock.report()
    for row in report["totals"]:
        print(json.dumps(row, ensure_ascii=False))
    print(json.dumps({"grand_total": report["grand_total"]}))
    for entry in container.stock_taking.recent(limit=10):
        print(json.dumps({"adjustment": entry}, ensure_ascii=False))
    return 0
