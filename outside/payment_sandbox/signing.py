"""The sandbox's webhook signature: `Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`
over `"{t}.{raw body}"`, the same construction Stripe documents for its own header."""

import hashlib
import hmac
import time

HEADER = "Sandbox-Signature"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
