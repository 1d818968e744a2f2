"""Checking a partner's URL against SSRF, with the resolver and the policy in hand."""

from application.partners.ports import AddressResolver, DestinationPolicy
from domain.partners.destinations import check_destination, host_of


def check_url(url: str, resolver: AddressResolver, policy: DestinationPolicy) -> None:
    host = host_of(url)
    addresses = [] if host in policy.allowed_hosts else resolver.resolve(host)
    check_destination(
        url, addresses, allow_http=policy.allow_http, allowed_hosts=policy.allowed_hosts
    )
