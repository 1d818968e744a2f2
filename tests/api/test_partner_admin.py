"""Operators add partners in the admin (the API key is shown once and works) and send
dead deliveries again."""

from io import StringIO
from typing import Any

import pytest
from dependency_injector import providers
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from adapters.partners.admin import SubscriptionForm
from adapters.partners.models import Delivery, Partner, Subscription
from config.container import container
from tests.fakes.partners import FixedResolver, ScriptedSender

pytestmark = pytest.mark.django_db


def test_adding_a_partner_in_the_admin_shows_a_working_key_once(operator: Client) -> None:
    response = operator.post(
        "/admin/partners/partner/add/", {"name": "Hotel Aurora", "is_active": "on"}
    )

    assert response.status_code == 302
    partner = Partner.objects.get(name="Hotel Aurora")
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(text.rsplit(" ", 1)[1] for text in shown if "API key" in text)
    assert key.startswith(partner.api_key_prefix)
    listed: Any = Client().get(
        "/api/v1/partners/subscriptions/", headers={"Authorization": f"Bearer {key}"}
    )
    assert listed.status_code == 200


def a_delivery(status: str) -> Delivery:
    partner = Partner.objects.create(name="Hotel Aurora", api_key_hash="h" * 64)
    subscription = Subscription.objects.create(
        partner=partner,
        url="https://hooks.example.com/",
        format="standard-webhooks",
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    return Delivery.objects.create(
        webhook_id=f"msg_{status}",
        subscription=subscription,
        event_type="booking.held",
        content_type="application/json",
        body="{}",
        status=status,
        next_attempt_at=timezone.now() if status == "pending" else None,
        created_at=timezone.now(),
    )


def test_an_operator_redelivers_a_dead_delivery_from_the_admin(
    django_capture_on_commit_callbacks: Any, operator: Client
) -> None:
    dead = a_delivery("dead")
    for number in range(1, 4):
        dead.attempts.create(
            number=number, attempted_at=timezone.now(), status_code=500, duration_ms=5
        )

    with django_capture_on_commit_callbacks() as queued:
        response = operator.post(
            "/admin/partners/delivery/",
            {"action": "redeliver", "_selected_action": [str(dead.id)]},
        )

    assert response.status_code == 302
    dead.refresh_from_db()
    assert (dead.status, dead.round_starts_at, dead.webhook_id) == ("pending", 3, "msg_dead")
    assert dead.next_attempt_at is not None
    assert len(queued) == 1  # the send is queued once the redelivery commits


def test_the_deliver_webhooks_command_sends_what_is_due() -> None:
    due = a_delivery("pending")
    sender = ScriptedSender()
    out = StringIO()

    with (
        container.webhook_sender.override(providers.Object(sender)),
        container.address_resolver.override(providers.Object(FixedResolver())),
    ):
        call_command("deliver_webhooks", stdout=out)

    assert out.getvalue().strip() == "Attempted 1 delivery(ies)."
    assert [(url, headers["webhook-id"]) for url, headers, _ in sender.sent] == [
        ("https://hooks.example.com/", "msg_pending")
    ]
    due.refresh_from_db()
    assert due.status == "delivered"


def a_subscription_form(options: str) -> SubscriptionForm:
    """The admin's add form, filled in with these payload options (JSON text)."""
    partner = Partner.objects.create(name="Chat", api_key_hash="h" * 64, api_key_prefix="x")
    return SubscriptionForm(
        data={
            "partner": partner.pk,
            "url": "https://hooks.partner.example/portside",
            "event_types": "[]",
            "format": "cloudevents",
            "payload_options": options,
            "is_active": "on",
        }
    )


@pytest.mark.parametrize(
    ("options", "stored"),
    [
        ("{}", {"minor_units": False, "fields": [], "rename": {}}),
        (
            '{"minor_units": true, "rename": {"data": "payload"}}',
            {"minor_units": True, "fields": [], "rename": {"data": "payload"}},
        ),
    ],
)
def test_an_operator_sets_payload_options_in_the_admin(options: str, stored: Any) -> None:
    form = a_subscription_form(options)

    assert form.is_valid(), form.errors
    assert form.save().payload_options == stored


@pytest.mark.parametrize(
    "options", ['{"fields": ["price"]}', '{"rename": {"type": "data"}}', '{"minor_units": "x"}']
)
def test_the_admin_refuses_payload_options_the_api_refuses(options: str) -> None:
    form = a_subscription_form(options)

    assert not form.is_valid()
    assert list(form.errors) == ["payload_options"]
