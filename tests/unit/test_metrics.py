"""Business metrics: counted where things happen, published once per invocation as CloudWatch EMF."""

import json

from chalicelib import metrics


def test_emf_metrics_print_one_blob_with_every_count_in_the_namespace_and_nothing_when_idle(capsys):
    sink = metrics.EmfMetrics()
    sink.flush()
    assert capsys.readouterr().out == ""

    sink.count(metrics.INVOICES_ISSUED)
    sink.count(metrics.SENDS_REFUSED, 2)
    sink.flush()

    blob = json.loads(capsys.readouterr().out)
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "BharatBiz" and ["service"] in directive["Dimensions"]
    assert blob["InvoicesIssued"] == [1.0] and blob["SendsRefused"] == [2.0]


def test_a_failing_metrics_sink_never_fails_the_caller(monkeypatch):
    class Broken:
        def count(self, name, value=1):
            raise RuntimeError("no metrics today")

    monkeypatch.setattr(metrics, "_sink", Broken())
    metrics.count(metrics.ORDERS_APPROVED)  # no exception


def test_the_local_stage_counts_in_memory(monkeypatch):
    monkeypatch.setattr(metrics, "_sink", None)
    monkeypatch.setenv("STAGE", "local")
    metrics.count(metrics.LLM_CALLS, 3)
    metrics.count(metrics.LLM_CALLS, 0)
    assert metrics.sink().counts[metrics.LLM_CALLS] == 3
