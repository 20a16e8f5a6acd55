"""The tax invoice an approval produces: the PDF on S3 (encrypted), what it says (read back with poppler's
pdftotext), how it draws (pdftoppm), and the WhatsApp document whose link downloads exactly that PDF."""

import shutil
import subprocess
from decimal import Decimal

import pytest

from chalicelib.domain.money import format_inr
from devstack.client import http
from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdffonts")
SUPPLIER_GSTIN = "24AAAAA0000A1Z5"  # the local stage's demo shop in Surat (Gujarat, 24)
CUSTOMERS = {
    # place of supply: (customer's WhatsApp name, GSTIN the owner records, tax rows expected)
    "gujarat": ("रमेश कुमार", "24ABCDE1234F1Z5", ("CGST 2.5%", "SGST 2.5%")),
    "maharashtra": ("सुनीता पाटिल", "27AAPFU0939F1ZV", ("IGST 5%",)),
}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=30).stdout


@pytest.mark.parametrize("place", CUSTOMERS)
def test_an_approved_order_gets_a_gst_invoice_pdf_on_s3_and_as_a_whatsapp_document(place, client, phone, aws, tmp_path):
    if not POPPLER:
        pytest.skip("poppler-utils (pdftotext, pdftoppm, pdffonts) not installed; .ci/run installs them")
    name, gstin, tax_rows = CUSTOMERS[place]

    # Given a customer with a Devanagari WhatsApp name who ordered two materials, and whose GSTIN the owner recorded
    wool = h.private_batch(rolls=2, meters_per_roll="25", loose="12", price="640.00", material="wool")
    denim = h.private_batch(rolls=2, meters_per_roll="60", loose="0", price="215.50", material="denim")
    order_text = f"{wool.order_text('12')} aur {denim.order_text('60')}"
    order_id = h.confirmed_order(client, phone, order_text, name=name)
    details = {"gstin": gstin, "state_code": gstin[:2]}
    assert h.owner_api(client, "PUT", f"/owner/customers/{phone}", details)[0] == 200

    # When the owner approves it
    assert h.owner_api(client, "POST", f"/owner/orders/{order_id}/approve")[0] == 202
    h.drain(aws)
    invoice = h.order(order_id)["invoice"]
    (stored,) = h.invoices(order_id)
    document = h.wait_for(lambda: h.documents_to(client, phone), what="the invoice document")[0]

    # Then the PDF is on S3, encrypted at rest
    s3 = aws.session.client("s3", endpoint_url=aws.url)
    bucket = aws.resources["InvoiceBucket"]
    assert s3.head_object(Bucket=bucket, Key=stored["s3_key"])["ServerSideEncryption"] == "AES256"
    pdf = s3.get_object(Bucket=bucket, Key=stored["s3_key"])["Body"].read()
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)

    # And it says what a GST invoice must say
    text = run("pdftotext", "-layout", str(path), "-")
    assert invoice["number"] == stored["number"] and invoice["number"] in text
    assert f"GSTIN: {SUPPLIER_GSTIN}" in text and f"GSTIN: {gstin}" in text
    assert "5112" in text and "5209" in text, "each line's HSN code"
    for row in tax_rows:
        assert row in text
    assert ("IGST" in text) == (place == "maharashtra") and ("CGST" in text) == (place == "gujarat")
    assert f"Code: {gstin[:2]}" in text
    total = format_inr(Decimal(invoice["grand_total"]))
    assert total.startswith("₹") and total in text
    assert "12.00" in text and "60.00" in text and "640.00" in text and "215.50" in text
    fonts = run("pdffonts", str(path))
    assert "NotoSansDevanagari" in fonts, "the customer's name is drawn with the Devanagari font"

    # And it renders to an image (look at it: ₹ and the Devanagari name must be drawn, not boxes)
    run("pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", str(path), str(tmp_path / "invoice"))
    (png,) = tmp_path.glob("invoice*.png")
    assert png.stat().st_size > 30_000

    # And the customer's WhatsApp document is that PDF, sent by WhatsApp media id (no expiring link)
    assert document["filename"] == f"{invoice['number'].replace('/', '-')}.pdf"
    assert invoice["number"] in document["caption"] and total in document["caption"]
    assert "link" not in document and document["id"]
    status, downloaded = http("GET", f"{client.info['graph_url']}/_fake/media/{document['id']}")
    assert status == 200 and downloaded == pdf
