"""The in-memory stand-in for a transaction, shared by the fake units of work: what the
stores held on entry comes back unless `commit()` was called, or if the work done just
before the commit (`_finish`, e.g. the event handlers) fails."""

from types import TracebackType
from typing import Any, Self


class InMemoryTransaction:
    def __enter__(self) -> Self:
        self._saved = self._snapshot()
        self._committed = False
        return self

    def commit(self) -> None:
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and self._committed:
                self._finish()
            else:
                self._restore(self._saved)
        except BaseException:
            self._restore(self._saved)
            raise

    def _snapshot(self) -> tuple[Any, ...]:
        """What to put back on a rollback. The stores keep objects nobody else holds and
        replace them on save, never change them in place: copying their dicts is enough."""
        raise NotImplementedError

    def _restore(self, saved: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Work that commits with the rest, or undoes it all by failing."""
