"""Failed sign-ins, counted so that passwords cannot be guessed at speed.

Two counts in Django's cache (Redis in production, shared by every worker), each for a
window of `WINDOW_SECONDS` from its first attempt:
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

import contextlib
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
    at all) failed too often (TooManyFailures).

    The attempt is counted *before* `verify` runs, with the cache's atomic increment,
    so guesses sent in parallel each take a place under the limit and no more than the
    limit ever reach `verify`. A refusal gives its places back; so does a success, which
    also clears this email's count from this address. The address's count across emails
    keeps its failures: signing in to one's own account must not wipe the guesses that
    address made at others'."""
    if not email or not settings.SIGN_IN_LIMITS:
        return verify()
    keys = _keys(email, address)
    counts = {key: _count(key) for key in keys}
    if any(counts[key] > limit for key, limit in keys.items()):
        for key in keys:  # a refusal is not a failure: it gives its places back
            _uncount(key)
        raise TooManyFailures
    try:
        result = verify()
    except failure:
        raise  # the attempt stays counted: it was a failure
    pair, by_address = keys
    cache.delete(pair)
    _uncount(by_address)
    return result


def client_address(request: HttpRequest) -> str:
    return str(BaseThrottle().get_ident(request))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _keys(email: str, address: str) -> dict[str, int]:
    """Each count's cache key and its limit: the email from this address first, then the
    address. Hashed: no email stored, and a key's length does not depend on what a
    client sent."""
    return {
        f"sign-in:pair:{_digest(f'{email}\n{address}')}": PER_ACCOUNT,
        f"sign-in:address:{_digest(address)}": PER_ADDRESS,
    }


def _count(key: str) -> int:
    """One more attempt on `key`'s count, atomically; the first opens the window."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed in between: this attempt opens the next one
        cache.add(key, 1, WINDOW_SECONDS)
        return 1
    if count == 1:
        # Had the key expired between add and incr, the increment made a new one
        # without an expiry: give it one (a no-op otherwise).
        cache.touch(key, WINDOW_SECONDS)
    return count


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # the window closed meanwhile: nothing to give back
        cache.decr(key)
