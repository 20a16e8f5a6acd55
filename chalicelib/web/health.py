"""GET /health: proves the function has its settings and can reach its table (503 naming what is missing)."""

from __future__ import annotations

from chalice import Blueprint, Response

health = Blueprint(__name__)


@health.route("/health", methods=["GET"])
def check():
    from chalicelib.bootstrap import container
    from chalicelib.config import SettingsIncomplete

    try:
        result = container().health()
    except SettingsIncomplete as exc:
        # Names only, never values: says what `python -m devstack configure` still has to set.
        return Response(body={"ok": False, "error": "settings missing", "missing": exc.missing}, status_code=503)
    except Exception as exc:
        return Response(body={"ok": False, "error": type(exc).__name__}, status_code=503)
    # Unhealthy (e.g. WhatsApp's token expired: every reply fails) is 503 too, with the reason in the body.
    return result if result.get("ok") else Response(body=result, status_code=503)
