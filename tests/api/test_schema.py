"""The OpenAPI schema is valid and builds without a single warning."""

from pathlib import Path

from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/bookings/{reference}/checkout/",
        "/api/v1/partners/subscriptions/",
        "/webhooks/payments/{provider}/",
    ):
        assert path in text
