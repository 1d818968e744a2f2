"""API errors as RFC 9457 problem details (`application/problem+json`).

Views raise DRF exceptions; the shop's own ones subclass `Problem` and carry their
problem type in `default_code` and a fixed `title`. `problem_exception_handler` is
DRF's EXCEPTION_HANDLER; `not_found` and `server_error` are Django's handler404/500.
Django's own refusal of an oversized body is a 413, and a database that failed the
request a 503 to retry, both as problems.
"""

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
KEPT_HEADERS = {"WWW-Authenticate", "Retry-After"}


class Problem(exceptions.APIException):
    """An error of the shop's own, e.g. `raise NotPayable("Cannot pay for …")`.

    `fields` maps dotted paths (`lines.0.seats`) to messages for the `errors` list.
    """

    title = "Conflict with the current state"
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, fields: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.fields = dict(fields or {})


class RuleViolation(Problem):
    """A well-formed request that a business rule refuses (422)."""

    title = "Invalid request"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid-request"


class ServiceUnavailable(Problem):
    """An outside service (the payment provider) failed; retrying is safe."""

    title = "Service Unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service-unavailable"
    retry_after = "30"


class DatabaseUnavailable(ServiceUnavailable):
    """The database failed the request (connection lost, failover, lock timeout): the
    transaction rolled back, so retrying is safe."""

    retry_after = "5"

    def __init__(self) -> None:
        super().__init__("The database could not be reached. Try again shortly.")


class ContentTooLarge(Problem):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses to read it."""

    title = "Content Too Large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request-too-large"

    def __init__(self) -> None:
        super().__init__(
            f"The request body is over the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE}-byte limit."
        )


class PaymentRefused(Problem):
    """The payment provider answered with a refusal (a 4xx but 429): retrying will not help."""

    title = "Payment Refused"
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "payment-refused"
    default_detail = (
        "The payment provider refused the request. Nothing was changed; trying again "
        "will not help, so please contact us."
    )

    def __init__(self) -> None:
        super().__init__(self.default_detail)


class QueryParameterInvalid(exceptions.ValidationError):
    """A query-string parameter that cannot be read: 400 naming the `parameter`."""


def problem(status_code: int, slug: str, title: str, detail: str, **extra: object) -> dict:
    return {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status_code,
        "detail": detail,
        **extra,
    }


def problem_response(body: dict, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_JSON)


def field_errors(detail: object, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as `[{"pointer": "#/lines/0/seats", "detail": …}]`."""
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


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    # Django's own 404 and 403 (get_object_or_404, get_object()) read as DRF's.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = ContentTooLarge()
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", str(exc).strip() or type(exc).__name__)
        exc = DatabaseUnavailable()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django answers 500 and logs it
    headers = {key: value for key, value in response.headers.items() if key in KEPT_HEADERS}
    if isinstance(exc, ServiceUnavailable):
        headers["Retry-After"] = exc.retry_after

    if isinstance(exc, Problem):
        body = problem(exc.status_code, exc.default_code, exc.title, str(exc.detail))
        if exc.fields:
            body["errors"] = [
                {"pointer": "#/" + name.replace(".", "/"), "detail": message}
                for name, messages in exc.fields.items()
                for message in messages
            ]
    elif isinstance(exc, QueryParameterInvalid):
        errors = [
            {"parameter": error["pointer"].removeprefix("#/"), "detail": error["detail"]}
            for error in field_errors(exc.detail)
        ]
        body = problem(
            400, "invalid-parameters", "Invalid query parameters", _first(errors), errors=errors
        )
    elif isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        body = problem(
            response.status_code,
            "invalid-request",
            "Invalid request",
            _first(errors),
            errors=errors,
        )
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = str(getattr(exc, "default_code", "error")).replace("_", "-")
        body = problem(response.status_code, code, _title(response.status_code), str(detail))
    return problem_response(body, headers)


def _first(errors: list[dict[str, str]]) -> str:
    return errors[0]["detail"] if errors else "The request is not valid."


def _title(status_code: int) -> str:
    return "Not found" if status_code == 404 else HTTPStatus(status_code).phrase


def not_found(request, exception=None) -> JsonResponse:
    body = problem(404, "not-found", "Not found", f"Nothing at {request.path}.")
    return JsonResponse(body, status=404, content_type=PROBLEM_JSON)


def server_error(request) -> JsonResponse:
    body = problem(500, "server-error", "Internal Server Error", "Something broke on our side.")
    return JsonResponse(body, status=500, content_type=PROBLEM_JSON)
