"""The site's handler500: a page for people, problem details for programs.

A browser asks for `text/html`; it gets the storefront's error page (a 503 "try again"
page when the database could not be reached). Everyone else, API clients and `curl`
alike, gets `adapters.api.problems.server_error`'s problem details. The pages render
without the request: its user and messages live in the session, which may be in the
very database that failed.
"""

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from adapters.api.problems import DATABASE_RETRY_AFTER, database_unavailable
from adapters.api.problems import server_error as server_error_problem

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/webhooks/", "/health/")
UNAVAILABLE = "Back in a moment: we could not reach our records. Please try again shortly.\n"
BROKEN = "Something broke on our side, and it has been logged. Please try again.\n"


def wants_page(request: HttpRequest) -> bool:
    accepted = request.headers.get("Accept", "")
    return "text/html" in accepted and not request.path.startswith(API_PREFIXES)


def server_error(request: HttpRequest) -> HttpResponse:
    if not wants_page(request):
        return server_error_problem(request)
    if database_unavailable(sys.exception()):
        response = page("storefront/unavailable.html", UNAVAILABLE, 503)
        response["Retry-After"] = DATABASE_RETRY_AFTER
        return response
    return page("storefront/server_error.html", BROKEN, 500)


def page(template: str, fallback: str, status: int) -> HttpResponse:
    """The error page, or plain text if even that fails (a static file missing from the
    manifest, a template error): the error handler must not raise an error itself."""
    try:
        return HttpResponse(render_to_string(template), status=status)
    except Exception:
        logger.exception("error page %s failed to render", template)
        return HttpResponse(fallback, status=status, content_type="text/plain; charset=utf-8")
