"""How views receive their use cases."""

from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured


def not_wired(*_: object) -> NoReturn:
    """Default for a view's use-case attribute until `as_view(...)` in config/urls.py sets it."""
    raise ImproperlyConfigured("Pass this view its use case with as_view(...) in config/urls.py.")
