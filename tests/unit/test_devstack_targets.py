"""devstack commands stay on this machine unless told --live, and say what happened."""

import json

import pytest

from devstack.__main__ import main
from devstack.targets import LeavesTheMachine, is_local, require_local


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566", "http://localhost:8001", "http://[::1]:80", "http://10.0.0.5"]
)
def test_loopback_and_private_addresses_are_local(url):
    assert is_local(url)


@pytest.mark.parametrize(
    "url", ["https://graph.facebook.com", "https://dynamodb.ap-south-1.amazonaws.com", "http://8.8.8.8", "", None]
)
def test_anything_else_is_not(url):
    assert not is_local(url)


def test_require_local_names_the_remote_endpoint():
    with pytest.raises(LeavesTheMachine, match="graph https://graph.facebook.com"):
        require_local(aws="http://127.0.0.1:4566", graph="https://graph.facebook.com")


def test_a_scheduled_job_refuses_a_stack_whose_endpoint_is_remote(monkeypatch, capsys):
    monkeypatch.setenv("DEVSTACK_AWS_ENDPOINT", "https://dynamodb.ap-south-1.amazonaws.com")
    assert main(["schedule", "send_payment_reminders"]) == 2
    assert "--live" in capsys.readouterr().err


def test_provisioning_a_remote_endpoint_needs_live(capsys):
    assert main(["provision", "--endpoint", "https://dynamodb.ap-south-1.amazonaws.com"]) == 2
    assert "pass --live" in capsys.readouterr().err


def test_the_stock_commands_point_the_graph_api_at_the_local_fake(monkeypatch):
    from chalicelib import bootstrap
    from devstack import stock_cli

    for name in ("AWS_ENDPOINT_URL", "PUBLIC_BASE_URL", "RESOURCE_PREFIX", "STAGE"):  # restored after the test
        monkeypatch.setenv(name, "x")
    monkeypatch.setattr(bootstrap, "_container", bootstrap._container)
    monkeypatch.delenv("DEVSTACK_AWS_ENDPOINT", raising=False)
    monkeypatch.setenv("DEVSTACK_AWS_PORT", "1")  # nothing listens: the health check fails after the environment is set
    monkeypatch.setenv("WHATSAPP_API_BASE", "https://graph.facebook.com")
    with pytest.raises(Exception):
        stock_cli.local_container()
    import os

    assert is_local(os.environ["WHATSAPP_API_BASE"]) and is_local(os.environ["AWS_ENDPOINT_URL"])


def test_a_customer_message_that_got_no_answer_says_so_instead_of_printing_nothing(capsys):
    from devstack.__main__ import _print_messages

    _print_messages([], answering="919833333333")
    out, err = capsys.readouterr()
    assert out == ""
    assert "nothing reached 919833333333" in err and "/owner/attention" in err

    _print_messages([{"to": "919833333333", "payload": {"type": "text", "text": {"body": "Namaste"}}}], "919833333333")
    out, err = capsys.readouterr()
    assert json.loads(out)["text"] == "Namaste" and err == ""
