"""Ports every context uses."""

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self


class Clock(Protocol):
    """The current time, always time-zone aware. Tests pass a clock they can move."""

    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    """One atomic piece of work: leave the `with` block without `commit()` (or with an
    exception) and nothing of it is kept. Each context's unit of work adds the
    repositories it works with."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
