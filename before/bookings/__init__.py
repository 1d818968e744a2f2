"""Bookings: holding seats, reading and cancelling bookings, expiring unpaid holds."""
