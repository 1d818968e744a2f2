"""Builds the container when Django starts, so every entry point (web, worker,
management command) has its use cases wired."""

from django.apps import AppConfig


class PortsideConfig(AppConfig):
    name = "config"
    label = "portside"
    verbose_name = "Portside"

    def ready(self) -> None:
        from config.container import container

        container.wire(modules=WIRED_MODULES)


# Driving adapters outside the URLconf get use cases by name through wiring
# (`Provide["cancel_booking"]`), so they never import config.
WIRED_MODULES = [
    "adapters.booking.admin",
    "adapters.booking.tasks",
    "adapters.booking.management.commands.expire_holds",
    "adapters.partners.admin",
    "adapters.partners.tasks",
    "adapters.partners.management.commands.deliver_webhooks",
]
