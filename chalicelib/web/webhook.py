"""Routes Meta calls: the verification handshake and the webhook POST."""

from __future__ import annotations

import hmac

from chalice import Blueprint, Response

from chalicelib.domain.errors import MalformedWebhook, SignatureInvalid, SignatureMissing

webhook = Blueprint(__name__)

_STATUS = {SignatureMissing: 401, SignatureInvalid: 403, MalformedWebhook: 400}


def _plain(body: str, status: int) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "text/plain"})


def token_matches(sent: str | None, expected: str | None) -> bool:
    """An unset token must not let an empty one through: both present and equal (in constant time)."""
    return bool(sent) and bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


@webhook.route("/webhook", methods=["GET"])
def verify():
    from chalicelib.bootstrap import container

    params = webhook.current_request.query_params or {}
    if params.get("hub.mode") == "subscribe" and token_matches(
        params.get("hub.verify_token"), container().settings.whatsapp_verify_token
    ):
        return _plain(params.get("hub.challenge", ""), 200)
    return _plain("verification failed", 403)


@webhook.route("/webhook", methods=["POST"], content_types=["application/json"])
def receive():
    from chalicelib.bootstrap import container

    request = webhook.current_request
    try:
        result = container().inbound.receive(request.raw_body, request.headers.get("x-hub-signature-256"))
    except (SignatureMissing, SignatureInvalid, MalformedWebhook) as exc:
        return Response(body={"error": str(exc)}, status_code=_STATUS[type(exc)])
    from chalicelib import metrics

    metrics.count(metrics.WEBHOOK_ITEMS_IGNORED, result.ignored)
    return {"ok": True, "queued": result.queued, "duplicates": result.duplicates, "statuses": result.statuses}
