"""Builds the container when Django starts and wires it, so every entry point (web,
worker, management command) gets its use cases the same way."""

from django.apps import AppConfig


class PortsideConfig(AppConfig):
    name = "config"
    label = "portside"
    verbose_name = "Portside"

    def ready(self) -> None:
        from config.container import container

        container.wire(modules=WIRED_MODULES, warn_unresolved=True)


# Every driving adapter asks for its use cases by name, the same way:
#
#     @inject
#     def post(self, request, hold_seats: HoldSeats = Provide["hold_seats"]): ...
#
# Wiring fills in those defaults for the modules listed here, so adapters never import
# config, and `container.hold_seats.override(...)` in a test reaches every caller.
# tests/api/test_wiring.py fails when a module that uses Provide is missing.
WIRED_MODULES = [
    "adapters.catalog.views",
    "adapters.booking.views",
    "adapters.booking.admin",
    "adapters.booking.tasks",
    "adapters.booking.management.commands.expire_holds",
    "adapters.partners.views",
    "adapters.partners.admin",
    "adapters.partners.tasks",
    "adapters.partners.management.commands.deliver_webhooks",
    "adapters.payments.webhooks",
    "adapters.storefront.views",
]
