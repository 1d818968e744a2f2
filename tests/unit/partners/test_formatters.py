"""Payload formats: each one's output pinned by golden files, and read back by what a
partner would use (the `standardwebhooks` library, the CloudEvents SDK, an XML parser).

The golden files hold the exact bodies. After an intended change of format, rewrite
them with `UPDATE_GOLDEN=1` and read the diff before keeping it: a partner sees it too.
"""

import base64
import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from adapters.partners.formatters import (
    FORMATTERS,
    CloudEventsFormatter,
    LegacyXmlFormatter,
    StandardWebhooksFormatter,
)
from application.partners.payload_options import render as render_with
from application.partners.ports import PartnerEvent
from domain.partners import signing
from domain.partners.payload_options import PayloadOptions
from tests.unit.partners.builders import EVENTS, OTHER_SECRET, SECRET, an_event

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"standard-webhooks": "json", "cloudevents": "json", "legacy-xml": "xml"}
CASES = [(name, case) for name in SUFFIX for case in EVENTS]
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
# What a partner's data might hold that each format must escape, not pass through.
AWKWARD = {
    "reference": "PS-<&\">'",
    "note": "]]> <!-- --> &amp; \\ é ✓",
    "lines": [{"slot_id": "a&b", "seats": 1}],
    "refund": None,
}


def golden_path(name: str, case: str) -> Path:
    return GOLDEN / f"{name}-{case}.{SUFFIX[name]}"


def render(name: str, event: PartnerEvent) -> str:
    return render_with(FORMATTERS[name], event, PayloadOptions()).body


# ---------------------------------------------------------------- golden files


def test_every_registered_format_has_golden_files() -> None:
    assert set(FORMATTERS) == set(SUFFIX)


@pytest.mark.parametrize(("name", "case"), CASES)
def test_a_body_matches_its_golden_file_exactly(name: str, case: str) -> None:
    body = render(name, EVENTS[case])
    path = golden_path(name, case)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(body, encoding="utf-8", newline="")

    assert body == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["standard-webhooks", "cloudevents"])
@pytest.mark.parametrize("case", list(EVENTS))
def test_a_json_body_matches_its_golden_file_as_data(name: str, case: str) -> None:
    """The same check as parsed objects: a failure shows which field moved."""
    expected = json.loads(golden_path(name, case).read_text(encoding="utf-8"))

    assert json.loads(render(name, EVENTS[case])) == expected


def test_the_golden_standard_webhooks_body_says_what_partners_read() -> None:
    """Read once, by hand, against the spec and README §4; pinned here so it stays so."""
    parsed = json.loads(golden_path("standard-webhooks", "cancelled").read_text())

    assert parsed == {
        "type": "booking.cancelled",
        "timestamp": "2030-06-02T17:30:00Z",
        "data": {
            "reference": "PS-7K3F9Q",
            "status": "cancelled",
            "lines": [
                {
                    "slot_id": "5f0c6a52-8d1e-4b7a-9c3e-2a4b6c8d0e1f",
                    "seats": 2,
                    "unit_price": {"amount": "25.00", "currency": "EUR"},
                },
                {
                    "slot_id": "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                    "seats": 1,
                    "unit_price": {"amount": "12.50", "currency": "EUR"},
                },
            ],
            "total": {"amount": "62.50", "currency": "EUR"},
            "refund": {"amount": "31.25", "currency": "EUR", "percent": 50},
        },
    }


def test_a_held_booking_has_a_null_refund() -> None:
    parsed = json.loads(golden_path("standard-webhooks", "held").read_text())

    assert parsed["data"]["refund"] is None
    assert parsed["timestamp"] == "2030-06-01T09:00:00.250000Z"


@pytest.mark.parametrize(
    ("formatter", "content_type"),
    [
        (StandardWebhooksFormatter(), "application/json"),
        (CloudEventsFormatter(), "application/cloudevents+json"),
        (LegacyXmlFormatter(), "application/xml"),
    ],
)
def test_each_format_names_its_content_type(formatter: Any, content_type: str) -> None:
    assert render_with(formatter, EVENTS["held"], PayloadOptions()).content_type == content_type


def test_json_bodies_keep_non_ascii_as_utf_8() -> None:
    body = render("standard-webhooks", an_event({"note": "Café ✓"}))

    assert "Café ✓" in body
    assert json.loads(body.encode())["data"]["note"] == "Café ✓"


# ---------------------------------------------------------------- Standard Webhooks


def sign(secrets: list[str], webhook_id: str, body: str) -> dict[str, str]:
    return signing.headers(secrets, webhook_id, int(time.time()), body)


@pytest.mark.parametrize("name", list(SUFFIX))
@pytest.mark.parametrize("case", list(EVENTS))
def test_every_body_signed_verifies_with_the_standardwebhooks_library(name: str, case: str) -> None:
    event = EVENTS[case]
    body = render(name, event)
    headers = sign([SECRET], event.webhook_id, body)

    Webhook(SECRET).verify(body.encode(), headers, json_parse=False)


