"""`python -m devstack package`: Chalice's deployment package with infra/template.json merged in, then what every
function gets whoever adds it (parameters instead of literal names, log retention, error and throttle alarms);
cfn-lint clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package(stage: str, out: Path) -> Path:
    """Run `chalice package --merge-template infra/template.json`; return the path of the merged sam.json."""
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-south-1")}
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run(
        [str(chalice), "package", "--stage", stage, "--merge-template", "infra/template.json", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    template = out / "sam.json"
    data = json.loads(template.read_text())
    parameters = data.setdefault("Parameters", {})
    parameters["ResourcePrefix"]["Default"] = f"bharatbiz-{stage}"
    parameters["Stage"]["Default"] = stage
    parameters["SettingsPath"]["Default"] = f"/bharatbiz/{stage}"
    for name in functions(data):
        _per_function(data["Resources"], name)
    _per_resource(data["Resources"])
    template.write_text(json.dumps(data, indent=2))
    return template


def _per_resource(resources: dict) -> None:
    """What every table and queue gets, whoever adds it: tables survive a failed first create and are protected
    from deletion; queues are encrypted; every dead-letter queue alarms when not empty; the API may enqueue work on
    every work queue (a queue with a dead-letter queue)."""
    work_queues = []
    for name, resource in list(resources.items()):
        kind, properties = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            resource["DeletionPolicy"], resource["UpdateReplacePolicy"] = "RetainExceptOnCreate", "Retain"
            properties["DeletionProtectionEnabled"] = {"Ref": "TableDeletionProtection"}
        elif kind == "AWS::SQS::Queue":
            properties.setdefault("SqsManagedSseEnabled", True)
            if "RedrivePolicy" in properties:
                work_queues.append({"Fn::GetAtt": [name, "Arn"]})
            alarm = name.removesuffix("Queue") + "sAlarm"  # InboundDeadLetterQueue -> InboundDeadLettersAlarm
            if name.endswith("DeadLetterQueue") and alarm not in resources:
                resources[alarm] = _depth_alarm(name)
    for statement in resources["ApiHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
        if statement.get("Sid") == "EnqueueWork":
            statement["Resource"] = work_queues


def _depth_alarm(queue: str) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"${{ResourcePrefix}}-{queue}-not-empty"},
            "AlarmDescription": f"Messages failed every attempt and wait in {queue}. Fix the cause, then replay: "
            "python -m devstack redrive --aws QUEUE (README, runbook).",
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
            "Statistic": "Maximum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
        },
    }


# What every function gets, whoever adds it: names from the parameters (never the stage's literal ones Chalice
# writes from .chalice/config.json), its log group's retention, and alarms on its errors and throttles.
FUNCTION_ENVIRONMENT = {
    "STAGE": {"Ref": "Stage"},
    "RESOURCE_PREFIX": {"Ref": "ResourcePrefix"},
    "SETTINGS_PATH": {"Ref": "SettingsPath"},
    "INVOICE_BUCKET": {"Ref": "InvoiceBucket"},
}


def functions(template: dict) -> list[str]:
    return [n for n, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"]


def function_name(function: dict) -> str:
    """The deployed name's suffix: the Chalice handler ('handle_inbound'), 'api_handler' for the API's."""
    handler = function["Properties"]["Handler"].rsplit(".", 1)[1]
    return "api_handler" if handler == "app" else handler


def _per_function(resources: dict, name: str) -> None:
    properties = resources[name]["Properties"]
    properties.setdefault("Environment", {}).setdefault("Variables", {}).update(FUNCTION_ENVIRONMENT)
    # A known name (the roles' log statements in infra/template.json name it too, without a dependency cycle),
    # ending in the Chalice handler's name as Chalice's own names do (jobs/warmup.py recognises a worker by it).
    properties["FunctionName"] = {"Fn::Sub": f"${{ResourcePrefix}}-{function_name(resources[name])}"}
    for group in resources.values():
        # Chalice names the log group after the function; its API one as ${ApiHandler} while the function is
        # APIHandler, hence the case-insensitive match.
        if (
            group.get("Type") == "AWS::Logs::LogGroup"
            and group["Properties"]["LogGroupName"].get("Fn::Sub", "").lower() == f"/aws/lambda/${{{name}}}".lower()
        ):
            group["Properties"]["LogGroupName"] = {"Fn::Sub": "/aws/lambda/" + properties["FunctionName"]["Fn::Sub"]}
            group["Properties"]["RetentionInDays"] = {"Ref": "LogRetentionDays"}
    consumed = []
    for event in (properties.get("Events") or {}).values():
        if event.get("Type") == "SQS" and "Fn::Sub" in event["Properties"].get("Queue", {}):
            # Chalice writes the queue's ARN with the stage's literal name; refer to the template's queue instead.
            event["Properties"]["Queue"] = {
                "Fn::GetAtt": [_queue_named(resources, event["Properties"]["Queue"]), "Arn"]
            }
        if event.get("Type") == "SQS":
            event["Properties"].setdefault("ScalingConfig", {"MaximumConcurrency": 2})
            queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            if queue in resources[name].get("DependsOn", []):  # the reference orders them already
                resources[name]["DependsOn"].remove(queue)
                if not resources[name]["DependsOn"]:
                    del resources[name]["DependsOn"]
            consumed.append(event["Properties"]["Queue"])
    role = resources.get(properties["Role"]["Fn::GetAtt"][0]) if isinstance(properties.get("Role"), dict) else None
    if role and all(p["PolicyName"].endswith("RolePolicy") for p in role["Properties"]["Policies"]):
        # Chalice's role from .chalice/policy-*.json (no override in infra/template.json): a worker's least privilege.
        policy = {
            "PolicyName": f"{name}Policy",
            "PolicyDocument": _worker_policy(function_name(resources[name]), consumed),
        }
        role["Properties"]["Policies"] = [policy]
    for metric in ("Errors", "Throttles"):
        resources[f"{name}{metric}Alarm"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": {"Fn::Sub": f"${{ResourcePrefix}}-{name}-{metric.lower()}"},
                "AlarmDescription": f"{name} {metric.lower()}: see its log group for the reason.",
                "Namespace": "AWS/Lambda",
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": name}}],
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "AlarmTopic"}],
            },
        }


def sqs_event_sources(template: dict) -> dict[str, dict]:
    """{function/event: properties} of every SQS event source in a packaged template."""
    out = {}
    for name, resource in template["Resources"].items():
        for event_name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            if event.get("Type") == "SQS":
                out[f"{name}/{event_name}"] = event["Properties"]
    return out


def _queue_named(resources: dict, arn: dict) -> str:
    """The logical id of the template's queue that a Chalice-written ARN (…:<prefix>-<suffix>) names."""
    written = arn["Fn::Sub"].rsplit(":", 1)[1]
    for logical, resource in resources.items():
        if resource.get("Type") == "AWS::SQS::Queue":
            suffix = resource["Properties"]["QueueName"]["Fn::Sub"].replace("${ResourcePrefix}", "")
            if written.endswith(suffix):
                return logical
    raise LookupError(f"no queue in infra/template.json for {written}")


