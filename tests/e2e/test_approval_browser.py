"""The owner's approval page in a real browser (Debian's headless Chromium driven by Playwright), at a phone's size."""

import shutil
import tempfile

import pytest

from chalicelib.domain.money import format_inr
from tests.e2e import approval_helpers as h

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE_VIEWPORT = {"width": 390, "height": 844}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="bharatbiz-chromium-")
    # A persistent context is how Playwright passes --user-data-dir (a fresh one per test); headless=True adds
    # --headless. Never `playwright install`: Debian's Chromium is the browser.
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport=PHONE_VIEWPORT,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_owner_approves_from_a_phone_browser_and_sees_the_invoice_number(browser, client, phone, aws, tmp_path):
    # Given an order waiting for the owner
    batch = h.private_batch(rolls=2, meters_per_roll="30", loose="6.5")
    order_id = h.confirmed_order(client, phone, batch.order_text("36.5"), name="Sunita Fabrics")
    total = format_inr(h.owner_api(client, "GET", f"/owner/orders/{order_id}")[1]["totals"]["grand_total"])
    links = h.owner_links(client, order_id)
    page = browser.new_page()

    # (the reject link's page asks for a reason; opening it decides nothing)
    page.goto(links["reject"])
    assert page.get_by_label("Reason for the customer (optional)").is_visible()
    assert page.get_by_role("button", name="Reject order").is_visible() and fits_the_screen(page)
    page.screenshot(path=str(tmp_path / "reject.png"), full_page=True)

    # When the owner opens the approve link from WhatsApp
    page.goto(links["approve"])

    # Then the page shows who ordered what, and the total, readable on a phone
    text = page.inner_text("main")
    assert "Approve this order?" in text
    assert "Sunita Fabrics" in text and f"+{phone}" in text
    assert f"{batch.color.title()} {batch.material}, 36.50 m" in text
    assert total in text and "Total with GST" in text
    assert fits_the_screen(page)
    button = page.get_by_role("button", name="Approve order")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= PHONE_VIEWPORT["width"] * 0.8, "a thumb-sized button"
    shot = tmp_path / "approve.png"
    page.screenshot(path=str(shot), full_page=True)

    # When the owner presses Approve
    with page.expect_navigation():
        button.click()

    # Then the page says the decision is being applied, and reloads itself until it says approved, with the number
    page.get_by_text("Order approved").first.wait_for(timeout=30_000)
    number = h.order(order_id)["invoice"]["number"]
    result = page.inner_text("main")
    assert "Order approved" in result and number in result
    assert fits_the_screen(page)
    page.screenshot(path=str(tmp_path / "approved.png"), full_page=True)
    h.drain(aws)
    assert len(h.invoices(order_id)) == 1
    assert shot.stat().st_size > 10_000
