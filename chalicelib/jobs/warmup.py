"""Lambda's init phase for the SQS workers: build what their first record needs before it arrives.

Every function of a Chalice app imports app.py, so app.py stays lean for the API's Lambda (the webhook answers Meta
while it starts). The workers' Lambdas are told apart by their function name (Chalice names them
``<app>-<stage>-<handler>``) and build their container during init: the libraries, the one botocore session and
its clients, the queue URLs and the catalogue vocabulary. Measured (``make bench``): the first record a fresh
inbound worker handled took 12-18x a warm one; built at init, about 1.3x. The approvals worker builds its use case
but not the PDF libraries, which it loads only when it renders an invoice.

Best effort: a failure here is logged and the first record builds what is missing, as before.
"""

from __future__ import annotations

import os


def _batch_processing() -> None:
    """The modules every record of a batch goes through (imported lazily by the handlers; ~2 s on a cold start)."""
    import aws_lambda_powertools.utilities.batch  # noqa: F401

    import chalicelib.jobs.sqs  # noqa: F401
    from chalicelib import metrics  # noqa: F401


def _inbound() -> None:
    _batch_processing()
    from chalicelib.bootstrap import container

    c = container()
    c.conversation  # noqa: B018 - builds the conversation use case with its stores, clients and queue URLs
    c.vocabulary()


def _approvals() -> None:
    _batch_processing()
    from chalicelib.bootstrap import container

    container().approval  # noqa: B018


WORKERS = {"handle_inbound": _inbound, "handle_approvals": _approvals}


def warm_up_this_function(function_name: str | None = None) -> str | None:
    """Build the worker's dependencies if this process is one of the workers' Lambdas; returns which one."""
    name = function_name if function_name is not None else os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    handler = next((h for h in WORKERS if name.endswith("-" + h)), None)
    if handler is None:
        return None
    try:
        WORKERS[handler]()
    except Exception as exc:  # never fail Lambda's init over it: the first record builds what is missing
        from chalicelib.logs import get_logger

        get_logger().warning("warm-up failed", extra={"function": name, "reason": f"{type(exc).__name__}: {exc}"})
    return handler
