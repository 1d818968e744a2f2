"""`manage.py load_demo_partner`: the demo partner inbox receives every booking event."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from adapters.partners.models import Partner, Subscription
from outside.partner_inbox.models import Endpoint

pytestmark = pytest.mark.django_db


def load_demo_partner() -> str:
    out = StringIO()
    call_command("load_demo_partner", stdout=out)
    return out.getvalue().strip()


def test_subscribes_one_inbox_endpoint_per_format_told_its_secret_once(
    settings: Settings,
) -> None:
    settings.PARTNER_INBOX_ENABLED = True
    settings.PORTSIDE_BASE_URL = "http://web:8000"

    first = load_demo_partner()
    again = load_demo_partner()

    assert first.startswith("Demo partner: 3 new subscription(s)")
    assert again.startswith("Demo partner: 0 new subscription(s)")
    [partner] = Partner.objects.all()
    subscriptions = {row.format: row for row in Subscription.objects.filter(partner=partner)}
    assert set(subscriptions) == {"cloudevents", "legacy-xml", "standard-webhooks"}
    for format, subscription in subscriptions.items():
        assert subscription.url == f"http://web:8000/partner-inbox/demo-{format}/"
        assert subscription.event_types == []  # every event
        assert Endpoint.objects.get(slug=f"demo-{format}").secret == subscription.secret


def test_refuses_without_the_partner_inbox(settings: Settings) -> None:
    settings.PARTNER_INBOX_ENABLED = False

    with pytest.raises(CommandError, match="PARTNER_INBOX_ENABLED"):
        load_demo_partner()
    assert not Partner.objects.exists()
