"""URLs, and the composition root for views: each view gets its use cases here."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from adapters.accounts.views import RegisterView, TokenView
from adapters.booking import views as booking
from adapters.catalog import views as catalog
from adapters.health import health
from adapters.payments.webhooks import PaymentWebhookView
from config.container import container

api_v1 = [
    path("auth/register/", RegisterView.as_view()),
    path("auth/token/", TokenView.as_view()),
    path("listings/", catalog.ListingListView.as_view(list_listings=container.list_listings)),
    path(
        "listings/<uuid:listing_id>/",
        catalog.ListingDetailView.as_view(get_listing=container.get_listing),
    ),
    path(
        "listings/<uuid:listing_id>/slots/",
        catalog.SlotListView.as_view(list_slots=container.list_slots),
    ),
    path(
        "bookings/",
        booking.BookingCollectionView.as_view(
            hold_seats=container.hold_seats, list_bookings=container.list_bookings
        ),
    ),
    path(
        "bookings/<str:reference>/",
        booking.BookingDetailView.as_view(get_booking=container.get_booking),
    ),
    path(
        "bookings/<str:reference>/cancel/",
        booking.BookingCancelView.as_view(cancel_booking=container.cancel_booking),
    ),
    path(
        "bookings/<str:reference>/checkout/",
        booking.BookingCheckoutView.as_view(checkout=container.checkout),
    ),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(
        "webhooks/payments/<str:provider>/",
        PaymentWebhookView.as_view(
            parsers=container.webhook_parsers, handle_payment_event=container.handle_payment_event
        ),
    ),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]

if settings.PAYMENTS_SANDBOX_ENABLED:
    # The sandbox payment provider: an outside system that happens to ship with Portside.
    urlpatterns.append(path("sandbox/", include("adapters.payment_sandbox.urls")))

handler404 = "adapters.api.problems.not_found"
handler500 = "adapters.api.problems.server_error"
