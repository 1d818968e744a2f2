"""Helpers for integration tests that reach the PostgreSQL test database from outside
Django's own connection: another process, a raw psycopg connection, a proxy."""

from typing import Any
from urllib.parse import quote

from django.db import connection


def database_url(host: str | None = None, port: int | str | None = None) -> str:
    """The test database pytest-django created, as a URL (optionally by another route)."""
    settings: dict[str, Any] = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(host or settings["HOST"] or "localhost", safe="")
    port = port or settings["PORT"] or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(settings['NAME'], safe='')}"
