"""Reconnect delays: exponential, jittered, capped, reset after a stable connection.

Jitter matters more than the curve: after a server restart thirty screens
must not all knock at the same instant.  Each delay is drawn uniformly from
``[base * (1 - jitter), base]`` where ``base = min(cap, initial * factor**n)``,
so a delay never exceeds the cap and never falls below half the curve (with
the default jitter of 0.5).  Randomness and time are injected.
"""

from __future__ import annotations

import random

from kiosk.core.clock import Clock, SystemClock


class Backoff:
    def __init__(
        self,
        initial: float = 1.0,
        maximum: float = 30.0,
        *,
        factor: float = 2.0,
        jitter: float = 0.5,
        stable_after: float = 10.0,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        if initial <= 0 or maximum < initial:
            raise ValueError(f"backoff needs 0 < initial <= maximum (got {initial}, {maximum})")
        if not 0 <= jitter < 1:
            raise ValueError(f"jitter must be in [0, 1) (got {jitter})")
        if factor < 1:
            raise ValueError(f"factor must be >= 1 (got {factor})")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.stable_after = stable_after
        self._rng = rng or random.Random()
        self._clock: Clock = clock or SystemClock()
        self._attempt = 0
        self._connected_at: float | None = None

    @property
    def attempt(self) -> int:
        """How many delays have been handed out since the last reset."""
        return self._attempt

    def base(self, attempt: int) -> float:
        """The un-jittered delay before retry number ``attempt`` (0-based)."""
        # Cap the exponent so a week-long outage cannot overflow a float.
        return min(self.maximum, self.initial * self.factor ** min(attempt, 64))

    def next_delay(self) -> float:
        """The delay before the next attempt; each call moves one step up the curve."""
        base = self.base(self._attempt)
        self._attempt += 1
        return base * (1.0 - self.jitter * self._rng.random())

    def penalty(self) -> float:
        """A delay at the cap, for refusals (bad token) that retrying fast cannot fix."""
        self._attempt += 1
        return self.maximum * (1.0 - self.jitter * self._rng.random())

    def reset(self) -> None:
        self._attempt = 0

    def connected(self) -> None:
        """Note a successful connection; the curve resets only once it proved stable."""
        self._connected_at = self._clock.monotonic()

    def disconnected(self, *, failed: bool = False) -> None:
        """Note a lost connection; reset the curve if it had lasted ``stable_after``.

        ``failed``: the server's own data broke it (an oversized message), a
        failed attempt however long it lasted; a server that does that on every
        connect then meets the growing delays of any repeated failure.
        """
        if self._connected_at is not None and self.is_stable() and not failed:
            self.reset()
        self._connected_at = None

    def is_stable(self) -> bool:
        if self._connected_at is None:
            return False
        return self._clock.monotonic() - self._connected_at >= self.stable_after
