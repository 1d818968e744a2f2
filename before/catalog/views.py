"""Catalogue endpoints: published listings and their upcoming slots."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics

from before.catalog.models import Listing
from before.catalog.serializers import ListingSerializer, SlotSerializer, SlotWindowParameters
from before.common.pagination import read_query


def published_listing(listing_id):
    listing = Listing.objects.published().filter(id=listing_id).first()
    if listing is None:
        raise exceptions.NotFound(f"No published listing {listing_id}.")
    return listing


class ListingListView(generics.ListAPIView):
    queryset = Listing.objects.published().order_by("title", "id")
    serializer_class = ListingSerializer


class ListingDetailView(generics.RetrieveAPIView):
    serializer_class = ListingSerializer

    def get_object(self):
        return published_listing(self.kwargs["listing_id"])


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATETIME, description="Slots from this time."),
            OpenApiParameter("to", OpenApiTypes.DATETIME, description="Before this time."),
        ]
    )
)
class SlotListView(generics.ListAPIView):
    """Slots of a published listing starting in `[from, to)`, never in the past."""

    serializer_class = SlotSerializer

    def get_queryset(self):
        self.query = read_query(SlotWindowParameters, self.request)
        listing = published_listing(self.kwargs["listing_id"])
        now = timezone.now()
        starts_from = max(self.query.get("from") or now, now)
        slots = listing.slots.filter(starts_at__gte=starts_from).select_related("listing")
        if self.query.get("to"):
            slots = slots.filter(starts_at__lt=self.query["to"])
        return slots.order_by("starts_at", "id")
