"""The health check: proves the function can reach its table with a cheap DescribeTable."""

from __future__ import annotations


class TableHealth:
    """Call it for ``{"ok", "table", "status", "stage"}``; DescribeTable errors propagate (the route answers 503)."""

    def __init__(self, dynamodb_client, table: str, stage: str):
        self._dynamodb = dynamodb_client
        self._table = table
        self._stage = stage

    def __call__(self) -> dict:
        status = self._dynamodb.describe_table(TableName=self._table)["Table"]["TableStatus"]
        return {"ok": status == "ACTIVE", "table": self._table, "status": status, "stage": self._stage}
