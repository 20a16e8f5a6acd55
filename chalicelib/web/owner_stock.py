"""Owner API for stock: the report, and importing batches as a JSON list."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_denied

owner_stock = Blueprint(__name__)


@owner_stock.route("/owner/stock", methods=["GET"])
def report():
    from chalicelib.bootstrap import container

    return owner_denied(owner_stock.current_request) or container().stock.report()


@owner_stock.route("/owner/stock/batches", methods=["POST"])
def import_batches():
    from chalicelib.bootstrap import container
    from chalicelib.domain.stock_import import StockImportError

    request = owner_stock.current_request
    denied = owner_denied(request)
    if denied:
        return denied
    rows = request.json_body
    if not isinstance(rows, list):
        return Response(body={"error": "send a JSON list of batch rows"}, status_code=400)
    try:
        result = container().stock.import_rows(rows)
    except StockImportError as exc:
        return Response(
            body={"error": "nothing was imported", "rows": [{"line": e.line, "reason": e.reason} for e in exc.errors]},
            status_code=400,
        )
    return {"created": result.created, "unchanged": result.unchanged}
