"""`POST /webhooks/payments/{provider}/`: the inbound adapter for provider events.

Thin on purpose: verify the signature before reading anything, translate the event
into a provider-neutral `PaymentEvent`, hand it to `handle_payment_event`, and
answer. Every business rule lives in the domain and the use case.
- bad, missing or stale signature: 400, nothing changes;
- a replayed event: 200, nothing happens twice (the inbox has it);
- unknown event types, unknown bookings: 200, filed in the inbox for review;
- the provider is down while we refund: 503, so the provider retries.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.problems import problem_body, problem_response
from adapters.api.schema import PROBLEM
from adapters.api.wiring import not_wired
from adapters.payments.signatures import InvalidSignature
from application.booking.handle_payment_event import HandlePaymentEvent
from domain.booking.payments import PaymentEvent
from domain.shared.errors import DomainError

logger = logging.getLogger(__name__)

MAX_ID = 100  # the inbox's and the payment table's id columns


class WebhookParser(Protocol):
    def parse(self, body: bytes, headers: dict[str, str]) -> PaymentEvent: ...


class PaymentWebhookView(APIView):
    authentication_classes: list[type] = []  # the signature is the authentication
    permission_classes = [AllowAny]
    parsers: Callable[[], Mapping[str, WebhookParser]] = not_wired
    handle_payment_event: Callable[[], HandlePaymentEvent] = not_wired

    @extend_schema(
        operation_id="payment_webhook",
        request=None,
        responses={
            200: inline_serializer(
                "WebhookReceipt",
                {"received": serializers.BooleanField(), "outcome": serializers.CharField()},
            ),
            400: OpenApiResponse(
                PROBLEM, description="Bad, missing or stale signature; malformed event."
            ),
            404: PROBLEM,
            503: OpenApiResponse(
                PROBLEM, description="The provider failed while refunding; retry."
            ),
        },
        tags=["webhooks"],
    )
    def post(self, request: Request, provider: str) -> Response:
        parser = self.parsers().get(provider)
        if parser is None:
            return problem_response(
                problem_body(404, "not-found", "Not found", f"No provider {provider!r}.")
            )
        try:
            event = parser.parse(request.body, dict(request.headers))
            if max(len(event.event_id), len(event.payment_id), len(event.refund_id or "")) > MAX_ID:
                raise ValueError("An id longer than any provider's.")
        except InvalidSignature as error:
            logger.warning("payment webhook %s: signature refused: %s", provider, error)
            return problem_response(
                problem_body(400, "invalid-signature", "Invalid signature", str(error))
            )
        except (  # bad JSON, missing fields, wrong shapes, times out of range, bad money
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            OverflowError,
            DomainError,
        ) as error:
            logger.warning("payment webhook %s: malformed event: %r", provider, error)
            return problem_response(
                problem_body(
                    400, "malformed-event", "Malformed event", "The event could not be read."
                )
            )
        result = self.handle_payment_event()(event)
        logger.info(
            "payment webhook %s event=%s kind=%s payment=%s outcome=%s booking=%s",
            provider,
            event.event_id,
            event.kind,
            event.payment_id,
            result.outcome,
            result.reference,
        )
        return Response({"received": True, "outcome": result.outcome.value})
