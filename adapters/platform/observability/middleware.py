"""The request id: taken from `X-Request-ID` when the client or a proxy sent a sane
one, generated otherwise; bound for every log line the request writes and every Celery
task it queues, echoed in the response, and one log line per request at the end."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from adapters.platform.observability import context

logger = logging.getLogger("portside.request")

# Polled by load balancers and healthchecks every few seconds: logged at DEBUG only.
QUIET_PREFIXES = ("/health/",)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = context.accepted_or_new(request.headers.get(context.REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.monotonic()
        with context.bound(request_id=request_id):
            response = self.get_response(request)
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            response[context.REQUEST_ID_HEADER] = request_id
            level = logging.DEBUG if request.path.startswith(QUIET_PREFIXES) else logging.INFO
            logger.log(
                level,
                "%s %s %s %.1f ms",
                request.method,
                request.get_full_path(),
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status_code": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        return response
