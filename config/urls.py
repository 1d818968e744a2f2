"""URLs. Views get their use cases by name through wiring (config/apps.py), not here."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override, csp_report_only_override
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView

from adapters.accounts.views import RegisterView, TokenView
from adapters.api import problems
from adapters.api.schema_view import SchemaView
from adapters.booking import views as booking
from adapters.catalog import views as catalog
from adapters.partners import views as partners
from adapters.payments.webhooks import PaymentWebhookView
from adapters.platform import health
from adapters.storefront import views as storefront

api_v1 = [
    path("auth/register/", RegisterView.as_view()),
    path("auth/token/", TokenView.as_view()),
    path("listings/", catalog.ListingListView.as_view()),
    path("listings/<uuid:listing_id>/", catalog.ListingDetailView.as_view()),
    path("listings/<uuid:listing_id>/slots/", catalog.SlotListView.as_view()),
    path("bookings/", booking.BookingCollectionView.as_view()),
    path("bookings/<str:reference>/", booking.BookingDetailView.as_view()),
    path("bookings/<str:reference>/cancel/", booking.BookingCancelView.as_view()),
    path("partners/subscriptions/", partners.SubscriptionCollectionView.as_view()),
    path(
        "partners/subscriptions/<uuid:subscription_id>/",
        partners.SubscriptionDetailView.as_view(),
    ),
    path(
        "partners/subscriptions/<uuid:subscription_id>/rotate-secret/",
        partners.RotateSecretView.as_view(),
    ),
    path("partners/subscriptions/<uuid:subscription_id>/test/", partners.TestEventView.as_view()),
    path(
        "partners/subscriptions/<uuid:subscription_id>/deliveries/",
        partners.SubscriptionDeliveryListView.as_view(),
    ),
    path("partners/deliveries/", partners.DeliveryCollectionView.as_view()),
    path("partners/deliveries/<uuid:delivery_id>/redeliver/", partners.RedeliverView.as_view()),
    path("bookings/<str:reference>/checkout/", booking.BookingCheckoutView.as_view()),
]

# Swagger UI: its init script from this server (the split view, no inline script), the
# UI itself from drf-spectacular's CDN, whose React code sets inline styles.
SWAGGER_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, "https://cdn.jsdelivr.net"],
    "style-src": [CSP.SELF, "https://cdn.jsdelivr.net", CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "https://cdn.jsdelivr.net"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Enforced or report-only, as the site's own policy is (config/settings.py).
swagger_ui = (csp_override if settings.SECURE_CSP else csp_report_only_override)(SWAGGER_CSP)(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

# The storefront: server-rendered pages for customers over the same use cases.
shop = [
    path("", storefront.ListingsView.as_view(), name="listings"),
    path("listings/<uuid:listing_id>/", storefront.ListingView.as_view(), name="listing"),
    path("bookings/", storefront.BookingsView.as_view(), name="bookings"),
    path("bookings/<str:reference>/", storefront.BookingView.as_view(), name="booking"),
    path("bookings/<str:reference>/pay/", storefront.PayView.as_view(), name="pay"),
    path("bookings/<str:reference>/cancel/", storefront.CancelView.as_view(), name="cancel"),
    path("", include("adapters.storefront.urls")),  # log in, log out
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    # Whatever else is under /api/ is a problem, in DEBUG too (where handler404 is not
    # used and Django would show its HTML page), and for any method (no CSRF page).
    re_path(r"^api/", csrf_exempt(problems.not_found)),
    path("webhooks/payments/<str:provider>/", PaymentWebhookView.as_view()),
    path("health/", health.health, name="health"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("", include((shop, "storefront"))),
]

if settings.PAYMENTS_SANDBOX_ENABLED:
    # The sandbox payment provider: an outside system that happens to ship with Portside.
    urlpatterns.append(path("sandbox/", include("outside.payment_sandbox.urls")))

if settings.PARTNER_INBOX_ENABLED:
    # A demo partner that receives and verifies webhooks: another outside system.
    urlpatterns.append(path("partner-inbox/", include("outside.partner_inbox.urls")))

handler400 = "adapters.api.problems.bad_request"
handler404 = "adapters.api.problems.not_found"
handler500 = "adapters.storefront.errors.server_error"
