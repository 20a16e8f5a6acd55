"""The workers' Lambdas build their dependencies at init; the API's Lambda (and any other process) builds nothing."""

import pytest

from chalicelib.jobs import warmup


@pytest.fixture
def built(monkeypatch):
    calls = []
    monkeypatch.setattr(
        warmup,
        "WORKERS",
        {"handle_inbound": lambda: calls.append("inbound"), "handle_approvals": lambda: calls.append("approvals")},
    )
    return calls


def test_the_inbound_workers_lambda_builds_its_dependencies_at_init(built):
    assert warmup.warm_up_this_function("bharatbiz-prod-handle_inbound") == "handle_inbound"
    assert built == ["inbound"]


def test_the_api_lambda_and_a_local_process_build_nothing(built):
    assert warmup.warm_up_this_function("bharatbiz-prod-APIHandler") is None
    assert warmup.warm_up_this_function("") is None
    assert built == []


def test_a_failed_warm_up_never_fails_the_lambdas_init(monkeypatch):
    def broken():
        raise ConnectionError("endpoint unreachable")

    monkeypatch.setattr(warmup, "WORKERS", {"handle_approvals": broken})
    assert warmup.warm_up_this_function("bharatbiz-dev-handle_approvals") == "handle_approvals"
