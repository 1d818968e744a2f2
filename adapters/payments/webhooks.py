"""`POST /webhooks/payments/{provider}/`: the inbound adapter for provider events.

Thin on purpose: verify the signature before reading anything, translate the event
into a provider-neutral `PaymentEvent`, hand it to `handle_payment_event`, and
answer. Every business rule lives in the domain and the use case.
- bad, missing or stale signature: 400, nothing changes;
- a replayed event: 200, nothing happens twice (the inbox has it);
- unknown event types, unknown bookings: 200, filed in the inbox for review;
- the provider is down while we refund: 503, so the provider retries.
Every event that arrives writes one log line: provider, event id and type, outcome and
duration (`payment event ...`).
"""

import logging
import time
from collections.abc import Mapping
from typing import Protocol

from dependency_injector.wiring import Provide, inject
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.problems import problem_body, problem_response
from adapters.api.schema import PROBLEM, REFUSED
from adapters.payments.signatures import InvalidSignature
from adapters.platform.parsers import unstorable_text
from application.booking.handle_payment_event import HandlePaymentEvent
from domain.booking.payments import PaymentEvent
from domain.shared.errors import DomainError

logger = logging.getLogger(__name__)

MAX_ID = 100  # the inbox's and the payment table's id columns


def _check_id(provider_id: str) -> None:
    """An id the inbox can store: no provider's is long, or holds NUL or lone surrogates."""
    if len(provider_id) > MAX_ID:
        raise ValueError("An id longer than any provider's.")
    if why := unstorable_text(provider_id):
        raise ValueError(f"An id that cannot be stored: {why}")


class WebhookParser(Protocol):
    def parse(self, body: bytes, headers: dict[str, str]) -> PaymentEvent: ...


class PaymentWebhookView(APIView):
    authentication_classes: list[type] = []  # the signature is the authentication
    permission_classes = [AllowAny]
    # Never rate-limited: a refused event is only sent again, and the signature already
    # keeps out whoever is not the provider.
    throttle_classes: list[type] = []

    @extend_schema(
        operation_id="payment_webhook",
        request=None,
        parameters=[
            OpenApiParameter(
                "provider",
                {"type": "string", "enum": ["sandbox", "stripe"]},
                OpenApiParameter.PATH,
                description="Whose events these are; one this shop does not take is a 404.",
            )
        ],
        responses={
            200: inline_serializer(
                "WebhookReceipt",
                {"received": serializers.BooleanField(), "outcome": serializers.CharField()},
            ),
            400: OpenApiResponse(
                PROBLEM, description="Bad, missing or stale signature; malformed event."
            ),
            404: PROBLEM,
            502: REFUSED,
            503: OpenApiResponse(
                PROBLEM, description="The provider failed while refunding; retry."
            ),
        },
        tags=["webhooks"],
    )
    @inject
    def post(
        self,
        request: Request,
        provider: str,
        parsers: Mapping[str, WebhookParser] = Provide["webhook_parsers"],
        handle_payment_event: HandlePaymentEvent = Provide["handle_payment_event"],
    ) -> Response:
        started = time.monotonic()
        parser = parsers.get(provider)
        if parser is None:
            _log_event(started, provider, "unknown-provider", logging.WARNING)
            return problem_response(
                problem_body(404, "not-found", "Not found", f"No provider {provider!r}.")
            )
        try:
            event = parser.parse(request.body, dict(request.headers))
            for provider_id in (event.event_id, event.payment_id, event.refund_id or ""):
                _check_id(provider_id)
        except InvalidSignature as error:
            _log_event(started, provider, "invalid-signature", logging.WARNING, error=str(error))
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
            _log_event(started, provider, "malformed-event", logging.WARNING, error=repr(error))
            return problem_response(
                problem_body(
                    400, "malformed-event", "Malformed event", "The event could not be read."
                )
            )
        fields = {
            "event_id": event.event_id,
            "event_type": event.kind.value if event.kind else "other",
            "payment_id": event.payment_id,
        }
        try:
            result = handle_payment_event(event)
        except Exception as error:  # answered by the problem handler (503 and the like)
            _log_event(
                started, provider, "error", logging.ERROR, error=type(error).__name__, **fields
            )
            raise
        _log_event(
            started,
            provider,
            result.outcome.value,
            logging.INFO,
            booking_reference=result.reference,
            **fields,
        )
        return Response({"received": True, "outcome": result.outcome.value})


def _log_event(
    started: float, provider: str, outcome: str, level: int, **fields: str | None
) -> None:
    """One line per event received: which, from whom, what came of it, how long it took."""
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    logger.log(
        level,
        "payment event %s %s from %s: %s in %.1f ms",
        fields.get("event_id") or "-",
        fields.get("event_type") or "-",
        provider,
        outcome,
        duration_ms,
        extra={"provider": provider, "outcome": outcome, "duration_ms": duration_ms, **fields},
    )
