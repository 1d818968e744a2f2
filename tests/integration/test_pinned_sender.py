"""The webhook sender connects to the address it is given, never to a fresh DNS answer,
while the request still names the URL's host."""

from collections.abc import Iterator

import pytest

from adapters.partners.http import PinnedWebhookSender
from tests.integration.partner_receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    partner = Receiver()
    yield partner
    partner.close()


def test_the_request_goes_to_the_checked_address_with_the_urls_host(receiver: Receiver) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    # partner.invalid resolves nowhere: only the pinned address can reach the receiver.
    url = f"http://partner.invalid:{port}/webhooks/portside"

    result = PinnedWebhookSender().send(url, "127.0.0.1", {"webhook-id": "msg_1"}, "{}")

    assert (result.status_code, result.error) == (200, "")
    (request,) = receiver.received
    assert request.headers["host"] == f"partner.invalid:{port}"
    assert request.webhook_id == "msg_1"


def test_a_redirect_is_an_answer_not_followed(receiver: Receiver) -> None:
    receiver.script = lambda webhook_id, seen: (302, 0.0)
    result = PinnedWebhookSender().send(receiver.url, "127.0.0.1", {"webhook-id": "m"}, "{}")
    assert result.status_code == 302
    assert receiver.total() == 1
