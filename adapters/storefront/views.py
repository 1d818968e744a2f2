"""Storefront pages: read the request, call a use case, render what it returns.

Each view asks for its use cases by name with `Provide`, exactly as the API views do,
so a container override reaches it.
Domain errors are translated here and nowhere else in the storefront: a refused hold
goes beside the form field it is about, a refused payment or cancellation becomes a
message on the next page, and whatever is not found is the storefront's 404 page.
"""

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from dependency_injector.wiring import Provide, inject
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views import View

from adapters.api.idempotency import once
from adapters.storefront.forms import HoldForm
from application.booking.cancel_booking import CancelBooking, CancelBookingCommand
from application.booking.checkout import Checkout, CheckoutCommand
from application.booking.hold_seats import HoldSeats
from application.booking.queries import (
    GetBooking,
    GetBookingQuery,
    ListBookings,
    ListBookingsQuery,
)
from application.catalog.get_listing import GetListing, GetListingQuery
from application.catalog.list_listings import ListListings, ListListingsQuery
from application.catalog.list_slots import ListSlots, ListSlotsQuery
from application.shared.errors import PaymentRefused, ServiceUnavailable
from application.shared.pagination import PageRequest
from domain.booking.booking import Booking, BookingStatus
from domain.shared.errors import DomainError, InvalidInput, NotFound

LISTINGS_PER_PAGE = 12
SLOTS_PER_PAGE = 8
BOOKINGS_PER_PAGE = 10
logger = logging.getLogger(__name__)

# Seconds between reloads of a booking page that waits for the payment webhook.
REFRESH_SECONDS = 2
# The query string the payment provider's return URL carries (PAYMENTS_RETURN_URL).
RETURNED_FROM_PAYMENT = "returned"
PROVIDER_DOWN = "The payment provider did not answer. Please try again in a moment."
PROVIDER_REFUSED = "The payment provider refused this. Nothing was changed; please contact us."


class StorefrontView(View):
    """Whatever is not found is the storefront's own 404 page: the project's handler404
    answers in problem+json, which suits API clients, not people."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except (NotFound, Http404):
            return render(request, "storefront/not_found.html", status=404)


def page_request(request: HttpRequest, size: int) -> PageRequest:
    """The page asked for with `?page=`; one that is not a page number is not found."""
    try:
        return PageRequest(number=int(request.GET.get("page", "1")), size=size)
    except (ValueError, InvalidInput) as error:
        raise Http404("No such page.") from error


def attempt[T](request: HttpRequest, action: Callable[[], T]) -> T | None:
    """Run a use case; a refusal or an unreachable provider becomes a message and None."""
    try:
        return action()
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    except ServiceUnavailable:
        messages.error(request, PROVIDER_DOWN)
    except PaymentRefused as refused:
        logger.error("payment provider refused: %s", refused)
        messages.error(request, PROVIDER_REFUSED)
    return None


class ListingsView(StorefrontView):
    @inject
    def get(
        self, request: HttpRequest, list_listings: ListListings = Provide["list_listings"]
    ) -> HttpResponse:
        query = ListListingsQuery(page=page_request(request, LISTINGS_PER_PAGE))
        return render(request, "storefront/listings.html", {"page": list_listings(query)})


class ListingView(StorefrontView):
    """A listing, its upcoming slots with the seats each has left, and the form to hold
    seats in one of them (anyone may look; holding needs a customer)."""

    def get(self, request: HttpRequest, listing_id: UUID) -> HttpResponse:
        return self._page(request, listing_id, HoldForm.blank())

    def post(self, request: HttpRequest, listing_id: UUID) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = HoldForm(request.POST)
        if form.is_valid():
            try:
                reference = self._hold_once(request, form)
            except DomainError as error:
                form.add_domain_error(error)
            else:
                return redirect("storefront:booking", reference)
        return self._page(request, listing_id, form, status=422)

    @inject
    def _hold_once(
        self, request: HttpRequest, form: HoldForm, hold_seats: HoldSeats = Provide["hold_seats"]
    ) -> str:
        """The booking's reference; the same form sent again gets the first one's."""

        def hold() -> str:
            return hold_seats(form.command(request.user.pk)).reference

        key = form.submission_key()
        return once(request.user, key, hold) if key else hold()

    @inject
    def _page(
        self,
        request: HttpRequest,
        listing_id: UUID,
        form: HoldForm,
        status: int = 200,
        get_listing: GetListing = Provide["get_listing"],
        list_slots: ListSlots = Provide["list_slots"],
    ) -> HttpResponse:
        listing = get_listing(GetListingQuery(listing_id))
        slots = list_slots(
            ListSlotsQuery(listing_id=listing_id, page=page_request(request, SLOTS_PER_PAGE))
        )
        context = {"listing": listing, "slots": slots, "form": form}
        return render(request, "storefront/listing.html", context, status=status)


class BookingView(LoginRequiredMixin, StorefrontView):
    """One of the customer's bookings, each line with what it booked. Back from the
    payment provider, a booking still held waits for the payment webhook: the page
    reloads itself until it has come."""

    @inject
    def get(
        self,
        request: HttpRequest,
        reference: str,
        get_booking: GetBooking = Provide["get_booking"],
    ) -> HttpResponse:
        booking = get_booking(GetBookingQuery(reference, request.user.pk))
        held = booking.status is BookingStatus.HELD
        context = {
            "booking": booking,
            "lines": booking.lines,
            "waiting": held and RETURNED_FROM_PAYMENT in request.GET and booking.awaiting_payment,
            "declined": held and booking.payment_declined,
            "refresh_seconds": REFRESH_SECONDS,
        }
        return render(request, "storefront/booking.html", context)


class PayView(LoginRequiredMixin, StorefrontView):
    """Start paying (or pick up the payment already started) and go to the provider."""

    @inject
    def post(
        self, request: HttpRequest, reference: str, checkout: Checkout = Provide["checkout"]
    ) -> HttpResponse:
        started = attempt(request, lambda: checkout(CheckoutCommand(reference, request.user.pk)))
        if started is None:
            return redirect("storefront:booking", reference)
        return HttpResponseRedirect(started.pay_url)


class BookingsView(LoginRequiredMixin, StorefrontView):
    """The customer's bookings, newest first, each saying what it booked and cancellable
    while it is live."""

    @inject
    def get(
        self,
        request: HttpRequest,
        list_bookings: ListBookings = Provide["list_bookings"],
    ) -> HttpResponse:
        query = ListBookingsQuery(request.user.pk, page_request(request, BOOKINGS_PER_PAGE))
        page = list_bookings(query)
        return render(request, "storefront/bookings.html", {"page": page})


class CancelView(LoginRequiredMixin, StorefrontView):
    """Cancel, then show on "my bookings" what comes back under the listing's policy."""

    @inject
    def post(
        self,
        request: HttpRequest,
        reference: str,
        cancel_booking: CancelBooking = Provide["cancel_booking"],
    ) -> HttpResponse:
        cancelled = attempt(
            request,
            lambda: cancel_booking(CancelBookingCommand(reference, request.user.pk)),
        )
        if cancelled is not None:
            messages.success(request, cancelled_message(cancelled))
        return redirect("storefront:bookings")


def cancelled_message(booking: Booking) -> str:
    said = f"Booking {booking.reference} is cancelled."
    if booking.refund is not None:
        refund = booking.refund
        return f"{said} {refund.amount} ({refund.percent}%) is refunded to you."
    if booking.payment is not None:
        return f"{said} Its cancellation policy refunds nothing this close to the start."
    return f"{said} Nothing was paid, so nothing is refunded."
