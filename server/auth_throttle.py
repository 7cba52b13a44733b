"""Failed authentications per address: past a limit, that address waits before it may try again.

Without it one LAN host guessed 2 200 tokens a second.  The limit counts
only failures, so a screen with a good token is never slowed; once an
address is over the limit every attempt from it is refused until the window
has passed, so a guesser learns nothing from a lucky hit inside the block.
The clock is injected (tests move time instead of waiting); memory is bounded
by dropping the addresses seen least recently.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

from server.clock import Clock

FAILURES_ALLOWED = 20  # per address per window: a mistyped token retried by hand never gets near it
WINDOW_S = 60.0
MAX_ADDRESSES = 10_000


class FailedAuthLimiter:
    def __init__(
        self,
        clock: Clock,
        *,
        allowed: int = FAILURES_ALLOWED,
        window_s: float = WINDOW_S,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self._clock = clock
        self._allowed = allowed
        self._window_s = window_s
        self._max_addresses = max_addresses
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self.refused = 0  # attempts refused while blocked, for /api/stats

    def retry_after(self, address: str | None) -> float | None:
        """Seconds until ``address`` may try again, or None when it may try now."""
        if address is None:
            return None
        with self._lock:
            failures = self._recent(address)
            if failures is None or len(failures) < self._allowed:
                return None
            self.refused += 1
            return max(0.0, failures[0] + self._window_s - self._clock.monotonic())

    def failed(self, address: str | None) -> bool:
        """Count a failure; True when it is the one that blocks the address (log that once)."""
        if address is None:
            return False
        with self._lock:
            failures = self._recent(address)
            if failures is None:
                failures = self._failures[address] = deque(maxlen=self._allowed)
                while len(self._failures) > self._max_addresses:
                    self._failures.popitem(last=False)
            self._failures.move_to_end(address)
            failures.append(self._clock.monotonic())
            return len(failures) == self._allowed

    def _recent(self, address: str) -> deque[float] | None:
        failures = self._failures.get(address)
        if failures is None:
            return None
        cutoff = self._clock.monotonic() - self._window_s
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return None
        return failures
