from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "before.partners"
    label = "before_partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from before.bookings.signals import booking_status_changed
        from before.partners.signals import notify_partners

        booking_status_changed.connect(notify_partners, dispatch_uid="before.partners")
