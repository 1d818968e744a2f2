"""The Celery app. With no CELERY_BROKER_URL, tasks run eagerly in-process (the embedded
default); with one (Redis in compose), a worker and beat run them."""

import os

from celery import Celery

from adapters.platform.observability import celery as observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["adapters.api", "adapters.booking", "adapters.partners", "outside.payment_sandbox"]
)

# The request id travels with every task, and the worker logs as the web process does.
observability.connect()
