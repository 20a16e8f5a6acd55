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

    from chalicelib.web.owner_orders import owner_orders

    # Registering binds the blueprint to this app; give it back to the real app afterwards, or the stack's routes
    # of this blueprint would answer from this test's app for the rest of the session.
    real_app = owner_orders._current_app
    app.register_blueprint(routes)
    app.register_blueprint(owner_orders)
    try:
        with Client(app) as test_client:
            yield test_client
    finally:
        owner_orders._current_app = real_app


def test_bad_input_is_a_400_with_its_reason(client):
    answer = client.http.get("/raise/bad", headers=KEY)
    assert answer.status_code == 400 and answer.json_body == {"error": "rolls must be a whole number"}


def test_something_missing_is_a_404(client):
    assert client.http.get("/raise/missing", headers=KEY).status_code == 404


def test_a_plain_value_error_is_not_taken_for_bad_input(client):
    assert client.http.get("/raise/other", headers=KEY).status_code == 500


def test_listing_orders_in_a_state_that_does_not_exist_is_a_400(client):
    answer = client.http.get("/owner/orders?state=SHIPPED", headers=KEY)
    assert answer.status_code == 400 and "WAITING_OWNER_CONFIRMATION" in answer.json_body["error"]
