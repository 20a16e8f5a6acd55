"""Every template under chalicelib/templates is valid for Meta's API, and the check really catches what Meta refuses."""

import copy

import pytest

from chalicelib.domain.templates import TemplateError, TemplateSpec, clean_parameter, problems
from chalicelib.templates import load_templates

TEMPLATES = load_templates()


def test_the_product_declares_every_template_it_sends():
    assert {
        "owner_new_order",
        "owner_order_note",
        "invoice_document",
        "payment_reminder",
        "payment_received",
        "order_approved",
        "order_rejected",
        "order_expired",
    } <= set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_keeps_to_metas_documented_limits(name):
    assert problems(TEMPLATES[name]) == []


def test_the_owners_notification_has_approve_and_reject_url_buttons_ending_in_the_token():
    buttons = TEMPLATES["owner_new_order"].components("en", {"PUBLIC_BASE_URL": "https://shop.example"})[-1]
    assert [(b["type"], b["text"], b["url"]) for b in buttons["buttons"]] == [
        ("URL", "Approve", "https://shop.example/o/{{1}}"),
        ("URL", "Reject", "https://shop.example/o/{{1}}"),
    ]


def test_the_invoice_template_has_a_document_header():
    header = TEMPLATES["invoice_document"].components("en")[0]
    assert (header["type"], header["format"]) == ("HEADER", "DOCUMENT")


def broken(edit) -> TemplateSpec:
    data = {
        "name": "owner_new_order",
        "category": "UTILITY",
        "parameters": {
            "body": list(TEMPLATES["owner_new_order"].body),
            "buttons": list(TEMPLATES["owner_new_order"].buttons),
        },
        "languages": copy.deepcopy(TEMPLATES["owner_new_order"].languages),
    }
    edit(data, data["languages"]["en"]["components"])
    return TemplateSpec.from_dict(data)


def _body(components):
    return next(c for c in components if c["type"] == "BODY")


def _buttons(components):
    return next(c for c in components if c["type"] == "BUTTONS")["buttons"]


BREAKAGES = {
    "upper-case name": lambda d, c: d.update(name="Owner_New_Order"),
    "marketing category": lambda d, c: d.update(category="MARKETING"),
    "a missing language": lambda d, c: d["languages"].pop("hi"),
    "a body over 1024 characters": lambda d, c: _body(c).update(
        text="Order {{1}} " + "x" * 1030 + " {{2}}{{3}}{{4}}{{5}}."
    ),
    "a gap in the variables": lambda d, c: _body(c).update(text=_body(c)["text"].replace("{{3}}", "{{7}}")),
    "a body ending in a variable": lambda d, c: _body(c).update(text=_body(c)["text"].rsplit("\n", 1)[0].rstrip(".")),
    "two variables side by side": lambda d, c: _body(c).update(text=_body(c)["text"].replace("{{2}}", "{{2}}{{3}}")),
    "no example": lambda d, c: _body(c).pop("example"),
    "a promotional body": lambda d, c: _body(c).update(text=_body(c)["text"] + " Big discount today!"),
    "a header over 60 characters": lambda d, c: c[0].update(text="x" * 61),
    "a footer with a variable": lambda d, c: next(x for x in c if x["type"] == "FOOTER").update(text="Hi {{1}}"),
    "button text over 25 characters": lambda d, c: _buttons(c)[0].update(text="Approve this order right now"),
    "three URL buttons": lambda d, c: _buttons(c).append(dict(_buttons(c)[0], text="Maybe")),
    "a URL variable not at the end": lambda d, c: _buttons(c)[0].update(url="https://x.test/{{1}}/go"),
    "a URL over 2000 characters": lambda d, c: _buttons(c)[0].update(url="https://x.test/" + "a" * 2000 + "{{1}}"),
    "eleven buttons": lambda d, c: _buttons(c).extend({"type": "QUICK_REPLY", "text": f"q{i}"} for i in range(9)),
    "a copy-code button": lambda d, c: _buttons(c).append({"type": "COPY_CODE", "example": "X"}),
    "an unknown header format": lambda d, c: c[0].update(format="GIF"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_the_check_refuses_what_meta_refuses(breakage):
    assert problems(broken(BREAKAGES[breakage])) != []


def test_a_send_payload_carries_the_parameters_in_order_and_the_tokens_as_url_suffixes():
    values = {
        "order_id": "ORD-1",
        "customer": "Asha (+919812345678)",
        "lines": "1. blue cotton 20 m\n2. red silk 5 m",
        "total": "₹4,410.00",
        "balance": "₹0.00",
        "approve_token": "tok-a",
        "reject_token": "tok-r",
    }
    payload = TEMPLATES["owner_new_order"].payload("919800000001", "en", values)
    components = payload["template"]["components"]
    body = [p["text"] for p in components[0]["parameters"]]
    assert payload["type"] == "template" and payload["template"]["language"] == {"code": "en"}
    assert body[0] == "ORD-1" and "\n" not in body[2]
    assert [(c["sub_type"], c["index"], c["parameters"][0]["text"]) for c in components[1:]] == [
        ("url", "0", "tok-a"),
        ("url", "1", "tok-r"),
    ]


def test_a_send_without_a_value_or_without_its_document_is_refused_before_any_request():
    with pytest.raises(TemplateError):
        TEMPLATES["order_rejected"].payload("91", "en", {"order_id": "ORD-1"})
    with pytest.raises(TemplateError):
        TEMPLATES["invoice_document"].payload("91", "en", {"invoice_number": "1", "order_id": "2", "amount": "3"})


def test_parameters_lose_newlines_tabs_and_long_runs_of_spaces_as_meta_requires():
    assert clean_parameter("a\nb\tc      d") == "a · b · c    d"
    assert clean_parameter("") == "-"
