"""The embedded emulator keeps DynamoDB's guarantees under concurrency (moto's threaded server alone does not)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.integration

STOCK = 60
THREADS = 20
ATTEMPTS_PER_THREAD = 10


def test_concurrent_conditional_decrements_succeed_exactly_as_often_as_there_is_stock(aws):
    # A counter item of its own (not a half-written batch in the stock table, which other tests scan).
    table = aws.resources["IdempotencyTable"]
    key = {"key": {"S": f"atomic-{uuid.uuid4()}"}}
    ddb = aws.session.client("dynamodb", endpoint_url=aws.url)
    ddb.put_item(TableName=table, Item={**key, "rolls": {"N": str(STOCK)}})
    successes = []
    lock = threading.Lock()

    def take_rolls():
        client = aws.session.client("dynamodb", endpoint_url=aws.url)
        for _ in range(ATTEMPTS_PER_THREAD):
            try:
                client.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression="SET rolls = rolls - :one",
                    ConditionExpression="rolls >= :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                with lock:
                    successes.append(1)
            except client.exceptions.ConditionalCheckFailedException:
                pass

    with ThreadPoolExecutor(THREADS) as pool:
        for _ in range(THREADS):
            pool.submit(take_rolls)

    left = int(ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["rolls"]["N"])
    assert len(successes) == STOCK
    assert left == 0


def test_concurrent_first_writer_wins_puts_have_exactly_one_winner(aws):
    from chalicelib.adapters.dynamo_repos import DynamoIdempotency

    key = f"race#{uuid.uuid4()}"
    store = DynamoIdempotency(aws.container.tables)
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: store.claim(key, "test", 60), range(10)))
    assert sum(1 for r in results if r is None) == 1
