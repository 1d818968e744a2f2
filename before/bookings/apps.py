from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "before.bookings"
    label = "before_bookings"
    verbose_name = "Bookings"
