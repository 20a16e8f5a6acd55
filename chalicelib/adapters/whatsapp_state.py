"""What the WhatsApp client needs to know besides the outbox: each contact's last inbound time (the 24-hour window),
which templates Meta approved (from template webhooks), and whether sends fail for a reason a person must fix."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

TEMPLATE_CACHE_SECONDS = 60
HEALTH_KEY = "health#whatsapp"
HEALTH_TTL_SECONDS = 15 * 60  # an auth failure keeps health red this long; every new failure renews it


class DynamoWindow:
    """The contact's ``last_inbound_at`` from the customers table (written in the same transaction as each handled
    message, for customers and the owner alike)."""

    def __init__(self, tables):
        self._t = tables

    def last_inbound(self, contact: str) -> str | None:
        from pynamodb.exceptions import DoesNotExist

        CustomerRecord = self._t.CustomerRecord

        try:
            return CustomerRecord.get(
                contact, consistent_read=True, attributes_to_get=["last_inbound_at"]
            ).last_inbound_at
        except DoesNotExist:
            return None


class DynamoTemplateRegistry:
    """Template statuses in the catalogue table (kind ``wa_template``, key ``name#language``), cached a minute."""

    KIND = "wa_template"

    def __init__(self, tables, clock=time.monotonic):
        self._t = tables
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: tuple[float, dict] | None = None

    def record(self, name: str, language: str, status: str | None = None, category: str | None = None, **extra) -> None:
        """Store what a template webhook (or a sync answer) said; unspecified fields stay as they were."""
        from pynamodb.exceptions import DoesNotExist

        CatalogueRecord = self._t.CatalogueRecord

        key = f"{name}#{language}"
        try:
            data = dict(CatalogueRecord.get(self.KIND, key, consistent_read=True).data or {})
        except DoesNotExist:
            data = {"name": name, "language": language}
        if status:
            data["status"] = status.upper()
        if category:
            data["category"] = category.upper()
        data.update({k: v for k, v in extra.items() if v is not None})
        data["updated_at"] = datetime.now(UTC).isoformat()
        CatalogueRecord(self.KIND, key, data=data).save()
        with self._lock:
            self._cache = None

    def all(self) -> dict[str, dict]:
        with self._lock:
            if self._cache is not None and self._clock() - self._cache[0] < TEMPLATE_CACHE_SECONDS:
                return self._cache[1]
        CatalogueRecord = self._t.CatalogueRecord

        found = {r.key: dict(r.data or {}) for r in CatalogueRecord.query(self.KIND)}
        with self._lock:
            self._cache = (self._clock(), found)
        return found

    def usable(self, name: str, language: str) -> bool:
        data = self.all().get(f"{name}#{language}") or {}
        return data.get("status") == "APPROVED" and data.get("category", "UTILITY") == "UTILITY"


class DynamoHealthFlag:
    """An item in the idempotency table while sends fail for a reason only a person can fix (token, permission)."""

    def __init__(self, tables):
        self._t = tables

    def unhealthy(self, code: int | None, reason: str) -> None:
        ProcessedKey = self._t.ProcessedKey

        ProcessedKey(
            HEALTH_KEY,
            kind="health",
            created_at=datetime.now(UTC).isoformat(),
            detail={"code": code, "reason": reason, "epoch": time.time()},
            expires_at=datetime.fromtimestamp(time.time() + HEALTH_TTL_SECONDS, UTC),
        ).save()

    def problem(self) -> dict | None:
        """What is wrong, while it is recent; None when WhatsApp sends are healthy."""
        from pynamodb.exceptions import DoesNotExist

        ProcessedKey = self._t.ProcessedKey

        try:
            detail = ProcessedKey.get(HEALTH_KEY, consistent_read=True).detail or {}
        except DoesNotExist:
            return None
        if time.time() - float(detail.get("epoch", 0)) > HEALTH_TTL_SECONDS:
            return None
        return detail


class DynamoContacts:
    """A contact's other identifier, updated when Meta reports a change (``user_changed_number`` gives the new
    phone; ``user_changed_user_id`` the new BSUID, which is also recorded as an alias of the stable contact id)."""

    def __init__(self, tables):
        self._t = tables

    def change_identity(self, change) -> None:
        from pynamodb.exceptions import UpdateError

        CustomerRecord = self._t.CustomerRecord

        ProcessedKey = self._t.ProcessedKey
        from chalicelib.adapters.dynamo_repos import is_condition_failure

        actions = []
        if change.new_phone:
            actions.append(CustomerRecord.wa_phone.set(change.new_phone))
        if change.new_user_id:
            actions.append(CustomerRecord.user_id.set(change.new_user_id))
        if not actions or not change.contact:
            return
        try:
            CustomerRecord(change.contact).update(actions=actions, condition=CustomerRecord.phone.exists())
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise
            return  # a contact the shop never kept: nothing to update
        if change.new_user_id and change.new_user_id != change.contact:
            ProcessedKey(
                f"contact#{change.new_user_id}",
                kind="contact-alias",
                created_at=datetime.now(UTC).isoformat(),
                detail={"contact": change.contact},
            ).save()

    def by_phone(self, phone: str) -> str | None:
        """The key of the customer keyed by a BSUID whose phone is ``phone`` (a scan with a filter: a shop has
        hundreds of customers, and the owner asks rarely; a sparse index on wa_phone is the next step)."""
        CustomerRecord = self._t.CustomerRecord
        found = next(iter(CustomerRecord.scan(CustomerRecord.wa_phone == phone, limit=None)), None)
        return found.phone if found is not None else None

    def resolve(self, identifier: str) -> str:
        """The stable contact id for an identifier (an alias written by an identity change), else itself."""
        from pynamodb.exceptions import DoesNotExist

        ProcessedKey = self._t.ProcessedKey

        try:
            return (ProcessedKey.get(f"contact#{identifier}").detail or {}).get("contact") or identifier
        except DoesNotExist:
            return identifier
