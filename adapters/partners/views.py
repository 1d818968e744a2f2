"""The partner API: subscriptions, their secrets and test events, deliveries and redelivery.

Partners authenticate with `Authorization: Bearer <api key>` and see only their own.
Each view asks for its use cases by name with `Provide`.
"""

from typing import Any
from uuid import UUID

from dependency_injector.wiring import Provide, inject
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.pagination import (
    PageParameters,
    page_request,
    paginated_response,
    read_query,
    serialized_page,
)
from adapters.api.schema import PROBLEM, paginated
from adapters.api.shapes import shaped
from adapters.partners.auth import PartnerKeyAuthentication
from adapters.partners.serializers import (
    DeliverySerializer,
    SubscriptionInputSerializer,
    SubscriptionSerializer,
)
from application.partners.create_subscription import CreateSubscription, CreateSubscriptionCommand
from application.partners.delete_subscription import DeleteSubscription, DeleteSubscriptionCommand
from application.partners.list_deliveries import ListDeliveries, ListDeliveriesQuery
from application.partners.list_subscriptions import (
    GetSubscription,
    GetSubscriptionQuery,
    ListSubscriptions,
    ListSubscriptionsQuery,
)
from application.partners.redeliver import Redeliver, RedeliverCommand
from application.partners.rotate_secret import RotateSecret, RotateSecretCommand
from application.partners.send_test_event import SendTestEvent, SendTestEventCommand
from application.partners.update_subscription import UpdateSubscription, UpdateSubscriptionCommand
from domain.partners.payload_options import PayloadOptions


