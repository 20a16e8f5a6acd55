"""The WhatsApp money desk: the owner records a payment only after Confirm; customers get their hisaab, and STOP /
START switch reminders; nothing here reaches the order conversation."""

import datetime as dt

from chalicelib.adapters.statement_pdf import render_statement_pdf
from chalicelib.domain.webhook import InboundMessage
from chalicelib.services.account_desk import AccountDesk
from chalicelib.services.payments import PaymentService
from chalicelib.services.statements import StatementService
from tests.unit.fake_accounts import FakeAccounts, FakeDocuments, FakeSender

OWNER = "919800000001"
CUSTOMER = "919812345678"
NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
SUPPLIER = {"name": "Bharat Textiles", "address": "12 Cloth Market, Surat", "gstin": "24AAAAA0000A1Z5"}


def desk(language="hinglish"):
    accounts, sender, documents = FakeAccounts(), FakeSender(), FakeDocuments()
    accounts.add_customer(CUSTOMER, language=language, name="रमेश")
    accounts.add_invoice(CUSTOMER, "BB/26-27/00001", dt.date(2026, 10, 1), 1050000)
    payments = PaymentService(accounts=accounts, sender=sender, shop_name="Bharat Textiles", clock=lambda: NOW)
    statements = StatementService(
        accounts=accounts,
        documents=documents,
        sender=sender,
        render_pdf=render_statement_pdf,
        supplier=SUPPLIER,
        clock=lambda: NOW,
        upi_vpa="bharat@okaxis",
    )
    service = AccountDesk(
        owner_phone=OWNER,
        payments=payments,
        statements=statements,
        accounts=accounts,
        sender=sender,
        shop_name="Bharat Textiles",
    )
    return service, accounts, sender, documents


def text(phone, body, wamid="wamid.1"):
    return InboundMessage(wamid=wamid, phone=phone, timestamp="0", type="text", text=body)


def tap(phone, reply_id, wamid="wamid.2"):
    return InboundMessage(wamid=wamid, phone=phone, timestamp="0", type="tap", reply_id=reply_id)


def test_the_owners_payment_is_shown_back_with_confirm_and_cancel_and_not_recorded_yet():
    service, accounts, sender, _ = desk()
    message = text(OWNER, "paid 9812345678 5000 upi 4321")
    assert service.takes(message)
    service.handle(message)
    [shown] = sender.sent
    assert shown.to == OWNER and "₹5,000.00" in shown.text and "ref 4321" in shown.text
    assert [b.title for b in shown.buttons] == ["Confirm", "Cancel"]
    assert accounts.payments == {} and accounts.customers[CUSTOMER]["balance_paise"] == 1050000


def test_confirm_records_the_payment_once_even_when_tapped_twice():
    service, accounts, sender, _ = desk()
    service.handle(text(OWNER, "जमा 9812345678 5000 नकद"))
    confirm = sender.sent[0].buttons[0].id
    service.handle(tap(OWNER, confirm, "wamid.2"))
    service.handle(tap(OWNER, confirm, "wamid.3"))
    assert accounts.customers[CUSTOMER]["balance_paise"] == 550000 and len(accounts.payments) == 1
    owner_texts = [m.text for m in sender.sent if m.to == OWNER]
    assert owner_texts[1].startswith("✅ Recorded: ₹5,000.00") and owner_texts[2].startswith("Already recorded")
    assert any("₹5,000.00" in t for t in sender.texts_to(CUSTOMER))  # the customer is told


def test_cancel_records_nothing():
    service, accounts, sender, _ = desk()
    service.handle(text(OWNER, "paid 9812345678 5000 upi 4321"))
    service.handle(tap(OWNER, sender.sent[0].buttons[1].id))
    assert accounts.payments == {} and sender.sent[-1].text.startswith("Cancelled")


def test_the_owners_other_messages_get_the_desk_help_and_never_the_order_conversation():
    service, accounts, sender, _ = desk()
    for body in ("20m blue cotton", "hello", "paid 12345 99"):
        message = text(OWNER, body, wamid=f"w-{body}")
        assert service.takes(message)
        service.handle(message)
    assert all("paid <customer's mobile>" in m.text for m in sender.sent)
    assert accounts.payments == {}


def test_a_payment_for_an_unknown_number_is_refused_to_the_owner():
    service, accounts, sender, _ = desk()
    service.handle(text(OWNER, "paid 9000000000 500 cash"))
    assert "not a customer" in sender.sent[0].text and not sender.sent[0].buttons


def test_a_customers_hisaab_brings_balance_open_invoices_last_entries_and_a_statement_pdf():
    service, _, sender, documents = desk(language="hi")
    message = text(CUSTOMER, "बकाया कितना है")
    assert service.takes(message)
    service.handle(message)
    summary, document = sender.sent
    assert "₹10,500.00" in summary.text and "BB/26-27/00001" in summary.text and "बकाया" in summary.text
    assert "upi://pay?pa=bharat@okaxis" in summary.text and "am=10500.00" in summary.text
    assert document.document is not None and document.document.filename.endswith(".pdf")
    [pdf] = documents.stored.values()
    assert pdf.startswith(b"%PDF-")


def test_an_order_is_not_the_desks():
    service, _, _, _ = desk()
    assert not service.takes(text(CUSTOMER, "20m blue cotton aur 6m red polyester"))


def test_stop_opts_out_in_the_customers_words_and_start_resumes():
    service, accounts, sender, _ = desk()
    service.handle(text(CUSTOMER, "band karo", wamid="w1"))
    assert accounts.customers[CUSTOMER]["reminders_off"] is True
    assert "reminder nahi bhejega" in sender.sent[-1].text and "START" in sender.sent[-1].text
    service.handle(text(CUSTOMER, "START", wamid="w2"))
    assert accounts.customers[CUSTOMER]["reminders_off"] is False
    assert "on again" in sender.sent[-1].text
