"""`Idempotency-Key`: a retried POST gets the first response again, not a second booking.

The key's row is inserted in the same transaction as the work it guards: a concurrent
request with the same key waits on the unique index until the first commits, then
replays its response; if the first fails, its row rolls back and a retry runs afresh.
Only 2xx responses are kept, per customer, for IDEMPOTENCY_KEY_TTL_SECONDS.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from before.bookings.models import IdempotencyKey

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


def fingerprint(request):
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view_method):
    """Decorate an APIView's `post` to honour the Idempotency-Key header."""

    @functools.wraps(view_method)
    def post(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise exceptions.ValidationError(
                {HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable characters."]}
            )
        digest = fingerprint(request)
        with transaction.atomic():
            cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
            IdempotencyKey.objects.filter(
                customer=request.user, key=key, created_at__lt=cutoff
            ).delete()
            try:
                with transaction.atomic():
                    claim = IdempotencyKey.objects.create(
                        customer=request.user, key=key, fingerprint=digest, status_code=0, body=""
                    )
            except IntegrityError:
                stored = IdempotencyKey.objects.get(customer=request.user, key=key)
                if stored.fingerprint != digest:
                    raise IdempotencyKeyReused() from None
                replay = Response(json.loads(stored.body), status=stored.status_code)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = view_method(view, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)  # forget the key: a retry runs afresh
                return response
            claim.status_code = response.status_code
            claim.body = json.dumps(response.data, cls=JSONEncoder)
            claim.save(update_fields=["status_code", "body"])
        return response

    return post
