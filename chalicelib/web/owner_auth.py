"""The owner API's one gate and one error map: `Authorization: Bearer <OWNER_API_KEY>` compared in constant time,
a customer id in the path checked (a phone number or a BSUID, domain/identity.py), then NotFound → 404 and
BadRequest (bad input, with a reason the owner can act on) → 400. Any other error is a bug and answers 500."""

from __future__ import annotations

import functools
import hmac
import re
import uuid

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
                if "phone" in kwargs:  # every customer route: a phone number or a BSUID, in its one stored form
                    from chalicelib.domain.identity import customer_id

                    kwargs["phone"] = customer_id(kwargs["phone"])
                return view(*args, **kwargs)
            except NotFound as exc:
                return Response(body={"error": str(exc)}, status_code=404)
            except BadRequest as exc:
                return Response(body={"error": str(exc)}, status_code=400)

        return guarded

    return decorate


_CORRELATION = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def correlation_id(request) -> str:
    """The request's correlation id for the audit trail: the caller's X-Correlation-Id when well-formed, else API
    Gateway's request id, else a fresh one."""
    given = (request.headers or {}).get("x-correlation-id", "")
    if _CORRELATION.fullmatch(given):
        return given
    return str((request.context or {}).get("requestId") or uuid.uuid4())
