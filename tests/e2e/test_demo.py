"""`make demo` plays a whole order on its own fresh stack and exits 0 with the invoice in the bucket."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def test_the_demo_plays_a_whole_order_and_ends_with_an_invoice_on_s3_and_whatsapp():
    result = subprocess.run(
        [sys.executable, "-m", "devstack", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "customer › 20m blue cotton aur 6m red polyester" in out
    assert "owner › POST (Approve) → 200 “Order approved”" in out
    assert "Invoice PDF: s3://bharatbiz-demo-invoices-123456789012/invoices/" in out and "AES256 encrypted" in out
    assert "📄 BB-" in out
    # and it goes on past the invoice: a part payment, a statement request and a return (issue 11)
    assert "ka payment mila (UPI, UTR-DEMO-0001)" in out and "is partly paid" in out
    assert "customer › hisaab" in out and "📄 SOA-" in out
    assert "credit note CN/26-27/" in out and "📄 CN-26-27-" in out
