"""Errors of the partners context."""

from domain.shared.errors import Conflict, InvalidInput, NotFound


class SubscriptionNotFound(NotFound):
    """No subscription with this id belongs to the asking partner."""


class DeliveryNotFound(NotFound):
    """No delivery with this id belongs to the asking partner."""


class InvalidSubscription(InvalidInput):
    """A subscription that cannot be: unknown format or event type, or an unsafe URL."""


class RotationUnderWay(Conflict):
    """A secret was rotated less than a day ago; its old secret still signs."""
