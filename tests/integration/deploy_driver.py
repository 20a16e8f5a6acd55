"""Run by tests/integration/test_deploy_check.py as `python -I deploy_driver.py plan.json`: plays Lambda for the
handlers of an extracted deployment.zip (and nothing of the repository), against the emulator, for one whole order.

Only the standard library and what the zip carries are importable: the task root goes first on sys.path, as
/var/task does on Lambda. Events are shaped as API Gateway (REST, proxy) and the SQS event source send them.
"""

import json
import os
import re
import sys
import time
import urllib.request
from types import SimpleNamespace


def context(name):
    deadline = time.time() + 60
    return SimpleNamespace(
        function_name=name,
        function_version="$LATEST",
        invoked_function_arn=f"arn:aws:lambda:ap-south-1:123456789012:function:{name}",
        memory_limit_in_mb=512,
        aws_request_id=f"req-{time.time_ns()}",
        log_group_name=f"/aws/lambda/{name}",
        log_stream_name="deploy-check",
        get_remaining_time_in_millis=lambda: int((deadline - time.time()) * 1000),
    )


def api(app, method, resource, path_parameters=None, body=None, headers=None, query=None):
    path = resource
    for key, value in (path_parameters or {}).items():
        path = path.replace("{" + key + "}", value)
    event = {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers or {},
        "multiValueHeaders": {k: [v] for k, v in (headers or {}).items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": "/api" + path, "stage": "api"},
        "body": body,
        "isBase64Encoded": False,
    }
    return app.app(event, context("APIHandler"))


def drain(sqs, queue_url, handler, name):
    """Receive until the queue is empty, hand each batch to the handler, delete what it did not report failed."""
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    handled = 0
    for _ in range(20):
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=30
        ).get("Messages", [])
        if not messages:
            return handled
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "ap-south-1",
            }
            for m in messages
        ]
        answer = handler({"Records": records}, context(name)) or {}
        failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        assert not failed, f"{name} reported failures: {answer}"
        for m in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        handled += len(messages)
    raise AssertionError(f"{queue_url} never emptied")


def graph_messages(graph_url, to):
    with urllib.request.urlopen(f"{graph_url}/_fake/messages?to={to}", timeout=10) as response:
        data = json.loads(response.read())
    return data["messages"] if isinstance(data, dict) else data


def main(plan_file):
    plan = json.loads(open(plan_file, encoding="utf-8").read())
    os.environ.update(plan["env"])
    sys.path.insert(0, plan["task_root"])
    import boto3

    import app

    loaded_from = {"app": app.__file__, "chalicelib": sys.modules["chalicelib"].__file__, "boto3": boto3.__file__}
    assert all(path.startswith(plan["task_root"]) for path in loaded_from.values()), loaded_from
    outcome = {"loaded_from": loaded_from}

    health = api(app, "GET", "/health")
    outcome["health"] = {"status": health["statusCode"], "body": json.loads(health["body"])}
    if plan.get("health_only"):
        print("OUTCOME " + json.dumps(outcome))
        return

    sqs = boto3.client("sqs", endpoint_url=plan["env"]["AWS_ENDPOINT_URL"], region_name="ap-south-1")
    inbound = sqs.get_queue_url(QueueName=plan["inbound_queue"])["QueueUrl"]
    approvals = sqs.get_queue_url(QueueName=plan["approvals_queue"])["QueueUrl"]
    outcome["inbound_handled"] = 0
    for webhook in plan["webhooks"]:  # the customer's order, then the tap on Confirm
        # through the webhook function's URL (payload format 2.0), the callback Meta is configured with
        url_event = {
            "version": "2.0",
            "rawPath": "/webhook",
            "headers": {k.lower(): v for k, v in webhook["headers"].items()},
            "requestContext": {"http": {"method": "POST", "path": "/webhook"}, "requestId": "deploy-check"},
            "body": webhook["body"],
            "isBase64Encoded": False,
        }
        answer = app.receive_webhook(url_event, context("ReceiveWebhook"))
        assert answer["statusCode"] == 200, answer
        outcome["inbound_handled"] += drain(sqs, inbound, app.handle_inbound, "HandleInbound")

    owner = graph_messages(plan["graph_url"], plan["owner_phone"])
    text = "\n".join(m["payload"].get("text", {}).get("body", "") for m in owner)
    # The owner never wrote: the notification is the owner_new_order template, its links in its URL buttons.
    text += "".join(
        f"\n{b['text']}: {b['url']}" for m in owner for b in m["payload"].get("_rendered", {}).get("buttons", [])
    )
    token = re.search(r"Approve: \S+/o/(\S+)", text).group(1)
    page = api(app, "GET", "/o/{token}", {"token": token})
    assert page["statusCode"] == 200 and "<form" in page["body"], page
    decided = api(
        app,
        "POST",
        "/o/{token}",
        {"token": token},
        body="action=approve",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    outcome["decision_status"] = decided["statusCode"]
    outcome["approvals_handled"] = drain(sqs, approvals, app.handle_approvals, "HandleApprovals")
    print("OUTCOME " + json.dumps(outcome))


if __name__ == "__main__":
    main(sys.argv[1])
