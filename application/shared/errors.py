"""Errors of the application layer: things outside the domain went wrong."""


class ServiceUnavailable(Exception):
    """An outside service (the payment provider) did not answer; retrying may help."""
