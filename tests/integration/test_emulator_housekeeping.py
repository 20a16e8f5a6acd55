"""The embedded emulator behaves as DynamoDB does where moto alone does not: TTL expiry, transactions that roll back
item by item, and (for `make run`) data kept across a restart. No test here keeps state: `make run`'s state file is
never used; the restart test writes its own file in a temporary directory, from two fresh processes."""

import json
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def _ddb(aws):
    return aws.session.client("dynamodb", endpoint_url=aws.url)


def _key(prefix: str) -> dict:
    return {"key": {"S": f"{prefix}-{uuid.uuid4()}"}}


def test_items_past_their_ttl_are_deleted_and_others_stay(aws):
    table, ddb, now = aws.resources["IdempotencyTable"], _ddb(aws), time.time()
    expired, alive, ancient, untimed = _key("expired"), _key("alive"), _key("ancient"), _key("untimed")
    ddb.put_item(TableName=table, Item={**expired, "expires_at": {"N": str(int(now - 60))}})
    ddb.put_item(TableName=table, Item={**alive, "expires_at": {"N": str(int(now + 3600))}})
    # DynamoDB does not treat a TTL more than five years in the past as an expiry time.
    ddb.put_item(TableName=table, Item={**ancient, "expires_at": {"N": str(int(now - 6 * 365 * 86400))}})
    ddb.put_item(TableName=table, Item={**untimed, "expires_at": {"S": "not a number"}})

    assert aws.emulator.sweep_expired(now) >= 1

    def present(key):
        return "Item" in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)

    assert not present(expired)
    assert present(alive) and present(ancient) and present(untimed)


def test_a_cancelled_transaction_leaves_every_item_as_it_was(aws):
    table, ddb = aws.resources["IdempotencyTable"], _ddb(aws)
    updated, created, guard = _key("updated"), _key("created"), _key("guard")
    ddb.put_item(TableName=table, Item={**updated, "rolls": {"N": "5"}})
    ddb.put_item(TableName=table, Item={**guard, "rolls": {"N": "0"}})

    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": updated,
                        "UpdateExpression": "SET rolls = rolls - :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {**created, "rolls": {"N": "1"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": guard,
                        "ConditionExpression": "rolls >= :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )

    item = ddb.get_item(TableName=table, Key=updated, ConsistentRead=True)["Item"]
    assert item["rolls"] == {"N": "5"}
    assert "Item" not in ddb.get_item(TableName=table, Key=created, ConsistentRead=True)


def test_a_transaction_does_not_copy_the_tables_it_touches(aws):
    # moto alone backs up a whole table per transaction (its cost grows with the table); the emulator backs up items.
    from moto.backends import get_backend

    table, ddb = aws.resources["IdempotencyTable"], _ddb(aws)
    backend = get_backend("dynamodb")["123456789012"]["ap-south-1"]
    before = backend.tables[table]
    key = _key("no-copy")
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**key, "n": {"N": "1"}},
                        "ConditionExpression": "attribute_exists(#k)",
                        "ExpressionAttributeNames": {"#k": "key"},
                    }
                }
            ]
        )
    assert backend.tables[table] is before


