"""The health check: proves the function can reach its table with a cheap DescribeTable."""

from __future__ import annotations


class TableHealth:
    """Call it for ``{"ok", "table", "status", "stage"}``; DescribeTable errors propagate (the route answers 503)."""

    def __init__(self, dynamodb_client, table: str, stage: str, whatsapp=None):
        self._dynamodb = dynamodb_client
        self._table = table
        self._stage = stage
        self._whatsapp = whatsapp  # a DynamoHealthFlag: WhatsApp sends failing for a reason a person must fix

    def __call__(self) -> dict:
        status = self._dynamodb.describe_table(TableName=self._table)["Table"]["TableStatus"]
        result = {"ok": status == "ACTIVE", "table": self._table, "status": status, "stage": self._stage}
        problem = self._whatsapp.problem() if self._whatsapp is not None else None
        if problem:  # an expired token or a lost permission: every reply fails until someone fixes it
            result.update(ok=False, whatsapp=problem)
        return result
