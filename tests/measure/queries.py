"""Queries per request on the main endpoints of whichever version DJANGO_SETTINGS_MODULE names.

`python -m tests.measure.queries` builds a throwaway database (SQLite in a temporary folder
unless DATABASE_URL is set), migrates it, loads the demo data, then sends each request
through Django's test client while `CaptureQueriesContext` counts the default database's
queries. It prints one JSON object: endpoint name to query count. Nothing here imports
either version: it speaks HTTP to whatever the settings module serves, so the figures of
the two versions come from the same requests.

Checkout is left out: it calls the payment provider over real HTTP, which the in-process
test client cannot serve.
"""

import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Request = Callable[[], Any]


def prepare_environment() -> None:
    folder = tempfile.mkdtemp(prefix="portside-queries-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/shop.sqlite3")
    os.environ.setdefault("SANDBOX_DATABASE_URL", f"sqlite:///{folder}/sandbox.sqlite3")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "measurement-only-not-a-secret")


def count(request: Request, expected_status: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = request()
    if response.status_code != expected_status:
        raise SystemExit(
            f"Expected {expected_status}, got {response.status_code}: {response.content!r}"
        )
    return len(queries)


@dataclass(frozen=True)
class DemoShop:
    """A migrated database with the demo data, a registered customer and what the
    requests below need: the second listing, its slots from three days on, a slot."""

    client: Any
    auth: dict[str, str]
    listing: dict[str, Any]
    slots_url: str
    starts_from: str
    slot: dict[str, Any]

    def hold(self) -> Any:
        body = {"lines": [{"slot_id": self.slot["id"], "seats": 1}]}
        return self.client.post("/api/v1/bookings/", body, "application/json", **self.auth)


def demo_shop() -> DemoShop:
    import io

    import django
    from django.core.management import call_command
    from django.test import Client

    django.setup()
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("migrate", **quiet)
    call_command("migrate", database="sandbox", **quiet)
    call_command("load_demo_data", **quiet)

    client = Client()
    email, password = "measure@portside.example", "Measure-only-pw-1"
    client.post(
        "/api/v1/auth/register/", {"email": email, "password": password}, "application/json"
    )
    token = client.post(
        "/api/v1/auth/token/", {"username": email, "password": password}, "application/json"
    ).json()["token"]
    listing = client.get("/api/v1/listings/").json()["results"][1]
    starts_from = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    slots_url = f"/api/v1/listings/{listing['id']}/slots/"
    slot = client.get(slots_url, {"from": starts_from}).json()["results"][0]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    return DemoShop(client, auth, listing, slots_url, starts_from, slot)


def measure() -> dict[str, int]:
    shop = demo_shop()
    client, auth, listing, starts_from = shop.client, shop.auth, shop.listing, shop.starts_from
    hold = shop.hold

    figures = {
        "list listings": count(lambda: client.get("/api/v1/listings/"), 200),
        "listing detail": count(lambda: client.get(f"/api/v1/listings/{listing['id']}/"), 200),
        "list slots": count(
            lambda: client.get(f"/api/v1/listings/{listing['id']}/slots/", {"from": starts_from}),
            200,
        ),
        "hold": count(hold, 201),
    }
    reference = hold().json()["reference"]
    booking = f"/api/v1/bookings/{reference}/"
    figures["list bookings"] = count(lambda: client.get("/api/v1/bookings/", **auth), 200)
    figures["read a booking"] = count(lambda: client.get(booking, **auth), 200)
    figures["cancel a hold"] = count(
        lambda: client.post(f"{booking}cancel/", content_type="application/json", **auth), 200
    )
    return figures


if __name__ == "__main__":
    prepare_environment()
    sys.stdout.write(json.dumps(measure()) + "\n")
