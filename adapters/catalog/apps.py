from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "adapters.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
