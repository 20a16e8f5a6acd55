"""Payments on the running stack: an approved invoice part-paid, the customer told, the same payment twice changing
nothing, a reversal restoring it, bad amounts refused, credit terms and receivables."""

from decimal import Decimal

import pytest

from devstack.client import http
from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e


def approved_invoice(client, aws, phone) -> dict:
    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="0", price="100.00")
    order_id = h.confirmed_order(client, phone, batch.order_text("10"))
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    h.drain(aws)
    return h.wait_for(lambda: h.order(order_id).get("invoice"), what="the invoice")


def test_a_part_payment_lowers_the_balance_tells_the_customer_and_a_reversal_restores_it(client, aws, phone):
    invoice = approved_invoice(client, aws, phone)  # 10 m at ₹100 + 5% GST = ₹1,050
    total = Decimal(invoice["grand_total"])
    body = {"amount": "400.00", "mode": "upi", "reference": f"UTR{phone[-6:]}", "received_on": None}

    status, payment = h.owner_api(client, "POST", f"/owner/customers/{phone}/payments", body)
    assert status == 201, payment
    assert Decimal(payment["balance_after"]) == total - 400
    assert payment["allocations"] == {invoice["number"]: "400.00"}
    status, account = h.owner_api(client, "GET", f"/owner/customers/{phone}")
    [open_invoice] = account["open_invoices"]
    assert (open_invoice["status"], Decimal(open_invoice["due"])) == ("partly paid", total - 400)
    assert Decimal(account["balance"]) == total - 400
    told = h.wait_for(lambda: [t for t in map(h.text_of, client.messages(to=phone)) if "₹400.00" in t], what="told")
    assert f"₹{total - 400:,.2f}" in told[0]

    again = h.owner_api(client, "POST", f"/owner/customers/{phone}/payments", body)
    assert again == (200, payment)
    assert Decimal(h.owner_api(client, "GET", f"/owner/customers/{phone}")[1]["balance"]) == total - 400

    status, reversed_ = h.owner_api(
        client, "POST", f"/owner/customers/{phone}/payments/{payment['payment_id']}/reverse"
    )
    assert status == 200 and reversed_["reversed_at"]
    account = h.owner_api(client, "GET", f"/owner/customers/{phone}")[1]
    assert Decimal(account["balance"]) == total and account["open_invoices"][0]["status"] == "unpaid"
    kinds = [(e["kind"], Decimal(e["amount"])) for e in account["ledger"]]
    assert kinds == [("debit", total), ("credit", 400), ("debit", 400)]


@pytest.mark.parametrize("amount", ["0", "-100", "lots", "99999999999", "10.001"])
def test_a_bad_amount_gets_a_400_and_writes_nothing(client, aws, phone, amount):
    status, body = h.owner_api(client, "POST", f"/owner/customers/{phone}/payments", {"amount": amount, "mode": "cash"})
    assert status == 400 and "amount" in body["error"]
    assert h.ledger(phone) == []


def test_credit_terms_set_the_due_date_and_the_receivables_age_by_it(client, aws, phone):
    invoice = approved_invoice(client, aws, phone)
    status, account = h.owner_api(
        client, "PUT", f"/owner/customers/{phone}", {"credit_limit": "50000", "credit_days": 0}
    )
    assert status == 200 and (account["credit_limit"], account["credit_days"]) == ("50000.00", 0)
    status, report = h.owner_api(client, "GET", "/owner/receivables")
    assert status == 200
    row = next(r for r in report["customers"] if r["phone"] == phone)
    assert row["outstanding"] == invoice["grand_total"] and row["open_invoices"] == 1
    assert sum(Decimal(v) for v in row["buckets"].values()) == Decimal(invoice["grand_total"])


def test_the_owners_notification_says_prominently_when_an_order_crosses_the_credit_limit(client, aws, phone):
    approved_invoice(client, aws, phone)  # ₹1,050 owed
    assert h.owner_api(client, "PUT", f"/owner/customers/{phone}", {"credit_limit": "1500"})[0] == 200
    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="0", price="100.00")
    order_id = h.confirmed_order(client, phone, batch.order_text("10"))
    notice = h.owner_notification(client, order_id)  # the owner_new_order template: the owner never wrote
    warning = "⚠️ OVER CREDIT LIMIT: balance ₹1,050.00 + this order ₹1,050.00 = ₹2,100.00"
    assert warning in notice and "(over by ₹600.00)" in notice
    assert notice.index(warning) < notice.index("1. "), "said before the order's lines"


