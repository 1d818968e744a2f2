from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "adapters.demo"
    label = "demo"
    verbose_name = "Demo data"