class IsPartner(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.auth is not None and hasattr(request.user, "partner")


class PartnerView(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [IsPartner]

    def partner_id(self, request: Request) -> int:
        return int(request.user.pk)


def shown(subscription: Any, reveal: bool = False) -> dict[str, Any]:
    return SubscriptionSerializer(subscription, context={"reveal_secret": reveal}).data


TAGS = ["partners"]


class SubscriptionCollectionView(PartnerView):
    @extend_schema(
        operation_id="partner_subscriptions_list",
        parameters=[PageParameters],
        responses={200: paginated(SubscriptionSerializer), 401: PROBLEM},
        tags=TAGS,
    )
    @inject
    def get(
        self,
        request: Request,
        list_subscriptions: ListSubscriptions = Provide["list_subscriptions"],
    ) -> Response:
        params = read_query(PageParameters, request)
        page = list_subscriptions(
            ListSubscriptionsQuery(self.partner_id(request), page_request(params))
        )
        return paginated_response(request, page, shown)

    @extend_schema(
        operation_id="partner_subscriptions_create",
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionSerializer, 400: PROBLEM, 401: PROBLEM, 422: PROBLEM},
        tags=TAGS,
    )
    @inject
    def post(
        self,
        request: Request,
        create_subscription: CreateSubscription = Provide["create_subscription"],
    ) -> Response:
        payload = SubscriptionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        command = CreateSubscriptionCommand(
            partner_id=self.partner_id(request),
            url=data["url"],
            event_types=frozenset(data["event_types"]),
            format=data["format"],
            is_active=data["is_active"],
            payload_options=PayloadOptions(**data.get("payload_options", {})),
        )
        subscription = create_subscription(command)
        return Response(shown(subscription, reveal=True), status=status.HTTP_201_CREATED)


class SubscriptionDetailView(PartnerView):
    @extend_schema(
        operation_id="partner_subscriptions_retrieve",
        responses={200: SubscriptionSerializer, 404: PROBLEM},
        tags=TAGS,
    )
    @inject
    def get(
        self,
        request: Request,
        subscription_id: UUID,
        get_subscription: GetSubscription = Provide["get_subscription"],
    ) -> Response:
        found = get_subscription(GetSubscriptionQuery(self.partner_id(request), subscription_id))
        return Response(shown(found))

    @extend_schema(
        operation_id="partner_subscriptions_update",
        request=SubscriptionInputSerializer(partial=True),
        responses={200: SubscriptionSerializer, 400: PROBLEM, 404: PROBLEM, 422: PROBLEM},
        tags=TAGS,
    )
    @inject
    def patch(
        self,
        request: Request,
        subscription_id: UUID,
        update_subscription: UpdateSubscription = Provide["update_subscription"],
    ) -> Response:
        payload = SubscriptionInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        command = UpdateSubscriptionCommand(
            partner_id=self.partner_id(request),
            subscription_id=subscription_id,
            url=data.get("url"),
            event_types=frozenset(data["event_types"]) if "event_types" in request.data else None,
            format=data.get("format"),
            is_active=data["is_active"] if "is_active" in request.data else None,
            payload_options=(
                PayloadOptions(**data["payload_options"]) if "payload_options" in data else None
            ),
        )
        return Response(shown(update_subscription(command)))

    @extend_schema(
        operation_id="partner_subscriptions_destroy", responses={204: None, 404: PROBLEM}, tags=TAGS
    )
    @inject
    def delete(
        self,
        request: Request,
        subscription_id: UUID,
        delete_subscription: DeleteSubscription = Provide["delete_subscription"],
    ) -> Response:
        delete_subscription(DeleteSubscriptionCommand(self.partner_id(request), subscription_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateSecretView(PartnerView):
    @extend_schema(
        operation_id="partner_subscriptions_rotate_secret",
        request=None,
        responses={
            200: SubscriptionSerializer,
            404: PROBLEM,
            409: OpenApiResponse(
                PROBLEM, description="The last rotation's day of overlap is not over yet."
            ),
        },
        tags=TAGS,
    )
    @inject
    def post(
        self,
        request: Request,
        subscription_id: UUID,
        rotate_secret: RotateSecret = Provide["rotate_secret"],
    ) -> Response:
        rotated = rotate_secret(RotateSecretCommand(self.partner_id(request), subscription_id))
        return Response(shown(rotated, reveal=True))


class TestEventView(PartnerView):
    @extend_schema(
        operation_id="partner_subscriptions_test",
        request=None,
        responses={202: DeliverySerializer, 404: PROBLEM},
        tags=TAGS,
    )
    @inject
    def post(
        self,
        request: Request,
        subscription_id: UUID,
        send_test_event: SendTestEvent = Provide["send_test_event"],
    ) -> Response:
        delivery = send_test_event(SendTestEventCommand(self.partner_id(request), subscription_id))
        return Response(shaped(DeliverySerializer, delivery), status=status.HTTP_202_ACCEPTED)


class DeliveryCollectionView(PartnerView):
    @extend_schema(
        operation_id="partner_deliveries_list",
        parameters=[PageParameters],
        responses={200: paginated(DeliverySerializer), 401: PROBLEM, 404: PROBLEM},
        tags=TAGS,
    )
    @inject
    def get(
        self,
        request: Request,
        subscription_id: UUID | None = None,
        list_deliveries: ListDeliveries = Provide["list_deliveries"],
    ) -> Response:
        params = read_query(PageParameters, request)
        query = ListDeliveriesQuery(self.partner_id(request), subscription_id, page_request(params))
        page = list_deliveries(query)
        return serialized_page(request, page, DeliverySerializer)


class SubscriptionDeliveryListView(DeliveryCollectionView):
    """The same list, for one subscription (404 if it is not the partner's)."""

    @extend_schema(
        operation_id="partner_subscription_deliveries_list",
        parameters=[PageParameters],
        responses={200: paginated(DeliverySerializer), 401: PROBLEM, 404: PROBLEM},
        tags=TAGS,
    )
    def get(self, request: Request, subscription_id: UUID | None = None) -> Response:
        return super().get(request, subscription_id)


class RedeliverView(PartnerView):
    @extend_schema(
        operation_id="partner_deliveries_redeliver",
        request=None,
        responses={202: DeliverySerializer, 404: PROBLEM},
        tags=TAGS,
    )
    @inject
    def post(
        self, request: Request, delivery_id: UUID, redeliver: Redeliver = Provide["redeliver"]
    ) -> Response:
        delivery = redeliver(RedeliverCommand(self.partner_id(request), delivery_id))
        return Response(shaped(DeliverySerializer, delivery), status=status.HTTP_202_ACCEPTED)
