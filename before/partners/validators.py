"""Field validators of a subscription: what its event types may be, and where its
webhooks may go (SSRF protection).

`validate_webhook_url` runs when a subscription is cleaned and again before every send,
so a DNS change cannot turn a delivery inward. A target must be https (http only with
`WEBHOOK_ALLOW_HTTP`), and every address its host resolves to must be public: no
loopback, private, link-local, multicast, reserved or unspecified address, in IPv4 or
IPv6. Hosts in `WEBHOOK_ALLOWED_HOSTS` skip the address check (development, tests).
"""

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

EVENT_TYPES = ("booking.held", "booking.confirmed", "booking.cancelled", "booking.expired")
# Payload options: the booking fields a partner may choose, the envelope keys it may rename.
PAYLOAD_FIELDS = ("reference", "status", "lines", "total", "refund")
ENVELOPE_KEYS = (
    "type",
    "timestamp",
    "data",
    "id",
    "specversion",
    "source",
    "time",
    "datacontenttype",
    "subject",
)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}")


def validate_event_types(value: Any) -> None:
    if not isinstance(value, list) or not all(item in EVENT_TYPES for item in value):
        raise ValidationError(f"Choose from {', '.join(sorted(EVENT_TYPES))}.")


def payload_option_errors(value: Any) -> dict[str, list[str]]:
    """What is wrong with a subscription's payload options, by dotted path."""
    if not isinstance(value, dict):
        return {"payload_options": ["An object of minor_units, fields and rename."]}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(value) - {"minor_units", "fields", "rename"})
    if unknown:
        errors["payload_options"] = [f"Unknown options: {', '.join(unknown)}."]
    if not isinstance(value.get("minor_units", False), bool):
        errors["payload_options.minor_units"] = ["Must be true or false."]
    fields = value.get("fields", [])
    if not isinstance(fields, list):
        errors["payload_options.fields"] = ["A list of field names."]
        fields = []
    for index, name in enumerate(fields):
        if name not in PAYLOAD_FIELDS:
            errors[f"payload_options.fields.{index}"] = [
                f"Unknown field {name!r}; choose from {', '.join(PAYLOAD_FIELDS)}."
            ]
    if len(set(map(str, fields))) != len(fields):
        errors.setdefault("payload_options.fields", []).append("A field is chosen twice.")
    rename = value.get("rename", {})
    if not isinstance(rename, dict):
        errors["payload_options.rename"] = ["An object of old key to new key."]
        rename = {}
    kept = set(ENVELOPE_KEYS) - set(rename)
    seen: set[str] = set()
    for key, new in rename.items():
        pointer = f"payload_options.rename.{key}"
        if key not in ENVELOPE_KEYS:
            errors[pointer] = [
                f"Unknown envelope key {key!r}; choose from {', '.join(sorted(ENVELOPE_KEYS))}."
            ]
        elif not isinstance(new, str) or not NAME.fullmatch(new):
            errors[pointer] = ["A name of letters, digits, _ . or -, at most 40."]
        elif new in kept or new in seen:
            errors[pointer] = [f"{new!r} is already a key of the envelope."]
        seen.add(str(new))
    return errors


def validate_payload_options(value: Any) -> None:
    errors = payload_option_errors(value)
    if errors:
        raise ValidationError([message for messages in errors.values() for message in messages])


def default_payload_options() -> dict[str, Any]:
    return {"minor_units": False, "fields": [], "rename": {}}


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to; empty if it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: str) -> bool:
    """Globally routable and not multicast; an IPv4-mapped IPv6 address is judged as
    the IPv4 address it carries. (Python's `is_global` refuses 6to4 outright.)"""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_webhook_url(url: str) -> None:
    # urlsplit() would drop them silently (WHATWG), and the URL kept would not be the one checked.
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ValidationError("A URL has no spaces or control characters.")
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises ValueError when malformed
    except ValueError as error:
        raise ValidationError("This is not a valid URL.") from error
    if parts.scheme not in {"http", "https"} or not host:
        raise ValidationError("Use an https:// URL with a host name.")
    if parts.username or parts.password:
        raise ValidationError("The URL must not carry credentials.")
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValidationError("Use an https:// URL.")
    host = host.lower()
    if host in settings.WEBHOOK_ALLOWED_HOSTS:
        return
    addresses = resolve(host)
    if not addresses:
        raise ValidationError(f"{host} does not resolve.")
    for address in addresses:
        if not is_public(address):
            raise ValidationError(f"{host} resolves to an address that is not public ({address}).")
