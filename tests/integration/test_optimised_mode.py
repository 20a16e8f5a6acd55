"""Under ``python -O`` (asserts stripped) the app still reads and writes its prefixed tables: nothing the wiring
needs happens inside an ``assert``."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import app  # what every Lambda of the app imports first
from chalicelib.bootstrap import container
phone = sys.argv[1]
store = container().conversation_store
store.update_customer(phone, name="Optimised")
print(json.dumps({"debug": __debug__, "name": store.customer(phone)["name"],
                  "table": container().tables.CustomerRecord.Meta.table_name}))
"""


def test_with_asserts_stripped_a_request_still_writes_and_reads_the_prefixed_tables(aws):
    phone = "9196" + uuid.uuid4().hex[:8].translate(str.maketrans("abcdef", "123456"))
    env = os.environ | {"AWS_ENDPOINT_URL": aws.url, "RESOURCE_PREFIX": "bbtest", "STAGE": "local"}

    run = subprocess.run(
        [sys.executable, "-O", "-c", SCRIPT, phone], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out == {"debug": False, "name": "Optimised", "table": "bbtest-customers"}
    item = aws.session.client("dynamodb", endpoint_url=aws.url).get_item(
        TableName="bbtest-customers", Key={"phone": {"S": phone}}, ConsistentRead=True
    )
    assert item["Item"]["name"]["S"] == "Optimised"
