"""WSGI entry point for gunicorn: `gunicorn before.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "before.settings")
application = get_wsgi_application()
