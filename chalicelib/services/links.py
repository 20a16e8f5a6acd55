"""Use case: the owner's signed approve/reject links — signing them, opening one (it only shows), and spending one
(first writer wins) to queue its decision. A link whose decision could not be queued is given back, so the owner's
retry is not told "used" while nothing was decided."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chalicelib.services.ports import DecisionRequestsPort, DeskSettings, IdempotencyPort

ACTIONS = ("approve", "reject")


def sign_links(order_id: str, now: datetime, settings: DeskSettings) -> dict[str, str]:
    """The Approve and Reject URLs of an order, valid for ``settings.link_ttl_hours`` from ``now``."""
    from chalicelib.domain.links import sign_link

    expires = int((now + timedelta(hours=settings.link_ttl_hours)).timestamp())
    return {
        action: f"{settings.public_base_url}/o/{sign_link(order_id, action, expires, settings.link_signing_secret)}"
        for action in ACTIONS
    }


class ApprovalLinks:
    def __init__(
        self,
        *,
        idempotency: IdempotencyPort,
        decisions: DecisionRequestsPort,
        settings: DeskSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._idempotency = idempotency
        self._decisions = decisions
        self._settings = settings
        self._clock = clock

    def links(self, order_id: str, now: datetime | None = None) -> dict[str, str]:
        return sign_links(order_id, now or self._clock(), self._settings)

    def open_link(self, token: str) -> tuple:
        """(claims, used) of a genuine, unexpired link; raises a LinkError for a tampered/expired one."""
        from chalicelib.domain.links import verify_link

        claims = verify_link(token, self._settings.link_signing_secret, self._clock().timestamp())
        return claims, self._idempotency.exists(_key(claims.nonce))

    def use_link(self, token: str, action: str, reason: str | None = None):
        """Verify the link for ``action``, spend it (first writer wins) and queue the decision.
        Raises LinkTampered / LinkExpired / WrongAction / LinkUsed, or NotFound; nothing changes then."""
        from chalicelib.domain.links import LinkUsed, verify_link

        now = self._clock().timestamp()
        claims = verify_link(token, self._settings.link_signing_secret, now, action)
        ttl = max(60, claims.expires_at - int(now)) + 86400
        if self._idempotency.claim(_key(claims.nonce), "link", ttl, {"order_id": claims.order_id}) is not None:
            raise LinkUsed("this link was used already")
        try:
            self._decisions.request(claims.order_id, action, "link", reason)
        except Exception:
            self._idempotency.release(_key(claims.nonce))  # not queued: give the link back
            raise
        return claims


def _key(nonce: str) -> str:
    return f"link#{nonce}"
