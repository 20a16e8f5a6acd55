"""`python -m devstack stock import` against the running stack: bad rows are named and nothing is imported."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def run_cli(stack, *args, env=None):
    info = stack.describe()
    env = {
        **os.environ,
        **(env or {}),
        "AWS_ENDPOINT_URL": info["aws_url"],
        "RESOURCE_PREFIX": info["resource_prefix"],
        "DEVSTACK_AWS_PORT": info["aws_url"].rsplit(":", 1)[1],
    }
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_line(stack, tmp_path):
    lot = f"CLI-{uuid.uuid4().hex[:6]}".upper()
    csv = tmp_path / "stock.csv"
    csv.write_text(
        "material,color,dye_lot,rolls,meters_per_roll,loose_meters,price_per_meter,received_on\n"
        f"cotton,blue,{lot},2,40,0,150,2025-06-01\n"
        f"cotton,red,{lot},2,40,0,150,2025-13-01\n"
    )
    result = run_cli(stack, "stock", "import", str(csv))
    assert result.returncode == 1
    assert "line 3" in result.stderr
    from chalicelib.bootstrap import container

    assert not [b for b in container().stock_repository.all() if b.dye_lot == lot]


def test_the_same_good_csv_imported_twice_leaves_the_same_stock(stack, tmp_path):
    lot = f"CLI-{uuid.uuid4().hex[:6]}".upper()
    csv = tmp_path / "stock.csv"
    csv.write_text(
        "material,color,dye_lot,rolls,meters_per_roll,loose_meters,price_per_meter,received_on\n"
        f"suti,laal,{lot},2,40,5,150,2025-06-01\n"
    )
    first = run_cli(stack, "stock", "import", str(csv))
    second = run_cli(stack, "stock", "import", str(csv))
    assert first.returncode == 0 and "1 new" in first.stdout
    assert second.returncode == 0 and "0 new" in second.stdout
    from chalicelib.bootstrap import container

    [batch] = [b for b in container().stock_repository.all() if b.dye_lot == lot]
    assert (batch.material, batch.color, batch.rolls) == ("cotton", "red", 2)


def test_a_tester_makes_meta_refuse_a_customer_and_the_owner_sees_it_on_the_attention_list(stack, client, phone):
    from devstack.client import http, new_wamid, text_webhook

    info = stack.describe()
    ports = {"DEVSTACK_APP_PORT": info["app_url"].rsplit(":", 1)[1]}
    ports["DEVSTACK_GRAPH_PORT"] = info["graph_url"].rsplit(":", 1)[1]
    result = run_cli(stack, "refuse", "--to", phone, "--code", "131026", env=ports)
    assert result.returncode == 0, result.stderr
    assert "131026" in result.stdout

    client.post_webhook(text_webhook(phone, "hello", new_wamid(), phone_number_id=info["phone_number_id"]))

    owner = {"Authorization": f"Bearer {info['owner_api_key']}"}
    deadline, refused = time.time() + 30, []
    while not refused and time.time() < deadline:
        status, body = http("GET", info["app_url"] + "/owner/attention", headers=owner)
        assert status == 200
        refused = [(u["to"], u["code"]) for u in json.loads(body)["undelivered"] if u["to"] == phone]
        time.sleep(0.2)
    assert refused == [(phone, 131026)]
