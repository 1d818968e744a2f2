from django.contrib import admin

from outside.payment_sandbox import models


@admin.register(models.SandboxPayment)
class SandboxPaymentAdmin(admin.ModelAdmin):
    list_display = ("id", "amount", "currency", "status", "created_at")
    list_filter = ("status",)


@admin.register(models.SandboxEvent)
class SandboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "payment", "attempts", "last_status_code", "delivered_at")
    list_filter = ("type",)
