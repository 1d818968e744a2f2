"""The storefront's pages through Django's test client, on the real stack (ORM, use
cases, container), with the in-memory fake in place of the payment provider: what each
page shows, errors beside the field they are about, CSRF on every form, who must log
in, and query budgets that do not grow with the database."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import pytest
from dependency_injector import providers
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from adapters.platform.sign_in_attempts import PER_ACCOUNT, PER_ADDRESS, WINDOW_SECONDS
from adapters.storefront.views import BOOKINGS_PER_PAGE, LISTINGS_PER_PAGE, SLOTS_PER_PAGE
from application.shared.errors import PaymentRefused
from config.container import container
from tests.api.customers import Customer, make_customer
from tests.api.test_booking_api import hold_directly, seats_held
from tests.api.test_checkout_api import pay_for
from tests.factories.orm import ListingRowFactory, SlotRowFactory
from tests.fakes.booking import InMemoryPaymentGateway

pytestmark = pytest.mark.django_db

LOGIN = "/login/"

# ---- query budgets (a logged-in customer: Django's session and user come first)

# GET / (the listings), however many listings there are:
#   1. SELECT the session                    (SessionMiddleware, when the page asks for the user)
#   2. SELECT the user
#   3. SELECT COUNT(*) of the published listings
#   4. SELECT the page of listings
LISTINGS_PAGE_QUERIES = 4

# GET /bookings/{reference}/, however many lines and payment attempts:
#   1-2. the session and the user
#   3. SELECT the booking                    (by reference and customer; where its payment
#                                            stands comes with it, as two subqueries)
#   4. SELECT its lines JOIN their slots JOIN their listings
#                                            (prefetch: what each line booked comes with it)
BOOKING_PAGE_QUERIES = 4

# GET /bookings/ (my bookings), however many bookings and lines the page shows:
#   1-2. the session and the user
#   3. SELECT COUNT(*) of the customer's bookings
#   4. SELECT the page of bookings                  (where each payment stands with it)
#   5. SELECT their lines JOIN slots JOIN listings  (one prefetch for the whole page)
MY_BOOKINGS_PAGE_QUERIES = 5

# Saturday 14 December 2030: a walk in the morning, a kayak trip across midnight.
WALK = (datetime(2030, 12, 14, 10, tzinfo=UTC), datetime(2030, 12, 14, 12, tzinfo=UTC))
NIGHT = (datetime(2030, 12, 14, 22, tzinfo=UTC), datetime(2030, 12, 15, 1, tzinfo=UTC))
DASH = "\N{EN DASH}"
WALK_SAYS = f"Harbour walking tour Sat 14 Dec 2030, 10:00 {DASH} 12:00 UTC Lisbon"
NIGHT_SAYS = f"Night kayak Sat 14 Dec 2030, 22:00 {DASH} Sun 15 Dec 2030, 01:00 UTC Porto"


# ---------------------------------------------------------------- helpers and fixtures


@pytest.fixture
def browser(alice: Customer) -> Client:
    """Alice's browser, logged in to the storefront: a session cookie, no API token."""
    client = Client()
    client.force_login(alice.user)
    return client


@pytest.fixture
def reference(alice: Customer, slot: catalog_models.Slot) -> str:
    """Alice's booking of two seats in `slot` (50.00 EUR), held."""
    return hold_directly(alice.id, (slot, 2))


@pytest.fixture
def gateway() -> Iterator[InMemoryPaymentGateway]:
    """A fresh fake payment provider for this test only (the real one is a singleton)."""
    fake = InMemoryPaymentGateway()
    with container.payment_gateway.override(providers.Object(fake)):
        yield fake


def listing_url(slot: catalog_models.Slot) -> str:
    return f"/listings/{slot.listing_id}/"


def hold(browser: Client, slot: catalog_models.Slot, seats: Any) -> Any:
    return browser.post(listing_url(slot), {"slot": str(slot.id), "seats": str(seats)})


def html(response: Any) -> str:
    return str(response.content.decode())


def words(markup: str) -> str:
    """Markup without its tags, whitespace folded: what a person reads."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def text(response: Any) -> str:
    return words(html(response))


def error_beside(response: Any, field: str) -> str:
    """The error list Django renders under a field (`id="id_<field>_error"`)."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html(response))
    assert found, f"no error beside {field}"
    return words(found.group(1))


