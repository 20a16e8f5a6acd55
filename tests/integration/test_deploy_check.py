"""The deploy check CI runs every time: the packaged template has what a real deployment needs (settings path,
alarms, log retention, timeouts, least privilege, retention policies), and the handlers of deployment.zip, run on
a bare interpreter (`python -I`) against the emulator, take one whole order to an invoice with settings read from
SSM Parameter Store through the same parameters code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
import zipfile

import pytest

from chalicelib.config import REQUIRED, SECRETS
from tests.unit.test_settings import COMPLETE

pytestmark = pytest.mark.integration

DRIVER = os.path.join(os.path.dirname(__file__), "deploy_driver.py")


@pytest.fixture(scope="module")
def template(packaged):
    return json.loads(packaged.read_text())


def of_type(template: dict, kind: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def functions(template: dict) -> dict:
    return of_type(template, "AWS::Serverless::Function")


# --- the template ----------------------------------------------------------------------------------------------
def test_the_template_takes_the_settings_path_alarm_email_and_log_retention_as_parameters(template):
    parameters = template["Parameters"]
    assert parameters["SettingsPath"]["Default"] == "/bharatbiz/dev"
    assert parameters["AlarmEmail"]["Default"] == ""  # nothing needed for a first deploy or the local stack
    assert parameters["LogRetentionDays"]["Default"] == 30
    for name, function in functions(template).items():
        assert function["Properties"]["Environment"]["Variables"]["SETTINGS_PATH"] == {"Ref": "SettingsPath"}, name


def test_no_literal_stage_name_outside_the_parameter_defaults(template):
    outside = json.dumps({k: v for k, v in template.items() if k != "Parameters"})
    assert re.findall(r"bharatbiz-(?:dev|prod)|/bharatbiz/(?:dev|prod)", outside) == []


def test_every_function_has_a_log_group_with_retention_and_alarms_on_errors_and_throttles(template):
    groups = {json.dumps(g["Properties"]["LogGroupName"]): g for g in of_type(template, "AWS::Logs::LogGroup").values()}
    alarms = of_type(template, "AWS::CloudWatch::Alarm").values()
    from devstack.package import function_name

    for name, function in functions(template).items():
        assert function["Properties"]["FunctionName"] == {"Fn::Sub": f"${{ResourcePrefix}}-{function_name(function)}"}
        group = groups[json.dumps({"Fn::Sub": f"/aws/lambda/${{ResourcePrefix}}-{function_name(function)}"})]
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        watched = {
            a["Properties"]["MetricName"]
            for a in alarms
            if {"Name": "FunctionName", "Value": {"Ref": name}} in a["Properties"]["Dimensions"]
        }
        assert {"Errors", "Throttles"} <= watched, name


def test_every_dead_letter_queue_api_5xx_and_refused_sends_raise_an_alarm_to_the_owners_topic(template):
    alarms = list(of_type(template, "AWS::CloudWatch::Alarm").values())
    queues = of_type(template, "AWS::SQS::Queue")
    dead_letter = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] for q in queues.values()
                   if "RedrivePolicy" in q["Properties"]} | {"SchedulesDeadLetterQueue"}  # fmt: skip
    depth = {
        a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in alarms
        if a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible" and a["Properties"]["Threshold"] == 0
    }
    assert dead_letter <= depth
    metrics = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms}
    assert {("AWS/ApiGateway", "5XXError"), ("BharatBiz", "SendsRefused")} <= metrics
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)
    subscription = of_type(template, "AWS::SNS::Subscription")["AlarmTopicOwnerEmail"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_queues_outlast_their_consumers_and_the_api_answers_within_api_gateways_29_seconds(template):
    queues = of_type(template, "AWS::SQS::Queue")
    consumers = 0
    for name, function in functions(template).items():
        for event in (function["Properties"].get("Events") or {}).values():
            if event["Type"] == "SQS":
                consumers += 1
                queue = queues[event["Properties"]["Queue"]["Fn::GetAtt"][0]]
                assert queue["Properties"]["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"], (
                    f"{name}: its queue's VisibilityTimeout (infra/template.json) must be at least 6 x its "
                    "lambda_timeout (.chalice/config.json lambda_functions), as AWS advises for SQS event sources"
                )
                assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
                assert "MaximumConcurrency" in event["Properties"]["ScalingConfig"], name
            if event["Type"] == "Schedule":
                assert "Arn" in event["Properties"]["DeadLetterConfig"], name
                assert function["Properties"]["DeadLetterQueue"]["Type"] == "SQS", name
    assert consumers >= 2
    assert functions(template)["APIHandler"]["Properties"]["Timeout"] <= 29
    settings = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"][0]
    assert {"ThrottlingRateLimit", "ThrottlingBurstLimit"} <= set(settings)


def test_each_function_has_its_own_role_with_only_named_actions_on_named_resources(template):
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions(template).values()]
    assert len(set(roles)) == len(roles) == len(functions(template))
    for role in roles:
        statements = [
            s for p in template["Resources"][role]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
        ]
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in a for a in actions), (role, actions)
            assert statement["Resource"] != "*" and "arn:aws:" not in json.dumps(statement["Resource"]), role
        settings = [s for s in statements if "ssm:GetParametersByPath" in s["Action"]]
        assert settings and "${SettingsPath}" in settings[0]["Resource"]["Fn::Sub"], role
    inbound = json.dumps(template["Resources"]["HandleInboundRole"])
    assert "s3:" not in inbound and "sqs:SendMessage" not in inbound  # reads its queue, writes no invoice


def test_tables_and_bucket_survive_a_failed_first_create_and_the_bucket_is_tls_only(template):
    for name, table in of_type(template, "AWS::DynamoDB::Table").items():
        assert table["DeletionPolicy"] == "RetainExceptOnCreate", name
        assert table["Properties"]["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}, name
    bucket = template["Resources"]["InvoiceBucket"]
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
    assert "${AWS::AccountId}" in bucket["Properties"]["BucketName"]["Fn::Sub"]
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any("NoncurrentVersionExpiration" in r for r in rules)
    (policy,) = of_type(template, "AWS::S3::BucketPolicy").values()
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_workers_dead_letter_counts_match_the_queues_max_receive_counts():
    from chalicelib.jobs.sqs import DEAD_LETTER_AFTER
    from devstack.provision import queue_settings

    settings = queue_settings()
    assert {q: settings[q]["max_receive_count"] for q in DEAD_LETTER_AFTER} == DEAD_LETTER_AFTER


def test_each_functions_role_may_write_to_its_own_log_group(template):
    for name, function in functions(template).items():
        role = template["Resources"][function["Properties"]["Role"]["Fn::GetAtt"][0]]
        statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        [logs] = [s for s in statements if "logs:PutLogEvents" in s["Action"]]
        deployed_name = function["Properties"]["FunctionName"]["Fn::Sub"]
        assert logs["Resource"]["Fn::Sub"].endswith(f"log-group:/aws/lambda/{deployed_name}:*"), name


def test_meta_calls_the_webhook_functions_url_which_may_be_throttled_by_reserved_concurrency(template):
    resources = template["Resources"]
    function = resources["ReceiveWebhook"]["Properties"]
    assert function["Handler"] == "app.receive_webhook" and function["Timeout"] <= 10
    # reserved only when the account can spare it (WebhookReservedConcurrency > 0): a new account cannot
    reserved = function["ReservedConcurrentExecutions"]["Fn::If"]
    assert reserved == ["WebhookConcurrencyReserved", {"Ref": "WebhookReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
    assert template["Parameters"]["WebhookReservedConcurrency"]["Default"] == 0
    [url] = of_type(template, "AWS::Lambda::Url").values()
    # no IAM auth: Meta cannot sign AWS requests; the body's X-Hub-Signature-256 is checked before anything is stored
    assert url["Properties"]["AuthType"] == "NONE"
    assert url["Properties"]["TargetFunctionArn"] == {"Fn::GetAtt": ["ReceiveWebhook", "Arn"]}
    [permission] = [
        p for p in of_type(template, "AWS::Lambda::Permission").values() if p["Properties"].get("FunctionUrlAuthType")
    ]
    assert permission["Properties"]["Action"] == "lambda:InvokeFunctionUrl"
    assert permission["Properties"]["FunctionName"] == {"Ref": "ReceiveWebhook"}
    assert "ReceiveWebhookUrl.FunctionUrl" in template["Outputs"]["WebhookUrl"]["Value"]["Fn::Sub"]
    role = json.dumps(resources["ReceiveWebhookRole"])
    assert "s3:" not in role and "sqs:ReceiveMessage" not in role and "ApprovalsQueue" not in role


# --- the handlers from deployment.zip --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def task_root(packaged, tmp_path_factory):
    root = tmp_path_factory.mktemp("task")
    with zipfile.ZipFile(packaged.parent / "deployment.zip") as archive:
        archive.extractall(root)
    return root


@pytest.fixture(scope="module")
def deployed(aws):
    """A stage of its own on the emulator (no local worker competes for its queues), its settings in SSM, its own
    fake Graph API and the sample stock."""
    from chalicelib.adapters.parameters import write_parameters
    from chalicelib.bootstrap import Container
    from chalicelib.config import load_settings
    from devstack.fake_graph import FakeGraph
    from devstack.provision import provision
    from devstack.seed import seed

    prefix, path = "bbzip", f"/bbzip-{uuid.uuid4().hex[:8]}"
    resources = provision(aws.session, aws.url, {"ResourcePrefix": prefix})
    local = {"STAGE": "local", "RESOURCE_PREFIX": prefix, "AWS_ENDPOINT_URL": aws.url, "AWS_REGION": "ap-south-1"}
    container = Container(load_settings(local))
    seed(container)
    values = {k: v for k, v in COMPLETE.items() if k != "STAGE"}
    graph = FakeGraph(token=values["WHATSAPP_TOKEN"], app_secret=values["WHATSAPP_APP_SECRET"], status_callbacks=False)
    graph.start()
    from devstack.templates import sync

    # The templates exist and are approved (as `devstack templates sync` leaves them), so the owner, who never wrote,
    # gets the owner_new_order template.
    sync(graph.url, "v21.0", "1", values["WHATSAPP_TOKEN"], values["PUBLIC_BASE_URL"], registry=container.templates)
    write_parameters(aws.session, aws.url, path, values, SECRETS)
    from devstack.emulator import FAKE_CREDENTIALS

    env = {
        **FAKE_CREDENTIALS,
        "STAGE": "dev",
        "RESOURCE_PREFIX": prefix,
        "SETTINGS_PATH": path,
        "INVOICE_BUCKET": resources["InvoiceBucket"],
        "AWS_ENDPOINT_URL": aws.url,
        "WHATSAPP_API_BASE": graph.url,
        "WHATSAPP_API_VERSION": "v21.0",
        "POWERTOOLS_SERVICE_NAME": "bharatbiz",
    }
    yield {"env": env, "graph": graph, "values": values, "prefix": prefix, "resources": resources}
    graph.stop()


def run_driver(task_root, plan: dict, tmp_path) -> tuple[dict, list[dict]]:
    """Run the driver under `python -I` with an empty environment; return its outcome and its EMF lines."""
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps({"task_root": str(task_root), **plan}))
    result = subprocess.run(
        [sys.executable, "-I", DRIVER, str(plan_file)],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    outcome = json.loads(next(line for line in lines if line.startswith("OUTCOME "))[len("OUTCOME ") :])
    emf = [json.loads(line) for line in lines if line.startswith("{") and '"_aws"' in line]
    return outcome, emf


def test_the_packaged_handlers_take_one_whole_order_to_one_invoice_with_settings_from_ssm(
    task_root, deployed, aws, tmp_path
):
    from chalicelib.domain.signature import sign
    from devstack.client import new_wamid, tap_webhook, text_webhook

    values, phone = deployed["values"], "9197" + uuid.uuid4().int.__str__()[:8]
    number = values["WHATSAPP_PHONE_NUMBER_ID"]
    webhooks = []
    for payload in (
        text_webhook(phone, "20m blue cotton", new_wamid(), phone_number_id=number),
        tap_webhook(phone, "confirm", new_wamid(), phone_number_id=number),
    ):
        raw = json.dumps(payload)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(raw.encode(), values["WHATSAPP_APP_SECRET"]),
        }
        webhooks.append({"body": raw, "headers": headers})  # fmt: skip
    plan = {
        "env": deployed["env"],
        "graph_url": deployed["graph"].url,
        "owner_phone": values["OWNER_PHONE"],
        "inbound_queue": f"{deployed['prefix']}-inbound.fifo",
        "approvals_queue": f"{deployed['prefix']}-approvals.fifo",
        "webhooks": webhooks,
    }

    outcome, emf = run_driver(task_root, plan, tmp_path)

    assert outcome["health"] == {"status": 200, "body": outcome["health"]["body"]} and outcome["health"]["body"]["ok"]
    assert outcome["inbound_handled"] == 2 and outcome["approvals_handled"] == 1
    ddb = aws.session.client("dynamodb", endpoint_url=aws.url)
    invoices = [
        i
        for i in ddb.scan(TableName=f"{deployed['prefix']}-invoices")["Items"]
        if i["invoice_key"]["S"].startswith("INV#") and phone in json.dumps(i)
    ]
    assert len(invoices) == 1
    assert values["SUPPLIER_GSTIN"] in json.dumps(invoices[0])  # the shop from SSM, never the demo one
    documents = [m for m in deployed["graph"].messages(to=phone) if m["payload"].get("type") == "document"]
    assert len(documents) == 1
    counted = {m["Name"] for line in emf for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"OrdersHandedOver", "OrdersApproved", "InvoicesIssued"} <= counted
    assert all(d["Namespace"] == "BharatBiz" for line in emf for d in line["_aws"]["CloudWatchMetrics"])


def test_a_packaged_function_without_settings_answers_health_503_naming_them(task_root, deployed, tmp_path):
    env = {**deployed["env"], "SETTINGS_PATH": f"/bbzip-empty-{uuid.uuid4().hex[:8]}"}
    outcome, _ = run_driver(task_root, {"env": env, "health_only": True}, tmp_path)
    assert outcome["health"]["status"] == 503
    assert outcome["health"]["body"]["missing"] == list(REQUIRED)


def test_the_deployed_workers_are_named_so_their_warm_up_recognises_them(template):
    from chalicelib.jobs.warmup import WORKERS
    from devstack.package import function_name

    consumers = {
        function_name(f)
        for f in functions(template).values()
        if any(e["Type"] == "SQS" for e in (f["Properties"].get("Events") or {}).values())
    }
    assert set(WORKERS) <= consumers
