"""The WhatsApp outbox in DynamoDB: the OutboxPort of chalicelib.adapters.whatsapp, every transition one conditional
write, and the sparse ``by-queue`` index that lists pending sends (for the sweep) and undelivered messages (for the
owner's attention list)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamo_repos import is_condition_failure
from chalicelib.adapters.whatsapp import LEASE_SECONDS, MAX_ATTEMPTS, OutboxRecord

TTL = timedelta(days=30)


def _iso(epoch: float | None = None) -> str:
    return datetime.fromtimestamp(epoch if epoch is not None else time.time(), UTC).isoformat()


# Keys every Graph send carries with the same value (and ``to``, the record's own): left out when stored, their
# letters kept in ``_s``, put back exactly when read.
_STANDARD = {"m": ("messaging_product", "whatsapp"), "r": ("recipient_type", "individual")}


def _message(payload: dict, fallback: dict | None, to: str) -> dict:
    """What is sent and its template fallback, packed together: the fallback repeats much of the payload's text,
    so one compressed attribute keeps the record under 1 KB, the unit a write (and a failed condition) is billed by."""

    def lean(body: dict | None) -> dict | None:
        if not body:
            return body
        same = {**dict(_STANDARD.values()), "to": to}
        left_out = {k for k, v in body.items() if k in same and v == same[k]}
        if not left_out:
            return body
        letters = "".join(letter for letter, (key, _) in _STANDARD.items() if key in left_out)
        return {"_s": letters + ("t" if "to" in left_out else "")} | {
            k: v for k, v in body.items() if k not in left_out
        }

    return {"payload": lean(payload), "fallback": lean(fallback)}


def _whole(body: dict | None, to: str) -> dict | None:
    if not body or "_s" not in body:
        return body
    letters, rest = body["_s"], {k: v for k, v in body.items() if k != "_s"}
    restored = {key: value for letter, (key, value) in _STANDARD.items() if letter in letters}
    if "t" in letters:
        restored["to"] = to
    return restored | rest


def _to_record(model, claimed: bool) -> OutboxRecord:
    if model.message:
        message = {k: _whole(v, model.to) for k, v in model.message.items()}
    else:  # a record written before packing
        message = {"payload": model.payload, "fallback": model.fallback}
    return OutboxRecord(
        key=model.key,
        to=model.to,
        payload=dict(message.get("payload") or {}),
        status=model.status,
        wamid=model.wamid,
        attempts=int(model.attempts or 0),
        error_code=int(model.error_code) if model.error_code is not None else None,
        claimed=claimed,
        fallback=dict(message["fallback"]) if message.get("fallback") else None,
        order_id=model.order_id,
        reason=model.reason,
        claimed_at=float(model.claimed_at or 0),
        template_sent=bool(model.template_sent),
        attention=model.queue == "attention",
        failed_at=model.failed_at,
    )


class DynamoOutbox:
    """claim: put if absent; else read it and, if it is failed or a lapsed pending send, re-arm it with one
    conditional update (the condition, not the read, decides who wins). The table is that of ``tables`` (a
    dynamo_models.Tables)."""

    def __init__(self, tables, clock=time.time):
        self._t = tables
        self._clock = clock

    def claim(
        self,
        key: str,
        to: str,
        payload: dict,
        fallback: dict | None = None,
        order_id: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> OutboxRecord:
        OutboxRecordModel = self._t.OutboxRecordModel
        now = self._clock()
        model = OutboxRecordModel(
            key,
            to=to,
            message=_message(payload, fallback, to),
            status="pending",
            attempts=1,
            expires_at=TTL,
            order_id=order_id,
            claimed_at=now,
            queue="pending",
            queue_at=_iso(now),
        )
        try:
            model.save(condition=OutboxRecordModel.key.does_not_exist())
            return _to_record(model, claimed=True)
        except PutError as exc:
            if not is_condition_failure(exc):
                raise
        existing = OutboxRecordModel.get(key, consistent_read=True)
        actions = [
            OutboxRecordModel.status.set("pending"),
            OutboxRecordModel.attempts.add(1),
            OutboxRecordModel.claimed_at.set(now),
            OutboxRecordModel.queue.set("pending"),
            OutboxRecordModel.queue_at.set(_iso(now)),
        ]
        if existing.status == "failed":
            actions += [
                OutboxRecordModel.message.set(
                    _message(payload, fallback or _to_record(existing, False).fallback, existing.to)
                ),
                OutboxRecordModel.payload.remove(),
                OutboxRecordModel.fallback.remove(),
                OutboxRecordModel.error_code.remove(),
                OutboxRecordModel.reason.remove(),
            ]
            condition = (OutboxRecordModel.status == "failed") & (OutboxRecordModel.attempts == existing.attempts)
        elif (
            existing.status == "pending"
            and not existing.wamid
            and float(existing.claimed_at or 0) < now - lease_seconds
            and int(existing.attempts or 0) < max_attempts
        ):
            condition = (
                (OutboxRecordModel.status == "pending")
                & OutboxRecordModel.wamid.does_not_exist()
                & (OutboxRecordModel.claimed_at == existing.claimed_at)
            )
        else:
            return _to_record(existing, claimed=False)
        try:
            existing.update(actions=actions, condition=condition)
            return _to_record(existing, claimed=True)
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise
        return _to_record(OutboxRecordModel.get(key, consistent_read=True), claimed=False)

    def mark_sent(self, key: str, wamid: str, template_sent: bool = False) -> None:
        """One conditional update, applied only to a record that is not sent yet; no read before or after."""
        OutboxRecordModel = self._t.OutboxRecordModel
        actions = [
            OutboxRecordModel.status.set("sent"),
            OutboxRecordModel.wamid.set(wamid),
            OutboxRecordModel.queue.remove(),
            OutboxRecordModel.queue_at.remove(),
        ]
        if template_sent:
            actions.append(OutboxRecordModel.template_sent.set(True))
        try:
            OutboxRecordModel(key).update(
                actions=actions,
                condition=OutboxRecordModel.key.exists() & (OutboxRecordModel.status != "sent"),
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise

    def settle_pending(self, key: str, wamid: str) -> None:
        """A ``sent`` status webhook: one conditional update that applies only to a record still pending (its sender
        died between Graph's 200 and its own update); on every other record the condition fails, at the cost of
        one write unit per started KB of the (lean) item."""
        OutboxRecordModel = self._t.OutboxRecordModel
        try:
            OutboxRecordModel(key).update(
                actions=[
                    OutboxRecordModel.status.set("sent"),
                    OutboxRecordModel.wamid.set(wamid),
                    OutboxRecordModel.queue.remove(),
                    OutboxRecordModel.queue_at.remove(),
                ],
                condition=OutboxRecordModel.status == "pending",
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise

    def mark_failed(
        self, key: str, error_code: int | None, message: str, attention: bool = False, wamid: str | None = None
    ) -> OutboxRecord | None:
        """One conditional update (not when it is failed with this code already); returns the record as it now is."""
        OutboxRecordModel = self._t.OutboxRecordModel
        now = _iso(self._clock())
        actions = [
            OutboxRecordModel.status.set("failed"),
            OutboxRecordModel.reason.set(message[:500]),
            OutboxRecordModel.failed_at.set(now),
        ]
        actions.append(
            OutboxRecordModel.error_code.set(error_code)
            if error_code is not None
            else OutboxRecordModel.error_code.remove()
        )
        if attention:
            actions += [OutboxRecordModel.queue.set("attention"), OutboxRecordModel.queue_at.set(now)]
        else:
            actions += [OutboxRecordModel.queue.remove(), OutboxRecordModel.queue_at.remove()]
        condition = OutboxRecordModel.key.exists()
        if error_code is not None:
            condition &= (OutboxRecordModel.status != "failed") | (OutboxRecordModel.error_code != error_code)
        if wamid is not None:  # a status webhook: only about the message this record holds now
            condition &= OutboxRecordModel.wamid.does_not_exist() | (OutboxRecordModel.wamid == wamid)
        model = OutboxRecordModel(key)
        try:
            model.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise
            return None
        return _to_record(model, claimed=False)

    def get(self, key: str) -> OutboxRecord | None:
        OutboxRecordModel = self._t.OutboxRecordModel
        try:
            return _to_record(OutboxRecordModel.get(key, consistent_read=True), claimed=False)
        except DoesNotExist:
            return None

    def attention(self, limit: int = 100) -> list[OutboxRecord]:
        """Undelivered messages not handled yet, oldest first."""
        OutboxRecordModel = self._t.OutboxRecordModel
        rows = OutboxRecordModel.by_queue.query("attention", limit=limit)
        return [_to_record(r, claimed=False) for r in rows]

    def handled(self, key: str) -> bool:
        """Take a record off the attention list; False when it was not on it."""
        OutboxRecordModel = self._t.OutboxRecordModel
        try:
            OutboxRecordModel(key).update(
                actions=[
                    OutboxRecordModel.queue.remove(),
                    OutboxRecordModel.queue_at.remove(),
                    OutboxRecordModel.handled_at.set(_iso(self._clock())),
                ],
                condition=OutboxRecordModel.queue == "attention",
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise
            return False
        return True

    def stale_pending(self, older_than_seconds: float, limit: int = 50) -> list[OutboxRecord]:
        """Pending sends claimed longer ago than ``older_than_seconds`` (their sender died or never heard back)."""
        OutboxRecordModel = self._t.OutboxRecordModel
        from chalicelib.adapters.dynamo_models import OutboxByQueue

        cutoff = _iso(self._clock() - older_than_seconds)
        rows = OutboxRecordModel.by_queue.query(
            "pending", range_key_condition=OutboxByQueue.queue_at < cutoff, limit=limit
        )
        return [_to_record(r, claimed=False) for r in rows if not r.wamid]
