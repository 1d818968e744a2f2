"""The storefront in a real browser: headless Chromium from Debian's `chromium` package,
driven by Playwright, with JavaScript turned off (every page must work without it).

The after version runs under gunicorn on a fresh database with the demo data, started
the way the acceptance suite starts it (`started("after", ...)`). A partner subscribes
an endpoint of the demo partner inbox first; then the demo customer logs in, holds two
seats, pays on the sandbox provider's page, sees the booking confirmed, cancels it and
sees the refund, and the partner inbox shows the webhooks that went out.

Every run takes the screenshots; they replace the README's in docs/img/ only with
UPDATE_SCREENSHOTS=1 (otherwise they go to SCREENSHOTS_DIR, or a temporary folder).

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without it
the test is skipped, except in CI (the CI variable set), where it fails instead.
"""

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.acceptance.conftest import Server, started
from tests.acceptance.test_partners import Partner, wait_for

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "img"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(os.environ.get("SCREENSHOTS_DIR") or tempfile.mkdtemp(prefix="portside-screens-"))
)
DEMO_CUSTOMER = ("demo@portside.example", "portside-demo")
LISTING = "Harbour walking tour"  # 25.00 EUR a seat; full refund more than 48 h ahead
WEBHOOK_WAIT = 20_000  # milliseconds for the payment webhook to confirm the booking


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run the browser test.")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The after version with the demo data (started once Chromium is known to be there)."""
    with started("after", tmp_path_factory.mktemp("storefront")) as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 760}
    )
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_a_customer_books_pays_and_cancels_and_a_partner_hears_of_it(
    server: Server, page: Page
) -> None:
    endpoint = f"storefront-{secrets.token_hex(4)}"
    Partner(server).subscribe(endpoint, "standard-webhooks")

    # Log in as the demo customer; the listings come next.
    page.goto(f"{server.url}/bookings/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    email, password = DEMO_CUSTOMER
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("This email and password do not match an account.")).to_be_visible()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    page.get_by_role("link", name="Experiences").click()
    expect(page.locator(".who")).to_have_text(email)
    expect(page.locator(".listing")).to_have_count(8)
    screenshot(page, "storefront-listings")

    # Pick a slot four or more days ahead, with seats left, and hold two seats.
    page.get_by_role("link", name=LISTING).first.click()
    expect(page.get_by_role("heading", name=LISTING)).to_be_visible()
    slot = page.locator(".slot").nth(3)
    expect(slot.locator(".left")).to_have_text("12 seats left")
    slot.get_by_role("radio").check()
    seats = page.get_by_label("Seats", exact=True)
    seats.fill("2")
    screenshot(page, "storefront-slot-picker")
    seats.fill("11")
    page.get_by_role("button", name="Hold seats").click()
    expect(page.locator("#id_seats_error")).to_have_text("Book 1 to 10 seats per slot.")
    expect(slot.get_by_role("radio")).to_be_checked()  # the choice survives the error
    screenshot(page, "storefront-hold-error")
    seats.fill("2")
    page.get_by_role("button", name="Hold seats").click()

    expect(page.locator(".status")).to_have_text("Held")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Booking ")
    expect(page.locator(".lines tfoot")).to_contain_text("50.00 EUR")

    # Pay on the sandbox provider's page; it sends the customer back to the booking,
    # which waits for the payment webhook and then shows the booking confirmed.
    page.get_by_role("button", name="Pay 50.00 EUR").click()
    expect(page.get_by_text("Sandbox payment provider")).to_be_visible()
    expect(page.locator(".amount")).to_have_text("50.00 EUR")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.locator(".status")).to_have_text("Confirmed", timeout=WEBHOOK_WAIT)
    expect(page.get_by_text("Confirmed and paid.")).to_be_visible()
    screenshot(page, "storefront-booking-confirmed")

    # Cancel from "my bookings": more than 48 h ahead, all of it comes back.
    page.get_by_role("link", name="My bookings", exact=True).click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row.locator(".status")).to_have_text("confirmed")
    row.get_by_role("button", name="Cancel booking").click()
    expect(page.locator(".message.success")).to_have_text(
        f"Booking {reference} is cancelled. 50.00 EUR (100%) is refunded to you."
    )
    expect(row.locator(".status")).to_have_text("cancelled")
    expect(row.locator("td").nth(5)).to_have_text("50.00 EUR (100%)")
    expect(row.get_by_role("button", name="Cancel booking")).to_have_count(0)
    screenshot(page, "storefront-refund")

    # The partner's inbox got every step of the booking, each signature verified.
    arrived = wait_for(server.url, endpoint, 3)
    assert [item["verified"] for item in arrived] == [True, True, True]
    page.goto(f"{server.url}/partner-inbox/")
    items = page.locator(".item").filter(has_text=endpoint)
    expect(items).to_have_count(3)
    for event_type in ("booking.held", "booking.confirmed", "booking.cancelled"):
        expect(items.filter(has_text=f'"type":"{event_type}"')).to_have_count(1)
    expect(items.filter(has_text=reference)).to_have_count(3)
    screenshot(page, "partner-inbox")
