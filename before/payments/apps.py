from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "before.payments"
    label = "before_payments"
    verbose_name = "Payments"

    def ready(self):
        from before.payments import receivers  # noqa: F401 - connects the signal receivers
