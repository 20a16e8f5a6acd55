"""Settings on a real stage: missing or placeholder values are named and refused; the webhook handshake never
accepts an empty or unset verify token."""

import json

import pytest

from chalicelib import bootstrap
from chalicelib.config import REQUIRED, load_settings
from tests.conftest import PREFIX, ROOT

COMPLETE = {
    "STAGE": "dev",
    "WHATSAPP_VERIFY_TOKEN": "verify-8c1f",
    "WHATSAPP_APP_SECRET": "secret-51aa",
    "WHATSAPP_TOKEN": "EAAG-token",
    "WHATSAPP_PHONE_NUMBER_ID": "109876543210",
    "OWNER_PHONE": "919811122233",
    "OWNER_API_KEY": "owner-key-77",
    "LINK_SIGNING_SECRET": "link-secret-0d",
    "PUBLIC_BASE_URL": "https://abc123.execute-api.ap-south-1.amazonaws.com/api",
    "SUPPLIER_NAME": "Shree Ganesh Textiles",
    "SUPPLIER_ADDRESS": "4 Ring Road, Surat",
    "SUPPLIER_GSTIN": "24ABCDE1234F1Z5",
    "SUPPLIER_STATE": "Gujarat",
    "SUPPLIER_STATE_CODE": "24",
}


@pytest.fixture
def bare_environment(monkeypatch):
    """No setting from the environment (the e2e stack of the same session exports its local ones)."""
    for name in (*REQUIRED, "SETTINGS_PATH", "STAGE", "SUPPLIER_PHONE", "GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    # app.py names its queues from RESOURCE_PREFIX when first imported; the session's e2e stack expects its own.
    monkeypatch.setenv("RESOURCE_PREFIX", PREFIX)
    monkeypatch.setattr(bootstrap, "_container", None)
    bootstrap.settings.cache_clear()
    yield
    bootstrap.settings.cache_clear()


def test_the_local_stage_needs_nothing():
    assert load_settings({"STAGE": "local"}).missing() == []


def test_a_real_stage_without_settings_names_every_missing_one():
    assert load_settings({"STAGE": "dev"}).missing() == list(REQUIRED)


def test_a_real_stage_with_every_setting_misses_nothing():
    assert load_settings(COMPLETE).missing() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUPPLIER_GSTIN", "24AAAAA0000A1Z5"),  # the demo shop's
        ("SUPPLIER_NAME", "Bharat Textiles (demo)"),
        ("WHATSAPP_APP_SECRET", "CHANGE_ME"),
        ("LINK_SIGNING_SECRET", "local-link-secret-not-real"),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        ("OWNER_PHONE", "  "),
    ],
)
def test_placeholders_count_as_missing(name, value):
    assert load_settings(COMPLETE | {name: value}).missing() == [name]


def test_a_real_stage_never_falls_back_to_the_demo_shop():
    supplier = load_settings({"STAGE": "dev"}).supplier
    assert supplier["name"] == "" and supplier["gstin"] == ""


def test_health_on_a_real_stage_without_settings_answers_503_naming_them(bare_environment):
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
        response = client.http.get("/health")
    body = json.loads(response.body)
    assert response.status_code == 503
    assert body["missing"] == list(REQUIRED)
    assert "EAAG" not in response.body.decode()


def test_a_real_stage_without_settings_refuses_the_webhook_the_owner_api_and_the_handshake(bare_environment):
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
        webhook = client.http.post("/webhook", headers={"content-type": "application/json"}, body=b"{}")
        owner = client.http.get("/owner/stock", headers={"authorization": "Bearer "})
        handshake = client.http.get("/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=")
    for response in (webhook, owner, handshake):
        assert response.status_code == 503 and "WHATSAPP_VERIFY_TOKEN" in json.loads(response.body)["missing"]


def test_a_container_is_never_built_for_a_real_stage_without_settings(bare_environment, monkeypatch):
    from chalicelib.config import SettingsIncomplete

    monkeypatch.setenv("STAGE", "prod")
    with pytest.raises(SettingsIncomplete) as refused:
        bootstrap.container()
    assert "SUPPLIER_GSTIN" in refused.value.missing


