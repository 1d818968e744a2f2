"""Failed sign-ins, counted so that passwords cannot be guessed at speed.

Two counts in Django's cache (Redis in production, shared by every worker), each for a
window of `WINDOW_SECONDS` from its first failure:
- per email *and* client address: `PER_ACCOUNT` failures, then that pair is refused
  until the window ends, right password or not. Counting the pair, not the email
  alone, means nobody can lock a customer out from another address.
- per client address: `PER_ADDRESS` failures across any emails (one address trying
  many accounts), then that address is refused.

The client address is DRF's: `REMOTE_ADDR`, or `X-Forwarded-For` as far as
`THROTTLE_NUM_PROXIES` trusts it, as for the API's anonymous rate limit. Both the
storefront's sign-in form and the API's token endpoint count here, so neither is a way
around the other. `SIGN_IN_LIMITS=off` turns the refusals off.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 20


class TooManyFailures(Exception):
    """Refused before the password was checked; each door says so its own way."""


def attempt[T](
    email: str | None, address: str, verify: Callable[[], T], failure: type[Exception]
) -> T:
    """`verify` the credentials unless this email from this address (or this address
    at all) failed too often (TooManyFailures); a `failure` it raises is counted."""
    if email and refused(email, address):
        raise TooManyFailures
    try:
        return verify()
    except failure:
        if email:
            failed(email, address)
        raise


def client_address(request: HttpRequest) -> str:
    return str(BaseThrottle().get_ident(request))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _keys(email: str, address: str) -> dict[str, int]:
    """Each count's cache key and its limit; hashed: no email stored, and a key's length
    does not depend on what a client sent."""
    return {
        f"sign-in:pair:{_digest(f'{email}\n{address}')}": PER_ACCOUNT,
        f"sign-in:address:{_digest(address)}": PER_ADDRESS,
    }


def refused(email: str, address: str) -> bool:
    """Whether this email from this address may not even try now."""
    if not settings.SIGN_IN_LIMITS:
        return False
    keys = _keys(email, address)
    counts = cache.get_many(list(keys))
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


def failed(email: str, address: str) -> None:
    for key in _keys(email, address):
        if cache.add(key, 1, WINDOW_SECONDS):  # the first failure opens the window
            continue
        try:
            count = cache.incr(key)
        except ValueError:  # the window closed in between
            cache.add(key, 1, WINDOW_SECONDS)
            continue
        if count == 1:
            # The key expired between the cache's existence check and its increment,
            # which then made a new one without an expiry: give it one.
            cache.touch(key, WINDOW_SECONDS)
