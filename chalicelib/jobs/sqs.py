"""SQS record processing with partial batch failure (Powertools), one record handler per queue."""

from __future__ import annotations

import json

from chalicelib import metrics

# = each queue's maxReceiveCount in infra/template.json (a test checks): a record failing its attempt number this
# high goes to the dead-letter queue, which is worth a metric (and the DLQ depth alarm) of its own.
DEAD_LETTER_AFTER = {"InboundQueue": 3, "ApprovalsQueue": 5}
OUTCOME_METRICS = {
    "approved": (metrics.ORDERS_APPROVED, metrics.INVOICES_ISSUED),
    "rejected": (metrics.ORDERS_REJECTED,),
    "refused": (metrics.APPROVALS_REFUSED,),
}


def _count_if_last_attempt(queue: str, receive_count) -> None:
    if int(receive_count or 1) >= DEAD_LETTER_AFTER.get(queue, 10**9):
        metrics.count(metrics.RECORDS_DEAD_LETTERED)


def process_inbound_batch(event: dict, context=None) -> dict:
    """FIFO inbound queue: a failed record fails the rest of its customer's group (so nothing overtakes it),
    while other customers' records in the batch are processed."""
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    return process_partial_response(event=event, record_handler=_inbound_record, processor=processor, context=context)


def _inbound_record(record) -> None:
    from chalicelib.bootstrap import container
    from chalicelib.domain.audit import message_ref
    from chalicelib.domain.webhook import InboundMessage
    from chalicelib.logs import get_logger, mask_phone

    logger = get_logger()
    receive_count = int(record.attributes.approximate_receive_count or 1)
    context = {"message_id": record.message_id, "receive_count": receive_count}
    try:
        message = InboundMessage.from_dict(json.loads(record.body))
        ref = message_ref(message.wamid)  # a wamid is base64 of the customer's number: logged only as its hash
        logger.set_correlation_id(ref)
        context.update(wamid=ref, customer=mask_phone(message.phone))
        c = container()
        if c.flood_control.screen(message):  # over the customer's limit this minute: acknowledged, not read
            context["flood_limited"] = True
        else:
            c.conversation.handle(message)
    except Exception as exc:
        # Logged with its reason on every attempt; after the queue's maxReceiveCount it lands in the DLQ.
        logger.exception("inbound record failed", extra={**context, "reason": f"{type(exc).__name__}: {exc}"})
        _count_if_last_attempt("InboundQueue", receive_count)
        raise
    logger.info("inbound record processed", extra=context)


def process_approvals_batch(event: dict, context=None) -> dict:
    """FIFO approvals queue, grouped by order: a failed decision fails the rest of its order's group (a later
    decision never overtakes an earlier one), while other orders' decisions in the batch are executed."""
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    return process_partial_response(event=event, record_handler=_approval_record, processor=processor, context=context)


def _approval_record(record) -> None:
    from chalicelib.bootstrap import container
    from chalicelib.logs import get_logger
    from chalicelib.services.approval import parse_command

    logger = get_logger()
    context = {"message_id": record.message_id, "receive_count": record.attributes.approximate_receive_count}
    try:
        command = parse_command(record.body)
        logger.set_correlation_id(command["order_id"])
        outcome = container().approval.execute(command)
    except Exception as exc:
        logger.exception("approval record failed", extra={**context, "reason": f"{type(exc).__name__}: {exc}"})
        _count_if_last_attempt("ApprovalsQueue", record.attributes.approximate_receive_count)
        raise
    for name in OUTCOME_METRICS.get(outcome, ()):
        metrics.count(name)
    logger.info("approval record processed", extra={**context, "order_id": command["order_id"], "outcome": outcome})


def process_imports_batch(event: dict, context=None) -> dict:
    """Imports queue: each record names one staged stock import; applying it is resumable and idempotent, so a
    worker killed midway is finished by the retry."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=_import_record, processor=processor, context=context)


def _import_record(record) -> None:
    from chalicelib.bootstrap import container
    from chalicelib.logs import get_logger

    logger = get_logger()
    context = {"message_id": record.message_id, "receive_count": record.attributes.approximate_receive_count}
    try:
        import_id = json.loads(record.body)["import_id"]
        logger.set_correlation_id(import_id)
        outcome = container().stock_imports.apply(import_id)
    except Exception as exc:
        logger.exception("stock import record failed", extra={**context, "reason": f"{type(exc).__name__}: {exc}"})
        raise
    logger.info(
        "stock import applied",
        extra={**context, "import_id": import_id, "created": outcome["created"], "unchanged": outcome["unchanged"]},
    )
