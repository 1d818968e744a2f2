from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "before.common"
    label = "before_common"
    verbose_name = "Common"
