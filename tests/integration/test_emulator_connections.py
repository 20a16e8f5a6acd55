"""The embedded emulator keeps connections alive, as AWS's endpoints do: werkzeug's server closed every connection,
so the local stack opened ~20 TCP connections (and the emulator ~20 threads) per customer message. Whatever a call
ends with (a success, a failed condition, a HEAD, a missing object, a body the service did not need), the next call
on the same connection must be answered correctly."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration


@pytest.fixture
def connections(monkeypatch):
    """Every new TCP connection urllib3 opens during the test, by (host, port)."""
    import urllib3.connection

    opened = []
    original = urllib3.connection.HTTPConnection.connect

    def connect(self, *args, **kwargs):
        opened.append((self.host, self.port))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "connect", connect)
    return opened


def test_one_connection_per_client_serves_successes_failures_heads_and_bodies(aws, connections):
    ddb = aws.session.client("dynamodb", endpoint_url=aws.url)
    s3 = aws.session.client("s3", endpoint_url=aws.url)
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    table, bucket = aws.resources["IdempotencyTable"], aws.resources["InvoiceBucket"]
    key = {"key": {"S": f"conn-{uuid.uuid4()}"}}
    queue = sqs.create_queue(QueueName=f"conn-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    connections.clear()

    for round_ in range(3):
        ddb.put_item(TableName=table, Item={**key, "n": {"N": str(round_)}})
        with pytest.raises(ClientError, match="ConditionalCheckFailed"):
            ddb.put_item(
                TableName=table,
                Item=key,
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": "key"},
            )
        assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["n"] == {"N": str(round_)}
        name = f"conn/{uuid.uuid4()}.pdf"
        s3.put_object(Bucket=bucket, Key=name, Body=b"%PDF-1.4 " + b"x" * 20_000)
        assert s3.head_object(Bucket=bucket, Key=name)["ContentLength"] == 20_009
        with pytest.raises(ClientError):
            s3.head_object(Bucket=bucket, Key=name + ".missing")
        with pytest.raises(ClientError, match="NoSuchKey"):
            s3.get_object(Bucket=bucket, Key=name + ".missing")
        assert s3.get_object(Bucket=bucket, Key=name)["Body"].read().startswith(b"%PDF-1.4 x")
        sqs.send_message(QueueUrl=queue, MessageBody=f"round {round_}")
        got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
        assert [m["Body"] for m in got] == [f"round {round_}"]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])

    assert len(connections) <= 3, connections  # one per client, reused by all 36 calls
