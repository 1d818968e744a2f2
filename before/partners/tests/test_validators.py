"""Where webhooks may go (SSRF) and which events a subscription may name."""

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from before.partners.validators import (
    is_public,
    validate_event_types,
    validate_webhook_url,
)
from before.partners.validators import resolve as real_resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not one bound
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:224.0.0.1",
        "2002:a00:1::1",
    ],
)
def test_inward_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "::ffff:93.184.215.14", "2606:2800:21f:cb07:6820:80ca:af6b:10c8"]
)
def test_public_addresses(address: str) -> None:
    assert is_public(address)


def test_an_allowed_host_skips_the_address_check(settings: Any, resolve: mock.Mock) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]

    validate_webhook_url("https://LOCALHOST:8000/hook")

    resolve.assert_not_called()


def test_every_address_a_host_resolves_to_is_checked(resolve: mock.Mock) -> None:
    with pytest.raises(ValidationError, match=r"192\.168\.1\.5"):
        validate_webhook_url("https://mixed.example/hook")

    resolve.assert_called_once_with("mixed.example")


def test_the_real_resolver_answers_ip_literals_without_the_network(resolve: mock.Mock) -> None:
    resolve.side_effect = real_resolve

    with pytest.raises(ValidationError, match="not public"):
        validate_webhook_url("https://10.0.0.1/")


@pytest.mark.parametrize("value", [[], ["booking.held", "booking.expired"]])
def test_known_event_types(value: list[str]) -> None:
    validate_event_types(value)


@pytest.mark.parametrize("value", [["booking.shipped"], ["portside.test"], "booking.held", [1]])
def test_unknown_event_types(value: Any) -> None:
    with pytest.raises(ValidationError, match="Choose from"):
        validate_event_types(value)
