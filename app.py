"""Bharat Biz: the Chalice app. Thin: every handler parses, calls one use case in chalicelib, maps the result.

Nothing heavy is imported here: each Lambda of the app imports this module on cold start.
"""

from chalice import Chalice, Cron, Rate

from chalicelib.config import approvals_queue_name, imports_queue_name, inbound_queue_name
from chalicelib.jobs.warmup import warm_up_this_function
from chalicelib.web.approval_pages import approval_pages
from chalicelib.web.health import health
from chalicelib.web.owner_accounts import owner_accounts
from chalicelib.web.owner_attention import owner_attention
from chalicelib.web.owner_catalogue import owner_catalogue
from chalicelib.web.owner_customers import owner_customers
from chalicelib.web.owner_orders import owner_orders
from chalicelib.web.owner_stock import owner_stock
from chalicelib.web.webhook import webhook

app = Chalice(app_name="bharatbiz", configure_logs=False)  # Powertools Logger owns logging
app.register_blueprint(webhook)
app.register_blueprint(health)
app.register_blueprint(owner_stock)
app.register_blueprint(owner_orders)
app.register_blueprint(owner_customers)
app.register_blueprint(owner_catalogue)
app.register_blueprint(approval_pages)
app.register_blueprint(owner_accounts)
app.api.binary_types.append("application/pdf")  # the owner's statement PDF
app.register_blueprint(owner_attention)


@app.middleware("http")
def refuse_without_settings(event, get_response):
    """A stage whose settings are missing or placeholders answers every request 503 naming them, and acts on none."""
    from chalicelib.config import unconfigured

    refusal = unconfigured()
    if refusal is not None:
        from chalice import Response

        return Response(body=refusal, status_code=503)
    return get_response(event)


@app.middleware("all")
def flush_metrics(event, get_response):
    """Every invocation (request, queue batch, schedule) publishes the metrics it counted, once, at its end."""
    try:
        return get_response(event)
    finally:
        from chalicelib import metrics

        metrics.flush()


@app.lambda_function(name="receive_webhook")
def receive_webhook(event, context):
    """Meta's webhook through the function's URL (infra/template.json): no API Gateway charge on status webhooks."""
    from chalicelib.web.function_url import handle

    return handle(event)


@app.on_sqs_message(queue=inbound_queue_name(), batch_size=10)
def handle_inbound(event):
    from chalicelib.jobs.sqs import process_inbound_batch

    return process_inbound_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=approvals_queue_name(), batch_size=5)
def handle_approvals(event):
    from chalicelib.jobs.sqs import process_approvals_batch

    return process_approvals_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=imports_queue_name(), batch_size=1)
def handle_stock_imports(event):
    from chalicelib.jobs.sqs import process_imports_batch

    return process_imports_batch(event.to_dict(), event.context)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def expire_idle_orders(event):
    from chalicelib.bootstrap import container

    return container().expiry.expire_idle_orders()


@app.schedule(Cron(30, 4, "*", "*", "?", "*"))  # 10:00 IST every day
def send_payment_reminders(event):
    from chalicelib.bootstrap import container

    return container().staged_reminders.send_due_reminders()


@app.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_outbox(event):
    """Re-send WhatsApp messages left pending (no wamid) by a worker that died; see services/delivery.py."""
    from chalicelib.bootstrap import container

    return container().delivery.sweep()


# The SQS workers' Lambdas build their container during init (not on their first record); the API's stays lean.
warm_up_this_function()
