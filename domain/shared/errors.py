"""Base classes for the domain's errors.

Adapters translate them in one place each (`adapters/api/problems.py` for HTTP, the
storefront's forms for pages), so each class only says *what* went wrong in business words.
"""

import attrs


class DomainError(Exception):
    """A business rule refused the request."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""


@attrs.frozen
class Fault:
    """One part of a request that broke a rule: which field, on which line of a
    booking (None when the field is not a line's), and why. Field names are the
    domain's own (`seats`, `slot`); each adapter says where they sit in its input."""

    field: str
    message: str
    line: int | None = None


class InvalidInput(DomainError):
    """A request broke a rule about its own content; `faults` names the culprits."""

    def __init__(self, message: str, *faults: Fault) -> None:
        super().__init__(message)
        self.faults = faults


class Conflict(DomainError):
    """The request is well formed but clashes with the current state."""