def csrf_token(response: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html(response))
    assert found, "the page has no CSRF-protected form"
    return found.group(1)


def messages_on(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def rows_of(response: Any, table: str) -> list[list[str]]:
    """The words of each cell, row by row, in the body of the table of class `table`."""
    found = re.search(rf'<table class="{table}">.*?<tbody>(.*?)</tbody>', html(response), re.S)
    assert found, f"no {table} table"
    return [
        [words(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def walk_and_night_kayak() -> tuple[catalog_models.Slot, catalog_models.Slot]:
    """Two slots of two listings, in Lisbon on the morning of Sat 14 Dec 2030 and in
    Porto from that evening into the next day."""
    walk = SlotRowFactory(
        listing=ListingRowFactory(title="Harbour walking tour", location="Lisbon"),
        starts_at=WALK[0],
        ends_at=WALK[1],
    )
    night = SlotRowFactory(
        listing=ListingRowFactory(title="Night kayak", location="Porto"),
        starts_at=NIGHT[0],
        ends_at=NIGHT[1],
    )
    return walk, night


# ---------------------------------------------------------------- browsing


class TestListings:
    def test_the_site_root_lists_the_published_listings(self) -> None:
        ListingRowFactory(title="Harbour walk", location="Lisbon")
        ListingRowFactory(title="Hidden tour", is_published=False)

        response = Client().get("/")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        page = text(response)
        assert "Harbour walk" in page
        assert "Lisbon" in page
        assert "Full refund if you cancel more than 48 h before the start" in page
        assert "Hidden tour" not in page
        assert "Log in" in page

    def test_pages_through_many_listings(self) -> None:
        ListingRowFactory.create_batch(LISTINGS_PER_PAGE + 1)

        first, second = Client().get("/"), Client().get("/", {"page": 2})

        assert html(first).count('class="card listing"') == LISTINGS_PER_PAGE
        assert 'href="?page=2"' in html(first)
        assert html(second).count('class="card listing"') == 1

    @pytest.mark.parametrize("page", ["0", "two"])
    def test_a_page_that_is_not_one_is_not_found(self, page: str) -> None:
        response = Client().get("/", {"page": page})

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")  # not the API's problem+json
        assert "Not found" in text(response)


class TestListingPage:
    def test_shows_the_slots_with_the_seats_each_has_left(self) -> None:
        listing = ListingRowFactory(title="Harbour walk")
        roomy = SlotRowFactory(listing=listing, capacity=10, seats_held=3)
        full = SlotRowFactory(listing=listing, capacity=4, seats_booked=4)
        SlotRowFactory(listing=listing, starts_at=datetime.now(UTC) - timedelta(hours=1))

        response = Client().get(listing_url(roomy))

        assert response.status_code == 200
        page = text(response)
        assert "Harbour walk" in page
        assert "7 seats left" in page
        assert "Sold out" in page
        assert page.count("25.00 EUR") == 2  # the started slot is not offered
        assert re.search(rf'value="{full.id}"\s+disabled', html(response))
        assert "Log in to book" in page  # anyone may look; holding needs an account

    def test_pages_through_the_slots(self, slot: catalog_models.Slot) -> None:
        SlotRowFactory.create_batch(SLOTS_PER_PAGE, listing=slot.listing)

        response = Client().get(listing_url(slot), {"page": 2})

        assert html(response).count('type="radio"') == 1
        assert "Earlier times" in text(response)

    @pytest.mark.parametrize("known", [True, False])
    def test_an_unpublished_or_unknown_listing_is_not_found(self, known: bool) -> None:
        hidden = ListingRowFactory(is_published=False)
        listing_id = hidden.id if known else "00000000-0000-0000-0000-000000000000"

        response = Client().get(f"/listings/{listing_id}/")

        assert response.status_code == 404
        assert "Not found" in text(response)


# ---------------------------------------------------------------- holding seats


class TestHold:
    def test_holds_the_seats_and_shows_the_booking(
        self, browser: Client, slot: catalog_models.Slot, alice: Customer
    ) -> None:
        response = hold(browser, slot, 2)

        assert response.status_code == 302
        booking = booking_models.Booking.objects.get(customer_id=alice.id)
        assert response["Location"] == f"/bookings/{booking.reference}/"
        assert seats_held(slot) == 2
        page = text(browser.get(response["Location"]))
        assert f"Booking {booking.reference}" in page
        assert "Held" in page
        assert "2 seats" in page
        assert "Pay 50.00 EUR" in page

    @pytest.mark.parametrize(
        ("seats", "field", "message"),
        [
            (11, "seats", "Book 1 to 10 seats per slot."),
            (0, "seats", "Book 1 to 10 seats per slot."),
            ("two", "seats", "A whole number."),
            ("", "seats", "How many seats?"),
        ],
    )
    def test_a_refused_number_of_seats_shows_beside_the_field(
        self,
        browser: Client,
        slot: catalog_models.Slot,
        seats: Any,
        field: str,
        message: str,
    ) -> None:
        response = hold(browser, slot, seats)

        assert response.status_code == 422
        assert error_beside(response, field) == message
        assert 'aria-invalid="true"' in html(response)
        assert re.search(rf'value="{slot.id}"\s+checked', html(response))  # still picked
        assert not booking_models.Booking.objects.exists()

    def test_too_few_seats_left_shows_how_many_remain(self, browser: Client) -> None:
        slot = SlotRowFactory(capacity=5, seats_held=2)

        response = hold(browser, slot, 4)

        assert response.status_code == 422
        assert error_beside(response, "seats") == "Only 3 seats are left in this slot."
        assert seats_held(slot) == 2

    def test_a_slot_that_has_started_shows_beside_the_slots(self, browser: Client) -> None:
        started = SlotRowFactory(starts_at=datetime.now(UTC) - timedelta(minutes=5))

        response = hold(browser, started, 1)

        assert response.status_code == 422
        assert error_beside(response, "slot") == "This slot has already started."

    @pytest.mark.parametrize(
        ("posted", "message"),
        [
            ({"seats": "1"}, "Pick a slot."),
            ({"slot": "not-a-uuid", "seats": "1"}, "Pick a slot."),
            (
                {"slot": "00000000-0000-0000-0000-000000000000", "seats": "1"},
                "No bookable slot has this id.",
            ),
        ],
    )
    def test_no_slot_or_an_unknown_one_shows_beside_the_slots(
        self,
        browser: Client,
        slot: catalog_models.Slot,
        posted: dict[str, str],
        message: str,
    ) -> None:
        response = browser.post(listing_url(slot), posted)

        assert response.status_code == 422
        assert error_beside(response, "slot") == message

    def test_an_anonymous_visitor_is_sent_to_log_in_first(self, slot: catalog_models.Slot) -> None:
        response = hold(Client(), slot, 1)

        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={listing_url(slot)}"
        assert not booking_models.Booking.objects.exists()


# ---------------------------------------------------------------- the booking page and paying


class TestHoldFormSentTwice:
    """The form shown carries a fresh `submission` id; sent twice, it holds seats once."""

    def submission(self, browser: Client, slot: catalog_models.Slot) -> str:
        found = re.search(
            r'name="submission" value="([0-9a-f-]{36})"', html(browser.get(listing_url(slot)))
        )
        assert found, "the hold form carries no submission id"
        return found.group(1)

    def send(self, browser: Client, slot: catalog_models.Slot, submission: str, seats: int) -> Any:
        form = {"slot": str(slot.id), "seats": str(seats), "submission": submission}
        return browser.post(listing_url(slot), form)

    def test_the_same_form_sent_twice_holds_once_and_shows_that_booking(
        self, browser: Client, slot: catalog_models.Slot
    ) -> None:
        submission = self.submission(browser, slot)

        first = self.send(browser, slot, submission, 2)
        second = self.send(browser, slot, submission, 2)

        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"]
        assert booking_models.Booking.objects.count() == 1
        assert seats_held(slot) == 2

    def test_each_form_shown_is_a_new_hold(
        self, browser: Client, slot: catalog_models.Slot
    ) -> None:
        first = self.send(browser, slot, self.submission(browser, slot), 1)
        second = self.send(browser, slot, self.submission(browser, slot), 1)

        assert first["Location"] != second["Location"]
        assert booking_models.Booking.objects.count() == 2
        assert seats_held(slot) == 2

    def test_a_form_changed_after_back_is_a_new_hold(
        self, browser: Client, slot: catalog_models.Slot
    ) -> None:
        submission = self.submission(browser, slot)

        first = self.send(browser, slot, submission, 1)
        changed = self.send(browser, slot, submission, 3)

        assert first["Location"] != changed["Location"]
        assert seats_held(slot) == 4

    def test_a_refused_form_keeps_its_id_and_its_retry_holds(self, browser: Client) -> None:
        slot = SlotRowFactory(capacity=3)
        submission = self.submission(browser, slot)

        refused = self.send(browser, slot, submission, 4)
        retried = self.send(browser, slot, submission, 3)

        assert refused.status_code == 422
        assert f'value="{submission}"' in html(refused)
        assert retried.status_code == 302
        assert seats_held(slot) == 3

    def test_another_customer_with_the_same_id_holds_their_own(
        self, browser: Client, slot: catalog_models.Slot, bob: Customer
    ) -> None:
        submission = self.submission(browser, slot)
        bobs_browser = Client()
        bobs_browser.force_login(bob.user)

        alices = self.send(browser, slot, submission, 1)
        bobs = self.send(bobs_browser, slot, submission, 1)

        assert alices["Location"] != bobs["Location"]
        assert seats_held(slot) == 2


class TestBookingPage:
    @pytest.mark.parametrize(
        ("method", "action"), [("get", ""), ("post", "pay/"), ("post", "cancel/")]
    )
    def test_another_customers_booking_is_not_found(
        self,
        browser: Client,
        bob: Customer,
        slot: catalog_models.Slot,
        gateway: InMemoryPaymentGateway,
        method: str,
        action: str,
    ) -> None:
        reference = hold_directly(bob.id, (slot, 1))

        response = getattr(browser, method)(f"/bookings/{reference}/{action}")

        assert response.status_code == 404
        assert reference not in text(response)
        assert booking_models.Booking.objects.get(reference=reference).status == "held"
        assert gateway.payments == {}

    def test_says_what_each_line_booked_where_and_when(
        self, browser: Client, alice: Customer
    ) -> None:
        walk, night = walk_and_night_kayak()
        reference = hold_directly(alice.id, (walk, 2), (night, 1))

        response = browser.get(f"/bookings/{reference}/")

        assert '<time datetime="2030-12-14T10:00:00+00:00">' in html(response)
        assert rows_of(response, "lines") == [
            [
                WALK_SAYS,
                "2 seats",
                "25.00 EUR",
                "50.00 EUR",
            ],
            [
                NIGHT_SAYS,
                "1 seat",
                "25.00 EUR",
                "25.00 EUR",
            ],
        ]

    def test_paying_goes_to_the_providers_page(
        self, browser: Client, reference: str, gateway: InMemoryPaymentGateway
    ) -> None:
        response = browser.post(f"/bookings/{reference}/pay/")

        assert response.status_code == 302
        assert response["Location"] == "https://pay.invalid/pay_1"
        again = browser.post(f"/bookings/{reference}/pay/")
        assert again["Location"] == "https://pay.invalid/pay_1"  # the same payment

    def test_back_from_the_provider_it_waits_for_the_webhook_then_shows_it_confirmed(
        self, browser: Client, reference: str, gateway: InMemoryPaymentGateway
    ) -> None:
        browser.post(f"/bookings/{reference}/pay/")

        waiting = browser.get(f"/bookings/{reference}/", {"returned": "1"})
        assert '<meta http-equiv="refresh" content="2">' in html(waiting)
        assert "Waiting for the payment confirmation" in text(waiting)
        assert f"/bookings/{reference}/pay/" not in html(waiting)

        pay_for(reference)
        confirmed = browser.get(f"/bookings/{reference}/", {"returned": "1"})

        assert 'http-equiv="refresh"' not in html(confirmed)
        assert "Confirmed and paid." in text(confirmed)
        assert f"/bookings/{reference}/pay/" not in html(confirmed)
        assert f"/bookings/{reference}/cancel/" in html(confirmed)

    def test_without_coming_back_from_the_provider_nothing_reloads(
        self, browser: Client, reference: str, gateway: InMemoryPaymentGateway
    ) -> None:
        browser.post(f"/bookings/{reference}/pay/")

        response = browser.get(f"/bookings/{reference}/")

        assert 'http-equiv="refresh"' not in html(response)
        assert "Pay 50.00 EUR" in text(response)

    def test_the_provider_being_down_is_a_message_on_the_booking(
        self, browser: Client, reference: str, gateway: InMemoryPaymentGateway
    ) -> None:
        gateway.fail_next = True

        response = browser.post(f"/bookings/{reference}/pay/", follow=True)

        assert response.redirect_chain == [(f"/bookings/{reference}/", 302)]
        assert messages_on(response) == [
            "The payment provider did not answer. Please try again in a moment."
        ]
        assert "Held" in text(response)

    def test_a_provider_refusal_is_a_message_that_says_to_contact_us(
        self,
        browser: Client,
        reference: str,
        gateway: InMemoryPaymentGateway,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def refuse(**_: object) -> NoReturn:
            raise PaymentRefused("The sandbox provider refused the request (401): bad key")

        monkeypatch.setattr(gateway, "start_payment", refuse)

        response = browser.post(f"/bookings/{reference}/pay/", follow=True)

        assert messages_on(response) == [
            "The payment provider refused this. Nothing was changed; please contact us."
        ]
        assert "bad key" not in text(response)
        assert "Held" in text(response)

    def test_a_booking_that_cannot_be_paid_says_why(
        self, browser: Client, reference: str, gateway: InMemoryPaymentGateway
    ) -> None:
        browser.post(f"/bookings/{reference}/cancel/", follow=True)

        response = browser.post(f"/bookings/{reference}/pay/", follow=True)

        assert messages_on(response) == [f"Cannot pay for booking {reference}: it is cancelled."]
        assert gateway.payments == {}


# ---------------------------------------------------------------- my bookings and cancelling


class TestMyBookings:
    def test_lists_only_the_customers_own_bookings(
        self, browser: Client, alice: Customer, bob: Customer, slot: catalog_models.Slot
    ) -> None:
        mine = hold_directly(alice.id, (slot, 2))
        theirs = hold_directly(bob.id, (slot, 1))

        page = text(browser.get("/bookings/"))

        assert mine in page
        assert theirs not in page

    def test_each_booking_says_what_it_booked_where_and_when(
        self, browser: Client, alice: Customer
    ) -> None:
        walk, night = walk_and_night_kayak()
        both = hold_directly(alice.id, (walk, 2), (night, 1))
        one = hold_directly(alice.id, (night, 3))

        rows = rows_of(browser.get("/bookings/"), "bookings")

        assert [(row[0], row[2]) for row in rows] == [  # newest first
            (one, f"{NIGHT_SAYS} · 3 seats"),
            (both, f"{WALK_SAYS} · 2 seats {NIGHT_SAYS} · 1 seat"),
        ]

    def test_pages_through_many_bookings(self, browser: Client, alice: Customer) -> None:
        slot = SlotRowFactory(capacity=100)
        for _ in range(BOOKINGS_PER_PAGE + 1):
            hold_directly(alice.id, (slot, 1))

        response = browser.get("/bookings/", {"page": 2})

        assert html(response).count('href="/bookings/PS-') == 1

    def test_cancelling_a_paid_booking_shows_the_refund(
        self, browser: Client, reference: str, gateway: InMemoryPaymentGateway
    ) -> None:
        browser.post(f"/bookings/{reference}/pay/")
        pay_for(reference)

        response = browser.post(f"/bookings/{reference}/cancel/", follow=True)

        assert response.redirect_chain == [("/bookings/", 302)]
        assert messages_on(response) == [
            f"Booking {reference} is cancelled. 50.00 EUR (100%) is refunded to you."
        ]
        row = re.search(
            rf"<tr>\s*<td><a href=\"/bookings/{reference}/\">.*?</tr>", html(response), re.S
        )
        assert row
        assert "cancelled" in row.group(0)
        assert "50.00 EUR (100%)" in row.group(0)
        assert "Cancel booking" not in row.group(0)
        assert [(paid, str(amount)) for paid, amount in gateway.refunds.values()] == [
            ("pay_1", "50.00 EUR")
        ]

    def test_cancelling_a_hold_refunds_nothing(
        self, browser: Client, reference: str, slot: catalog_models.Slot
    ) -> None:
        response = browser.post(f"/bookings/{reference}/cancel/", follow=True)

        assert messages_on(response) == [
            f"Booking {reference} is cancelled. Nothing was paid, so nothing is refunded."
        ]
        assert seats_held(slot) == 0

    def test_cancelling_twice_says_it_cannot(self, browser: Client, reference: str) -> None:
        browser.post(f"/bookings/{reference}/cancel/", follow=True)

        response = browser.post(f"/bookings/{reference}/cancel/", follow=True)

        assert messages_on(response) == [f"Cannot cancel booking {reference}: it is cancelled."]


# ---------------------------------------------------------------- logging in, CSRF


class TestLogin:
    @pytest.fixture
    def customer(self, fast_hashing: None) -> Any:
        return make_customer("demo@portside.example", password="pw-42").user

    @pytest.mark.parametrize(
        "path", ["/bookings/", "/bookings/PS-AAAAAA/", "/bookings/PS-AAAAAA/pay/"]
    )
    def test_a_customers_pages_ask_to_log_in(self, path: str) -> None:
        client = Client()
        response = client.post(path) if path.endswith("pay/") else client.get(path)

        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={path}"

    def test_logs_in_with_the_email_in_any_case_and_goes_on(self, customer: Any) -> None:
        client = Client()
        response = client.post(
            LOGIN,
            {"username": " Demo@Portside.example ", "password": "pw-42", "next": "/bookings/"},
        )

        assert response.status_code == 302
        assert response["Location"] == "/bookings/"
        assert "demo@portside.example" in text(client.get("/"))

    def test_a_wrong_password_is_refused_above_the_form(self, customer: Any) -> None:
        response = Client().post(LOGIN, {"username": "demo@portside.example", "password": "no"})

        assert response.status_code == 200
        assert "This email and password do not match an account." in text(response)

    def test_after_five_failures_even_the_right_password_waits(self, customer: Any) -> None:
        client = Client(REMOTE_ADDR="203.0.113.7")
        wrong = {"username": "demo@portside.example", "password": "no"}
        failures = [client.post(LOGIN, wrong).status_code for _ in range(PER_ACCOUNT)]

        response = client.post(LOGIN, {**wrong, "password": "pw-42"})

        assert failures == [200] * PER_ACCOUNT
        assert response.status_code == 429
        assert response["Retry-After"] == str(WINDOW_SECONDS)
        assert "Too many failed attempts. Try again in 15 minutes." in text(response)
        assert "_auth_user_id" not in client.session

    def test_the_same_email_from_another_address_still_signs_in(self, customer: Any) -> None:
        wrong = {"username": "demo@portside.example", "password": "no"}
        for _ in range(PER_ACCOUNT):
            Client(REMOTE_ADDR="203.0.113.7").post(LOGIN, wrong)

        response = Client(REMOTE_ADDR="198.51.100.9").post(LOGIN, {**wrong, "password": "pw-42"})

        assert response.status_code == 302

    def test_one_address_trying_many_emails_is_refused(self, customer: Any) -> None:
        client = Client(REMOTE_ADDR="203.0.113.7")
        for number in range(PER_ADDRESS):
            client.post(LOGIN, {"username": f"guess{number}@example.com", "password": "no"})

        response = client.post(LOGIN, {"username": "demo@portside.example", "password": "pw-42"})

        assert response.status_code == 429

    def test_signing_in_after_a_few_failures_is_not_refused(self, customer: Any) -> None:
        client = Client(REMOTE_ADDR="203.0.113.7")
        for _ in range(PER_ACCOUNT - 1):
            client.post(LOGIN, {"username": "demo@portside.example", "password": "no"})

        response = client.post(LOGIN, {"username": "demo@portside.example", "password": "pw-42"})

        assert response.status_code == 302

    def test_a_missing_field_shows_beside_it(self) -> None:
        response = Client().post(LOGIN, {"username": "demo@portside.example"})

        assert error_beside(response, "password") == "This field is required."

    def test_logging_out_is_a_post(self, browser: Client) -> None:
        assert browser.get("/logout/").status_code == 405

        response = browser.post("/logout/")

        assert response.status_code == 302
        assert response["Location"] == "/"
        assert browser.get("/bookings/").status_code == 302


class TestCsrf:
    """Every form carries a CSRF token, and a POST without one changes nothing."""

    @pytest.fixture
    def guarded(self, alice: Customer) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice.user)
        return client

    def test_holding_needs_the_pages_token(
        self, guarded: Client, slot: catalog_models.Slot
    ) -> None:
        forged = guarded.post(listing_url(slot), {"slot": str(slot.id), "seats": "1"})
        assert forged.status_code == 403
        assert not booking_models.Booking.objects.exists()

        token = csrf_token(guarded.get(listing_url(slot)))
        response = guarded.post(
            listing_url(slot), {"slot": str(slot.id), "seats": "1", "csrfmiddlewaretoken": token}
        )

        assert response.status_code == 302

    @pytest.mark.parametrize("action", ["pay", "cancel"])
    def test_paying_and_cancelling_need_the_pages_token(
        self, guarded: Client, reference: str, gateway: InMemoryPaymentGateway, action: str
    ) -> None:
        page = guarded.get(f"/bookings/{reference}/")
        assert f'action="/bookings/{reference}/{action}/"' in html(page)

        forged = guarded.post(f"/bookings/{reference}/{action}/")
        assert forged.status_code == 403
        assert booking_models.Booking.objects.get(reference=reference).status == "held"
        assert gateway.payments == {}

        response = guarded.post(
            f"/bookings/{reference}/{action}/", {"csrfmiddlewaretoken": csrf_token(page)}
        )
        assert response.status_code == 302

    def test_logging_in_needs_the_pages_token(self) -> None:
        client = Client(enforce_csrf_checks=True)

        forged = client.post(LOGIN, {"username": "a@example.com", "password": "x"})

        assert forged.status_code == 403
        assert csrf_token(client.get(LOGIN))


# ---------------------------------------------------------------- the rest of the site


def test_the_stylesheet_is_served_with_debug_off(settings: Any) -> None:
    assert settings.DEBUG is False  # pytest-django's default: as under gunicorn

    response = Client().get("/static/storefront/site.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_the_api_and_its_errors_are_unchanged() -> None:
    assert Client().get("/api/v1/listings/")["Content-Type"] == "application/json"
    missing = Client().get("/nowhere/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


# ---------------------------------------------------------------- query budgets


@pytest.mark.parametrize("listings", [1, LISTINGS_PER_PAGE * 3])
def test_the_listings_page_costs_a_fixed_number_of_queries(
    browser: Client, django_assert_num_queries: DjangoAssertNumQueries, listings: int
) -> None:
    ListingRowFactory.create_batch(listings)

    with django_assert_num_queries(LISTINGS_PAGE_QUERIES):
        response = browser.get("/")

    assert html(response).count('class="card listing"') == min(listings, LISTINGS_PER_PAGE)


@pytest.mark.parametrize(("bookings", "lines"), [(1, 1), (BOOKINGS_PER_PAGE + 2, 5)])
def test_my_bookings_costs_a_fixed_number_of_queries(
    browser: Client,
    alice: Customer,
    gateway: InMemoryPaymentGateway,
    django_assert_num_queries: DjangoAssertNumQueries,
    bookings: int,
    lines: int,
) -> None:
    slots = SlotRowFactory.create_batch(lines, capacity=50)  # each on a listing of its own
    references = [hold_directly(alice.id, *((s, 1) for s in slots)) for _ in range(bookings)]
    browser.post(f"/bookings/{references[-1]}/pay/")  # one with a payment attempt

    with django_assert_num_queries(MY_BOOKINGS_PAGE_QUERIES):
        response = browser.get("/bookings/")

    shown = min(bookings, BOOKINGS_PER_PAGE)
    assert len(rows_of(response, "bookings")) == shown
    page = text(response)
    assert all(page.count(slot.listing.title) == shown for slot in slots)


@pytest.mark.parametrize("lines", [1, 5])
def test_the_booking_page_costs_a_fixed_number_of_queries(
    browser: Client,
    alice: Customer,
    gateway: InMemoryPaymentGateway,
    django_assert_num_queries: DjangoAssertNumQueries,
    lines: int,
) -> None:
    slots = SlotRowFactory.create_batch(lines)
    reference = hold_directly(alice.id, *((s, 1) for s in slots))
    browser.post(f"/bookings/{reference}/pay/")
    for _ in range(5):
        hold_directly(alice.id, *((s, 1) for s in slots))

    with django_assert_num_queries(BOOKING_PAGE_QUERIES):
        response = browser.get(f"/bookings/{reference}/")

    assert response.status_code == 200
    assert html(response).count("<tr><td>") == lines
    assert all(slot.listing.title in text(response) for slot in slots)
