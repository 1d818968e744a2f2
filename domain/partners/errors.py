"""Errors of the partners context."""

from domain.shared.errors import InvalidInput, NotFound


class SubscriptionNotFound(NotFound):
    """No subscription with this id belongs to the asking partner."""


class DeliveryNotFound(NotFound):
    """No delivery with this id belongs to the asking partner."""


class InvalidSubscription(InvalidInput):
    """A subscription that cannot be: unknown format or event type, or an unsafe URL."""
