"""The owner API's one error map: BadRequest answers 400 with its reason, NotFound 404; any other error is a bug."""

import pytest
from chalice import Blueprint
from chalice.test import Client

from chalicelib.domain.errors import BadRequest, NotFound
from chalicelib.web.owner_auth import owner_api

KEY = {"Authorization": "Bearer local-owner-key-not-real"}


@pytest.fixture
def client(monkeypatch):
    from chalice import Chalice

    from chalicelib import bootstrap
    from chalicelib.config import Settings

    monkeypatch.setattr(bootstrap, "_container", bootstrap.Container(Settings(owner_api_key=KEY["Authorization"][7:])))
    app = Chalice("owner-api-errors")
    routes = Blueprint(__name__)

    @routes.route("/raise/{kind}")
    @owner_api(routes)
    def raising(kind):
        raise {"bad": BadRequest("rolls must be a whole number"), "missing": NotFound("no order X")}.get(
            kind, ValueError("a bug, not the caller's input")
        )

    # Only a blueprint of its own: registering a real one (owner_orders) here first made Chalice pop its routes'
    # 'methods', so the app imported later served POST /owner/orders/{id}/reject as GET-only (405). An unknown
    # order state answering 400 is shown over HTTP by tests/integration/test_owner_input_http.py.
    app.register_blueprint(routes)
    with Client(app) as test_client:
        yield test_client


def test_bad_input_is_a_400_with_its_reason(client):
    answer = client.http.get("/raise/bad", headers=KEY)
    assert answer.status_code == 400 and answer.json_body == {"error": "rolls must be a whole number"}


def test_something_missing_is_a_404(client):
    assert client.http.get("/raise/missing", headers=KEY).status_code == 404


def test_a_plain_value_error_is_not_taken_for_bad_input(client):
    assert client.http.get("/raise/other", headers=KEY).status_code == 500
