"""Errors of the application layer: things outside the domain went wrong."""


class ServiceUnavailable(Exception):
    """An outside service (the payment provider) did not answer; retrying may help."""


class PaymentRefused(Exception):
    """The payment provider answered, and refused the request (a 4xx other than 429:
    a bad key, an amount it does not take, a refund it will not make). The same
    request would be refused again, so unlike `ServiceUnavailable` it is not one to
    retry; nothing was changed, and an operator has to look."""
