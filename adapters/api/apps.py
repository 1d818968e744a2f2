from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "adapters.api"
    label = "api"
    verbose_name = "API"
