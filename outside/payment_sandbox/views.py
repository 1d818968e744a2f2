"""The sandbox provider's HTTP API and its pay page. Plain Django: it is another system."""

import json
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from outside.payment_sandbox.models import SandboxEvent, SandboxPayment, SandboxRefund, new_id
from outside.payment_sandbox.router import DATABASE
from outside.payment_sandbox.tasks import dispatch


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"error": detail}, status=status)


def _authorised(request: HttpRequest) -> bool:
    return request.headers.get("Authorization") == f"Bearer {settings.PAYMENTS_SANDBOX_API_KEY}"


def _json(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _payment_json(request: HttpRequest, payment: SandboxPayment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "status": payment.status,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "metadata": payment.metadata,
        "pay_url": request.build_absolute_uri(f"/sandbox/pay/{payment.id}/"),
    }


def _emit(
    payment: SandboxPayment, event_type: str, extra: dict[str, Any] | None = None
) -> SandboxEvent:
    event_id = new_id("evt")
    payload = {
        "id": event_id,
        "type": event_type,
        "created": int(time.time()),
        "data": {
            "payment_id": payment.id,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "metadata": payment.metadata,
            **(extra or {}),
        },
    }
    event = SandboxEvent.objects.create(
        id=event_id, payment=payment, type=event_type, payload=payload
    )
    dispatch(event.id)
    return event


def _keyed_request(request: HttpRequest) -> tuple[str, dict[str, Any]] | JsonResponse:
    """The Idempotency-Key and JSON body of an authorised create call, or the error."""
    if not _authorised(request):
        return _error(401, "Unknown API key.")
    key = request.headers.get("Idempotency-Key", "")
    data = _json(request)
    if not key or data is None:
        return _error(400, "Send a JSON body and an Idempotency-Key header.")
    return key, data


@csrf_exempt
@require_POST
def create_payment(request: HttpRequest) -> JsonResponse:
    checked = _keyed_request(request)
    if isinstance(checked, JsonResponse):
        return checked
    key, data = checked
    existing = SandboxPayment.objects.filter(idempotency_key=key).first()
    if existing:
        return JsonResponse(_payment_json(request, existing), status=200)
    try:
        amount = Decimal(str(data["amount"]))
        payment = SandboxPayment.objects.create(
            id=new_id("pay"),
            idempotency_key=key,
            amount=amount,
            currency=str(data["currency"]).upper(),
            description=str(data.get("description", ""))[:200],
            metadata=data.get("metadata") or {},
            webhook_url=str(data["webhook_url"]),
            return_url=str(data.get("return_url", "")),
        )
    except (KeyError, InvalidOperation, ValueError):
        return _error(400, "amount, currency and webhook_url are required.")
    except IntegrityError:  # the same key raced in
        payment = SandboxPayment.objects.get(idempotency_key=key)
    return JsonResponse(_payment_json(request, payment), status=201)


def _settle(payment: SandboxPayment, outcome: str) -> None:
    """Pay or decline once; a second click changes nothing (real providers do the same)."""
    if payment.status != SandboxPayment.Status.PENDING:
        return
    payment.status = (
        SandboxPayment.Status.SUCCEEDED if outcome == "pay" else SandboxPayment.Status.FAILED
    )
    payment.save(update_fields=["status"])
    _emit(payment, "payment.succeeded" if outcome == "pay" else "payment.failed")


@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = get_object_or_404(SandboxPayment, id=payment_id)
    if request.method == "POST":
        with transaction.atomic(using=DATABASE):
            _settle(
                SandboxPayment.objects.select_for_update().get(id=payment_id),
                request.POST.get("action", ""),
            )
        payment.refresh_from_db()
        if payment.return_url:
            return HttpResponseRedirect(payment.return_url)
    return render(request, "payment_sandbox/pay.html", {"payment": payment})


@require_http_methods(["GET"])
def read_payment(request: HttpRequest, payment_id: str) -> JsonResponse:
    """A payment as the provider sees it, with how much of it was refunded: what a
    merchant's operator (or a black-box test) checks after the merchant refunded."""
    if not _authorised(request):
        return _error(401, "Unknown API key.")
    payment = get_object_or_404(SandboxPayment, id=payment_id)
    refunded = sum((refund.amount for refund in payment.refunds.all()), Decimal(0))
    return JsonResponse(
        {**_payment_json(request, payment), "refunded": str(refunded.quantize(payment.amount))}
    )


@csrf_exempt
@require_POST
def pay_api(request: HttpRequest, payment_id: str) -> JsonResponse:
    """The pay page's twin for tests: `{"outcome": "pay" | "decline"}`."""
    if not _authorised(request):
        return _error(401, "Unknown API key.")
    data = _json(request) or {}
    if data.get("outcome") not in {"pay", "decline"}:
        return _error(400, 'outcome is "pay" or "decline".')
    with transaction.atomic(using=DATABASE):
        payment = get_object_or_404(SandboxPayment.objects.select_for_update(), id=payment_id)
        _settle(payment, data["outcome"])
    return JsonResponse(_payment_json(request, payment))


@csrf_exempt
@require_POST
def create_refund(request: HttpRequest) -> JsonResponse:
    checked = _keyed_request(request)
    if isinstance(checked, JsonResponse):
        return checked
    key, data = checked
    existing = SandboxRefund.objects.filter(idempotency_key=key).first()
    if existing:
        return JsonResponse(
            {"id": existing.id, "payment_id": existing.payment_id, "amount": str(existing.amount)}
        )
    with transaction.atomic(using=DATABASE):
        payment = (
            SandboxPayment.objects.select_for_update().filter(id=data.get("payment_id")).first()
        )
        if payment is None or payment.status != SandboxPayment.Status.SUCCEEDED:
            return _error(400, "Only a succeeded payment can be refunded.")
        try:
            amount = Decimal(str(data["amount"]))
        except (KeyError, InvalidOperation):
            return _error(400, "amount is required.")
        already = sum((refund.amount for refund in payment.refunds.all()), Decimal(0))
        if amount <= 0 or amount + already > payment.amount:
            return _error(400, "The refund exceeds what is left of the payment.")
        refund = SandboxRefund.objects.create(
            id=new_id("re"), idempotency_key=key, payment=payment, amount=amount
        )
        _emit(payment, "refund.succeeded", {"refund_id": refund.id, "refund_amount": str(amount)})
    return JsonResponse(
        {"id": refund.id, "payment_id": payment.id, "amount": str(amount)}, status=201
    )


@csrf_exempt
@require_POST
def resend_events(request: HttpRequest, payment_id: str) -> JsonResponse:
    """Send a payment's events again: `{"order": "original" | "reversed"}`."""
    if not _authorised(request):
        return _error(401, "Unknown API key.")
    payment = get_object_or_404(SandboxPayment, id=payment_id)
    data = _json(request) or {}
    events = list(payment.events.all())
    if data.get("order") == "reversed":
        events.reverse()
    for event in events:
        dispatch(event.id)
    return JsonResponse({"resent": [event.id for event in events]})
