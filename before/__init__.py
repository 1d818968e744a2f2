"""Portside's before version: the same shop written the classic Django way."""

from before.celery import app as celery_app

__all__ = ["celery_app"]
