"""Fixtures of the partner tests: partners with API clients, and no network.

`requests.post` is patched for every test (it answers 200 "ok" unless a test says
otherwise) and so is the resolver behind the SSRF check: a host in `RESOLVED` resolves
as listed there, any other to a public address. Destinations are checked as in
production: https only, and no host skips the address check.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from typing import Any
from unittest import mock

import pytest
from rest_framework.test import APIClient

from before.partners.models import Partner

URL = "https://hooks.partner.example/portside"
PUBLIC_IP = "93.184.215.14"
RESOLVED = {
    "internal.example": ["10.1.2.3"],
    "mixed.example": [PUBLIC_IP, "192.168.1.5"],
    "localhost": ["127.0.0.1"],
    "nowhere.example": [],
}


def fake_resolve(host: str) -> list[str]:
    """IP literals resolve to themselves, as getaddrinfo() answers them."""
    if host in RESOLVED:
        return RESOLVED[host]
    if host[0].isdigit() or ":" in host:
        return [host]
    return [PUBLIC_IP]


def answer(status_code: int = 200, text: str = "ok") -> mock.Mock:
    """A `requests.Response` as far as the sender reads one."""
    return mock.Mock(status_code=status_code, text=text)


@pytest.fixture(autouse=True)
def post() -> Iterator[mock.Mock]:
    with mock.patch("requests.post", return_value=answer()) as patched:
        yield patched


@pytest.fixture(autouse=True)
def resolve() -> Iterator[mock.Mock]:
    with mock.patch("before.partners.validators.resolve", side_effect=fake_resolve) as patched:
        yield patched


@pytest.fixture(autouse=True)
def production_destinations(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = []


@dataclass
class PartnerClient:
    partner: Partner
    key: str
    client: APIClient


def partner_client(name: str) -> PartnerClient:
    partner, key = Partner.objects.create_with_key(name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return PartnerClient(partner, key, client)


@pytest.fixture
def partner(db: None) -> PartnerClient:
    return partner_client("Harbour Tours")


@pytest.fixture
def other(db: None) -> PartnerClient:
    return partner_client("Rival Travel")


Commit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Commit:
    """`with commit():` runs what the block left for after the commit, as a real commit
    would (the test's own transaction never commits)."""
    return partial(django_capture_on_commit_callbacks, execute=True)


def sent(post: mock.Mock) -> list[tuple[str, dict[str, str], str]]:
    """(url, headers, body) of every request `requests.post` was asked to make."""
    return [
        (call.args[0], call.kwargs["headers"], call.kwargs["data"].decode())
        for call in post.call_args_list
    ]
