"""Owner API for stock: the report, imports (all or nothing, queued when large), and stock-taking adjustments."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import correlation_id, owner_api

owner_stock = Blueprint(__name__)


@owner_stock.route("/owner/stock", methods=["GET"])
@owner_api(owner_stock)
def report():
    from chalicelib.bootstrap import container

    return container().stock.report() | {"adjustments": container().stock_taking.recent()}


@owner_stock.route("/owner/stock/batches", methods=["POST"])
@owner_api(owner_stock)
def import_batches():
    """200 with the outcome when the import fit one transaction, else 202 and where to read its outcome."""
    from chalicelib.bootstrap import container
    from chalicelib.domain.stock_import import StockImportError
    from chalicelib.services.stock_imports import ImportConflict

    request = owner_stock.current_request
    key = (request.headers or {}).get("idempotency-key")
    try:
        record, queued = container().stock_imports.submit_rows(
            request.json_body, key, "owner", "api", correlation_id(request)
        )
    except StockImportError as exc:
        rows = [{"line": e.line, "reason": e.reason} for e in exc.errors]
        return Response(body={"error": "nothing was imported", "rows": rows}, status_code=400)
    except ImportConflict as exc:
        return Response(body={"error": str(exc)}, status_code=409)
    body = _outcome(record)
    if queued:
        location = f"/owner/stock/imports/{record['import_id']}"
        return Response(body=body | {"status_url": location}, status_code=202, headers={"Location": location})
    return body


@owner_stock.route("/owner/stock/imports/{import_id}", methods=["GET"])
@owner_api(owner_stock)
def import_status(import_id):
    from chalicelib.bootstrap import container

    return _outcome(container().stock_imports.status(import_id))


@owner_stock.route("/owner/stock/batches/{batch_id}/adjustments", methods=["POST"])
@owner_api(owner_stock)
def adjust(batch_id):
    """The owner's count of a batch (rolls, loose_meters, reason, note); 409 when it is below what is reserved."""
    from chalicelib.bootstrap import container
    from chalicelib.domain.stock_taking import BelowReserved, CountsMoved, StockCount

    request = owner_stock.current_request
    count = StockCount.from_body(request.json_body)
    try:
        return container().stock_taking.adjust(batch_id, count, "owner", "api", correlation_id(request))
    except BelowReserved as exc:
        return Response(body={"error": str(exc), "reserved_meters": str(exc.reserved)}, status_code=409)
    except CountsMoved as exc:
        return Response(body={"error": f"{exc}; send the count again"}, status_code=409)


def _outcome(record: dict) -> dict:
    keys = ("import_id", "state", "rows", "chunks", "chunks_done", "created", "unchanged", "created_at", "updated_at")
    return {k: record.get(k) for k in keys}
