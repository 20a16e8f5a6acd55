"""Reading money requests: a customer's hisaab / STOP / START, and the owner's payment desk grammar."""

import pytest

from chalicelib.domain.account_requests import NotAPayment, OwnerPayment, customer_request, owner_payment


@pytest.mark.parametrize(
    "text", ["hisaab", "Hisaab?", "statement", "mera balance", "बकाया कितना है", "बकाया कितना है?", "हिसाब भेजो"]
)
def test_a_customer_asking_for_their_account_is_a_statement_request(text):
    assert customer_request(text) == "statement"


@pytest.mark.parametrize("text", ["STOP", "stop", "band karo", "बंद करो", "Band karo!"])
def test_stop_in_any_language_opts_out(text):
    assert customer_request(text) == "stop"


@pytest.mark.parametrize("text", ["START", "chalu karo", "शुरू करो"])
def test_start_resumes(text):
    assert customer_request(text) == "start"


@pytest.mark.parametrize("text", ["20m blue cotton", "balance cotton 5m bhejo", "stop the red one", "", None, "cancel"])
def test_orders_and_other_messages_are_left_to_the_conversation(text):
    assert customer_request(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("paid 9812345678 5000 upi 4321", OwnerPayment("919812345678", "5000.00", "upi", "4321")),
        ("जमा 9812345678 5000 नकद", OwnerPayment("919812345678", "5000.00", "cash", "")),
        ("जमा ९८१२३४५६७८ ५००० नकद", OwnerPayment("919812345678", "5000.00", "cash", "")),
        (
            "received +91 98123 45678 ₹5,000.50 cheque 000123",
            OwnerPayment("919812345678", "5000.50", "cheque", "000123"),
        ),
        ("paid 919812345678 rs 700", OwnerPayment("919812345678", "700.00", "cash", "")),
        (
            "paid 9812345678 1200 neft UTR99 BB/26-27/00001",
            OwnerPayment("919812345678", "1200.00", "neft", "UTR99", "BB/26-27/00001"),
        ),
    ],
)
def test_the_owners_payment_message_is_read_deterministically(text, expected):
    assert owner_payment(text) == expected


@pytest.mark.parametrize(
    "text", ["hello", "paid", "paid 12345 500", "paid 9812345678", "paid 9812345678 lots", "paid 9812345678 0"]
)
def test_anything_else_from_the_owner_is_not_a_payment(text):
    with pytest.raises(NotAPayment):
        owner_payment(text)
