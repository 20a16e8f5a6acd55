"""Owner API for reference data the shop changes without a deploy: vocabulary terms and GST rates."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_denied

owner_catalogue = Blueprint(__name__)


@owner_catalogue.route("/owner/catalogue", methods=["GET"])
def show():
    from chalicelib.bootstrap import container

    return owner_denied(owner_catalogue.current_request) or container().reference.catalogue()


@owner_catalogue.route("/owner/catalogue/{kind}/{name}", methods=["PUT"])
def put_term(kind, name):
    from chalicelib.bootstrap import container

    request = owner_catalogue.current_request
    denied = owner_denied(request)
    if denied:
        return denied
    try:
        return container().reference.put_term(kind, name, request.json_body or {})
    except ValueError as exc:
        return Response(body={"error": str(exc)}, status_code=400)


@owner_catalogue.route("/owner/gst-rates", methods=["PUT"])
def put_rate():
    from chalicelib.bootstrap import container

    request = owner_catalogue.current_request
    denied = owner_denied(request)
    if denied:
        return denied
    try:
        return container().reference.put_gst_rate(request.json_body or {})
    except (ValueError, KeyError) as exc:
        return Response(body={"error": f"need hsn, rate_percent and effective_from: {exc}"}, status_code=400)
