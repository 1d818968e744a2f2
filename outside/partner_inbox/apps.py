from django.apps import AppConfig


class PartnerInboxConfig(AppConfig):
    name = "outside.partner_inbox"
    label = "partner_inbox"
    verbose_name = "Partner inbox (demo receiver)"
