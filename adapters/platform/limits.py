"""Request bodies: how big (what JSON may hold is `parsers.StrictJSONParser`'s).

`RequestBodyLimitMiddleware` answers 413 before anything reads a body whose
`Content-Length` is over the limit: `MAX_REQUEST_BODY_SIZE` for every path,
`PAYMENT_WEBHOOK_MAX_BODY_SIZE` for the payment webhooks (providers' events carry
whole objects). Django checks its own limit only when `request.body` or `request.POST`
is read; DRF's JSON parser reads the stream and never asks, so the check happens here,
once, for every view. Django's own `RequestDataTooBig`, if it is raised all the same,
becomes a 413 too, naming Django's own limit (`problems.bad_request`).

A path with a NUL character (`%00`) is a 404 here too: nothing is named with one, and
PostgreSQL refuses one in any query a view would make with it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from adapters.api.problems import PROBLEM_JSON, not_found, too_large_problem

WEBHOOK_PREFIX = "/webhooks/payments/"


def body_limit(path: str) -> int:
    if path.startswith(WEBHOOK_PREFIX):
        return int(settings.PAYMENT_WEBHOOK_MAX_BODY_SIZE)
    return int(settings.MAX_REQUEST_BODY_SIZE)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unreadable length as no body too
        limit = body_limit(request.path_info)
        if length > limit:
            return JsonResponse(too_large_problem(limit), status=413, content_type=PROBLEM_JSON)
        if "\x00" in request.path_info:
            # Nothing is named with a NUL, and PostgreSQL refuses one in any lookup.
            return not_found(request)
        return self.get_response(request)
