"""Sending partner webhooks: the payload in the subscription's format, the Standard
Webhooks signature, and the HTTP request with every attempt recorded.

Every request carries `webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with
the subscription's `whsec_…` secret (and with the previous one as well for a day after a
rotation), so partners verify with the `standardwebhooks` library whatever the format.
"""

import base64
import hashlib
import hmac
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from before.common.money import MINOR_UNITS
from before.partners.models import SECRET_PREFIX, Delivery, Subscription
from before.partners.validators import PAYLOAD_FIELDS, validate_webhook_url

TIMEOUT = (3.05, 10)  # connect, read (seconds)
EXCERPT = 500  # characters of the partner's answer kept with the attempt
CLOUDEVENTS_SOURCE = "/portside/bookings"


def sign(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    message = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    subscription: Subscription, webhook_id: str, timestamp: int, body: str
) -> dict[str, str]:
    signatures = [sign(s, webhook_id, timestamp, body) for s in subscription.signing_secrets()]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


def render(delivery: Delivery) -> tuple[str, str]:
    """The content type and body of a delivery, in its subscription's format, shaped by
    its payload options (amounts in cents, only some fields, renamed envelope keys)."""
    subscription = delivery.subscription
    options = subscription.payload_options or {}
    rename = options.get("rename") or {}
    timestamp = _iso(delivery.occurred_at)
    data = delivery.data
    reference = data.get("reference")
    if options.get("fields"):
        # Only the chosen booking fields; a test event's own fields stay.
        data = {
            key: value
            for key, value in data.items()
            if key in options["fields"] or key not in PAYLOAD_FIELDS
        }
    if options.get("minor_units"):
        if data.get("total"):
            data["total"] = {**data["total"], "amount": _cents(data["total"])}
        if data.get("lines"):
            data["lines"] = [
                {**line, "unit_price": {**line["unit_price"], "amount": _cents(line["unit_price"])}}
                for line in data["lines"]
            ]
        if data.get("refund"):
            data["refund"] = {**data["refund"], "amount": _cents(data["refund"])}
    if subscription.format == Subscription.Format.STANDARD_WEBHOOKS:
        envelope = {
            rename.get("type", "type"): delivery.event_type,
            rename.get("timestamp", "timestamp"): timestamp,
            rename.get("data", "data"): data,
        }
        return "application/json", _json(envelope)
    elif subscription.format == Subscription.Format.CLOUDEVENTS:
        event = {
            rename.get("specversion", "specversion"): "1.0",
            rename.get("id", "id"): delivery.webhook_id,
            rename.get("source", "source"): CLOUDEVENTS_SOURCE,
            rename.get("type", "type"): (
                f"com.portside.{delivery.event_type.removeprefix('portside.')}"
            ),
            rename.get("time", "time"): timestamp,
            rename.get("datacontenttype", "datacontenttype"): "application/json",
            rename.get("data", "data"): data,
        }
        if reference:
            event[rename.get("subject", "subject")] = reference
        return "application/cloudevents+json", _json(event)
    elif subscription.format == Subscription.Format.LEGACY_XML:
        root = ET.Element(
            "event",
            {
                rename.get("type", "type"): delivery.event_type,
                rename.get("id", "id"): delivery.webhook_id,
                rename.get("timestamp", "timestamp"): timestamp,
            },
        )
        _xml_element(root, rename.get("data", "data"), data)
        return "application/xml", ET.tostring(root, encoding="unicode", xml_declaration=True)
    else:
        raise ValueError(f"Subscription {subscription.pk} has no known format.")


def _cents(money: Mapping[str, Any]) -> int:
    """An amount in its currency's minor unit: "12.50" EUR is 1250."""
    return int(Decimal(money["amount"]).scaleb(MINOR_UNITS[money["currency"]]))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _xml_element(parent: ET.Element, name: str, value: Any) -> None:
    """Mappings become nested elements, lists repeat an `item` element, scalars are text."""
    element = ET.SubElement(parent, name.replace("_", "-"))
    if isinstance(value, Mapping):
        for key, item in value.items():
            _xml_element(element, str(key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_element(element, "item", item)
    elif value is None:
        element.set("nil", "true")
    else:
        element.text = str(value)


def send(delivery: Delivery) -> None:
    """One attempt at one delivery, recorded whatever the partner did. The URL is
    checked against SSRF again first; redirects are never followed."""
    subscription = delivery.subscription
    attempted_at = timezone.now()
    record = partial(delivery.record_attempt, attempted_at=attempted_at)
    try:
        validate_webhook_url(subscription.url)
    except ValidationError as refused:
        record(
            status_code=None, duration_ms=0, error=f"Refused before sending: {refused.messages[0]}"
        )
        return
    content_type, body = render(delivery)
    timestamp = int(attempted_at.timestamp())
    headers = {
        "content-type": content_type,
        **signature_headers(subscription, delivery.webhook_id, timestamp, body),
    }
    started = time.monotonic()
    try:
        response = requests.post(
            subscription.url,
            data=body.encode(),
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        record(status_code=None, duration_ms=_ms_since(started), error=_describe(error))
        return
    record(
        status_code=response.status_code,
        duration_ms=_ms_since(started),
        response_excerpt=response.text[:EXCERPT].replace("\x00", ""),
    )


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def send_pending(delivery_ids: Iterable[Any]) -> None:
    """Send these deliveries now, those still pending for an active subscription."""
    deliveries = (
        Delivery.objects.filter(
            pk__in=list(delivery_ids),
            status=Delivery.Status.PENDING,
            subscription__is_active=True,
            subscription__partner__is_active=True,
        )
        .select_related("subscription")
        .order_by("created_at")
    )
    for delivery in deliveries:
        send(delivery)


def send_after_commit(deliveries: Iterable[Delivery]) -> None:
    """Send these deliveries once the current transaction commits, in this request.
    A failure is logged, never raised into the request that asked."""
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(partial(send_pending, ids), robust=True)
