"""The before shop's Celery app. With no CELERY_BROKER_URL, tasks run eagerly in-process;
with one, a worker and beat run them (the schedule is CELERY_BEAT_SCHEDULE)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "before.settings")

app = Celery("portside_before")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
