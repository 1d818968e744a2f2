from django.contrib import admin

from outside.partner_inbox import models

admin.site.register(models.Endpoint)
