"""RFC 9457 problem details: every API error, mapped in this one place.

Domain errors map by class (most specific first); DRF's own errors (validation,
authentication, throttling, 404) keep their status and gain the problem shape.
Field errors are listed under `errors`, each with a JSON `pointer` into the request
body or the name of the query `parameter` at fault.
"""

import logging
import sys
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from application.shared.errors import PaymentRefused, ServiceUnavailable
from domain.booking.errors import CannotCheckout, IllegalTransition, PaymentMismatch
from domain.catalog.errors import NotEnoughSeats
from domain.shared.errors import Conflict, DomainError, Fault, InvalidInput, NotFound

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# Seconds a client should wait after the database failed it: a dropped connection, a
# failover, a deadlock or lock timeout. Django reconnects on the next request by itself.
DATABASE_RETRY_AFTER = "5"

# Domain error class -> (HTTP status, problem type slug, title). First match wins.
DOMAIN_PROBLEMS: list[tuple[type[DomainError], int, str, str]] = [
    (NotEnoughSeats, status.HTTP_409_CONFLICT, "not-enough-seats", "Not enough seats left"),
    (CannotCheckout, status.HTTP_409_CONFLICT, "not-payable", "This booking cannot be paid"),
    (
        IllegalTransition,
        status.HTTP_409_CONFLICT,
        "illegal-transition",
        "Not allowed in this status",
    ),
    (PaymentMismatch, status.HTTP_409_CONFLICT, "payment-mismatch", "Payment does not match"),
    (NotFound, status.HTTP_404_NOT_FOUND, "not-found", "Not found"),
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_ENTITY, "invalid-request", "Invalid request"),
    (Conflict, status.HTTP_409_CONFLICT, "conflict", "Conflict with the current state"),
    (
        DomainError,
        status.HTTP_422_UNPROCESSABLE_ENTITY,
        "rule-broken",
        "A business rule refused it",
    ),
]


def problem_type(slug: str) -> str:
    """Problem types are documented in docs/errors.md under the same slug."""
    return f"/problems/{slug}"


def problem_body(
    status_code: int, slug: str, title: str, detail: str, **extra: Any
) -> dict[str, Any]:
    return {
        "type": problem_type(slug),
        "title": title,
        "status": status_code,
        "detail": detail,
        **extra,
    }