@pytest.mark.parametrize("sent", [None, "", "verify-8c1"])
def test_the_webhook_handshake_answers_only_the_configured_token(bare_environment, monkeypatch, sent):
    from chalice.test import Client

    from app import app

    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    query = "hub.mode=subscribe&hub.challenge=42" + ("" if sent is None else f"&hub.verify_token={sent}")
    with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
        refused = client.http.get(f"/webhook?{query}")
        accepted = client.http.get("/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=verify-8c1f")
    assert refused.status_code == 403 and refused.body != b"42"
    assert accepted.status_code == 200 and accepted.body == b"42"


def test_the_handshake_check_refuses_an_empty_token_against_an_unset_one():
    """Belt and braces below the stage guard: compare_digest('', '') is True, the check is not."""
    from chalicelib.web.webhook import token_matches

    assert not token_matches("", "")
    assert not token_matches(None, "")
    assert token_matches("t0k", "t0k")


# --- the webhook's function URL (app.receive_webhook, payload format 2.0) --------------------------------------------
def url_event(method: str, path: str = "/", query: dict | None = None, body: str | None = None, **extra) -> dict:
    return {
        "version": "2.0",
        "rawPath": path,
        "headers": extra.pop("headers", {}),
        "queryStringParameters": query,
        "requestContext": {"http": {"method": method, "path": path}, "requestId": "r-1"},
        "body": body,
        "isBase64Encoded": extra.pop("base64", False),
    }


def test_the_function_url_without_settings_acts_on_nothing(bare_environment, monkeypatch):
    from app import receive_webhook

    monkeypatch.setenv("STAGE", "dev")
    answer = receive_webhook(url_event("POST", body="{}"), None)
    assert answer["statusCode"] == 503 and "WHATSAPP_APP_SECRET" in json.loads(answer["body"])["missing"]


def test_the_function_url_answers_the_handshake_refuses_bad_signatures_and_odd_requests(bare_environment, monkeypatch):
    import base64
    from types import SimpleNamespace

    from app import receive_webhook
    from chalicelib.adapters.memory import InMemoryIdempotency, InMemoryMessageLog, InMemoryQueue
    from chalicelib.domain.signature import sign
    from chalicelib.services.inbound import InboundService
    from tests.conftest import SAMPLES

    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    queue = InMemoryQueue()
    inbound = InboundService(
        InMemoryIdempotency(), queue, InMemoryMessageLog(), COMPLETE["WHATSAPP_APP_SECRET"], ttl_seconds=3600
    )
    desk = SimpleNamespace(inbound=inbound, settings=SimpleNamespace(whatsapp_verify_token="verify-8c1f"))
    monkeypatch.setattr(bootstrap, "container", lambda: desk)
    raw = (SAMPLES / "meta-inbound-text.json").read_bytes()
    signed = {"x-hub-signature-256": sign(raw, COMPLETE["WHATSAPP_APP_SECRET"])}
    query = {"hub.mode": "subscribe", "hub.challenge": "42"}
    accepted = receive_webhook(url_event("GET", query=query | {"hub.verify_token": "verify-8c1f"}), None)
    refused = receive_webhook(url_event("GET", query=query | {"hub.verify_token": ""}), None)
    unsigned = receive_webhook(url_event("POST", "/webhook", body="{}"), None)
    forged = receive_webhook(
        url_event(
            "POST",
            body=base64.b64encode(b"{}").decode(),
            base64=True,
            headers={"X-Hub-Signature-256": "sha256=" + "0" * 64},
        ),
        None,
    )
    elsewhere = receive_webhook(url_event("POST", "/owner/stock", body="{}"), None)
    put = receive_webhook(url_event("PUT", body="{}"), None)

    assert (accepted["statusCode"], accepted["body"]) == (200, "42")
    assert refused["statusCode"] == 403 and refused["body"] != "42"
    assert unsigned["statusCode"] == 401 and forged["statusCode"] == 403
    assert elsewhere["statusCode"] == 404 and put["statusCode"] == 405
    assert queue.sent == []

    taken = receive_webhook(url_event("POST", body=raw.decode(), headers=signed), None)
    again = receive_webhook(url_event("POST", body=base64.b64encode(raw).decode(), base64=True, headers=signed), None)
    assert taken["statusCode"] == again["statusCode"] == 200
    assert (json.loads(taken["body"])["queued"], json.loads(again["body"])["duplicates"]) == (1, 1)
    assert len(queue.sent) == 1
