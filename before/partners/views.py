"""The partner API: subscriptions, their secrets and test events, deliveries and
redelivery. A partner sees only its own; anything else is a 404."""

import json
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from before.common.exceptions import Problem
from before.partners import webhooks
from before.partners.authentication import IsPartner, PartnerKeyAuthentication
from before.partners.models import TEST_EVENT_TYPE, Delivery, Subscription
from before.partners.serializers import DeliverySerializer, SubscriptionSerializer


class RotationUnderWay(Problem):
    """A secret was rotated less than a day ago: its old secret still signs (409)."""


class PartnerViewMixin:
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [IsPartner]
    lookup_value_converter = "uuid"
    lookup_url_kwarg = "pk"
    noun = "object"  # what a 404 says is missing

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404 as missing:
            raise NotFound(f"No {self.noun} {self.kwargs[self.lookup_url_kwarg]}.") from missing


class SubscriptionViewSet(PartnerViewMixin, viewsets.ModelViewSet):
    serializer_class = SubscriptionSerializer
    noun = "subscription"
    lookup_url_kwarg = "subscription_id"  # the after version's path parameter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Subscription]:
        return Subscription.objects.filter(partner=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        """The secret is shown in full only in the answer that made it."""
        reveal = self.action in {"create", "rotate_secret"}
        return {**super().get_serializer_context(), "reveal_secret": reveal}

    def perform_create(self, serializer: BaseSerializer[Subscription]) -> None:
        serializer.save(partner=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, **kwargs: Any) -> Response:
        """A new secret; the old one keeps signing for 24 hours, one rotation at a time."""
        subscription = self.get_object()
        if subscription.rotation_overlaps():
            raise RotationUnderWay(
                f"The last rotation overlaps until "
                f"{subscription.previous_secret_expires_at.isoformat()}."
            )
        subscription.rotate_secret()
        return Response(self.get_serializer(subscription).data)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"], url_path="test")
    @transaction.atomic  # the answer describes the delivery as it was before the send
    def send_test_event(self, request: Request, **kwargs: Any) -> Response:
        """A `portside.test` event, sent once this request's transaction commits."""
        subscription = self.get_object()
        data = {"message": "A test event from Portside.", "subscription_id": str(subscription.pk)}
        delivery = subscription.deliveries.create(
            event_type=TEST_EVENT_TYPE, payload=json.dumps(data)
        )
        webhooks.send_after_commit([delivery])
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, **kwargs: Any) -> Response:
        """This subscription's deliveries, newest first, with their attempts."""
        subscription = self.get_object()
        page = self.paginate_queryset(subscription.deliveries.prefetch_related("attempts"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class DeliveryViewSet(PartnerViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliverySerializer
    noun = "delivery"
    lookup_url_kwarg = "delivery_id"

    def get_queryset(self) -> QuerySet[Delivery]:
        return Delivery.objects.filter(subscription__partner=self.request.user).prefetch_related(
            "attempts"
        )

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def redeliver(self, request: Request, **kwargs: Any) -> Response:
        """Send the delivery again, same body and `webhook-id`, once this request commits."""
        delivery = self.get_object()
        delivery.redeliver()
        webhooks.send_after_commit([delivery])
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
