"""Base classes for the domain's errors.

Adapters translate them to HTTP in one place (`adapters/api/problems.py`), so each
class only says *what* went wrong in business words.
"""


class DomainError(Exception):
    """A business rule refused the request."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class InvalidInput(DomainError):
    """A request broke a rule about its own content; `fields` names the culprits."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class Conflict(DomainError):
    """The request is well formed but clashes with the current state."""
