"""Structured JSON logging through Powertools Logger, scrubbed of what must never reach a log line.

Every line, whatever logged it (our code, Powertools, a library, an exception's traceback, the local access log):
- phone numbers are masked ('91******5678');
- WhatsApp message ids are replaced by a hash ('wamid:3f9a1c0b7e21', see domain/audit.message_ref): a wamid is
  base64 of the customer's number, so masking digits alone would not hide it;
- the owner's approval-link tokens are replaced by '<link-token>' (a token in a log is a working approval);
- registered secrets (the app secret, tokens, API and signing keys) are replaced by '<secret>'.
Powertools lines are scrubbed by their formatter (``ScrubbingFormatter``); standard-library records by a log record
factory installed on first use (``install_scrubbing``), which also scrubs their formatted tracebacks.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache

_PHONE = re.compile(r"(?<!\d)(\d{2})\d{4,9}(\d{4})(?!\d)")
# Meta's business-scoped user id (BSUID): a country code, an optional 'ENT.', then up to 128 letters and digits.
_BSUID = re.compile(r"(?<![A-Za-z0-9.])([A-Z]{2}\.(?:ENT\.)?)[A-Za-z0-9]{2,124}([A-Za-z0-9]{4})(?![A-Za-z0-9])")
_WAMID = re.compile(r"wamid\.[A-Za-z0-9+/=_-]{6,}")
_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def mask_phone(phone: str | None) -> str:
    """'919812345678' -> '91******5678': enough to tell customers apart in logs, not enough to call them."""
    if not phone:
        return ""
    digits = str(phone)
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:2] + "*" * (len(digits) - 6) + digits[-4:]


def mask_phones_in(text: str) -> str:
    """Mask every phone-number-like run of 10 to 15 digits inside free text."""
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def register_secrets(*values: str | None) -> None:
    """Values that must never be printed (settings' secrets); short or empty values are ignored."""
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= 8)


def scrub(text: str) -> str:
    """``text`` with secrets, link tokens, WhatsApp message ids and phone numbers made unreadable."""
    from chalicelib.domain.audit import message_ref

    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "<secret>")
    text = _LINK_TOKEN.sub("<link-token>", text)
    text = _WAMID.sub(lambda m: message_ref(m.group(0)), text)
    text = _BSUID.sub(lambda m: f"{m.group(1)}…{m.group(2)}", text)  # a user's id, like a phone: enough to tell apart
    return mask_phones_in(text)


def install_scrubbing() -> None:
    """Scrub every standard-library log record as it is made (message, arguments and traceback), once a process."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    make_record = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def scrubbed(*args, **kwargs):
        record = make_record(*args, **kwargs)
        try:
            record.msg, record.args = scrub(record.getMessage()), None
        except Exception:  # a record whose arguments do not fit its format: logging reports that itself
            return record
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(formatter.formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(scrubbed)


@cache
def get_logger(service: str = "bharatbiz"):
    """The process's Powertools Logger (JSON lines, scrubbed); built on first use so importing this module stays
    cheap."""
    from aws_lambda_powertools.logging import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class ScrubbingFormatter(LambdaPowertoolsFormatter):
        def serialize(self, log: dict) -> str:
            return scrub(super().serialize(log))

    install_scrubbing()
    return Logger(service=service, logger_formatter=ScrubbingFormatter())
