"""The embedded emulator in a process of its own (devstack/emulator_process.py), as `make run` and `make bench` run
it: it serves AWS calls, tells the stack of each queue send, answers its control endpoints, keeps its state across a
restart, saves it when the stack dies without stopping it, and says why when it cannot start. Every emulator here is
a fresh child with its own state file in a temporary directory; the session's emulator is not touched."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import boto3
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def child(tmp_path):
    from devstack.emulator import FAKE_CREDENTIALS
    from devstack.emulator_process import EmulatorProcess

    for key, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    emulator = EmulatorProcess(state_file=tmp_path / "state.pickle").start()
    yield emulator
    emulator.stop()


def _clients(url: str):
    session = boto3.session.Session(region_name="ap-south-1")
    return session.client("dynamodb", endpoint_url=url), session.client("sqs", endpoint_url=url)


def _table(ddb, name: str) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_it_serves_aws_calls_and_tells_the_stack_of_each_queue_send(child):
    ddb, sqs = _clients(child.url)
    sent = []
    woken = threading.Event()
    child.on_queue_send(lambda url: (sent.append(url), woken.set()))
    _table(ddb, "things")
    ddb.put_item(TableName="things", Item={"key": {"S": "a"}, "n": {"N": "1"}})
    assert ddb.get_item(TableName="things", Key={"key": {"S": "a"}})["Item"]["n"] == {"N": "1"}
    queue = sqs.create_queue(QueueName="work")["QueueUrl"]
    assert not sent  # creating a queue is not a send
    sqs.send_message(QueueUrl=queue, MessageBody="hello")
    assert woken.wait(5)
    assert sent == [queue]
    assert child.pid != os.getpid()


def test_its_control_endpoints_sweep_save_and_read_memory_and_refuse_what_they_do_not_know(child, tmp_path):
    ddb, _ = _clients(child.url)
    _table(ddb, "timed")
    ddb.update_time_to_live(TableName="timed", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    ddb.put_item(TableName="timed", Item={"key": {"S": "old"}, "ttl": {"N": str(int(time.time()) - 60)}})
    ddb.put_item(TableName="timed", Item={"key": {"S": "new"}, "ttl": {"N": str(int(time.time()) + 3600)}})

    assert child.sweep_expired() == 1
    assert "Item" not in ddb.get_item(TableName="timed", Key={"key": {"S": "old"}}, ConsistentRead=True)
    assert "Item" in ddb.get_item(TableName="timed", Key={"key": {"S": "new"}}, ConsistentRead=True)

    copy = tmp_path / "copy.pickle"
    assert child.save(copy) >= 0 and copy.stat().st_size > 0
    memory = child.memory()
    assert memory["items"] >= 1 and 0 < memory["stored"] < memory["rss"]
    with pytest.raises(RuntimeError, match="no control action"):
        child.control("format-disk")
    with pytest.raises(RuntimeError, match="middleware"):
        child.control("wrap", middleware="os:system")


def test_the_bench_meter_counts_inside_the_child(child):
    from benchmarks.meter import RemoteMeter

    meter = RemoteMeter(child)
    ddb, _ = _clients(child.url)
    _table(ddb, "metered")
    before, _ = meter.snapshot()
    ddb.put_item(TableName="metered", Item={"key": {"S": "k"}, "blob": {"S": "x" * 1500}})
    after, _ = meter.snapshot()
    spent = after - before
    assert spent.calls["dynamodb.PutItem"] == 1
    assert spent.wru == 2  # 1.5 KB: two started KB


def test_a_stopped_emulator_keeps_its_data_for_the_next_start(tmp_path):
    from devstack.emulator_process import EmulatorProcess

    state = tmp_path / "state.pickle"
    first = EmulatorProcess(state_file=state).start()
    assert first.restored is False
    ddb, _ = _clients(first.url)
    _table(ddb, "kept")
    ddb.put_item(TableName="kept", Item={"key": {"S": "order-1"}})
    pid = first.pid
    first.stop()
    assert not _alive(pid)

    second = EmulatorProcess(state_file=state).start()
    try:
        assert second.restored is True
        ddb, _ = _clients(second.url)
        assert "Item" in ddb.get_item(TableName="kept", Key={"key": {"S": "order-1"}})
    finally:
        second.stop()


DYING_STACK = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import boto3
    from devstack.emulator import FAKE_CREDENTIALS
    from devstack.emulator_process import EmulatorProcess

    os.environ.update(FAKE_CREDENTIALS)
    emulator = EmulatorProcess(state_file=Path(sys.argv[1])).start()
    ddb = boto3.session.Session(region_name="ap-south-1").client("dynamodb", endpoint_url=emulator.url)
    ddb.create_table(TableName="kept", KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="kept", Item={"key": {"S": "written just before the crash"}})
    print(emulator.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no stop, no save: the stack dies
    """
)


