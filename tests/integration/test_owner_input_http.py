"""Hostile and careless owner input over HTTP: each answers 400 with its reason and writes nothing."""

import json
import uuid

import pytest

from devstack.client import http


def owner(client, method, path, body=None, raw=None, headers=None):
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {client.info['owner_api_key']}",
        **(headers or {}),
    }
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    status, answer = http(method, client.info["app_url"] + path, data, headers)
    return status, json.loads(answer) if answer else None


def row(lot, **changes):
    base = {
        "material": "cotton",
        "color": "blue",
        "dye_lot": lot,
        "rolls": 2,
        "meters_per_roll": 40,
        "price_per_meter": "150",
        "received_on": "2025-06-01",
    }
    return base | changes


def lots_on_the_books(client, lot):
    return [b for b in owner(client, "GET", "/owner/stock")[1]["batches"] if (b["dye_lot"] or "").startswith(lot)]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"rolls": 10**30}, "rolls can be at most 10,000"),
        ({"meters_per_roll": 10**27}, "meters_per_roll can be at most 1,000"),
        ({"loose_meters": 100001}, "loose_meters can be at most 100,000"),
        ({"price_per_meter": 10**27}, "price_per_meter can be at most 100,000"),
        ({"price_per_meter": "99.999"}, "two decimals"),
        ({"hsn": "9999"}, "no GST rate"),
    ],
)
def test_an_unbounded_stock_row_answers_400_naming_its_row_and_imports_nothing(client, bad, words):
    lot = f"V-{uuid.uuid4().hex[:6].upper()}"
    status, body = owner(client, "POST", "/owner/stock/batches", [row(lot + "-1"), row(lot + "-2", **bad)])
    assert status == 400, body
    assert [r["line"] for r in body["rows"]] == [2] and words in body["rows"][0]["reason"]
    assert lots_on_the_books(client, lot) == []


def test_rows_that_are_not_objects_answer_400_and_nan_too(client):
    lot = f"V-{uuid.uuid4().hex[:6].upper()}"
    raw = json.dumps([row(lot), 5, "x", [1]])[:-1] + ', {"material": "cotton", "rolls": NaN}]'
    status, body = owner(client, "POST", "/owner/stock/batches", raw=raw.encode())
    assert status == 400
    assert {r["line"] for r in body["rows"]} == {2, 3, 4, 5}
    assert lots_on_the_books(client, lot) == []


@pytest.mark.parametrize("body", [{"rows": []}, "rows", 42])
def test_a_stock_import_that_is_not_a_list_answers_400(client, body):
    status, answer = owner(client, "POST", "/owner/stock/batches", body)
    assert status == 400 and "list" in answer["error"]


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/owner/catalogue/material/khadi{}", {"hsn": "1", "aliases": []}, "HSN code"),
        ("/owner/catalogue/material/khadi{}", {"hsn": "9999"}, "no GST rate on file"),
        ("/owner/catalogue/material/khadi{}", ["hsn", "5208"], "JSON object"),
        ("/owner/catalogue/color/teal{}", {"aliases": "teal"}, "aliases"),
        ("/owner/catalogue/color/teal{}", {"aliases": ["x" * 41]}, "40"),
    ],
)
def test_a_bad_catalogue_term_answers_400_and_is_not_stored(client, path, body, words):
    suffix = uuid.uuid4().hex[:6]
    status, answer = owner(client, "PUT", path.format(suffix), body)
    assert status == 400 and words in answer["error"], answer
    catalogue = owner(client, "GET", "/owner/catalogue")[1]
    assert not [t for t in catalogue["materials"] + catalogue["colors"] if t["name"].endswith(suffix)]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"hsn": "5208", "rate_percent": NaN, "effective_from": "2031-01-01"}',
        b'{"hsn": "5208", "rate_percent": Infinity, "effective_from": "2031-01-01"}',
        b'{"hsn": "5208", "rate_percent": 41, "effective_from": "2031-01-01"}',
        b'{"hsn": "5208", "rate_percent": 1e30, "effective_from": "2031-01-01"}',
        b'{"hsn": "1", "rate_percent": 5, "effective_from": "2031-01-01"}',
        b'{"hsn": "5208", "rate_percent": 5, "effective_from": "soon"}',
        b'[{"hsn": "5208", "rate_percent": 5, "effective_from": "2031-01-01"}]',
        b"[]",
    ],
)
def test_a_bad_gst_rate_answers_400_and_is_not_stored(client, raw):
    status, answer = owner(client, "PUT", "/owner/gst-rates", raw=raw)
    assert status == 400, answer
    rates = owner(client, "GET", "/owner/catalogue")[1]["gst_rates"]
    assert not [r for r in rates if r["effective_from"] == "2031-01-01"]


@pytest.mark.parametrize("who", ["abc", "12345", "0000000000", "US.", "919812345678999999"])
def test_a_customer_id_that_is_neither_a_phone_nor_a_bsuid_answers_400_and_creates_nobody(client, who):
    status, answer = owner(client, "PUT", f"/owner/customers/{who}", {"name": "X"})
    assert status == 400 and "phone number" in answer["error"]
    assert owner(client, "GET", f"/owner/customers/{who}")[0] == 400
    from chalicelib.bootstrap import container

    assert container().conversation_store.customer(who) == {}


def test_a_bsuid_customer_can_be_given_gst_details(client):
    bsuid = "IN." + uuid.uuid4().hex[:20]
    status, answer = owner(client, "PUT", f"/owner/customers/{bsuid}", {"name": "Username Only", "state_code": "24"})
    assert status == 200 and answer["phone"] == bsuid


@pytest.mark.parametrize("body", [[], {"name": ["x"]}, {"name": "x" * 101}, {"gstin": 5}])
def test_bad_customer_details_answer_400(client, phone, body):
    status, answer = owner(client, "PUT", f"/owner/customers/{phone}", body)
    assert status == 400, answer
    assert owner(client, "GET", f"/owner/customers/{phone}")[1]["name"] is None


def test_a_rejection_reason_that_is_not_text_answers_400(client):
    status, answer = owner(client, "POST", "/owner/orders/ORD-NOPE/reject", {"reason": {"x": 1}})
    assert status == 400 and "reason" in answer["error"]


@pytest.mark.parametrize("state", ["", "NOPE", "x" * 300])
def test_listing_orders_in_a_state_that_does_not_exist_answers_400(client, state):
    status, answer = owner(client, "GET", f"/owner/orders?state={state}")
    assert status == 400 and "WAITING_OWNER_CONFIRMATION" in answer["error"]