def _worker_policy(function: str, queues: list[dict]) -> dict:
    """The default for a function without a role of its own in infra/template.json: its log group, its settings,
    the app's tables, and consuming the queues it is mapped to."""
    account = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:"
    statements = [
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::Sub": account % "logs" + f"log-group:/aws/lambda/${{ResourcePrefix}}-{function}:*"},
        },
        {
            "Sid": "OwnSettings",
            "Effect": "Allow",
            "Action": ["ssm:GetParametersByPath"],
            "Resource": {"Fn::Sub": account % "ssm" + "parameter${SettingsPath}"},
        },
        {
            "Sid": "Tables",
            "Effect": "Allow",
            "Action": [f"dynamodb:{a}" for a in WORKER_TABLE_ACTIONS],
            "Resource": [
                {"Fn::Sub": account % "dynamodb" + "table/${ResourcePrefix}-*"},
                {"Fn::Sub": account % "dynamodb" + "table/${ResourcePrefix}-*/index/*"},
            ],
        },
    ]
    if queues:
        consume = ["ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl"]
        statements.append(
            {"Sid": "ConsumeQueues", "Effect": "Allow", "Action": [f"sqs:{a}" for a in consume], "Resource": queues}
        )
    return {"Version": "2012-10-17", "Statement": statements}


WORKER_TABLE_ACTIONS = (
    "GetItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "ConditionCheckItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
)
