"""`t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{body}">` signature headers, verified
before a provider event is read. Plain Python: no Django."""

import hashlib
import hmac
import time

import pytest

from adapters.payments.signatures import InvalidSignature, verify

SECRET = "whsec_test_secret"
BODY = b'{"id": "evt_1", "type": "payment.succeeded"}'
NOW = 1_900_000_000  # a fixed "current time" in Unix seconds
TOLERANCE = 300


def signature(body: bytes = BODY, timestamp: int = NOW, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header(timestamp: int = NOW, *signatures: str) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={value}" for value in signatures)])


def test_a_valid_signature_passes() -> None:
    verify(BODY, header(NOW, signature()), SECRET, now=NOW)


def test_the_current_time_is_used_when_none_is_given() -> None:
    now = int(time.time())

    verify(BODY, header(now, signature(timestamp=now)), SECRET)


@pytest.mark.parametrize("missing", [None, ""], ids=["no header", "empty header"])
def test_a_missing_header_is_refused(missing: str | None) -> None:
    with pytest.raises(InvalidSignature, match="No signature header"):
        verify(BODY, missing, SECRET, now=NOW)


@pytest.mark.parametrize(
    "malformed",
    [
        f"v1={signature()}",  # no timestamp
        f"t=yesterday,v1={signature()}",  # a timestamp that is not a number
        "t",  # no key=value pairs at all
        "garbage",
    ],
)
def test_a_malformed_header_is_refused(malformed: str) -> None:
    with pytest.raises(InvalidSignature, match="Malformed"):
        verify(BODY, malformed, SECRET, now=NOW)


def test_a_header_without_any_v1_signature_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(BODY, f"t={NOW},v0={signature()}", SECRET, now=NOW)


def test_a_signature_made_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(BODY, header(NOW, signature(secret="whsec_other")), SECRET, now=NOW)


def test_a_tampered_body_is_refused() -> None:
    tampered = BODY.replace(b"succeeded", b"failed")

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(tampered, header(NOW, signature()), SECRET, now=NOW)


def test_a_signature_over_another_timestamp_is_refused() -> None:
    """The timestamp is signed too: moving it forward to dodge the tolerance fails."""
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(BODY, header(NOW, signature(timestamp=NOW - 3600)), SECRET, now=NOW)


@pytest.mark.parametrize(
    "age",
    [TOLERANCE + 1, -(TOLERANCE + 1)],
    ids=["older than the tolerance", "too far in the future"],
)
def test_a_timestamp_outside_the_tolerance_is_refused(age: int) -> None:
    signed_at = NOW - age

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(BODY, header(signed_at, signature(timestamp=signed_at)), SECRET, now=NOW)


@pytest.mark.parametrize("age", [TOLERANCE, -TOLERANCE], ids=["oldest", "newest"])
def test_a_timestamp_at_the_edge_of_the_tolerance_passes(age: int) -> None:
    signed_at = NOW - age

    verify(BODY, header(signed_at, signature(timestamp=signed_at)), SECRET, now=NOW)


def test_a_smaller_tolerance_can_be_asked_for() -> None:
    signed_at = NOW - 61

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(BODY, header(signed_at, signature(timestamp=signed_at)), SECRET, 60, now=NOW)


def test_one_matching_signature_among_several_is_enough() -> None:
    """During a secret rotation the provider signs with the old and the new secret."""
    old, new = signature(secret="whsec_old"), signature()

    verify(BODY, header(NOW, old, new), SECRET, now=NOW)
    verify(BODY, header(NOW, new, old), SECRET, now=NOW)


def test_several_signatures_of_which_none_matches_are_refused() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(
            BODY,
            header(NOW, signature(secret="whsec_a"), signature(secret="whsec_b")),
            SECRET,
            now=NOW,
        )


def test_the_parts_of_the_header_may_come_in_any_order() -> None:
    verify(BODY, f"v1={signature()},t={NOW}", SECRET, now=NOW)
