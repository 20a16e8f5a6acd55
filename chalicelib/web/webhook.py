"""Meta's calls: the verification handshake and the webhook POST.

Two doors, one use case: the Lambda function URL (``receive_webhook`` in app.py, what Meta is configured with:
no API Gateway request charge on the sent/delivered/read statuses that are most of the traffic) and the REST API's
``/webhook`` routes (kept for LocalStack testers and any stage still configured with it). Both map the same
``verification`` and ``receipt`` answers."""

from __future__ import annotations

import hmac

from chalice import Blueprint, Response

from chalicelib.domain.errors import MalformedWebhook, SignatureInvalid, SignatureMissing

webhook = Blueprint(__name__)

_STATUS = {SignatureMissing: 401, SignatureInvalid: 403, MalformedWebhook: 400}


def token_matches(sent: str | None, expected: str | None) -> bool:
    """An unset token must not let an empty one through: both present and equal (in constant time)."""
    return bool(sent) and bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def verification(params: dict) -> tuple[int, str]:
    """GET: (status, plain-text body) of the subscription handshake."""
    from chalicelib.bootstrap import container

    if params.get("hub.mode") == "subscribe" and token_matches(
        params.get("hub.verify_token"), container().settings.whatsapp_verify_token
    ):
        return 200, params.get("hub.challenge", "")
    return 403, "verification failed"


def receipt(raw_body: bytes, signature_header: str | None) -> tuple[int, dict]:
    """POST: (status, JSON body) for one webhook delivery."""
    from chalicelib.bootstrap import container

    try:
        result = container().inbound.receive(raw_body, signature_header)
    except (SignatureMissing, SignatureInvalid, MalformedWebhook) as exc:
        return _STATUS[type(exc)], {"error": str(exc)}
    from chalicelib import metrics

    metrics.count(metrics.WEBHOOK_ITEMS_IGNORED, result.ignored)
    return 200, {"ok": True, "queued": result.queued, "duplicates": result.duplicates, "statuses": result.statuses}


@webhook.route("/webhook", methods=["GET"])
def verify():
    status, body = verification(webhook.current_request.query_params or {})
    return Response(body=body, status_code=status, headers={"Content-Type": "text/plain"})


@webhook.route("/webhook", methods=["POST"], content_types=["application/json"])
def receive():
    request = webhook.current_request
    status, body = receipt(request.raw_body, request.headers.get("x-hub-signature-256"))
    return Response(body=body, status_code=status) if status != 200 else body
