"""What the owner may send the owner API, checked at the door: each check raises BadRequest with a reason the owner
can act on (the API answers 400 with it), so nothing bad reaches the tables customers' orders read.

Catalogue terms: a name of 1 to 40 letters, digits and spaces (normalised: NFC, lower-case, one space), display
names and aliases of at most 40 characters, at most 30 aliases; a material's HSN code has 4, 6 or 8 digits and a
GST rate on file. GST rates: finite, 0 to 40 % (the slabs since 22 September 2025 are 0, 5, 18 and 40, with
special rates below 5), an ISO date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from chalicelib.domain.catalogue import Term, normalise
from chalicelib.domain.errors import BadRequest

MAX_NAME = 40
MAX_ALIASES = 30
MAX_DESCRIPTION = 200
MAX_REASON = 300
MAX_GST_PERCENT = Decimal(40)
HSN = re.compile(r"\d{4}(\d{2}){0,2}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def require_object(body: object, fields: str) -> dict:
    """``body`` when it is a JSON object; otherwise a BadRequest naming the fields expected."""
    if not isinstance(body, dict):
        raise BadRequest(f"send a JSON object with {fields}")
    return body


def optional_text(body: dict, field: str, limit: int) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{field} is text")
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if len(value) > limit:
        raise BadRequest(f"{field} has at most {limit} characters")
    return value or None


def decision_reason(body: object) -> str | None:
    """The optional reason of a rejection: text of at most 300 characters."""
    if body is None:
        return None
    return optional_text(require_object(body, "an optional reason"), "reason", MAX_REASON)


def term_name(name: object, field: str = "name") -> str:
    if not isinstance(name, str):
        raise BadRequest(f"{field} is text")
    text = normalise(name)
    if not text or len(text) > MAX_NAME:
        raise BadRequest(f"{field} has 1 to {MAX_NAME} characters")
    if not all(ch.isalnum() or ch == " " or unicodedata.category(ch).startswith("M") for ch in text):
        raise BadRequest(f"{field} {text!r} may hold letters, digits and spaces only")
    return text


def term(kind: object, name: object, body: object, has_gst_rate: Callable[[str], bool]) -> Term:
    """A material or colour term from the owner's PUT; raises BadRequest."""
    if kind not in ("material", "color"):
        raise BadRequest("kind is 'material' or 'color'")
    body = require_object(body, "hi, hinglish, aliases (and hsn for a material)")
    canonical = term_name(name)
    aliases = body.get("aliases") or []
    if not isinstance(aliases, list) or len(aliases) > MAX_ALIASES:
        raise BadRequest(f"aliases is a list of at most {MAX_ALIASES} names")
    aliases = tuple(dict.fromkeys(term_name(a, "each alias") for a in aliases))
    hsn = None
    if kind == "material":
        hsn = body.get("hsn")
        hsn = str(hsn) if isinstance(hsn, int) and not isinstance(hsn, bool) else hsn
        if not isinstance(hsn, str) or not HSN.fullmatch(hsn):
            raise BadRequest("a material needs its HSN code: 4, 6 or 8 digits (e.g. 5208)")
        if not has_gst_rate(hsn):
            raise BadRequest(f"HSN {hsn} has no GST rate on file; add it first with PUT /owner/gst-rates")
    return Term(
        kind=kind,
        name=canonical,
        hi=optional_text(body, "hi", MAX_NAME) or canonical,
        hinglish=optional_text(body, "hinglish", MAX_NAME) or canonical,
        aliases=aliases,
        hsn=hsn,
    )


def gst_rate_fields(body: object) -> dict[str, str]:
    """hsn, rate_percent, effective_from and description from the owner's PUT, checked; raises BadRequest."""
    body = require_object(body, "hsn, rate_percent and effective_from")
    missing = [f for f in ("hsn", "rate_percent", "effective_from") if body.get(f) in (None, "")]
    if missing:
        raise BadRequest("need hsn, rate_percent and effective_from: missing " + ", ".join(missing))
    hsn = body["hsn"]
    hsn = str(hsn) if isinstance(hsn, int) and not isinstance(hsn, bool) else hsn
    if not isinstance(hsn, str) or not HSN.fullmatch(hsn):
        raise BadRequest("hsn is a 4, 6 or 8 digit HSN code")
    rate = _percent(body["rate_percent"])
    when = body["effective_from"]
    try:
        if not isinstance(when, str) or not ISO_DATE.fullmatch(when):
            raise ValueError
        effective = date.fromisoformat(when)
    except ValueError:
        raise BadRequest("effective_from is a date written YYYY-MM-DD") from None
    return {
        "hsn": hsn,
        "rate_percent": str(rate),
        "effective_from": effective.isoformat(),
        "description": optional_text(body, "description", MAX_DESCRIPTION) or "",
    }


def _percent(value: object) -> Decimal:
    reason = f"rate_percent is a number from 0 to {MAX_GST_PERCENT} (percent) with at most two decimals"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRequest(reason)
    try:
        rate = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise BadRequest(reason) from None
    if not rate.is_finite() or not Decimal(0) <= rate <= MAX_GST_PERCENT or rate != rate.quantize(Decimal("0.01")):
        raise BadRequest(reason)
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate


CUSTOMER_FIELDS = "name, gstin, state_code"


def customer_details(body: object) -> dict:
    """name, gstin and state_code of the owner's PUT, as text or None; raises BadRequest."""
    body = require_object(body, CUSTOMER_FIELDS)
    details = {
        "name": optional_text(body, "name", 100),
        "gstin": optional_text(body, "gstin", 15),
        "state_code": optional_text(body, "state_code", 2),
    }
    if details["gstin"]:
        details["gstin"] = details["gstin"].upper()
    return details
