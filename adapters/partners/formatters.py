"""Payload formats, one class each; `FORMATTERS` is the registry the container serves.

A new format is a class with `render()` and one line in `FORMATTERS`: no view, task or
use case changes.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from application.partners.ports import PartnerEvent, PayloadFormatter, RenderedPayload


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _timestamp(event: PartnerEvent) -> str:
    return event.occurred_at.isoformat().replace("+00:00", "Z")


class StandardWebhooksFormatter:
    """The Standard Webhooks envelope: `{"type", "timestamp", "data"}`."""

    def render(self, event: PartnerEvent) -> RenderedPayload:
        body = {"type": event.type, "timestamp": _timestamp(event), "data": event.data}
        return RenderedPayload("application/json", _json(body))


class CloudEventsFormatter:
    """CloudEvents 1.0, structured mode: attributes and data in one JSON document."""

    SOURCE = "/portside/bookings"

    def render(self, event: PartnerEvent) -> RenderedPayload:
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
        return RenderedPayload("application/cloudevents+json", _json(body))


class LegacyXmlFormatter:
    """A plain XML document for systems that read nothing else."""

    def render(self, event: PartnerEvent) -> RenderedPayload:
        root = ET.Element(
            "event", type=event.type, id=event.webhook_id, timestamp=_timestamp(event)
        )
        _append(root, "data", event.data)
        body = ET.tostring(root, encoding="unicode", xml_declaration=True)
        return RenderedPayload("application/xml", body)


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
