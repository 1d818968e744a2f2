from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "adapters.partners"
    label = "partners"
    verbose_name = "Partners"
