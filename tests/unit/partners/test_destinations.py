"""SSRF protection: where a partner's webhooks may go, as a pure rule."""

import ipaddress

import pytest

from domain.partners.destinations import check_destination, host_of, is_public
from domain.partners.errors import InvalidSubscription
from tests.unit.partners.builders import PUBLIC_IP, PUBLIC_IPV6

REFUSED = {
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback, the whole /8",
    "10.0.0.1": "private",
    "10.255.255.255": "private",
    "172.16.0.1": "private",
    "172.31.255.254": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local: the cloud metadata service",
    "100.64.0.1": "shared address space (CGNAT)",
    "100.100.100.200": "shared address space: Alibaba Cloud's metadata service",
    "0.0.0.0": "unspecified",  # noqa: S104 - an address to refuse, not to bind
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "192.0.2.1": "documentation (TEST-NET-1)",
    "198.18.0.1": "benchmarking",
    "::1": "IPv6 loopback",
    "::": "IPv6 unspecified",
    "fe80::1": "IPv6 link-local",
    "fc00::1": "IPv6 unique local",
    "fd12:3456::1": "IPv6 unique local",
    "ff02::1": "IPv6 multicast",
    "::ffff:127.0.0.1": "IPv4-mapped loopback",
    "::ffff:10.0.0.1": "IPv4-mapped private",
    "::ffff:169.254.169.254": "IPv4-mapped metadata service",
    "2002:7f00:1::": "6to4 of loopback",
    "2002:a00:1::": "6to4 of a private address",
    "64:ff9b::7f00:1": "NAT64 of loopback",
    "2001:db8::1": "IPv6 documentation",
}
ACCEPTED = [PUBLIC_IP, PUBLIC_IPV6, "8.8.8.8", "1.1.1.1", "2a00:1450:4001:80e::200e"]
URL = "https://hooks.example.com/portside"


def check(
    url: str = URL,
    addresses: list[str] | None = None,
    *,
    allow_http: bool = False,
    allowed_hosts: frozenset[str] = frozenset(),
) -> None:
    check_destination(
        url,
        [PUBLIC_IP] if addresses is None else addresses,
        allow_http=allow_http,
        allowed_hosts=allowed_hosts,
    )


def refusal(
    url: str = URL,
    addresses: list[str] | None = None,
    *,
    allow_http: bool = False,
    allowed_hosts: frozenset[str] = frozenset(),
) -> InvalidSubscription:
    with pytest.raises(InvalidSubscription) as refused:
        check(url, addresses, allow_http=allow_http, allowed_hosts=allowed_hosts)
    assert [fault.field for fault in refused.value.faults] == ["url"]
    return refused.value


@pytest.mark.parametrize("address", list(REFUSED), ids=list(REFUSED.values()))
def test_a_host_resolving_to_a_non_public_address_is_refused(address: str) -> None:
    assert not is_public(address)
    assert address in str(refusal(addresses=[address]))


@pytest.mark.parametrize("address", ACCEPTED)
def test_a_host_resolving_to_public_addresses_is_accepted(address: str) -> None:
    assert is_public(address)
    check(addresses=[address])


def test_python_does_not_call_cgnat_private_so_the_rule_asks_for_global() -> None:
    """100.64.0.0/10 is neither private nor global to `ipaddress`: checking only the
    named categories would let it through; the rule asks for a global address too."""
    cgnat = ipaddress.ip_address("100.64.0.1")

    assert (cgnat.is_private, cgnat.is_global) == (False, False)
    assert not is_public("100.64.0.1")
    assert is_public("100.128.0.1")  # just past the range: an ordinary public address


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    """A DNS answer with several addresses: the sender may connect to any of them."""
    assert "10.0.0.7" in str(refusal(addresses=[PUBLIC_IP, "10.0.0.7", PUBLIC_IPV6]))


def test_a_host_that_does_not_resolve_is_refused() -> None:
    assert "does not resolve" in str(refusal(addresses=[]))


def test_plain_http_is_refused_unless_allowed() -> None:
    url = "http://hooks.example.com/portside"

    refusal(url)
    check(url, allow_http=True)


def test_allowing_http_still_checks_the_address() -> None:
    refusal("http://hooks.example.com/", ["127.0.0.1"], allow_http=True)


def test_an_allowed_host_skips_the_address_check() -> None:
    check("https://localhost:8025/hooks", ["127.0.0.1"], allowed_hosts=frozenset({"localhost"}))
    check("https://LocalHost/hooks", [], allowed_hosts=frozenset({"localhost"}))


def test_an_allowed_host_still_needs_https_unless_http_is_allowed() -> None:
    allowed = frozenset({"localhost"})

    refusal("http://localhost:8025/", ["127.0.0.1"], allowed_hosts=allowed)
    check("http://localhost:8025/", ["127.0.0.1"], allow_http=True, allowed_hosts=allowed)


def test_only_the_named_host_is_allowed() -> None:
    refusal("https://other.localhost/", ["127.0.0.1"], allowed_hosts=frozenset({"localhost"}))


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https:///no-host", id="no host"),
        pytest.param("https://", id="nothing at all"),
        pytest.param("hooks.example.com/portside", id="no scheme"),
        pytest.param("ftp://hooks.example.com/", id="ftp"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("gopher://hooks.example.com/", id="gopher"),
        pytest.param("https://user:secret@hooks.example.com/", id="credentials"),
        pytest.param("https://user@hooks.example.com/", id="user name"),
        pytest.param("https://evil.example\\@127.0.0.1/", id="backslash trick"),
        pytest.param("https://hooks.example.com:port/", id="port not a number"),
        pytest.param("https://hooks.example.com:99999/", id="port out of range"),
        pytest.param("https://[::1/", id="unclosed IPv6 bracket"),
    ],
)
def test_a_url_that_is_not_a_plain_https_url_is_refused_on_its_url_field(url: str) -> None:
    refusal(url, allow_http=True)
    with pytest.raises(InvalidSubscription):
        host_of(url)


def test_the_host_is_read_lower_cased_without_port_or_brackets() -> None:
    assert host_of("https://Hooks.Example.COM:8443/x?y=1") == "hooks.example.com"
    assert host_of("https://[2606:2800:21f:cb07::1]:443/") == "2606:2800:21f:cb07::1"
