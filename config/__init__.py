"""Composition root: settings, URLs, WSGI/ASGI, Celery and the dependency-injector container.

This is the only package that knows every adapter; it wires them to the use cases.
"""

from config.celery import app as celery_app

__all__ = ["celery_app"]
