from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "before.catalog"
    label = "before_catalog"
    verbose_name = "Catalogue"
