"""Booking endpoints: a customer holds seats, reads and cancels their own bookings.

As in the catalogue, each view gets its use cases as providers from `config/urls.py`.
"""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.idempotency import HEADER, idempotent
from adapters.api.pagination import PageParameters, page_request, read_query, serialized_page
from adapters.api.schema import PROBLEM, paginated
from adapters.api.shapes import shaped
from adapters.api.wiring import not_wired
from adapters.booking.serializers import (
    BookingSerializer,
    CheckoutSerializer,
    HoldRequestSerializer,
)
from application.booking.cancel_booking import CancelBooking, CancelBookingCommand
from application.booking.checkout import Checkout, CheckoutCommand
from application.booking.get_booking import GetBooking, GetBookingQuery
from application.booking.hold_seats import HoldLine, HoldSeats, HoldSeatsCommand
from application.booking.list_bookings import ListBookings, ListBookingsQuery


class BookingCollectionView(APIView):
    permission_classes = [IsAuthenticated]
    hold_seats: Callable[[], HoldSeats] = not_wired
    list_bookings: Callable[[], ListBookings] = not_wired

    @extend_schema(
        operation_id="bookings_list",
        parameters=[PageParameters],
        responses={200: paginated(BookingSerializer), 401: PROBLEM},
        tags=["bookings"],
    )
    def get(self, request: Request) -> Response:
        params = read_query(PageParameters, request)
        query = ListBookingsQuery(customer_id=request.user.pk, page=page_request(params))
        page = self.list_bookings()(query)
        return serialized_page(request, page, BookingSerializer)

    @extend_schema(
        operation_id="bookings_hold",
        request=HoldRequestSerializer,
        parameters=[
            OpenApiParameter(
                HEADER,
                str,
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

    def _hold(self, request: Request) -> Response:
        payload = HoldRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        command = HoldSeatsCommand(
            customer_id=request.user.pk,
            lines=tuple(
                HoldLine(line["slot_id"], line["seats"]) for line in payload.validated_data["lines"]
            ),
        )
        booking = self.hold_seats()(command)
        return Response(shaped(BookingSerializer, booking), status=status.HTTP_201_CREATED)


class BookingDetailView(APIView):
    permission_classes = [IsAuthenticated]
    get_booking: Callable[[], GetBooking] = not_wired

    @extend_schema(
        operation_id="bookings_retrieve",
        responses={200: BookingSerializer, 404: PROBLEM},
        tags=["bookings"],
    )
    def get(self, request: Request, reference: str) -> Response:
        booking = self.get_booking()(GetBookingQuery(reference, request.user.pk))
        return Response(shaped(BookingSerializer, booking))


class BookingCancelView(APIView):
    permission_classes = [IsAuthenticated]
    cancel_booking: Callable[[], CancelBooking] = not_wired

    @extend_schema(
        operation_id="bookings_cancel",
        request=None,
        responses={200: BookingSerializer, 404: PROBLEM, 409: PROBLEM},
        tags=["bookings"],
    )
    def post(self, request: Request, reference: str) -> Response:
        booking = self.cancel_booking()(CancelBookingCommand(reference, request.user.pk))
        return Response(shaped(BookingSerializer, booking))


class BookingCheckoutView(APIView):
    permission_classes = [IsAuthenticated]
    checkout: Callable[[], Checkout] = not_wired

    @extend_schema(
        operation_id="bookings_checkout",
        request=None,
        responses={
            200: CheckoutSerializer,
            404: PROBLEM,
            409: OpenApiResponse(PROBLEM, description="Not held, or the hold has lapsed."),
            503: OpenApiResponse(PROBLEM, description="The payment provider did not answer."),
        },
        tags=["bookings"],
    )
    def post(self, request: Request, reference: str) -> Response:
        result = self.checkout()(CheckoutCommand(reference, request.user.pk))
        return Response(shaped(CheckoutSerializer, result))
