"""The WhatsApp outbox in DynamoDB: the OutboxPort of chalicelib.adapters.whatsapp with atomic claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamo_repos import is_condition_failure
from chalicelib.adapters.whatsapp import OutboxRecord

TTL = timedelta(days=30)


def _to_record(model, claimed: bool) -> OutboxRecord:
    return OutboxRecord(
        key=model.key,
        to=model.to,
        payload=dict(model.payload or {}),
        status=model.status,
        wamid=model.wamid,
        attempts=int(model.attempts or 0),
        error_code=int(model.error_code) if model.error_code is not None else None,
        claimed=claimed,
    )


class DynamoOutbox:
    """claim: put if absent, or re-arm a failed record, in one conditional write; otherwise return what is there.
    The outbox table is that of ``tables`` (a dynamo_models.Tables)."""

    def __init__(self, tables):
        self._t = tables

    def claim(self, key: str, to: str, payload: dict) -> OutboxRecord:
        OutboxRecordModel = self._t.OutboxRecordModel
        model = OutboxRecordModel(
            key,
            to=to,
            payload=payload,
            status="pending",
            attempts=1,
            created_at=datetime.now(UTC).isoformat(),
            expires_at=TTL,
        )
        try:
            model.save(condition=OutboxRecordModel.key.does_not_exist())
            return _to_record(model, claimed=True)
        except PutError as exc:
            if not is_condition_failure(exc):
                raise
        try:
            existing = OutboxRecordModel(key)
            existing.update(
                actions=[
                    OutboxRecordModel.status.set("pending"),
                    OutboxRecordModel.payload.set(payload),
                    OutboxRecordModel.attempts.add(1),
                    OutboxRecordModel.error_code.remove(),
                ],
                condition=OutboxRecordModel.status == "failed",
            )
            return _to_record(OutboxRecordModel.get(key, consistent_read=True), claimed=True)
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise
        return _to_record(OutboxRecordModel.get(key, consistent_read=True), claimed=False)

    def mark_sent(self, key: str, wamid: str) -> None:
        OutboxRecordModel = self._t.OutboxRecordModel
        self._transition(key, [OutboxRecordModel.status.set("sent"), OutboxRecordModel.wamid.set(wamid)])

    def mark_failed(self, key: str, error_code: int | None, message: str) -> None:
        OutboxRecordModel = self._t.OutboxRecordModel
        actions = [OutboxRecordModel.status.set("failed")]
        if error_code is not None:
            actions.append(OutboxRecordModel.error_code.set(error_code))
        self._transition(key, actions)

    def _transition(self, key: str, actions: list) -> None:
        """Apply unless the record is already sent (sent is final); KeyError for a key never claimed."""
        OutboxRecordModel = self._t.OutboxRecordModel
        try:
            OutboxRecordModel(key).update(
                actions=actions,
                condition=OutboxRecordModel.key.exists() & (OutboxRecordModel.status != "sent"),
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise
            try:
                OutboxRecordModel.get(key, consistent_read=True)
            except DoesNotExist as missing:
                raise KeyError(key) from missing

    def get(self, key: str) -> OutboxRecord | None:
        OutboxRecordModel = self._t.OutboxRecordModel
        try:
            return _to_record(OutboxRecordModel.get(key, consistent_read=True), claimed=False)
        except DoesNotExist:
            return None
