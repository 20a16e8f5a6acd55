"""Structured JSON logging through Powertools Logger, with phone numbers masked."""

from __future__ import annotations

import re
from functools import cache

_PHONE = re.compile(r"(?<!\d)(\d{2})\d{4,8}(\d{4})(?!\d)")


def mask_phone(phone: str | None) -> str:
    """'919812345678' -> '91******5678': enough to tell customers apart in logs, not enough to call them."""
    if not phone:
        return ""
    digits = str(phone)
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:2] + "*" * (len(digits) - 6) + digits[-4:]


def mask_phones_in(text: str) -> str:
    """Mask every phone-number-like run of 10 to 14 digits inside free text."""
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


@cache
def get_logger(service: str = "bharatbiz"):
    """The process's Powertools Logger (JSON lines); built on first use so importing this module stays cheap."""
    from aws_lambda_powertools.logging import Logger

    return Logger(service=service)
