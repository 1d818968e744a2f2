"""Booking endpoints: a customer holds seats, lists, reads and cancels their bookings."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from before.bookings.idempotency import HEADER, KEY_SCHEMA, idempotent
from before.bookings.models import Booking
from before.bookings.serializers import BookingSerializer, HoldSerializer


def customer_booking(request, reference, lock=False):
    """The customer's booking by reference; someone else's is as missing as none."""
    bookings = Booking.objects.select_for_update() if lock else Booking.objects.with_lines()
    booking = bookings.filter(reference=reference, customer=request.user).first()
    if booking is None:
        raise exceptions.NotFound(f"No booking {reference}.")
    return booking


class BookingListView(generics.ListAPIView):
    """GET: the customer's bookings, newest first. POST: hold seats."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingSerializer

    def get_queryset(self):
        return Booking.objects.filter(customer=self.request.user).with_lines()

    @extend_schema(
        request=HoldSerializer,
        parameters=[
            OpenApiParameter(
                HEADER,
                KEY_SCHEMA,
                OpenApiParameter.HEADER,
                description="Retry safely: the same key and body return the first response.",
            )
        ],
        responses={201: BookingSerializer},
    )
    @idempotent
    def post(self, request):
        hold = HoldSerializer(data=request.data)
        hold.is_valid(raise_exception=True)
        booking = hold.save(customer=request.user)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = BookingSerializer

    def get_object(self):
        return customer_booking(self.request, self.kwargs["reference"])


class BookingCancelView(generics.GenericAPIView):
    """Cancel: held seats go back; a paid booking is refunded by its listings' policies
    (the provider is asked before the cancellation commits)."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingSerializer

    @extend_schema(request=None)
    def post(self, request, reference):
        with transaction.atomic():
            booking = customer_booking(request, reference, lock=True)
            booking.cancel()
        return Response(BookingSerializer(booking).data)