RESTART = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    import boto3
    from devstack.emulator import FAKE_CREDENTIALS, Emulator
    from devstack.provision import provision

    os.environ.update(FAKE_CREDENTIALS)
    phase, state = sys.argv[1], Path(sys.argv[2])
    emulator = Emulator(state_file=state).start()
    session = boto3.session.Session(region_name="ap-south-1")
    made = provision(session, emulator.url, {"ResourcePrefix": "kept"})
    ddb, sqs, s3 = (session.client(s, endpoint_url=emulator.url) for s in ("dynamodb", "sqs", "s3"))
    queue, ledger_table, bucket = made["ApprovalsQueue"], made["LedgerTable"], made["InvoiceBucket"]
    if phase == "write":
        ddb.put_item(TableName=ledger_table, Item={"phone": {"S": "919800000009"}, "entry_id": {"S": "e1"}})
        sqs.send_message(QueueUrl=queue, MessageBody="decide order 7", MessageGroupId="7", MessageDeduplicationId="7")
        s3.put_object(Bucket=bucket, Key="invoices/1.pdf", Body=b"%PDF-1.4 kept")
        seen = {"restored": emulator.restored}
    else:
        ledger = ddb.query(
            TableName=ledger_table,
            KeyConditionExpression="phone = :p",
            ExpressionAttributeValues={":p": {"S": "919800000009"}},
        )["Items"]
        messages = sqs.receive_message(QueueUrl=queue).get("Messages", [])
        pdf = s3.get_object(Bucket=bucket, Key="invoices/1.pdf")["Body"].read().decode()
        seen = {"restored": emulator.restored, "ledger": len(ledger), "messages": [m["Body"] for m in messages],
                "pdf": pdf}
    emulator.stop()
    print(json.dumps(seen))
    """
)


def _run(phase: str, state) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RESTART, phase, str(state)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_an_emulator_with_a_state_file_keeps_tables_queues_and_objects_across_a_restart(tmp_path):
    state = tmp_path / "emulator-state.pickle"
    assert _run("write", state) == {"restored": False}
    assert state.exists()
    assert _run("read", state) == {
        "restored": True,
        "ledger": 1,
        "messages": ["decide order 7"],
        "pdf": "%PDF-1.4 kept",
    }


def test_an_index_query_finds_its_items_in_order_without_listing_the_whole_table(aws, monkeypatch):
    from moto.dynamodb.models.table import Table

    table, ddb = aws.resources["OrdersTable"], _ddb(aws)
    customer = f"9197{uuid.uuid4().int % 10**8:08d}"
    for n, created in enumerate(("2026-01-03", "2026-01-01", "2026-01-02")):
        ddb.put_item(
            TableName=table,
            Item={
                "order_id": {"S": f"idx-{uuid.uuid4()}-{n}"},
                "customer_phone": {"S": customer},
                "state": {"S": "ORDER_COMPLETED"},
                "created_at": {"S": created},
                "updated_at": {"S": created},
            },
        )
    listed = []
    original = Table.all_items
    monkeypatch.setattr(Table, "all_items", lambda self: listed.append(self.name) or original(self))

    found = ddb.query(
        TableName=table,
        IndexName="by-customer",
        KeyConditionExpression="customer_phone = :p",
        ExpressionAttributeValues={":p": {"S": customer}},
        ScanIndexForward=False,
    )["Items"]

    assert [item["created_at"]["S"] for item in found] == ["2026-01-03", "2026-01-02", "2026-01-01"]
    assert listed == []


def test_the_fast_item_responses_say_what_motos_serializer_says(aws, monkeypatch):
    """Every item operation the app uses, over every attribute type, answered both ways: the same JSON."""
    from moto.dynamodb.responses import DynamoResult

    from devstack.emulator_dynamodb import FAST_OPERATIONS

    fast = DynamoResult.execute_result
    assert getattr(fast, "fast", False), "the emulator installs the fast path"
    compared, differences = [], []

    def both(self, context):
        status, headers, body = fast(self, context)
        if context.operation_model.name in FAST_OPERATIONS:
            o_status, o_headers, o_body = fast.original(self, context)
            compared.append(context.operation_model.name)
            if (status, json.loads(body)) != (o_status, json.loads(o_body)) or (
                headers.get("Content-Type") != o_headers.get("Content-Type")
            ):
                differences.append((context.operation_model.name, json.loads(body), json.loads(o_body)))
        return status, headers, body

    monkeypatch.setattr(DynamoResult, "execute_result", both)
    ddb, table = _ddb(aws), aws.resources["IdempotencyTable"]
    key = _key("fast")
    item = key | {
        "s": {"S": "नमस्ते \u00e9"},
        "n": {"N": "12.50"},
        "b": {"B": b"\x00\xffpacked"},
        "bool": {"BOOL": True},
        "null": {"NULL": True},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x01"}]},
        "m": {"M": {"k": {"S": "v"}, "bs": {"BS": [b"a", b"b"]}}},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
    }
    ddb.put_item(TableName=table, Item=item)
    ddb.get_item(TableName=table, Key=key, ConsistentRead=True)
    ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    ddb.query(TableName=table, KeyConditionExpression="#k = :k", ExpressionAttributeNames={"#k": "key"},
              ExpressionAttributeValues={":k": key["key"]})  # fmt: skip
    ddb.batch_get_item(RequestItems={table: {"Keys": [key]}})
    ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}])
    ddb.put_item(TableName=table, Item=item | {"s": {"S": "again"}}, ReturnValues="ALL_OLD")
    ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")

    assert {"GetItem", "UpdateItem", "Query", "BatchGetItem", "TransactGetItems", "PutItem", "DeleteItem"} <= set(
        compared
    )
    assert differences == []


def test_the_emulator_does_not_keep_every_item_object_it_ever_made(aws):
    """moto tracks each Item and SQS Message instance forever; a long-running stack must not grow with traffic."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.sqs.models import Message

    ddb, table, key = _ddb(aws), aws.resources["IdempotencyTable"], _key("tracked")
    for n in range(50):
        ddb.put_item(TableName=table, Item=key | {"n": {"N": str(n)}})
        ddb.get_item(TableName=table, Key=key)

    assert len(Item.instances_tracked) == 0 and len(Message.instances_tracked) == 0


def test_a_queue_keeps_only_its_newest_deleted_receipt_handles(aws, monkeypatch):
    """moto remembers every receipt handle a queue ever deleted; the emulator keeps the newest, and deleting one of
    those again still succeeds, as on SQS."""
    from moto.backends import get_backend

    from devstack import emulator_dynamodb

    monkeypatch.setattr(emulator_dynamodb, "DELETED_HANDLES_KEPT", 3)
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    url = sqs.create_queue(QueueName=f"handles-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    handles = []
    for n in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        handles.append(message["ReceiptHandle"])

    sqs.delete_message(QueueUrl=url, ReceiptHandle=handles[-1])  # a second delete of a recent handle: no error
    queue = next(
        q
        for regions in get_backend("sqs").values()
        for backend in regions.values()
        for q in backend.queues.values()
        if q.name == url.rsplit("/", 1)[-1]
    )
    kept = list(queue.deleted_messages)  # moto adds every handle a message had, including its first (None)
    assert len(kept) == 3 and handles[-1] in kept and not set(handles[:-2]) & set(kept)
