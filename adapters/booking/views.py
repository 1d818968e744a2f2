"""Booking endpoints: a customer holds seats, reads and cancels their own bookings.

As in the catalogue, each view asks for its use cases by name with `Provide`.
"""

from dependency_injector.wiring import Provide, inject
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.idempotency import HEADER, KEY_SCHEMA, idempotent
from adapters.api.pagination import PageParameters, page_request, read_query, serialized_page
from adapters.api.schema import PROBLEM, REFUSED, paginated
from adapters.api.shapes import shaped
from adapters.booking.serializers import (
    BookingSerializer,
    CheckoutSerializer,
    HoldRequestSerializer,
)
from application.booking.cancel_booking import CancelBooking, CancelBookingCommand
from application.booking.checkout import Checkout, CheckoutCommand
from application.booking.hold_seats import HoldLine, HoldSeats, HoldSeatsCommand
from application.booking.queries import (
    GetBooking,
    GetBookingQuery,
    ListBookings,
    ListBookingsQuery,
)
from domain.booking.reference import PATTERN

# What a reference looks like, so a client (or a fuzzer) need not guess; any other is a 404.
REFERENCE = OpenApiParameter(
    "reference",
    {"type": "string", "pattern": PATTERN.pattern},
    OpenApiParameter.PATH,
    description="The booking's reference, e.g. PS-KZ2XQ6.",
)


class BookingCollectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bookings_list",
        parameters=[PageParameters],
        responses={200: paginated(BookingSerializer), 401: PROBLEM},
        tags=["bookings"],
    )
    @inject
    def get(
        self, request: Request, list_bookings: ListBookings = Provide["list_bookings"]
    ) -> Response:
        params = read_query(PageParameters, request)
        query = ListBookingsQuery(customer_id=request.user.pk, page=page_request(params))
        page = list_bookings(query)
        return serialized_page(request, page, BookingSerializer)

    @extend_schema(
        operation_id="bookings_hold",
        request=HoldRequestSerializer,
        parameters=[
            OpenApiParameter(
                HEADER,
                KEY_SCHEMA,
                OpenApiParameter.HEADER,
                description="Retry safely: the same key and body return the first response.",
            )
        ],
        responses={
            201: BookingSerializer,
            400: PROBLEM,
            401: PROBLEM,
            409: OpenApiResponse(PROBLEM, description="Too few seats left."),
            422: OpenApiResponse(PROBLEM, description="Unknown, past or mixed-currency slots."),
        },
        tags=["bookings"],
    )
    def post(self, request: Request) -> Response:
        return idempotent(request, lambda: self._hold(request))

    @inject
    def _hold(self, request: Request, hold_seats: HoldSeats = Provide["hold_seats"]) -> Response:
        payload = HoldRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        command = HoldSeatsCommand(
            customer_id=request.user.pk,
            lines=tuple(
                HoldLine(line["slot_id"], line["seats"]) for line in payload.validated_data["lines"]
            ),
        )
        booking = hold_seats(command)
        return Response(shaped(BookingSerializer, booking), status=status.HTTP_201_CREATED)


class BookingDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bookings_retrieve",
        parameters=[REFERENCE],
        responses={200: BookingSerializer, 404: PROBLEM},
        tags=["bookings"],
    )
    @inject
    def get(
        self, request: Request, reference: str, get_booking: GetBooking = Provide["get_booking"]
    ) -> Response:
        booking = get_booking(GetBookingQuery(reference, request.user.pk))
        return Response(shaped(BookingSerializer, booking))


class BookingCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bookings_cancel",
        parameters=[REFERENCE],
        request=None,
        responses={
            200: BookingSerializer,
            404: PROBLEM,
            409: PROBLEM,
            502: REFUSED,
            503: OpenApiResponse(PROBLEM, description="The payment provider did not answer."),
        },
        tags=["bookings"],
    )
    @inject
    def post(
        self,
        request: Request,
        reference: str,
        cancel_booking: CancelBooking = Provide["cancel_booking"],
    ) -> Response:
        booking = cancel_booking(CancelBookingCommand(reference, request.user.pk))
        return Response(shaped(BookingSerializer, booking))


class BookingCheckoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bookings_checkout",
        parameters=[REFERENCE],
        request=None,
        responses={
            200: CheckoutSerializer,
            404: PROBLEM,
            409: OpenApiResponse(PROBLEM, description="Not held, or the hold has lapsed."),
            502: REFUSED,
            503: OpenApiResponse(PROBLEM, description="The payment provider did not answer."),
        },
        tags=["bookings"],
    )
    @inject
    def post(
        self, request: Request, reference: str, checkout: Checkout = Provide["checkout"]
    ) -> Response:
        result = checkout(CheckoutCommand(reference, request.user.pk))
        return Response(shaped(CheckoutSerializer, result))
