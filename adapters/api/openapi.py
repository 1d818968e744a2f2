"""The answers every operation can give besides its own, written into the schema in
one place (drf-spectacular's POSTPROCESSING_HOOKS), so the document says what the
server serves: every error the API answers is `application/problem+json`, and each
operation lists the statuses its view's classes can answer with (authentication,
parsing, size limits, throttles, an unreachable database), not only those its own code
raises. One answer comes from the HTTP server in front, before the API sees the
request: gunicorn refuses a request line over its limit with a 414 page in HTML."""

from typing import Any

from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import AllowAny

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
URI_TOO_LONG = "414"
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}

# Why each status may come from any view of its kind (docs/errors.md has the table).
ANSWERS = {
    "400": "The body is not JSON, or a body or query parameter has the wrong shape.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "Signed in, but not as who may do this (a customer on the partner API), or a "
    "session without its CSRF token.",
    "404": "Nothing here: no such resource, or not yours.",
    "413": "The body is over the size limit.",
    URI_TOO_LONG: "The request line (path and query) is over the HTTP server's limit "
    "(gunicorn: 4094 bytes); it answers with an HTML page, before the API sees the request.",
    "415": "The body is not application/json.",
    "429": "Too many requests: wait for Retry-After.",
    "503": "The database or the payment provider did not answer: retry after Retry-After.",
}


def problem_responses(
    result: dict[str, Any], generator: SchemaGenerator, request: Any, public: bool
) -> dict[str, Any]:
    views = {
        (path, method.lower()): callback.cls
        for path, _, method, callback in generator.endpoints or []
    }
    for path, item in result["paths"].items():
        for method, operation in item.items():
            view = views.get((path, method))
            if view is None:
                continue
            responses = operation["responses"]
            for status in statuses_of(view, path, operation):
                responses.setdefault(status, {"description": ANSWERS[status]})
            for status, response in responses.items():
                if status == URI_TOO_LONG:
                    response["content"] = HTML_PAGE
                elif int(status) >= 400:
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            operation["responses"] = dict(sorted(responses.items()))
    return result


def statuses_of(view: type, path: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = [URI_TOO_LONG, "503"]
    if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
        statuses.append("400")
    if "requestBody" in operation:
        statuses += ["413", "415"]
    if view.authentication_classes:
        statuses.append("401")  # a bad token is refused even where none is needed
    if any(permission is not AllowAny for permission in view.permission_classes):
        statuses.append("403")
    if any(p["in"] == "path" for p in parameters):
        statuses.append("404")
    if view.throttle_classes:
        statuses.append("429")
    return statuses
