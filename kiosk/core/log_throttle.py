"""A log line that repeats is written a few times, then counted: "… repeated 20000 more times".

A screen that goes wrong in a loop can log the same line thousands of times a
second (Qt's "QSocketNotifier: Invalid socket N" came 20 000 times a second,
180 MB a minute).  The rotating log then keeps only that line and loses
everything support needs, such as what happened just before.  So each
handler gets a RepeatFilter: per distinct message (logger, level and text),
the first ``burst`` records within ``window_s`` pass, the rest are counted, and
when the window ends one summary line says how many were held back.

Time is injected (any ``() -> float`` monotonic clock) so the tests are exact.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

BURST = 5
WINDOW_S = 10.0
MAX_KEYS = 512  # distinct messages tracked at once; a flood of ever-new text is bounded too


@dataclass
class _Seen:
    since: float
    count: int
    held_back: int
    template: logging.LogRecord


Key = tuple[str, int, str]


class RepeatFilter(logging.Filter):
    """Attach to one handler (it writes the summaries to that handler directly)."""

    def __init__(
        self,
        handler: logging.Handler,
        *,
        burst: int = BURST,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        super().__init__()
        self._handler = handler
        self._burst = burst
        self._window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._seen: dict[Key, _Seen] = {}
        self._next_expiry = float("inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = self._clock()
        if now >= self._next_expiry:
            self.flush_expired(now)
        key = (record.name, record.levelno, record.getMessage())
        seen = self._seen.get(key)
        if seen is None:
            if len(self._seen) >= self._max_keys:
                self._evict_oldest()
            self._seen[key] = _Seen(now, 1, 0, record)
            self._next_expiry = min(self._next_expiry, now + self._window_s)
            return True
        seen.count += 1
        if seen.count <= self._burst:
            return True
        seen.held_back += 1
        return False

    def flush_expired(self, now: float | None = None) -> None:
        """Write the summaries of windows that have ended (all of them when ``now`` is None)."""
        expired = [
            key for key, seen in self._seen.items() if now is None or now - seen.since >= self._window_s
        ]
        for key in expired:
            self._summarise(self._seen.pop(key))
        self._next_expiry = min((s.since + self._window_s for s in self._seen.values()), default=float("inf"))

    def _evict_oldest(self) -> None:
        oldest = min(self._seen, key=lambda key: self._seen[key].since)
        self._summarise(self._seen.pop(oldest))

    def _summarise(self, seen: _Seen) -> None:
        if not seen.held_back:
            return
        template = seen.template
        text = template.getMessage()
        if len(text) > 200:
            text = text[:200] + "…"
        summary = logging.LogRecord(
            template.name,
            template.levelno,
            template.pathname,
            template.lineno,
            "… the line %r repeated %d more times in %.0f s (not written)",
            (text, seen.held_back, self._window_s),
            None,
        )
        self._emit(summary)

    def _emit(self, record: logging.LogRecord) -> None:
        # emit() itself, not handle(): this filter must not see its own summary
        self._handler.acquire()
        try:
            self._handler.emit(record)
        finally:
            self._handler.release()


def throttle(handler: logging.Handler) -> RepeatFilter:
    """Give ``handler`` a RepeatFilter (returned, so its summaries can be flushed at exit)."""
    repeat_filter = RepeatFilter(handler)
    handler.addFilter(repeat_filter)
    return repeat_filter
