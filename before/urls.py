"""URLs of the before shop: the same paths as the after version's."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from before.common.exceptions import not_found
from before.common.views import health, live, ready
from before.payments.views import CheckoutView, PaymentWebhookView

urlpatterns = [
    path("api/v1/auth/", include("before.accounts.urls")),
    path("api/v1/listings/", include("before.catalog.urls")),
    path("api/v1/bookings/", include("before.bookings.urls")),
    path("api/v1/bookings/<str:reference>/checkout/", CheckoutView.as_view()),
    path("api/v1/partners/", include("before.partners.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("webhooks/payments/<str:provider>/", PaymentWebhookView.as_view()),
    path("health/", health, name="health"),
    path("health/live", live, name="health-live"),
    path("health/ready", ready, name="health-ready"),
    path("admin/", admin.site.urls),
    # Any other path under /api/ is a problem 404, in DEBUG too (not Django's HTML page).
    # csrf_exempt: a POST to no view is a 404, not the CSRF 403 page.
    re_path(r"^api/", csrf_exempt(not_found)),
]

if settings.PAYMENTS_SANDBOX_ENABLED:
    # The sandbox payment provider: an outside system that ships with the project.
    urlpatterns.append(path("sandbox/", include("outside.payment_sandbox.urls")))

if settings.PARTNER_INBOX_ENABLED:
    # A demo partner that receives webhooks: another outside system.
    urlpatterns.append(path("partner-inbox/", include("outside.partner_inbox.urls")))

handler404 = "before.common.exceptions.not_found"
handler500 = "before.common.exceptions.server_error"
