from django.contrib import admin

from adapters.partner_inbox import models

admin.site.register(models.Endpoint)
