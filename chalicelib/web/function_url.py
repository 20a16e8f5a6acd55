"""The webhook's own door: a Lambda function URL event (payload format 2.0) in, its response out.

A function URL has no per-request charge beyond the Lambda invocation, where API Gateway's REST API charges
$3.50 a million: Meta posts three status webhooks for every message the shop sends, so this is where most requests
land. Signatures are checked by the same use case (chalicelib.services.inbound); throttling is the function's
reserved concurrency (infra/template.json ``WebhookReservedConcurrency``): past it Lambda answers 429 and Meta
retries. Only ``/webhook`` (and ``/``) with GET or POST are served; anything else is a 404/405, never a 500."""

from __future__ import annotations

import base64
import json

PATHS = ("/", "/webhook")


def _answer(status: int, body, content_type: str = "application/json") -> dict:
    text = body if isinstance(body, str) else json.dumps(body)
    return {"statusCode": status, "headers": {"Content-Type": content_type}, "body": text}


def handle(event: dict) -> dict:
    from chalicelib.config import unconfigured
    from chalicelib.web.webhook import receipt, verification

    http = (event.get("requestContext") or {}).get("http") or {}
    method, path = http.get("method", ""), event.get("rawPath") or http.get("path") or "/"
    if path not in PATHS:
        return _answer(404, {"error": "not found"})
    if method not in ("GET", "POST"):
        return _answer(405, {"error": "method not allowed"})
    refusal = unconfigured()  # as the REST API's middleware: a stage without its settings acts on nothing
    if refusal is not None:
        return _answer(503, refusal)
    if method == "GET":
        status, text = verification(event.get("queryStringParameters") or {})
        return _answer(status, text, "text/plain")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    except (ValueError, TypeError):
        return _answer(400, {"error": "the body is not base64"})
    return _answer(*receipt(raw, headers.get("x-hub-signature-256")))
