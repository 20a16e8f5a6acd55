"""Owner API for stock: the report, and importing batches as a JSON list."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_api

owner_stock = Blueprint(__name__)


@owner_stock.route("/owner/stock", methods=["GET"])
@owner_api(owner_stock)
def report():
    from chalicelib.bootstrap import container

    return container().stock.report()


@owner_stock.route("/owner/stock/batches", methods=["POST"])
@owner_api(owner_stock)
def import_batches():
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import BadRequest
    from chalicelib.domain.stock_import import StockImportError

    rows = owner_stock.current_request.json_body
    if not isinstance(rows, list):
        raise BadRequest("send a JSON list of batch rows")
    try:
        result = container().stock.import_rows(rows)
    except StockImportError as exc:
        rows = [{"line": e.line, "reason": e.reason} for e in exc.errors]
        return Response(body={"error": "nothing was imported", "rows": rows}, status_code=400)
    return {"created": result.created, "unchanged": result.unchanged}