def test_a_standard_webhooks_body_verifies_and_parses_to_the_envelope() -> None:
    event = EVENTS["cancelled"]
    body = render("standard-webhooks", event)

    payload = Webhook(SECRET).verify(body, sign([SECRET], event.webhook_id, body))

    assert payload["type"] == "booking.cancelled"
    assert payload["data"] == event.data


def test_during_a_rotation_either_secret_verifies() -> None:
    event = EVENTS["held"]
    body = render("standard-webhooks", event)
    headers = sign([OTHER_SECRET, SECRET], event.webhook_id, body)

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(OTHER_SECRET).verify(body, headers)["type"] == "booking.held"
    assert Webhook(SECRET).verify(body, headers)["type"] == "booking.held"


def test_another_secret_or_a_changed_body_does_not_verify() -> None:
    event = EVENTS["held"]
    body = render("standard-webhooks", event)
    headers = sign([SECRET], event.webhook_id, body)

    with pytest.raises(WebhookVerificationError):
        Webhook(OTHER_SECRET).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace("PS-7K3F9Q", "PS-AAAAAA"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body, {**headers, "webhook-id": "msg_other"})


def test_the_signature_headers_follow_the_spec() -> None:
    headers = signing.headers([SECRET], "msg_1", 1_900_000_000, "{}")

    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == "1900000000"
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["webhook-signature"] == signing.sign(SECRET, "msg_1", 1_900_000_000, "{}")


def test_a_new_secret_is_whsec_and_24_random_bytes() -> None:
    first, second = signing.new_secret(), signing.new_secret()

    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 24
    assert first != second
    Webhook(first)  # the library accepts it as a key


# ---------------------------------------------------------------- CloudEvents


def read_cloudevent(body: str) -> CloudEvent:
    message = HTTPMessage({"content-type": "application/cloudevents+json"}, body.encode())
    event = from_http(message, JSONFormat(), CloudEvent)
    assert isinstance(event, CloudEvent)
    return event


@pytest.mark.parametrize("case", list(EVENTS))
def test_a_cloudevents_body_is_a_valid_1_0_event(case: str) -> None:
    event = EVENTS[case]

    parsed = read_cloudevent(render("cloudevents", event))

    assert parsed.get_specversion() == "1.0"
    assert parsed.get_id() == event.webhook_id
    assert parsed.get_source() == "/portside/bookings"
    assert parsed.get_type() == f"com.portside.{event.type}"
    assert parsed.get_time() == event.occurred_at
    assert parsed.get_subject() == "PS-7K3F9Q"
    assert parsed.get_datacontenttype() == "application/json"
    assert parsed.get_data() == event.data


def test_a_cloudevent_without_a_reference_has_no_subject() -> None:
    event = an_event({"message": "A test event from Portside."}, type="portside.test")

    parsed = read_cloudevent(render("cloudevents", event))

    assert parsed.get_subject() is None
    assert parsed.get_type() == "com.portside.test"
    assert parsed.get_data() == {"message": "A test event from Portside."}


def test_awkward_data_survives_cloudevents() -> None:
    assert read_cloudevent(render("cloudevents", an_event(AWKWARD))).get_data() == AWKWARD


# ---------------------------------------------------------------- legacy XML


def xml_to_data(element: ET.Element) -> Any:
    """The inverse of the formatter's mapping, as a partner's reader would write it."""
    if element.get("nil") == "true":
        return None
    children = list(element)
    if not children:
        return element.text or ""
    if all(child.tag == "item" for child in children):
        return [xml_to_data(child) for child in children]
    return {child.tag: xml_to_data(child) for child in children}


def as_xml_sees_it(value: Any) -> Any:
    """Data as the XML carries it: keys hyphenated, every scalar text."""
    if isinstance(value, dict):
        return {key.replace("_", "-"): as_xml_sees_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_xml_sees_it(item) for item in value]
    return None if value is None else str(value)


def read_xml(body: str) -> ET.Element:
    """Parsed from the bytes a partner receives, so the declared encoding matters."""
    return ET.fromstring(body.encode())  # noqa: S314 - our own output, no entities


@pytest.mark.parametrize("case", list(EVENTS))
def test_a_legacy_xml_body_parses_and_carries_the_event(case: str) -> None:
    event = EVENTS[case]
    body = render("legacy-xml", event)

    root = read_xml(body)

    assert body.startswith(XML_DECLARATION)
    assert root.tag == "event"
    assert root.attrib == {
        "type": event.type,
        "id": event.webhook_id,
        "timestamp": json.loads(render("standard-webhooks", event))["timestamp"],
    }
    assert [child.tag for child in root] == ["data"]
    assert xml_to_data(root[0]) == as_xml_sees_it(dict(event.data))


def test_special_characters_are_escaped_in_xml_and_read_back() -> None:
    event = PartnerEvent('msg_<&">', "booking.held", EVENTS["held"].occurred_at, AWKWARD)
    body = render("legacy-xml", event)

    root = read_xml(body)

    assert "PS-<&" not in body  # escaped, not passed through
    assert root.get("id") == 'msg_<&">'
    assert xml_to_data(root[0]) == as_xml_sees_it(AWKWARD)
