"""The Django unit of work: one `transaction.atomic()` block per piece of work.

Leaving the block without `commit()` rolls back; an exception rolls back. A committed
block runs `_finish()` inside the transaction first, so whatever it writes commits or
rolls back with the work. Each context's unit of work subclasses this and opens its
repositories in `_start()`.
"""

from types import TracebackType
from typing import Self

from django.db import transaction


class AtomicUnitOfWork:
    def __enter__(self) -> Self:
        self._start()
        self._committed = False
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        return self

    def commit(self) -> None:
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._committed:
            try:
                self._finish()
            except BaseException as error:  # what `_finish` wrote goes with the rest
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
        elif exc_type is None:
            transaction.set_rollback(True)
        self._atomic.__exit__(exc_type, exc, tb)

    def _start(self) -> None:
        """Open the repositories of this unit of work."""

    def _finish(self) -> None:
        """Work that must commit with the rest, run just before the commit."""
