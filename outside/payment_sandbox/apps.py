from django.apps import AppConfig


class PaymentSandboxConfig(AppConfig):
    name = "outside.payment_sandbox"
    label = "payment_sandbox"
    verbose_name = "Sandbox payment provider"
