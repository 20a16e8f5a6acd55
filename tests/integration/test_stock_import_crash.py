"""A 10,000-row import is applied completely, exactly once, even when its worker is killed midway and retried.

The import runs in its own resource prefix on the session emulator (10,000 batches would slow every other test's
stock scans), staged and applied by separate processes the test kills and restarts like Lambda would.
"""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import ROOT
from tests.integration.test_stock_imports_http import rows

SCRIPT = """
import json, sys
from chalicelib import bootstrap
container = bootstrap.reset()
if sys.argv[1] == "stage":
    record, queued = container.stock_imports.submit_rows(json.load(sys.stdin), sys.argv[2], "owner", "api", "test")
    print(json.dumps({"queued": queued, "chunks": record["chunks"]}))
else:
    print(json.dumps(container.stock_imports.apply(sys.argv[2])))
"""


def run(env, *args, stdin=None, background=False):
    command = [sys.executable, "-c", SCRIPT, *args]
    if background:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = subprocess.run(command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    importlib.util.find_spec("devstack.emulator_dynamodb") is None,
    reason="needs the emulator's item-level transaction rollback: moto alone copies every table per transaction item",
)
def test_a_10000_row_import_survives_its_worker_being_killed_midway(aws):
    from devstack.provision import provision

    prefix = f"bbimp{uuid.uuid4().hex[:6]}"
    provision(aws.session, aws.url, {"ResourcePrefix": prefix})
    env = {**os.environ, "AWS_ENDPOINT_URL": aws.url, "RESOURCE_PREFIX": prefix, "STAGE": "local"}
    ddb = aws.session.client("dynamodb", endpoint_url=aws.url)

    def record():
        item = ddb.get_item(
            TableName=f"{prefix}-imports", Key={"import_id": {"S": key}, "part": {"S": "record"}}, ConsistentRead=True
        )["Item"]
        return int(item["chunks_done"]["N"]), item["state"]["S"]

    def batches_on_books():
        pages = ddb.get_paginator("scan").paginate(TableName=f"{prefix}-batches", Select="COUNT")
        return sum(page["Count"] for page in pages)

    key = f"sheet-{uuid.uuid4().hex}"
    staged = run(env, "stage", key, stdin=json.dumps(rows("K", 10_000)))
    assert staged == {"queued": True, "chunks": 103}
    assert batches_on_books() == 0

    worker = run(env, "apply", key, background=True)
    deadline = time.time() + 300
    while record()[0] < 10 and time.time() < deadline and worker.poll() is None:
        time.sleep(0.2)
    assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    done, state = record()
    assert state == "queued" and 10 <= done < 103, "the worker was killed midway"
    assert batches_on_books() == done * 98, "whole chunks only"

    outcome = run(env, "apply", key)  # the queue's retry
    assert (outcome["state"], outcome["created"], outcome["unchanged"], outcome["chunks_done"]) == (
        "applied", 10_000, 0, 103,
    )  # fmt: skip
    assert batches_on_books() == 10_000
    again = run(env, "apply", key)  # a late duplicate delivery changes nothing
    assert again == outcome and batches_on_books() == 10_000
    audit = ddb.query(
        TableName=f"{prefix}-audit",
        KeyConditionExpression="subject = :s",
        ExpressionAttributeValues={":s": {"S": f"import#{key}"}},
    )
    assert audit["Count"] == 1
