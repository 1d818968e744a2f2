"""Payload formats, one class each; `FORMATTERS` is the registry the container serves.

A format builds its envelope (a mapping) and serializes it; the subscription's payload
options are applied in between (`application.partners.payload_options`), so every
format gets every option. A new format is a class with `envelope()` and `serialize()`
and one line in `FORMATTERS`: no view, task or use case changes.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from application.partners.ports import PartnerEvent, PayloadFormatter


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _timestamp(event: PartnerEvent) -> str:
    return event.occurred_at.isoformat().replace("+00:00", "Z")


class StandardWebhooksFormatter:
    """The Standard Webhooks envelope: `{"type", "timestamp", "data"}`."""

    content_type = "application/json"

    def envelope(self, event: PartnerEvent) -> dict[str, Any]:
        return {"type": event.type, "timestamp": _timestamp(event), "data": event.data}

    def serialize(self, envelope: Mapping[str, Any]) -> str:
        return _json(envelope)


class CloudEventsFormatter:
    """CloudEvents 1.0, structured mode: attributes and data in one JSON document."""

    SOURCE = "/portside/bookings"
    content_type = "application/cloudevents+json"

    def envelope(self, event: PartnerEvent) -> dict[str, Any]:
        body = {
            "specversion": "1.0",
            "id": event.webhook_id,
            "source": self.SOURCE,
            "type": f"com.portside.{event.type.removeprefix('portside.')}",
            "time": _timestamp(event),
            "datacontenttype": "application/json",
            "data": event.data,
        }
        if reference := event.data.get("reference"):
            body["subject"] = reference
        return body

    def serialize(self, envelope: Mapping[str, Any]) -> str:
        return _json(envelope)


class LegacyXmlFormatter:
    """A plain XML document for systems that read nothing else: the envelope's scalars
    are attributes of `<event>`, its data a child element."""

    content_type = "application/xml"

    def envelope(self, event: PartnerEvent) -> dict[str, Any]:
        return {
            "type": event.type,
            "id": event.webhook_id,
            "timestamp": _timestamp(event),
            "data": event.data,
        }

    def serialize(self, envelope: Mapping[str, Any]) -> str:
        root = ET.Element("event")
        for key, value in envelope.items():
            if isinstance(value, Mapping):
                _append(root, key, value)
            else:
                root.set(key, str(value))
        return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    """Mappings become nested elements, lists repeat an `item` element, scalars are text."""
    element = ET.SubElement(parent, name.replace("_", "-"))
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, str(key), item)
    elif isinstance(value, list):
        for item in value:
            _append(element, "item", item)
    elif value is None:
        element.set("nil", "true")
    else:
        element.text = str(value)


FORMATTERS: dict[str, PayloadFormatter] = {
    "standard-webhooks": StandardWebhooksFormatter(),
    "cloudevents": CloudEventsFormatter(),
    "legacy-xml": LegacyXmlFormatter(),
}
