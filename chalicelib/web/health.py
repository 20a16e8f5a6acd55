"""GET /health: proves the function can reach its table."""

from __future__ import annotations

from chalice import Blueprint, Response

health = Blueprint(__name__)


@health.route("/health", methods=["GET"])
def check():
    from chalicelib.bootstrap import container

    try:
        result = container().health()
    except Exception as exc:
        return Response(body={"ok": False, "error": type(exc).__name__}, status_code=503)
    return result if result.get("ok") else Response(body=result, status_code=503)
