"""The owner API's one gate and one error map: `Authorization: Bearer <OWNER_API_KEY>` compared in constant time,
then NotFound → 404 and BadRequest (bad input, with a reason the owner can act on) → 400. Any other error is a
bug and answers 500."""

from __future__ import annotations

import functools
import hmac

from chalice import Response


def owner_denied(request) -> Response | None:
    """None when the request carries the owner key; otherwise the 401 to return."""
    from chalicelib.bootstrap import container

    expected = container().settings.owner_api_key
    header = (request.headers or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if expected and scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode()):
        return None
    return Response(
        body={"error": "owner credential required: Authorization: Bearer <OWNER_API_KEY>"},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="bharatbiz-owner"'},
    )


def owner_api(blueprint):
    """Decorate a route of ``blueprint`` (below its @route): refuse callers without the owner key, map errors."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            from chalicelib.domain.errors import BadRequest, NotFound

            denied = owner_denied(blueprint.current_request)
            if denied:
                return denied
            try:
                return view(*args, **kwargs)
            except NotFound as exc:
                return Response(body={"error": str(exc)}, status_code=404)
            except BadRequest as exc:
                return Response(body={"error": str(exc)}, status_code=400)

        return guarded

    return decorate
