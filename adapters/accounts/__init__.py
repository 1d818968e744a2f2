"""Customers: registration and API tokens, on Django's own user model."""
