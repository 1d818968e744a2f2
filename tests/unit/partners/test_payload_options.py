"""Payload options: each step alone, the steps composed over every format, the rules an
option must pass, and a recorded delivery shaped by its subscription's options."""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from adapters.partners.formatters import FORMATTERS
from application.partners.payload_options import (
    in_minor_units,
    rename_keys,
    render,
    select_fields,
    steps,
)
from domain.booking.events import BookingHeld
from domain.partners.errors import InvalidSubscription
from domain.partners.payload_options import PayloadOptions
from tests.unit.partners.builders import EVENTS, NOW, a_booking
from tests.unit.partners.partners import Partners

HELD = EVENTS["held"]


def test_minor_units_turn_every_amount_into_an_integer_of_cents() -> None:
    envelope = {"data": HELD.data}

    data = in_minor_units(envelope)["data"]

    assert data["total"] == {"amount": 6250, "currency": "EUR"}
    assert [line["unit_price"]["amount"] for line in data["lines"]] == [2500, 1250]
    assert HELD.data["total"]["amount"] == "62.50"  # the event itself is left alone


def test_minor_units_follow_the_currency_and_keep_a_refunds_percent() -> None:
    data = {
        "total": {"amount": "1200", "currency": "JPY"},
        "refund": {"amount": "31.25", "currency": "EUR", "percent": 50},
    }

    converted = in_minor_units({"data": data})["data"]

    assert converted["total"]["amount"] == 1200
    assert converted["refund"] == {"amount": 3125, "currency": "EUR", "percent": 50}


def test_select_fields_keeps_only_the_chosen_booking_fields() -> None:
    selected = select_fields(("reference", "total"), {"type": "t", "data": HELD.data})

    assert list(selected["data"]) == ["reference", "total"]
    assert selected["type"] == "t"


def test_select_fields_leaves_data_that_is_no_booking_field() -> None:
    test_event = {"data": {"message": "hello", "subscription_id": "x"}}

    assert select_fields(("reference",), test_event) == test_event


def test_rename_keys_renames_in_place_and_keeps_the_order() -> None:
    envelope = {"type": "t", "timestamp": "now", "data": {}}

    renamed = rename_keys({"type": "event", "data": "payload"}, envelope)

    assert list(renamed) == ["event", "timestamp", "payload"]


def test_no_options_no_steps_and_the_plain_format() -> None:
    assert steps(PayloadOptions()) == []
    plain = render(FORMATTERS["standard-webhooks"], HELD, PayloadOptions())
    assert json.loads(plain.body)["data"] == HELD.data


ALL = PayloadOptions(
    minor_units=True, fields=("reference", "total"), rename={"type": "event", "data": "payload"}
)


def test_all_options_compose_in_standard_webhooks() -> None:
    body = json.loads(render(FORMATTERS["standard-webhooks"], HELD, ALL).body)

    assert body == {
        "event": "booking.held",
        "timestamp": "2030-06-01T09:00:00.250000Z",
        "payload": {"reference": "PS-7K3F9Q", "total": {"amount": 6250, "currency": "EUR"}},
    }


def test_all_options_compose_in_cloudevents() -> None:
    rendered = render(FORMATTERS["cloudevents"], HELD, ALL)

    body = json.loads(rendered.body)
    assert rendered.content_type == "application/cloudevents+json"
    assert body["event"] == "com.portside.booking.held"
    assert body["payload"]["total"]["amount"] == 6250
    assert "type" not in body
    assert "data" not in body


def test_all_options_compose_in_legacy_xml() -> None:
    rendered = render(FORMATTERS["legacy-xml"], HELD, ALL)

    root = ET.fromstring(rendered.body)  # noqa: S314 - the formatter under test wrote it
    assert root.attrib["event"] == "booking.held"
    assert root.findtext("payload/total/amount") == "6250"
    assert root.find("payload/lines") is None


@pytest.mark.parametrize(
    ("options", "pointer"),
    [
        ({"fields": ("reference", "price")}, "payload_options.fields.1"),
        ({"fields": ("total", "total")}, "payload_options.fields"),
        ({"rename": {"kind": "event"}}, "payload_options.rename.kind"),
        ({"rename": {"type": "has space"}}, "payload_options.rename.type"),
        ({"rename": {"type": ""}}, "payload_options.rename.type"),
        ({"rename": {"type": "data"}}, "payload_options.rename.type"),  # a key it keeps
        ({"rename": {"type": "x", "data": "x"}}, "payload_options.rename.data"),
    ],
)
def test_options_that_cannot_be_are_refused_naming_the_culprit(
    options: dict[str, object], pointer: str
) -> None:
    with pytest.raises(InvalidSubscription) as refused:
        PayloadOptions(**options)  # type: ignore[arg-type]

    assert [fault.field for fault in refused.value.faults] == [pointer]


def test_keys_may_swap_names() -> None:
    swapped = PayloadOptions(rename={"type": "data", "data": "type"})

    body = json.loads(render(FORMATTERS["standard-webhooks"], HELD, swapped).body)
    assert body["type"] == HELD.data
    assert body["data"] == "booking.held"


def test_a_recorded_delivery_is_shaped_by_its_subscriptions_options(
    partners: Partners,
) -> None:
    partners.subscribe(options=PayloadOptions(minor_units=True, fields=("status",)))
    booking = a_booking()

    (delivery_id,) = partners.record(
        [BookingHeld(NOW, booking.id, booking.reference)], {booking.id: booking}
    )

    body = json.loads(partners.stored(delivery_id).body)
    assert body["data"] == {"status": "held"}


# The golden files with options: the before version is held to them too, so both
# versions promise partners the same bytes with the same options.
GOLDEN_OPTIONS = PayloadOptions(
    minor_units=True,
    fields=("reference", "lines", "total", "refund"),
    rename={"type": "event", "data": "payload"},
)
SUFFIX = {"standard-webhooks": "json", "cloudevents": "json", "legacy-xml": "xml"}


@pytest.mark.parametrize("case", ["held", "cancelled"])
@pytest.mark.parametrize("name", list(SUFFIX))
def test_a_body_with_options_matches_its_golden_file(name: str, case: str) -> None:
    body = render(FORMATTERS[name], EVENTS[case], GOLDEN_OPTIONS).body
    path = Path(__file__).parent / "golden" / f"{name}-{case}-options.{SUFFIX[name]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(body, encoding="utf-8", newline="")

    assert body == path.read_text(encoding="utf-8")
