"""Signed owner links: an HMAC-SHA256 token binding an order id, an action, an expiry and a nonce.

Token = base64url(JSON claims) "." base64url(HMAC-SHA256(secret, that first part)). The claims are readable (they
hold nothing secret) but cannot be changed without the secret. A link works once: the nonce is claimed with a
first-writer-wins write when the owner presses the button (not when the page is opened, so link previews and
prefetchers change nothing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

ACTIONS = ("approve", "reject")


class LinkError(Exception):
    """A link that must not be acted on; ``kind`` says why, for the page shown to the owner."""

    kind = "invalid"


class LinkTampered(LinkError):
    kind = "tampered"


class LinkExpired(LinkError):
    kind = "expired"


class WrongAction(LinkError):
    kind = "wrong-action"


class LinkUsed(LinkError):
    kind = "used"


@dataclass(frozen=True)
class LinkClaims:
    order_id: str
    action: str
    expires_at: int  # epoch seconds
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_link(order_id: str, action: str, expires_at: int, secret: str, nonce: str | None = None) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    claims = {"o": order_id, "a": action, "e": int(expires_at), "n": nonce or secrets.token_urlsafe(12)}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify_link(token: str, secret: str, now: float, action: str | None = None) -> LinkClaims:
    """The claims of a genuine, unexpired link for ``action``; raises LinkTampered / LinkExpired / WrongAction."""
    body, dot, mac = (token or "").partition(".")
    if not dot or not secret:
        raise LinkTampered("malformed link")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        claims = json.loads(_unb64(body))
        parsed = LinkClaims(str(claims["o"]), str(claims["a"]), int(claims["e"]), str(claims["n"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise LinkTampered("malformed link") from exc
    if not hmac.compare_digest(expected, given):
        raise LinkTampered("the link's signature does not match")
    if now > parsed.expires_at:
        raise LinkExpired("the link has expired")
    if action is not None and parsed.action != action:
        raise WrongAction(f"this is a {parsed.action} link, not a {action} link")
    return parsed
