"""Owner API for reference data the shop changes without a deploy: vocabulary terms and GST rates."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.web.owner_auth import correlation_id, owner_api

owner_catalogue = Blueprint(__name__)


@owner_catalogue.route("/owner/catalogue", methods=["GET"])
@owner_api(owner_catalogue)
def show():
    from chalicelib.bootstrap import container

    return container().reference.catalogue()


@owner_catalogue.route("/owner/catalogue/{kind}/{name}", methods=["PUT"])
@owner_api(owner_catalogue)
def put_term(kind, name):
    from chalicelib.bootstrap import container

    request = owner_catalogue.current_request
    return container().reference.put_term(kind, name, request.json_body, ("owner", "api", correlation_id(request)))


@owner_catalogue.route("/owner/gst-rates", methods=["PUT"])
@owner_api(owner_catalogue)
def put_rate():
    from chalicelib.bootstrap import container

    request = owner_catalogue.current_request
    return container().reference.put_gst_rate(request.json_body, ("owner", "api", correlation_id(request)))
