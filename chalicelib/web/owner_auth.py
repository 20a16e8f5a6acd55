"""The owner credential: `Authorization: Bearer <OWNER_API_KEY>`, compared in constant time."""

from __future__ import annotations

import hmac

from chalice import Response


def owner_denied(request) -> Response | None:
    """None when the request carries the owner key; otherwise the 401 to return."""
    from chalicelib.config import settings

    expected = settings().owner_api_key
    header = (request.headers or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if expected and scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode()):
        return None
    return Response(
        body={"error": "owner credential required: Authorization: Bearer <OWNER_API_KEY>"},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="bharatbiz-owner"'},
    )
