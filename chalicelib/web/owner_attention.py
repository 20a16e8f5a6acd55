"""Owner API: what WhatsApp could not deliver (the attention list), and marking one handled."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_api

owner_attention = Blueprint(__name__)


@owner_attention.route("/owner/attention", methods=["GET"])
@owner_api(owner_attention)
def list_attention():
    from chalicelib.bootstrap import container

    return {"undelivered": container().delivery.attention()}


@owner_attention.route("/owner/attention/handled", methods=["POST"])
@owner_api(owner_attention)
def mark_handled():
    from chalicelib.bootstrap import container

    body = owner_attention.current_request.json_body or {}
    key = body.get("key") if isinstance(body, dict) else None
    if not isinstance(key, str) or not key:
        return Response(body={"error": 'give the item\'s key: {"key": …}'}, status_code=400)
    if not container().delivery.handled(key):
        return Response(body={"error": "not on the attention list"}, status_code=404)
    return {"handled": key}
