"""The answers every operation can give besides its own, written into the schema in one
place (drf-spectacular's POSTPROCESSING_HOOKS), so the document says what the server
serves: every error is `application/problem+json` with the problem shape, and each
operation lists the statuses its view's classes can answer (authentication, parsing,
size limits, permissions, path lookups, an unreachable database), not only those its
own code raises. One answer comes from the HTTP server in front, before Django sees the
request: gunicorn refuses a request line over its limit with a 414 page in HTML."""

from typing import Any

from rest_framework.permissions import AllowAny

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
URI_TOO_LONG = "414"
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

ANSWERS = {
    "400": "The body is not JSON, or a body or query parameter has the wrong shape.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "Signed in, but not as who may do this (a customer on the partner API).",
    "404": "Nothing here: no such resource, or not yours.",
    "409": "Not allowed in the booking's or subscription's current state.",
    "413": "The body is over the size limit.",
    URI_TOO_LONG: "The request line (path and query) is over the HTTP server's limit "
    "(gunicorn: 4094 bytes); it answers with an HTML page, before Django sees the request.",
    "415": "The body is not application/json.",
    "422": "A well-formed request that a rule refuses.",
    "502": "The payment provider refused the request; nothing changed.",
    "503": "The database or the payment provider did not answer: retry after Retry-After.",
}
# Statuses an operation's own code raises that drf-spectacular cannot see.
OWN = {
    ("/api/v1/bookings/", "post"): ["409", "422"],
    ("/api/v1/bookings/{reference}/cancel/", "post"): ["409", "502"],
    ("/api/v1/bookings/{reference}/checkout/", "post"): ["409", "502"],
    ("/api/v1/partners/subscriptions/", "post"): ["422"],
    ("/api/v1/partners/subscriptions/{subscription_id}/", "patch"): ["422"],
    ("/api/v1/partners/subscriptions/{subscription_id}/rotate-secret/", "post"): ["409"],
    ("/webhooks/payments/{provider}/", "post"): ["400"],
}
# Limits the serializers check in their own code (Django's password validators, the
# booking rules), as far as OpenAPI can state them: (component, property) -> keywords.
LIMITS = {
    ("Register", "password"): {"minLength": 8},  # Django's MinimumLengthValidator
    ("AuthToken", "username"): {"minLength": 1},
    ("AuthToken", "password"): {"minLength": 1},
    ("Hold", "lines"): {"minItems": 1, "maxItems": 5},  # MAX_LINES
    ("HoldLine", "seats"): {"minimum": 1, "maximum": 10},  # MIN/MAX_SEATS_PER_LINE
}

# Request bodies whose strings DRF refuses blank (CharField's allow_blank=False).
NOT_BLANK = ("Subscription", "PatchedSubscription", "PayloadOptions")

# Properties a serializer leaves out when they have no value (a booking's refund).
OPTIONAL = {("Booking", "refund")}


def problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    views = {
        (path, method.lower()): callback.cls
        for path, _, method, callback in generator.endpoints or []
    }
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for (component, name), keywords in LIMITS.items():
        if component in schemas:
            schemas[component]["properties"][name].update(keywords)
    for component in NOT_BLANK:
        for schema in schemas.get(component, {}).get("properties", {}).values():
            for string in (schema, schema.get("items"), schema.get("additionalProperties")):
                if isinstance(string, dict) and string.get("type") == "string":
                    string.setdefault("minLength", 1)
    for component, name in OPTIONAL:
        if component in schemas:
            schemas[component]["required"].remove(name)
    for path, item in result["paths"].items():
        for method, operation in item.items():
            view = views.get((path, method))
            if view is None:
                continue
            responses = operation["responses"]
            for status in statuses_of(view, operation) + OWN.get((path, method), []):
                responses.setdefault(status, {"description": ANSWERS[status]})
            for status, response in responses.items():
                if status == URI_TOO_LONG:
                    response["content"] = HTML_PAGE
                elif int(status) >= 400:
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            operation["responses"] = dict(sorted(responses.items()))
    return result


def statuses_of(view: type, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = [URI_TOO_LONG, "503"]  # gunicorn and the database, for every operation
    if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
        statuses.append("400")
    if "requestBody" in operation:
        statuses += ["413", "415"]
    if view.authentication_classes:
        statuses.append("401")  # a bad token is refused even where none is needed
    if any(permission is not AllowAny for permission in view.permission_classes):
        statuses += ["401", "403"]
    if any(p["in"] == "path" for p in parameters):
        statuses.append("404")
    return statuses