def test_when_the_stack_dies_the_emulator_saves_what_it_holds_and_exits(tmp_path):
    from devstack.emulator_process import EmulatorProcess

    state = tmp_path / "state.pickle"
    out = subprocess.run(
        [sys.executable, "-c", DYING_STACK, str(state)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    orphan = int(out.stdout.split()[0])
    deadline = time.monotonic() + 60
    while _alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(orphan), "the emulator outlived the stack"

    again = EmulatorProcess(state_file=state).start()
    try:
        ddb, _ = _clients(again.url)
        assert "Item" in ddb.get_item(TableName="kept", Key={"key": {"S": "written just before the crash"}})
    finally:
        again.stop()


def test_an_emulator_that_cannot_listen_says_why(tmp_path):
    from devstack.emulator_process import EmulatorProcess

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"could not listen on 127.0.0.1:{port}"):
            EmulatorProcess(port=port, state_file=tmp_path / "state.pickle").start()


def test_a_kept_state_from_another_moto_is_refused_as_such(tmp_path):
    from devstack.emulator_process import EmulatorProcess
    from devstack.emulator_state import IncompatibleSnapshot

    state = tmp_path / "state.pickle"
    state.write_bytes(b"not a snapshot at all")
    with pytest.raises(IncompatibleSnapshot):
        EmulatorProcess(state_file=state).start()


WHOLE_STACK = textwrap.dedent(
    """
    import json, logging
    logging.disable(logging.WARNING)
    from devstack.client import Client
    from devstack.stack import Stack, StackConfig

    stack = Stack(StackConfig(aws_port=0, app_port=0, graph_port=0, prefix="bbchild", scheduler=False,
                              write_state=False, quiet=True)).start()
    try:
        replies = Client(info=stack.describe()).send("919811122233", "20m blue cotton", timeout=60)
        emulator_pid = stack.emulator.pid
    finally:
        stack.stop()
    print(json.dumps({"replies": replies, "emulator_pid": emulator_pid}))
    """
)


def test_the_local_stack_answers_a_customer_with_its_emulator_in_a_child_and_stops_it():
    out = subprocess.run([sys.executable, "-c", WHOLE_STACK], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    text = json.dumps(seen["replies"], ensure_ascii=False)
    assert "cotton" in text.lower() and "confirm" in text.lower()
    assert not _alive(seen["emulator_pid"])


@pytest.mark.parametrize("taken", ["DEVSTACK_AWS_PORT", "DEVSTACK_APP_PORT"])
def test_make_run_on_a_taken_port_says_so_and_leaves_nothing_running(taken, tmp_path):
    """`make run` beside another one: a sentence, exit 2, no traceback, and no emulator child left behind (the
    state file it would keep is a temporary one here, so a developer's kept data is never touched)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        env = {
            **os.environ,
            "DEVSTACK_AWS_PORT": "0",
            "DEVSTACK_APP_PORT": "0",
            "DEVSTACK_GRAPH_PORT": "0",
            taken: str(holder.getsockname()[1]),
        }
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            import devstack.stack, devstack.__main__ as cli
            devstack.stack.EMULATOR_STATE_FILE = Path({str(tmp_path / "state.pickle")!r})
            devstack.stack.STATE_FILE = Path({str(tmp_path / "stack.json")!r})
            sys.exit(cli.main(["up", "--no-scheduler"]))
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
        )
    assert out.returncode == 2, out.stderr[-2000:]
    assert "The local stack could not start" in out.stderr and "Traceback" not in out.stderr
    assert not _running_with(str(tmp_path))  # the emulator child (its command line names the state file) stopped


def _running_with(text: str) -> list[int]:
    """Processes whose command line contains ``text``."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found
