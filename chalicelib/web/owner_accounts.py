"""Owner API for money: payments and their reversal, receivables with ageing, statements, returns."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.owner_auth import owner_api

owner_accounts = Blueprint(__name__)


def json_body(request) -> object:
    """The request's JSON with numbers as exact Decimals (a float cannot hold paise); BadRequest (400) if not JSON."""
    import json
    from decimal import Decimal

    from chalicelib.domain.errors import BadRequest

    raw = request.raw_body or b"{}"
    try:
        return json.loads(raw, parse_float=Decimal)
    except ValueError:
        raise BadRequest("the body is not JSON") from None


@owner_accounts.route("/owner/customers/{phone}/payments", methods=["POST"])
@owner_api(owner_accounts)
def record_payment(phone):
    from chalicelib.bootstrap import container

    payment, created = container().payments.record(phone, json_body(owner_accounts.current_request))
    return Response(body=payment, status_code=201 if created else 200)


@owner_accounts.route("/owner/customers/{phone}/payments/{payment_id}/reverse", methods=["POST"])
@owner_api(owner_accounts)
def reverse_payment(phone, payment_id):
    from chalicelib.bootstrap import container

    return container().payments.reverse(phone, payment_id)


@owner_accounts.route("/owner/receivables", methods=["GET"])
@owner_api(owner_accounts)
def receivables():
    from chalicelib.bootstrap import container

    return container().receivables.report()


@owner_accounts.route("/owner/customers/{phone}/statement.pdf", methods=["GET"])
@owner_api(owner_accounts)
def statement_pdf(phone):
    from chalicelib.bootstrap import container

    query = owner_accounts.current_request.query_params or {}
    pdf = container().statements.pdf(phone, query.get("from"), query.get("to"))
    filename = f"statement-{phone}.pdf"
    headers = {"Content-Type": "application/pdf", "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(body=pdf, status_code=200, headers=headers)


@owner_accounts.route("/owner/invoices/{number}/returns", methods=["POST"])
@owner_api(owner_accounts)
def record_return(number):
    """``number`` as on the invoice with its slashes encoded (BB%2F26-27%2F00001) or as dashes (BB-26-27-00001)."""
    from urllib.parse import unquote

    from chalicelib.bootstrap import container

    note = container().returns.record(_invoice_number(unquote(number)), json_body(owner_accounts.current_request))
    return Response(body=note, status_code=201)


def _invoice_number(text: str) -> str:
    """'BB-26-27-00001' -> 'BB/26-27/00001' (a path segment cannot carry the slashes)."""
    import re

    match = re.fullmatch(r"([A-Za-z]{1,4})-(\d{2}-\d{2})-(\d{1,6})", text)
    return f"{match.group(1)}/{match.group(2)}/{match.group(3)}" if match else text
