"""URLs, and the composition root for views: each view gets its use case here."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from adapters.catalog import views as catalog
from adapters.health import health
from config.container import container

api_v1 = [
    path("listings/", catalog.ListingListView.as_view(list_listings=container.list_listings)),
    path(
        "listings/<uuid:listing_id>/",
        catalog.ListingDetailView.as_view(get_listing=container.get_listing),
    ),
    path(
        "listings/<uuid:listing_id>/slots/",
        catalog.SlotListView.as_view(list_slots=container.list_slots),
    ),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]

handler404 = "adapters.api.problems.not_found"
handler500 = "adapters.api.problems.server_error"
