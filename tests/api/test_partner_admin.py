"""Operators add partners in the admin; the API key is shown once and works."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from adapters.partners.models import Partner

pytestmark = pytest.mark.django_db


def test_adding_a_partner_in_the_admin_shows_a_working_key_once() -> None:
    staff = get_user_model().objects.create_superuser("ops", "ops@portside.example", "pw")
    client = Client()
    client.force_login(staff)

    response = client.post(
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
