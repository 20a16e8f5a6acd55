"""Meta's X-Hub-Signature-256: HMAC-SHA256 of the raw request bytes keyed with the app secret."""

from __future__ import annotations

import hashlib
import hmac


def sign(raw_body: bytes, secret: str) -> str:
    """The header value Meta would send for ``raw_body``: 'sha256=<hex>'."""
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def is_valid(raw_body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time comparison over the bytes received, never over re-serialised JSON."""
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(raw_body, secret).encode(), header.strip().encode())
