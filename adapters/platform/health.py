"""Health endpoints for load balancers, orchestrators and compose healthchecks.

- `/health/live`: the process is up and answering; no I/O, so a slow database never
  gets a healthy process restarted.
- `/health/ready`: it can serve: the database answers `SELECT 1` and, when
  `CELERY_BROKER_URL` is set, the broker answers too. 503 with a problem document when
  either is down, so traffic goes elsewhere until it is back.
- `/health/`: the original endpoint (liveness and the database), kept for what polls it.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

from adapters.api.problems import PROBLEM_JSON, problem_body

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2.0  # seconds: well inside a healthcheck's own timeout


def database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("health: database down: %s", error)
        return False
    return True


def broker_up() -> bool:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except Exception as error:  # any transport's failure means "down"
        logger.warning("health: broker down: %s", error)
        return False
    return True


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    if not database_up():
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    probes: dict[str, Callable[[], bool]] = {"database": database_up}
    if settings.CELERY_BROKER_URL:
        probes["broker"] = broker_up
    checks = {name: "up" if probe() else "down" for name, probe in probes.items()}
    down = sorted(name for name, state in checks.items() if state == "down")
    if down:
        body = problem_body(
            503,
            "unavailable",
            "Service unavailable",
            f"Not ready: {', '.join(down)} down.",
            checks=checks,
        )
        return JsonResponse(body, status=503, content_type=PROBLEM_JSON)
    return JsonResponse({"status": "ok", "checks": checks})
