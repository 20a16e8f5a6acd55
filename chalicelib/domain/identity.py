"""Who a customer is on WhatsApp: a phone number (E.164 digits) or Meta's business-scoped user id (BSUID).

One validation for every door (owner API, webhook, CLI), so a customer is one key everywhere:

- a phone number is stored as its E.164 digits without '+': 8 to 15 digits, not starting with 0
  (``+91 98123-45678`` → ``919812345678``); spaces, hyphens, dots and brackets an owner types are dropped;
- a BSUID is kept exactly as Meta sent it: a two-letter ISO country code, a period, then up to 128 letters and
  digits (``US.13491208655302741918``); a parent BSUID shared by managed businesses carries ``ENT.`` after the
  country (``US.ENT.11815799212886844830``). Meta says to store and send it back unchanged, so it is not
  upper- or lower-cased here.
"""

from __future__ import annotations

import re

from chalicelib.domain.errors import BadRequest

PHONE = re.compile(r"[1-9]\d{7,14}")
BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
_SEPARATORS = re.compile(r"[\s\-.()]")


class InvalidCustomerId(BadRequest):
    """Neither a phone number nor a BSUID."""


def is_bsuid(value: str) -> bool:
    return bool(BSUID.fullmatch(value))


def customer_id(value: object) -> str:
    """The canonical customer id of ``value``; raises InvalidCustomerId with a reason the owner can act on."""
    if not isinstance(value, str) or not value.strip() or len(value) > 140:
        raise InvalidCustomerId("a customer is a WhatsApp phone number (e.g. 919812345678) or a BSUID (e.g. IN.1234…)")
    text = value.strip()
    if is_bsuid(text):
        return text
    digits = _SEPARATORS.sub("", text).removeprefix("+")
    if PHONE.fullmatch(digits):
        return digits
    raise InvalidCustomerId(
        f"{text[:40]!r} is neither a phone number with its country code (8 to 15 digits, e.g. 919812345678) "
        "nor a WhatsApp BSUID (e.g. IN.13491208655302741918)"
    )
