"""Rate limits: anonymous callers by IP, customers by account, partners by API key.

DRF's throttles count each caller's recent requests in Django's cache (the `default`
alias). Exactly one of the three applies to a request, by who made it; the rates are
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, set from `THROTTLE_*_RATE` in
config/settings.py. A refusal is a 429 `throttled` problem with `Retry-After`.

The rates are read when a throttle is built (once per request), not when this module
is imported, so `override_settings(REST_FRAMEWORK=...)` reaches them.
"""

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _Throttle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rate: str | None = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return rate

    def wait(self) -> float:
        """Seconds until the next request is allowed; never None, so `Retry-After` is always set."""
        wait = super().wait()
        if wait is not None:
            return float(wait)
        oldest = self.history[-1] if self.history else self.now
        return max(1.0, self.duration - (self.now - oldest))


def _is_partner(request: Request) -> bool:
    return hasattr(request.user, "partner")


class AnonymousThrottle(_Throttle):
    """Callers without credentials, by client IP (`REMOTE_ADDR`, or `X-Forwarded-For`
    as far as `NUM_PROXIES` allows)."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CustomerThrottle(_Throttle):
    """Signed-in customers (token or session), by account, wherever they call from."""

    scope = "customer"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated) or _is_partner(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class PartnerThrottle(_Throttle):
    """Partners, by the partner whose Bearer key signed the request, not by IP."""

    scope = "partner"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not _is_partner(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.partner.pk}
