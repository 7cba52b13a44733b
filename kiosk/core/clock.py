"""Injected time, so ageing colours, backoff and expiry are tested without sleeping.

Everything in the core that needs "now" takes a ``Clock``.  The app passes a
``SystemClock``; tests pass a ``FakeClock`` and move it by hand.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC (for display and timestamps)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (for durations and deadlines)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


_DEFAULT_START = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when told to: ``advance(seconds)`` or ``set(moment)``.

    ``advance`` moves both wall and monotonic time; ``set`` moves only the wall
    clock (like an NTP correction), which is exactly what monotonic time is for.
    """

    def __init__(self, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        start = start or _DEFAULT_START
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime (e.g. tzinfo=UTC)")
        self._now = start.astimezone(UTC)
        self._monotonic = monotonic_start

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward; use set() to move the wall clock back")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FakeClock.set needs an aware datetime (e.g. tzinfo=UTC)")
        self._now = moment.astimezone(UTC)
