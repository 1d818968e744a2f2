"""Partner webhooks end to end, as a partner sees them: plain HTTP, no project imports.

An operator creates the partner (`manage.py create_partner`, which prints the API key).
The partner subscribes URLs of the demo partner inbox that this same server runs at
`/partner-inbox/` (the harness starts it with PARTNER_INBOX_ENABLED=1, plain http and
loopback allowed as webhook targets). The inbox verifies every request with the
`standardwebhooks` library, as any partner would, and lists what it got at
`/partner-inbox/?format=json`. Deliveries leave after the booking commits; the tests
poll, within a bound.
"""

import json
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.acceptance.conftest import Api, Server

pytestmark = pytest.mark.acceptance

SUBSCRIPTIONS = "/api/v1/partners/subscriptions/"
DELIVERIES = "/api/v1/partners/deliveries/"
INBOX = "/partner-inbox/"
WAIT = 10.0  # seconds a webhook may take to arrive
FORMATS = ["standard-webhooks", "cloudevents", "legacy-xml"]
CONTENT_TYPES = {
    "standard-webhooks": "application/json",
    "cloudevents": "application/cloudevents+json",
    "legacy-xml": "application/xml",
}


# ---------------------------------------------------------------- helpers


def eventually[T](read: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
    """Read until `done`, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Within {WAIT:.0f} s, never {what}; last seen: {value!r}")
        time.sleep(0.2)


class Partner(Api):
    """A partner's client of the partner API; remembers its subscriptions to end them."""

    def __init__(self, server: Server) -> None:
        super().__init__(server.url)
        output = server.manage("create_partner", f"acceptance-{secrets.token_hex(4)}")
        self.headers["Authorization"] = f"Bearer {output.strip().splitlines()[-1]}"
        self.subscription_ids: list[str] = []

    def send(self, method: str, path: str, json: Any = None) -> requests.Response:
        return requests.request(method, self.url(path), json=json, headers=self.headers, timeout=10)

    def subscribe(
        self, slug: str, format: str, respond_with: int = 200, **fields: Any
    ) -> dict[str, Any]:
        """Subscribe an inbox endpoint of its own to every event, and give the inbox the
        secret Portside chose, as a partner configures its receiver."""
        created = self.post(
            SUBSCRIPTIONS, {"url": f"{self.base_url}{INBOX}{slug}/", "format": format, **fields}
        )
        assert created.status_code == 201, created.text
        subscription = dict(created.json())
        self.subscription_ids.append(subscription["id"])
        assert subscription["secret"].startswith("whsec_")
        register_endpoint(self.base_url, slug, subscription["secret"], respond_with)
        return subscription

    def deliveries(self, subscription_id: str) -> list[dict[str, Any]]:
        response = self.get(f"{SUBSCRIPTIONS}{subscription_id}/deliveries/")
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def end_subscriptions(self) -> None:
        """Later scenarios' bookings must not keep calling this test's endpoints."""
        for subscription_id in self.subscription_ids:
            self.send("DELETE", f"{SUBSCRIPTIONS}{subscription_id}/")


@pytest.fixture
def new_partner(shop_server: Server) -> Iterator[Callable[[], Partner]]:
    made: list[Partner] = []

    def make() -> Partner:
        made.append(Partner(shop_server))
        return made[-1]

    yield make
    for partner in made:
        partner.end_subscriptions()


def register_endpoint(base_url: str, slug: str, secret: str, respond_with: int = 200) -> None:
    body = {"slug": slug, "secret": secret, "respond_with": respond_with}
    response = requests.post(f"{base_url}{INBOX}endpoints/", json=body, timeout=10)
    assert response.status_code == 200, response.text


def received(base_url: str, slug: str) -> list[dict[str, Any]]:
    """What the inbox endpoint `slug` got, oldest first."""
    response = requests.get(f"{base_url}{INBOX}", params={"format": "json"}, timeout=10)
    assert response.status_code == 200, response.text
    return [item for item in response.json()["received"] if item["endpoint"] == slug][::-1]


def wait_for(base_url: str, slug: str, count: int) -> list[dict[str, Any]]:
    return eventually(
        lambda: received(base_url, slug),
        lambda items: len(items) >= count,
        f"{count} webhook(s) at {slug}",
    )


def slug(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}"


def reference_in(format: str, body: str) -> tuple[str, str]:
    """The event type and booking reference a partner reads from a payload."""
    if format == "legacy-xml":
        root = ET.fromstring(body)  # noqa: S314 - the server under test wrote it
        return root.attrib["type"], root.findtext("data/reference") or ""
    document = json.loads(body)
    event_type = document["type"].removeprefix("com.portside.")
    return event_type, document["data"]["reference"]


def hold_a_seat(base_url: str) -> str:
    """A new customer holds one seat of the first listing; the booking's reference."""
    customer = Api(base_url)
    customer.register()
    listing = customer.get("/api/v1/listings/").json()["results"][0]
    slots = customer.get(f"/api/v1/listings/{listing['id']}/slots/").json()["results"]
    slot = next(s for s in slots if s["seats_available"] >= 1)
    held = customer.post("/api/v1/bookings/", {"lines": [{"slot_id": slot["id"], "seats": 1}]})
    assert held.status_code == 201, held.text
    return str(held.json()["reference"])


# ---------------------------------------------------------------- scenarios


def test_a_partner_receives_a_verified_webhook_in_each_format(
    new_partner: Callable[[], Partner], live_server_url: str
) -> None:
    partner = new_partner()
    endpoints = {format: slug(format) for format in FORMATS}
    subscriptions = {format: partner.subscribe(endpoints[format], format) for format in FORMATS}

    reference = hold_a_seat(live_server_url)

    arrived = eventually(
        lambda: {format: received(live_server_url, e) for format, e in endpoints.items()},
        lambda found: all(len(items) >= 1 for items in found.values()),
        "a webhook at each of the three endpoints",
    )
    for format, items in arrived.items():
        [item] = items
        assert item["verified"] is True, item["verification_error"]
        assert item["format"] == format
        assert item["content_type"].startswith(CONTENT_TYPES[format])
        assert item["answered"] == 200
        assert item["webhook_id"].startswith("msg_")
        assert reference_in(format, item["body"]) == ("booking.held", reference)
        # The partner's delivery log agrees with what arrived.
        [delivery] = eventually(
            lambda format=format: partner.deliveries(subscriptions[format]["id"]),
            lambda found: len(found) == 1 and found[0]["status"] == "delivered",
            f"the {format} delivery marked delivered",
        )
        assert delivery["webhook_id"] == item["webhook_id"]
        assert delivery["event_type"] == "booking.held"
        assert (delivery["attempts"], delivery["last_status_code"]) == (1, 200)
        assert delivery["delivered_at"] is not None
        assert delivery["next_attempt_at"] is None
    listed = partner.get(DELIVERIES).json()
    assert listed["count"] == 3
    assert {d["status"] for d in listed["results"]} == {"delivered"}


def test_a_partner_gets_payloads_shaped_by_its_options(
    new_partner: Callable[[], Partner], live_server_url: str
) -> None:
    """Amounts in cents, only the chosen fields, the envelope keys under its own names."""
    partner = new_partner()
    endpoint = slug("options")
    options = {
        "minor_units": True,
        "fields": ["reference", "total"],
        "rename": {"type": "event", "data": "payload"},
    }
    subscription = partner.subscribe(endpoint, "standard-webhooks", payload_options=options)
    assert subscription["payload_options"] == options
    refused = partner.post(
        SUBSCRIPTIONS,
        {
            "url": f"{partner.base_url}{INBOX}{endpoint}/",
            "format": "cloudevents",
            "payload_options": {"fields": ["reference", "price"]},
        },
    )
    assert refused.status_code == 422, refused.text
    assert [e["pointer"] for e in refused.json()["errors"]] == ["#/payload_options/fields/1"]

    reference = hold_a_seat(live_server_url)

    [item] = wait_for(live_server_url, endpoint, 1)
    assert item["verified"] is True, item["verification_error"]
    body = json.loads(item["body"])
    assert list(body) == ["event", "timestamp", "payload"]
    assert body["event"] == "booking.held"
    assert list(body["payload"]) == ["reference", "total"]
    assert body["payload"]["reference"] == reference
    amount = body["payload"]["total"]["amount"]
    assert isinstance(amount, int)
    assert amount > 0


def test_after_a_secret_rotation_webhooks_still_verify(
    new_partner: Callable[[], Partner], live_server_url: str
) -> None:
    partner = new_partner()
    endpoint = slug("rotation")
    subscription = partner.subscribe(endpoint, "cloudevents")

    rotated = partner.post(f"{SUBSCRIPTIONS}{subscription['id']}/rotate-secret/")
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != subscription["secret"]
    register_endpoint(live_server_url, endpoint, new_secret)  # the partner switches over
    reference = hold_a_seat(live_server_url)

    [item] = wait_for(live_server_url, endpoint, 1)
    assert item["verified"] is True, item["verification_error"]
    assert reference_in("cloudevents", item["body"]) == ("booking.held", reference)

    # A receiver still holding the old secret verifies too, for the overlap.
    register_endpoint(live_server_url, endpoint, subscription["secret"])
    tested = partner.post(f"{SUBSCRIPTIONS}{subscription['id']}/test/")
    assert tested.status_code == 202, tested.text
    _, again = wait_for(live_server_url, endpoint, 2)
    assert again["webhook_id"] == tested.json()["webhook_id"]
    assert again["verified"] is True, again["verification_error"]
    assert json.loads(again["body"])["type"] == "com.portside.test"


def test_a_redelivered_webhook_arrives_again_with_the_same_id(
    new_partner: Callable[[], Partner], live_server_url: str
) -> None:
    partner = new_partner()
    endpoint = slug("redeliver")
    subscription = partner.subscribe(endpoint, "legacy-xml")
    hold_a_seat(live_server_url)
    [first] = wait_for(live_server_url, endpoint, 1)
    [delivery] = partner.deliveries(subscription["id"])

    redelivered = partner.post(f"{DELIVERIES}{delivery['id']}/redeliver/")

    assert redelivered.status_code == 202, redelivered.text
    assert redelivered.json()["webhook_id"] == delivery["webhook_id"]
    _, again = wait_for(live_server_url, endpoint, 2)
    assert again["webhook_id"] == first["webhook_id"] == delivery["webhook_id"]
    assert again["body"] == first["body"]
    assert again["verified"] is True, again["verification_error"]
    [after] = eventually(
        lambda: partner.deliveries(subscription["id"]),
        lambda found: found[0]["attempts"] == 2,
        "the redelivery recorded",
    )
    assert after["status"] == "delivered"
    assert [attempt["number"] for attempt in after["attempt_log"]] == [1, 2]


def test_an_endpoint_that_fails_leaves_the_delivery_pending_for_a_retry(
    new_partner: Callable[[], Partner], live_server_url: str
) -> None:
    partner = new_partner()
    endpoint = slug("failing")
    subscription = partner.subscribe(endpoint, "standard-webhooks", respond_with=500)
    hold_a_seat(live_server_url)

    [item] = wait_for(live_server_url, endpoint, 1)
    assert item["answered"] == 500
    assert item["verified"] is True, item["verification_error"]
    [delivery] = eventually(
        lambda: partner.deliveries(subscription["id"]),
        lambda found: len(found) == 1 and found[0]["attempts"] == 1,
        "the failed attempt recorded",
    )
    assert delivery["status"] == "pending"
    assert delivery["last_status_code"] == 500
    assert delivery["next_attempt_at"] is not None
    assert delivery["delivered_at"] is None
    [attempt] = delivery["attempt_log"]
    assert attempt["status_code"] == 500
    # The first retry is due about 5 s after the failed attempt (± 10 % jitter).
    wait = datetime.fromisoformat(delivery["next_attempt_at"]) - datetime.fromisoformat(
        attempt["attempted_at"]
    )
    assert timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.5)


def test_a_partner_cannot_reach_another_partners_subscription(
    new_partner: Callable[[], Partner], live_server_url: str
) -> None:
    owner, stranger = new_partner(), new_partner()
    theirs = owner.subscribe(slug("private"), "cloudevents")
    path = f"{SUBSCRIPTIONS}{theirs['id']}/"

    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"is_active": False}),
        ("DELETE", "", None),
        ("POST", "rotate-secret/", None),
        ("POST", "test/", None),
        ("GET", "deliveries/", None),
    ]:
        response = stranger.send(method, path + suffix, body)
        assert response.status_code == 404, (method, suffix, response.text)
        assert response.headers["Content-Type"] == "application/problem+json"
    assert stranger.get(SUBSCRIPTIONS).json()["count"] == 0
    still = owner.get(path).json()
    assert still["is_active"] is True
    assert still["secret"] == f"{theirs['secret'][:10]}…{theirs['secret'][-4:]}"
    assert owner.deliveries(theirs["id"]) == []
    assert requests.get(f"{live_server_url}{SUBSCRIPTIONS}", timeout=10).status_code == 401
