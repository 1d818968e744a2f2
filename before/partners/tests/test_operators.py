"""What operators use: `manage.py create_partner`, `manage.py retry_deliveries` and the
admin."""

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from before.partners.models import Delivery, Partner, Subscription
from before.partners.tests.conftest import URL, Commit, PartnerClient

pytestmark = pytest.mark.django_db


def test_create_partner_prints_the_key_last_and_stores_only_its_hash() -> None:
    output = StringIO()

    call_command("create_partner", "Harbour Tours", stdout=output)

    key = output.getvalue().strip().splitlines()[-1]
    assert key.startswith("pk_")
    assert Partner.objects.get_by_key(key) == Partner.objects.get(name="Harbour Tours")
    assert not Partner.objects.filter(api_key_hash=key).exists()


def test_create_partner_refuses_a_name_taken(partner: PartnerClient) -> None:
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_partner", partner.partner.name, stdout=StringIO())


def test_retry_deliveries_command_says_how_many(partner: PartnerClient) -> None:
    output = StringIO()

    call_command("retry_deliveries", stdout=output)

    assert output.getvalue().strip() == "Attempted 0 delivery(ies)."


def a_delivery(partner: PartnerClient, **fields: Any) -> Delivery:
    subscription = Subscription.objects.create(
        partner=partner.partner, url=URL, format="cloudevents"
    )
    return Delivery.objects.create(
        subscription=subscription, event_type="x", payload="{}", **fields
    )


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "admin")
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_added_in_the_admin_gets_a_key_shown_once(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/before_partners/partner/add/", {"name": "Acme", "is_active": "on"}, follow=True
    )

    [message] = [str(m) for m in response.context["messages"] if "API key" in str(m)]
    key = message.rsplit(" ", 1)[-1]
    assert Partner.objects.get_by_key(key).name == "Acme"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/before_partners/partner/",
        "/admin/before_partners/subscription/",
        "/admin/before_partners/delivery/",
    ],
)
def test_the_admin_lists(admin_client: Client, partner: PartnerClient, path: str) -> None:
    subscription = Subscription.objects.create(
        partner=partner.partner, url=URL, format="cloudevents"
    )
    delivery = Delivery.objects.create(subscription=subscription, event_type="x", payload="{}")

    assert admin_client.get(path).status_code == 200
    assert (
        admin_client.get(f"/admin/before_partners/delivery/{delivery.pk}/change/").status_code
        == 200
    )


def test_the_admin_redelivers(
    admin_client: Client, partner: PartnerClient, post: Any, commit: Commit
) -> None:
    subscription = Subscription.objects.create(
        partner=partner.partner, url=URL, format="cloudevents"
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event_type="x", payload="{}", status="dead"
    )

    with commit():
        admin_client.post(
            "/admin/before_partners/delivery/",
            {"action": "redeliver", "_selected_action": [str(delivery.pk)]},
        )

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert post.call_count == 1