def test_a_customers_hisaab_returns_balance_open_invoices_and_a_statement_pdf(client, aws, phone):
    invoice = approved_invoice(client, aws, phone)
    replies = client.send(phone, "hisaab")
    texts = [h.text_of(r) for r in replies]
    assert any(invoice["number"] in t and f"₹{Decimal(invoice['grand_total']):,.2f}" in t for t in texts), texts
    [document] = [r["payload"]["document"] for r in replies if r["payload"]["type"] == "document"]
    status, pdf = http("GET", document["link"])
    assert status == 200 and pdf.startswith(b"%PDF-")
    assert h.customer(phone)["active_order_id"] is None  # no order was started by it


def test_the_owner_records_a_payment_from_whatsapp_only_after_confirm(client, aws, phone):
    approved_invoice(client, aws, phone)  # ₹1,050
    owner = client.info["owner_phone"]
    [shown] = client.send(owner, f"paid {phone[2:]} 300 upi T{phone[-5:]}")
    buttons = shown["payload"]["interactive"]["action"]["buttons"]
    assert [b["reply"]["title"] for b in buttons] == ["Confirm", "Cancel"]
    assert Decimal(h.owner_api(client, "GET", f"/owner/customers/{phone}")[1]["balance"]) == 1050
    [done] = client.tap(owner, buttons[0]["reply"]["id"])
    assert h.text_of(done).startswith("✅ Recorded: ₹300.00")
    assert Decimal(h.owner_api(client, "GET", f"/owner/customers/{phone}")[1]["balance"]) == 750


def test_the_owner_fetches_a_statement_pdf_for_a_period(client, aws, phone):
    approved_invoice(client, aws, phone)
    headers = {"Authorization": f"Bearer {client.info['owner_api_key']}", "Accept": "application/pdf"}
    url = f"{client.info['app_url']}/owner/customers/{phone}/statement.pdf?from=2026-01-01"
    status, pdf = http("GET", url, None, headers)
    assert status == 200 and pdf.startswith(b"%PDF-")
    status, _ = http("GET", url.replace("2026-01-01", "yesterday"), None, headers)
    assert status == 400


def test_a_return_of_part_of_a_line_makes_a_credit_note_puts_meters_back_in_the_lot_and_lowers_the_balance(
    client, aws, phone
):
    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="0", price="100.00")
    order_id = h.confirmed_order(client, phone, batch.order_text("10"))
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    h.drain(aws)
    invoice = h.wait_for(lambda: h.order(order_id).get("invoice"), what="the invoice")
    loose_before = h.shelf(batch.batch_id).loose

    path = f"/owner/invoices/{invoice['number'].replace('/', '-')}/returns"
    status, note = h.owner_api(client, "POST", path, {"lines": [{"line": 1, "meters": "2.5"}]})
    assert status == 201, note
    assert note["credit_note"].startswith("CN/") and note["against"]["number"] == invoice["number"]
    assert note["amount"] == "263.00"  # 2.5 m × ₹100 + 5% GST = ₹262.50, rounded
    assert h.shelf(batch.batch_id).loose == loose_before + Decimal("2.5")  # back in its own batch and dye lot
    assert Decimal(h.owner_api(client, "GET", f"/owner/customers/{phone}")[1]["balance"]) == Decimal("787")
    document = h.wait_for(
        lambda: [d for d in h.documents_to(client, phone) if d["filename"].startswith("CN-")], what="credit note"
    )[0]
    status, pdf = http("GET", document["link"])
    assert status == 200 and pdf.startswith(b"%PDF-")

    status, refused = h.owner_api(client, "POST", path, {"lines": [{"line": 1, "meters": "8"}]})
    assert status == 400 and "not yet returned" in refused["error"]
