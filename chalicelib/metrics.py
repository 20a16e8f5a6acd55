"""Business metrics: one count per event, as CloudWatch Embedded Metric Format (Powertools Metrics) on AWS, in memory
on the local stage. Callers say what happened (``count(INVOICES_ISSUED)``); the handler layer flushes once per
invocation (app.py's middleware). The alarms in infra/template.json read these names from NAMESPACE."""

from __future__ import annotations

import os
import threading
from collections import Counter

NAMESPACE = "BharatBiz"
SERVICE = "bharatbiz"

ORDERS_HANDED_OVER = "OrdersHandedOver"  # a confirmed order went to the owner for approval
ORDERS_APPROVED = "OrdersApproved"
ORDERS_REJECTED = "OrdersRejected"
APPROVALS_REFUSED = "ApprovalsRefused"  # a decision that could not apply (order not waiting, stock gone)
INVOICES_ISSUED = "InvoicesIssued"
PAYMENTS_RECORDED = "PaymentsRecorded"
LLM_CALLS = "LlmCalls"
LLM_FALLBACKS = "LlmFallbacks"  # the LLM was asked and failed; the deterministic reading was used
WEBHOOK_ITEMS_IGNORED = "WebhookItemsIgnored"
SENDS_REFUSED = "SendsRefused"  # Meta refused a send with an error code (outside window, undeliverable, …)
RECORDS_DEAD_LETTERED = "RecordsDeadLettered"  # a queue record failed its last attempt: it is in the DLQ now


class MemoryMetrics:
    """The local stage's metrics: counts kept in the process (devstack and tests read ``counts``)."""

    def __init__(self):
        self.counts: Counter = Counter()
        self._lock = threading.Lock()

    def count(self, name: str, value: int = 1) -> None:
        with self._lock:
            self.counts[name] += value

    def flush(self) -> None:
        pass


class EmfMetrics:
    """Powertools Metrics: counts are buffered and printed as one EMF log line per flush (CloudWatch turns it into
    metrics in NAMESPACE with the service dimension); nothing is printed when nothing was counted."""

    def __init__(self, namespace: str = NAMESPACE, service: str = SERVICE):
        from aws_lambda_powertools import Metrics

        self._metrics = Metrics(namespace=namespace, service=service)
        self._lock = threading.Lock()

    def count(self, name: str, value: int = 1) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        with self._lock:
            self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def flush(self) -> None:
        with self._lock:
            if self._metrics.metric_set:
                self._metrics.flush_metrics()


_sink = None
_sink_lock = threading.Lock()


def sink():
    """The process's metrics: EMF on a deployed stage, in memory on the local one."""
    global _sink
    with _sink_lock:
        if _sink is None:
            _sink = MemoryMetrics() if os.environ.get("STAGE", "local") == "local" else EmfMetrics()
        return _sink


def count(name: str, value: int = 1) -> None:
    """Count ``value`` occurrences of the event ``name``. Never raises: a metric must not fail a customer's order."""
    if value <= 0:
        return
    try:
        sink().count(name, value)
    except Exception:  # noqa: S110 - metrics are best effort by design
        pass


def flush() -> None:
    try:
        sink().flush()
    except Exception:  # noqa: S110
        pass
