"""Catalogue endpoints: read the query, call one use case, shape its result.

Each view receives its use case as a *provider* from `config/urls.py`
(`View.as_view(list_listings=container.list_listings)`): Django's own way to pass
arguments to a view. Calling the provider per request builds the use case with
whatever adapters the container holds at that moment, so `container.override(...)`
in a test takes effect without touching this module.
"""

from collections.abc import Callable
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.pagination import PageParameters, page_request, paginated_response, read_query
from adapters.api.wiring import not_wired
from adapters.catalog.serializers import ListingSerializer, SlotSerializer, SlotWindowParameters
from application.catalog.get_listing import GetListing, GetListingQuery
from application.catalog.list_listings import ListListings, ListListingsQuery
from application.catalog.list_slots import ListSlots, ListSlotsQuery


def paginated(serializer: type[serializers.Serializer]) -> serializers.Serializer:
    """The OpenAPI shape of a page of `serializer` items."""
    return inline_serializer(
        name=f"Paginated{serializer.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


class ListingListView(APIView):
    list_listings: Callable[[], ListListings] = not_wired

    @extend_schema(
        parameters=[PageParameters], responses=paginated(ListingSerializer), tags=["catalogue"]
    )
    def get(self, request: Request) -> Response:
        params = read_query(PageParameters, request)
        page = self.list_listings()(ListListingsQuery(page=page_request(params)))
        return paginated_response(request, page, lambda item: ListingSerializer(item).data)


class ListingDetailView(APIView):
    get_listing: Callable[[], GetListing] = not_wired

    @extend_schema(responses=ListingSerializer, tags=["catalogue"])
    def get(self, request: Request, listing_id: UUID) -> Response:
        listing = self.get_listing()(GetListingQuery(listing_id))
        return Response(ListingSerializer(listing).data)


class SlotListView(APIView):
    list_slots: Callable[[], ListSlots] = not_wired

    @extend_schema(
        parameters=[
            PageParameters,
            OpenApiParameter("from", str, description="Slots starting at or after (ISO 8601)."),
            OpenApiParameter("to", str, description="Slots starting before (ISO 8601)."),
        ],
        responses=paginated(SlotSerializer),
        tags=["catalogue"],
    )
    def get(self, request: Request, listing_id: UUID) -> Response:
        params = read_query(SlotWindowParameters, request)
        query = ListSlotsQuery(
            listing_id=listing_id,
            starts_from=params.get("from"),
            starts_before=params.get("to"),
            page=page_request(params),
        )
        page = self.list_slots()(query)
        return paginated_response(request, page, lambda item: SlotSerializer(item).data)
