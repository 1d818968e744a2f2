"""`Idempotency-Key`: a retried POST gets the first response again instead of a second booking.

The key is claimed by inserting its row inside the same transaction as the work it
guards. A concurrent request with the same key blocks on the row's unique index
until the first commits, then finds the stored response and replays it; if the first
fails, its claim rolls back with it and the retry runs afresh. Only successful (2xx)
responses are stored; keys are scoped per customer and kept for
`IDEMPOTENCY_KEY_TTL_SECONDS` (24 hours).
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from adapters.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII, as an HTTP header carries it; the schema states the same pattern.
KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_KEY_LENGTH,
    "pattern": "^[\\x20-\\x7e]+$",
}
KEY_PATTERN = re.compile(f"[\\x20-\\x7e]{{1,{MAX_KEY_LENGTH}}}")


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with a different request body."
    default_code = "idempotency-key-reused"


def ttl() -> timedelta:
    return timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)


def fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request: Request, produce: Callable[[], Response]) -> Response:
    """Run `produce` once per (customer, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return produce()
    if not KEY_PATTERN.fullmatch(key):
        raise exceptions.ValidationError(
            {HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable characters."]}
        )
    digest = fingerprint(request)
    with transaction.atomic():
        IdempotencyKey.objects.filter(
            customer=request.user, key=key, created_at__lt=timezone.now() - ttl()
        ).delete()
        claim, first = _claim(request.user, key, digest)
        if not first:
            return _replay(claim, digest)
        response = produce()
        if not status.is_success(response.status_code):
            transaction.set_rollback(True)  # the claim goes too: a retry runs afresh
            return response
        claim.status_code = response.status_code
        claim.body = json.dumps(response.data, cls=JSONEncoder)
        claim.save(update_fields=["status_code", "body"])
    return response


def once(customer: Any, key: str, produce: Callable[[], str]) -> str:
    """`produce` run once per (customer, key), and what it answered kept: a repeat, even
    one sent while the first still runs, waits for it and gets the same answer (the
    storefront's hold form, sent twice). A failure keeps nothing, so a retry runs afresh."""
    with transaction.atomic():
        claim, first = _claim(customer, key, "")
        if not first:
            return claim.body
        claim.body = produce()
        claim.status_code = status.HTTP_200_OK
        claim.save(update_fields=["status_code", "body"])
        return claim.body


def _claim(customer: Any, key: str, digest: str) -> tuple[IdempotencyKey, bool]:
    """Inside the caller's transaction: the key's new row and True, or, once the request
    that claimed it first has committed (its row lock makes this wait), that row and
    False."""
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(
                customer=customer, key=key, fingerprint=digest, status_code=0, body=""
            )
    except IntegrityError:
        return IdempotencyKey.objects.get(customer=customer, key=key), False
    return claim, True


def _replay(stored: IdempotencyKey, digest: str) -> Response:
    if stored.fingerprint != digest:
        raise IdempotencyKeyReused()
    response = Response(json.loads(stored.body), status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
