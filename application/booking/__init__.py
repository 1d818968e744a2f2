"""Booking use cases: hold seats, read, confirm, cancel with a refund, expire holds."""
