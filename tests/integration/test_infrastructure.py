"""infra/template.json provisions the emulator, and packages for AWS with the event source settings it needs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.provision import load_template

pytestmark = pytest.mark.integration


def test_every_queue_in_the_template_has_a_dead_letter_queue_with_a_redrive_policy(aws):
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    template = load_template()
    queues = [name for name, r in template["Resources"].items() if r.get("Type") == "AWS::SQS::Queue"]
    dead_letter = {name for name in queues if "DeadLetter" in name}
    for name in set(queues) - dead_letter:
        attributes = sqs.get_queue_attributes(QueueUrl=aws.resources[name], AttributeNames=["All"])["Attributes"]
        policy = json.loads(attributes["RedrivePolicy"])
        assert policy["maxReceiveCount"] >= 1
        assert any(policy["deadLetterTargetArn"].endswith(aws.resources[d].rsplit("/", 1)[1]) for d in dead_letter)


@pytest.mark.parametrize("queue", ["InboundQueue", "ApprovalsQueue", "ApprovalsDeadLetterQueue"])
def test_the_ordered_queues_are_fifo(aws, queue):
    """Inbound: one customer's messages stay in order. Approvals: one order's decisions are executed in the order
    the owner made them (a later reject never overtakes an approve on another worker); its DLQ must match."""
    sqs = aws.session.client("sqs", endpoint_url=aws.url)
    attributes = sqs.get_queue_attributes(QueueUrl=aws.resources[queue], AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true"


def test_every_table_in_the_template_exists_on_the_emulator(aws):
    ddb = aws.session.client("dynamodb", endpoint_url=aws.url)
    names = set(ddb.list_tables()["TableNames"])
    tables = [r for r in load_template()["Resources"].values() if r.get("Type") == "AWS::DynamoDB::Table"]
    assert tables and all(
        t["Properties"]["TableName"]["Fn::Sub"].replace("${ResourcePrefix}", "bbtest") in names for t in tables
    )


def test_the_packaged_template_declares_every_resource_and_reports_batch_item_failures(packaged):
    from devstack.package import sqs_event_sources

    template = json.loads(packaged.read_text())
    types = {r["Type"] for r in template["Resources"].values()}
    assert {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::Serverless::Function"} <= types
    sources = sqs_event_sources(template)
    assert sources, "no SQS event source in the package"
    for name, properties in sources.items():
        assert properties.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], name
    schedules = [
        e
        for r in template["Resources"].values()
        for e in (r.get("Properties", {}).get("Events") or {}).values()
        if e.get("Type") == "Schedule"
    ]
    from app import app

    expected = [s for s in app.event_sources if hasattr(s, "schedule_expression")]
    assert len(schedules) == len(expected)


def test_the_packaged_template_passes_cfn_lint(packaged):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(packaged)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