def problem_response(body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return Response(dict(body), status=body["status"], headers=headers, content_type=PROBLEM_JSON)


def domain_problem(error: DomainError) -> dict[str, Any]:
    status_code, slug, title = next(
        (status_code, slug, title)
        for error_class, status_code, slug, title in DOMAIN_PROBLEMS
        if isinstance(error, error_class)
    )
    body = problem_body(status_code, slug, title, str(error))
    if isinstance(error, InvalidInput) and error.faults:
        body["errors"] = [
            {"pointer": pointer(fault), "detail": fault.message} for fault in error.faults
        ]
    return body


# The domain's field names that the API's bodies and parameters spell otherwise.
BODY_FIELDS = {"slot": "slot_id", "number": "page", "size": "page_size", "starts_before": "to"}


def pointer(fault: Fault) -> str:
    """Where a fault sits in the request, as an RFC 6901 JSON pointer: `#/lines/0/seats`."""
    name = BODY_FIELDS.get(fault.field, fault.field).replace(".", "/")  # a nested field's path
    return f"#/{name}" if fault.line is None else f"#/lines/{fault.line}/{name}"


def field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error detail into `[{"pointer": "#/lines/0/seats", "detail": …}]`."""
    if isinstance(detail, Mapping):
        return [
            error
            for key, value in detail.items()
            for error in field_errors(value, path if key == "non_field_errors" else f"{path}/{key}")
        ]
    if isinstance(detail, Sequence) and not isinstance(detail, str):
        if all(isinstance(item, str) for item in detail):
            return [{"pointer": f"#{path}", "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in field_errors(item, f"{path}/{index}")
        ]
    return [{"pointer": f"#{path}", "detail": str(detail)}]


class QueryParameterInvalid(exceptions.ValidationError):
    """A query-string parameter that cannot be read: 400, naming the `parameter`."""


def too_large_problem(limit: int) -> dict[str, Any]:
    return problem_body(
        413,
        "request-too-large",
        "Content Too Large",
        f"The request body is over the {limit}-byte limit.",
    )


def payment_refused_problem() -> dict[str, Any]:
    """What the customer sees of a provider's refusal: not its words (they may name keys
    or accounts), only that nothing changed and that retrying will not help."""
    return problem_body(
        502,
        "payment-refused",
        "Payment Refused",
        "The payment provider refused the request. Nothing was changed; trying again "
        "will not help, so please contact us.",
    )


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error leaves as problem details."""
    if isinstance(exc, RequestDataTooBig):
        # Django's own check, the backstop behind RequestBodyLimitMiddleware: its limit.
        return problem_response(too_large_problem(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if isinstance(exc, DomainError):
        return problem_response(domain_problem(exc))
    if isinstance(exc, ServiceUnavailable):
        body = problem_body(503, "service-unavailable", "Service Unavailable", str(exc))
        return problem_response(body, {"Retry-After": "30"})
    if isinstance(exc, PaymentRefused):
        logger.error("payment provider refused: %s", exc)
        return problem_response(payment_refused_problem())
    if database_unavailable(exc):
        logger.warning("database unavailable: %s", str(exc).strip() or type(exc).__name__)
        return problem_response(
            database_unavailable_problem(), {"Retry-After": DATABASE_RETRY_AFTER}
        )
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django answer 500 and log it
    headers = {
        k: v for k, v in response.headers.items() if k in {"WWW-Authenticate", "Retry-After"}
    }
    if isinstance(exc, QueryParameterInvalid):
        errors = [
            {"parameter": pointer["pointer"].removeprefix("#/"), "detail": pointer["detail"]}
            for pointer in field_errors(exc.detail)
        ]
        body = problem_body(
            400, "invalid-parameters", "Invalid query parameters", _first(errors), errors=errors
        )
    elif isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        body = problem_body(
            response.status_code,
            "invalid-request",
            "Invalid request",
            _first(errors),
            errors=errors,
        )
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(exc, "default_code", "error")
        body = problem_body(
            response.status_code,
            str(code).replace("_", "-"),
            _title(response.status_code),
            str(detail),
        )
    return problem_response(body, headers)


def _first(errors: list[dict[str, str]]) -> str:
    return errors[0]["detail"] if errors else "The request is not valid."


def _title(status_code: int) -> str:
    return HTTPStatus(status_code).phrase


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """handler404 for paths no view matched."""
    body = problem_body(404, "not-found", "Not found", f"Nothing at {request.path}.")
    return JsonResponse(body, status=404, content_type=PROBLEM_JSON)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """handler400: Django's own refusals before or outside a DRF view (a form body too
    big or with too many fields, a bad Host), as problems instead of its HTML page."""
    if isinstance(exception, RequestDataTooBig):
        body = too_large_problem(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exception, TooManyFieldsSent):
        body = problem_body(400, "invalid-request", "Invalid request", "Too many form fields.")
    else:
        body = problem_body(400, "bad-request", "Bad Request", "The request was refused.")
    return JsonResponse(body, status=body["status"], content_type=PROBLEM_JSON)


def database_unavailable(error: BaseException | None) -> bool:
    """A dropped connection, a failover, a lock timeout: worth a retry, not a bug."""
    return isinstance(error, OperationalError | InterfaceError)


def database_unavailable_problem() -> dict[str, Any]:
    return problem_body(
        503,
        "service-unavailable",
        "Service Unavailable",
        "The database could not be reached. Try again shortly.",
    )


def server_error(request: HttpRequest) -> JsonResponse:
    """handler500: the details go to the log, never to the client. Django calls it while
    handling the error, so `sys.exception()` is that error: a database that could not
    be reached (outside a DRF view: a session, the admin) is a 503 to retry."""
    if database_unavailable(sys.exception()):
        body = database_unavailable_problem()
        response = JsonResponse(body, status=503, content_type=PROBLEM_JSON)
        response["Retry-After"] = DATABASE_RETRY_AFTER
        return response
    body = problem_body(
        500, "server-error", "Internal Server Error", "Something broke on our side."
    )
    return JsonResponse(body, status=500, content_type=PROBLEM_JSON)
