"""What a subscription's URL and format must pass, when saved and (the URL) before
every send."""

from collections.abc import Collection

from application.partners.ports import AddressResolver, DestinationPolicy
from domain.partners.destinations import check_destination, host_of
from domain.partners.errors import InvalidSubscription
from domain.shared.errors import Fault


def check_url(url: str, resolver: AddressResolver, policy: DestinationPolicy) -> None:
    """Refuse a URL that is not safe to send to (SSRF), resolving its host now."""
    host = host_of(url)
    addresses = [] if host in policy.allowed_hosts else resolver.resolve(host)
    check_destination(
        url, addresses, allow_http=policy.allow_http, allowed_hosts=policy.allowed_hosts
    )


def checked_address(url: str, resolver: AddressResolver, policy: DestinationPolicy) -> str:
    """Resolve the URL's host once and return the address to connect to: refused unless
    every address it resolves to is public (or the host is allowed). The sender connects
    to this very address, so a second answer from DNS (rebinding) is never used."""
    host = host_of(url)
    addresses = resolver.resolve(host)
    check_destination(
        url, addresses, allow_http=policy.allow_http, allowed_hosts=policy.allowed_hosts
    )
    if not addresses:
        reason = f"{host} does not resolve."
        raise InvalidSubscription(reason, Fault("url", reason))
    return addresses[0]


class SubscriptionChecks:
    """The checks creating and changing a subscription share."""

    def __init__(
        self, formats: Collection[str], resolver: AddressResolver, policy: DestinationPolicy
    ) -> None:
        self._formats = formats
        self._resolver = resolver
        self._policy = policy

    def check(self, *, url: str | None = None, format: str | None = None) -> None:
        """Check whichever of `url` and `format` is given."""
        if format is not None and format not in self._formats:
            choices = ", ".join(sorted(self._formats))
            raise InvalidSubscription(
                f"Unknown format {format!r}.", Fault("format", f"Choose from {choices}.")
            )
        if url is not None:
            check_url(url, self._resolver, self._policy)
