"""Where a partner's webhooks may go: SSRF protection as a pure rule.

A target must be https (http only where development allows it), and every address
its host resolves to must be public: loopback, private, link-local, multicast,
reserved and unspecified ranges are refused, in IPv4 and IPv6 including IPv4-mapped
forms. Host names on an explicit allow-list skip the address check (development, tests
and the compose demo). Resolving is I/O, so the caller passes the addresses in.
"""

import ipaddress
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from domain.partners.errors import InvalidSubscription
from domain.shared.errors import Fault


def _refuse(reason: str) -> InvalidSubscription:
    return InvalidSubscription(reason, Fault("url", reason))


def host_of(url: str) -> str:
    """The URL's host name, lower-cased; refused when the URL has none or is not http(s)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        raise _refuse("This is not a valid URL.") from error
    if parts.scheme not in {"http", "https"} or not host:
        raise _refuse("Use an https:// URL with a host name.")
    if parts.username or parts.password:
        raise _refuse("The URL must not carry credentials.")
    return host.lower()


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        # Shared address space (100.64.0.0/10, carrier-grade NAT; Alibaba Cloud's metadata
        # service lives there) is neither private nor global: only "global" refuses it.
        or not ip.is_global
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (
            isinstance(ip, ipaddress.IPv6Address)
            and ip.sixtofour is not None
            and not is_public(str(ip.sixtofour))
        )
    )


def check_destination(
    url: str, addresses: Iterable[str], *, allow_http: bool, allowed_hosts: Collection[str]
) -> None:
    """Refuse `url` unless it is safe to send to, given what its host resolves to."""
    host = host_of(url)
    if urlsplit(url).scheme != "https" and not allow_http:
        raise _refuse("Use an https:// URL.")
    if host in allowed_hosts:
        return
    resolved = list(addresses)
    if not resolved:
        raise _refuse(f"{host} does not resolve.")
    unsafe = [address for address in resolved if not is_public(address)]
    if unsafe:
        raise _refuse(f"{host} resolves to an address that is not public ({unsafe[0]}).")
