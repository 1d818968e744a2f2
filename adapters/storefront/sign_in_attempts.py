"""Failed sign-ins, counted so that passwords cannot be guessed at speed.

Two counts in Django's cache (Redis in production, shared by every worker), each for a
window of `WINDOW_SECONDS` from its first failure:
- per email *and* client address: `PER_ACCOUNT` failures, then that pair is refused
  until the window ends, right password or not. Counting the pair, not the email
  alone, means nobody can lock a customer out from another address.
- per client address: `PER_ADDRESS` failures across any emails (one address trying
  many accounts), then that address is refused.

The client address is DRF's: `REMOTE_ADDR`, or `X-Forwarded-For` as far as
`THROTTLE_NUM_PROXIES` trusts it, as for the API's anonymous rate limit.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 20


def client_address(request: HttpRequest) -> str:
    return str(BaseThrottle().get_ident(request))


def _keys(email: str, address: str) -> dict[str, int]:
    """Each count's cache key and its limit; the email hashed, not stored."""
    pair = hashlib.sha256(f"{email}\n{address}".encode()).hexdigest()
    return {f"sign-in:pair:{pair}": PER_ACCOUNT, f"sign-in:address:{address}": PER_ADDRESS}


def refused(email: str, address: str) -> bool:
    """Whether this email from this address may not even try now."""
    keys = _keys(email, address)
    counts = cache.get_many(list(keys))
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


def failed(email: str, address: str) -> None:
    for key in _keys(email, address):
        if not cache.add(key, 1, WINDOW_SECONDS):  # the first failure opens the window
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, WINDOW_SECONDS)  # the window closed in between
