"""Log lines never carry a customer's identifier whole: phones and Meta's business-scoped user ids are masked."""

import pytest

from chalicelib.logs import scrub


@pytest.mark.parametrize(
    ("line", "hidden", "kept"),
    [
        ('"GET /owner/customers/IN.2854877045265832 HTTP/1.1" 200', "2854877045265832", "IN.…5832"),
        ("send to US.ENT.abcDEF123456789", "abcDEF123456789", "US.ENT.…6789"),
        ("reply to 919812345678", "919812345678", "91******5678"),
    ],
)
def test_an_identifier_is_masked_but_still_tells_customers_apart(line, hidden, kept):
    assert hidden not in scrub(line) and kept in scrub(line)


def test_order_and_invoice_numbers_are_left_alone():
    assert scrub("ORD-20261202-3F5E94 BB/26-27/00002 e.g. IN.x") == "ORD-20261202-3F5E94 BB/26-27/00002 e.g. IN.x"
