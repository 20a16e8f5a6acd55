"""Provision infra/template.json onto an AWS-compatible endpoint (the embedded emulator or LocalStack).

This reads the one CloudFormation template and turns each table, queue and bucket into the API calls that create
it, resolving the few intrinsics the template uses (Fn::Sub with parameters and pseudo parameters, Ref, Fn::GetAtt
Arn). There is no second list of resources: add a resource to the template and it is provisioned here too.
Entries without a Type (Chalice merge overrides of generated functions) are not resources and are skipped.
Creating something that exists already is not an error, so provisioning is repeatable.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

log = logging.getLogger("devstack.provision")

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.json"
ACCOUNT_ID = "123456789012"
EMULATED = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket")


def load_template(path: Path = TEMPLATE) -> dict:
    return json.loads(path.read_text())


class Resolver:
    """Resolves Fn::Sub, Ref and Fn::GetAtt against parameters and already-created resources."""

    def __init__(self, template: dict, parameters: dict, region: str):
        self.values = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
        self.values.update(parameters)
        self.values.update({"AWS::Region": region, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"})
        self.attrs: dict[tuple[str, str], str] = {}

    def __call__(self, node):
        if isinstance(node, dict):
            if set(node) == {"Fn::Sub"}:
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self._value(m.group(1))), node["Fn::Sub"])
            if set(node) == {"Ref"}:
                return self._value(node["Ref"])
            if set(node) == {"Fn::GetAtt"}:
                logical, attr = node["Fn::GetAtt"]
                return self.attrs[(logical, attr)]
            return {k: self(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self(v) for v in node]
        return node

    def _value(self, name: str):
        if "." in name:
            logical, attr = name.split(".", 1)
            return self.attrs[(logical, attr)]
        return self.values[name]


def provision(session, endpoint_url: str | None, parameters: dict, template: dict | None = None) -> dict:
    """Create every table, queue and bucket of the template; return {logical id: physical name or url}."""
    template = template or load_template()
    region = session.region_name
    resolve = Resolver(template, parameters, region)
    clients = {}

    def client(service):
        if service not in clients:
            clients[service] = session.client(service, endpoint_url=endpoint_url)
        return clients[service]

    created = {}
    resources = template["Resources"]
    # Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
    order = sorted(resources, key=lambda name: "RedrivePolicy" in resources[name].get("Properties", {}))
    for logical in order:
        spec = resources[logical]
        kind = spec.get("Type")
        if kind is None:
            continue  # a Chalice merge override of a generated function, not a resource
        if kind not in EMULATED:
            log.info("provision: skipping %s (%s): not an emulated resource", logical, kind)
            continue  # alarms, topics, policies: AWS only (and they may refer to what is not created here)
        props = resolve(spec.get("Properties", {}))
        if kind == "AWS::DynamoDB::Table":
            created[logical] = _table(client("dynamodb"), props)
        elif kind == "AWS::SQS::Queue":
            url, arn = _queue(client("sqs"), props)
            resolve.attrs[(logical, "Arn")] = arn
            resolve.values[logical] = url
            created[logical] = url
        elif kind == "AWS::S3::Bucket":
            created[logical] = _bucket(client("s3"), props, region)
        else:
            log.info("provision: skipping %s (%s): not an emulated resource", logical, kind)
    return created


def _table(ddb, props: dict) -> str:
    name = props["TableName"]
    args = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    try:
        ddb.create_table(**args)
        log.info("provision: table %s", name)
    except ddb.exceptions.ResourceInUseException:
        return name
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return name


def _queue(sqs, props: dict) -> tuple[str, str]:
    name = props["QueueName"]
    attributes = {}
    for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if key in props:
            attributes[key] = str(props[key])
    if props.get("FifoQueue"):
        attributes["FifoQueue"] = "true"
        attributes["ContentBasedDeduplication"] = str(bool(props.get("ContentBasedDeduplication"))).lower()
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    log.info("provision: queue %s", name)
    return url, arn


def _bucket(s3, props: dict, region: str) -> str:
    name = props["BucketName"]
    args = {"Bucket": name}
    if region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**args)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        return name
    if "BucketEncryption" in props:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                    for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    log.info("provision: bucket %s", name)
    return name


def queue_settings(template: dict | None = None) -> dict[str, dict]:
    """Per queue logical id: visibility timeout and max receive count, for the local event source mapping."""
    template = template or load_template()
    out = {}
    for logical, spec in template["Resources"].items():
        if spec.get("Type") == "AWS::SQS::Queue":
            props = spec["Properties"]
            out[logical] = {
                "visibility_timeout": int(props.get("VisibilityTimeout", 30)),
                "max_receive_count": int(props.get("RedrivePolicy", {}).get("maxReceiveCount", 0)),
                "fifo": bool(props.get("FifoQueue")),
            }
    return out
