"""Verifying `t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{body}">` headers.

The sandbox signs this way, and so does Stripe (whose adapter still verifies with the
`stripe` library itself). Constant-time comparison; a timestamp more than
`tolerance` seconds away from now is refused, so a captured request cannot be replayed
later.
"""

import hashlib
import hmac
import time


class InvalidSignature(Exception):
    """Missing, malformed, wrong or stale signature: answer 400 and change nothing."""


def verify(
    body: bytes, header: str | None, secret: str, tolerance: int = 300, now: float | None = None
) -> None:
    if not header:
        raise InvalidSignature("No signature header.")
    try:
        parts = [item.split("=", 1) for item in header.split(",")]
        timestamp = int(next(value for key, value in parts if key == "t"))
        signatures = [value for key, value in parts if key == "v1"]
    except (StopIteration, ValueError) as error:
        raise InvalidSignature("Malformed signature header.") from error
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature("Signature timestamp outside the tolerance.")
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("Signature does not match.")
