from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "adapters.booking"
    label = "booking"
    verbose_name = "Bookings"
