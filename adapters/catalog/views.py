"""Catalogue endpoints: read the query, call one use case, shape its result.

Each view asks for its use case by name (`@inject` and `Provide["list_listings"]`);
wiring (config/apps.py) passes one built per request with whatever adapters the
container holds at that moment, so `container.x.override(...)` in a test takes effect
without touching this module.
"""

from uuid import UUID

from dependency_injector.wiring import Provide, inject
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.pagination import PageParameters, page_request, read_query, serialized_page
from adapters.api.schema import PROBLEM, paginated
from adapters.api.shapes import shaped
from adapters.catalog.serializers import ListingSerializer, SlotSerializer, SlotWindowParameters
from application.catalog.get_listing import GetListing, GetListingQuery
from application.catalog.list_listings import ListListings, ListListingsQuery
from application.catalog.list_slots import ListSlots, ListSlotsQuery


class ListingListView(APIView):
    @extend_schema(
        operation_id="listings_list",
        parameters=[PageParameters],
        responses={200: paginated(ListingSerializer), 400: PROBLEM},
        tags=["catalogue"],
    )
    @inject
    def get(
        self, request: Request, list_listings: ListListings = Provide["list_listings"]
    ) -> Response:
        params = read_query(PageParameters, request)
        page = list_listings(ListListingsQuery(page=page_request(params)))
        return serialized_page(request, page, ListingSerializer)


class ListingDetailView(APIView):
    @extend_schema(
        operation_id="listings_retrieve",
        responses={200: ListingSerializer, 404: PROBLEM},
        tags=["catalogue"],
    )
    @inject
    def get(
        self, request: Request, listing_id: UUID, get_listing: GetListing = Provide["get_listing"]
    ) -> Response:
        listing = get_listing(GetListingQuery(listing_id))
        return Response(shaped(ListingSerializer, listing))


class SlotListView(APIView):
    @extend_schema(
        parameters=[
            PageParameters,
            OpenApiParameter(
                "from",
                OpenApiTypes.DATETIME,
                description="Slots starting at or after (ISO 8601; UTC without an offset).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATETIME,
                description="Slots starting before (ISO 8601; UTC without an offset).",
            ),
        ],
        operation_id="listings_slots_list",
        responses={200: paginated(SlotSerializer), 400: PROBLEM, 404: PROBLEM},
        tags=["catalogue"],
    )
    @inject
    def get(
        self, request: Request, listing_id: UUID, list_slots: ListSlots = Provide["list_slots"]
    ) -> Response:
        params = read_query(SlotWindowParameters, request)
        query = ListSlotsQuery(
            listing_id=listing_id,
            starts_from=params.get("from"),
            starts_before=params.get("to"),
            page=page_request(params),
        )
        page = list_slots(query)
        return serialized_page(request, page, SlotSerializer)
