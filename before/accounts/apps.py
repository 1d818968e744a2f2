from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "before.accounts"
    label = "before_accounts"
    verbose_name = "Accounts"
