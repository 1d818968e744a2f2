from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "adapters.storefront"
    label = "storefront"
    verbose_name = "Storefront"
