"""Health endpoints for load balancers and healthchecks: `/health/` (liveness and the
database), `/health/live` (the process answers; no I/O) and `/health/ready` (the
database and, when CELERY_BROKER_URL is set, the broker answer; 503 otherwise)."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from kombu import Connection


def database_up():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def broker_up():
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


def health(request):
    if not database_up():
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def live(request):
    return JsonResponse({"status": "ok"})


def ready(request):
    checks = {"database": "up" if database_up() else "down"}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = "up" if broker_up() else "down"
    down = sorted(name for name, state in checks.items() if state == "down")
    if down:
        body = {
            "type": "/problems/unavailable",
            "title": "Service unavailable",
            "status": 503,
            "detail": f"Not ready: {', '.join(down)} down.",
            "checks": checks,
        }
        return JsonResponse(body, status=503, content_type="application/problem+json")
    return JsonResponse({"status": "ok", "checks": checks})
