"""Shared fixtures: one embedded emulator per test session, and the whole local stack for e2e tests.

Integration and e2e tests share the emulator and one resource prefix; they isolate themselves by unique keys
(fresh phone numbers, order ids), never by wiping tables.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: a fast profile for developers (pytest tests/unit in seconds), the thorough one in CI, where .ci/run
# sets HYPOTHESIS_PROFILE=ci. A failing example is printed in both, so it can be replayed.
settings.register_profile("dev", max_examples=20, deadline=None)
settings.register_profile("ci", max_examples=500, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
# Vendored from shared/whatsapp-samples (pywa fixtures: MIT, see pywa/LICENSE), so a standalone clone tests alone.
SAMPLES = ROOT / "tests" / "fixtures" / "whatsapp-samples"
PREFIX = "bbtest"


@pytest.fixture(scope="session")
def aws():
    """The serialised moto server on a free port, provisioned from infra/template.json."""
    import boto3

    from devstack.emulator import FAKE_CREDENTIALS, Emulator
    from devstack.provision import provision

    for key, value in FAKE_CREDENTIALS.items():
        os.environ[key] = value
    emulator = Emulator("127.0.0.1", 0).start()
    os.environ.update({"AWS_ENDPOINT_URL": emulator.url, "RESOURCE_PREFIX": PREFIX, "STAGE": "local"})
    session = boto3.session.Session(region_name="ap-south-1")
    resources = provision(session, emulator.url, {"ResourcePrefix": PREFIX})
    from chalicelib import bootstrap

    container = bootstrap.reset()
    yield type(
        "Aws",
        (),
        {"url": emulator.url, "session": session, "resources": resources, "container": container, "emulator": emulator},
    )
    emulator.stop()


@pytest.fixture(scope="session")
def stack(aws):
    """The whole local stack (fake Graph, Chalice app, SQS mappings) on free ports, against the session emulator."""
    from devstack.stack import Stack, StackConfig

    config = StackConfig(
        aws_endpoint=aws.url,
        prefix=PREFIX,
        app_port=0,
        graph_port=0,
        scheduler=False,
        write_state=False,
        retry_delay=0.3,
        quiet=True,
    )
    running = Stack(config).start()
    yield running
    running.stop()


@pytest.fixture
def client(stack):
    from devstack.client import Client

    return Client(info=stack.describe())


@pytest.fixture
def phone():
    """A fresh customer number per test, so tests never see each other's conversations."""
    return "9198" + "".join(random.choice("0123456789") for _ in range(8))
