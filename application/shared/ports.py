"""Ports every context uses."""

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time, always time-zone aware. Tests pass a clock they can move."""

    def now(self) -> datetime: ...
