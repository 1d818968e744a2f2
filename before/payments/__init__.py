"""Payments: checkout at the sandbox provider, its webhooks, and refunds."""
