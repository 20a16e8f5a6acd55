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
    from chalicelib.config import settings
    from chalicelib.web.webhook import receipt, verification

    http = (event.get("requestContext") or {}).get("http") or {}
    method, path = http.get("method", ""), event.get("rawPath") or http.get("path") or "/"
    if path not in PATHS:
        return _answer(404, {"error": "not found"})
    if method not in ("GET", "POST"):
        return _answer(405, {"error": "method not allowed"})
    missing = settings().missing()
    if missing:  # as the REST API's middleware: a stage without its settings acts on nothing
        settings.cache_clear()
        return _answer(503, {"ok": False, "error": "settings missing", "missing": missing})
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


def from_rest_event(event: dict) -> dict:
    """The function URL event a REST API (v1) event stands for: the local stack serves /webhook through the same
    door as the deployment (devstack.stack)."""
    context = event.get("requestContext") or {}
    query = dict(event.get("queryStringParameters") or {})
    for name, values in (event.get("multiValueQueryStringParameters") or {}).items():
        query[name] = values[-1] if isinstance(values, list) and values else values
    path = context.get("path") or event.get("path") or "/webhook"
    method = event.get("httpMethod") or context.get("httpMethod") or ""
    body = event.get("body")
    binary = body is not None and not isinstance(body, str)
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in query.items()),
        "headers": {k.lower(): v for k, v in (event.get("headers") or {}).items()},
        "queryStringParameters": query or None,
        "requestContext": {"http": {"method": method, "path": path}, "requestId": context.get("requestId", "")},
        "body": base64.b64encode(body).decode() if binary else body,
        "isBase64Encoded": binary or bool(event.get("isBase64Encoded")),
    }
