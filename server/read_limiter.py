"""Large reads (order and payment lists) per token: a token bucket, 429 with Retry-After past it.

Why: one list of 10 000 active orders costs the server a core for a good part
of a second; two screens looping on it took the CPU every broadcast needs.
A screen asks for these lists only when it starts or its log position was
reset, so the default bucket (docs/server.md) never empties for a screen
that behaves, and a looping one gets 429 ``too_many_large_reads`` with the
seconds to wait.  The log gets one line when a caller is first refused, then
at most one a minute per caller with the count.  The clock is injected;
memory is bounded by forgetting the callers seen least recently.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from server.clock import Clock

log = logging.getLogger("server.api")

MAX_CALLERS = 10_000
LOG_INTERVAL_S = 60.0


@dataclass
class _Bucket:
    tokens: float
    at: float  # monotonic time of ``tokens``
    refused: int = 0  # refusals not yet in the log
    logged_at: float | None = None


class LargeReadLimiter:
    def __init__(
        self, clock: Clock, *, burst: int, per_minute: float, max_callers: int = MAX_CALLERS
    ) -> None:
        self._clock = clock
        self._burst = max(1, burst)
        self._rate = max(per_minute, 0.001) / 60.0  # tokens per second
        self._max_callers = max_callers
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, caller: str) -> float | None:
        """Spend one large read of ``caller``: None if allowed, else the seconds until the next one is."""
        now = self._clock.monotonic()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                bucket = self._buckets[caller] = _Bucket(float(self._burst), now)
                while len(self._buckets) > self._max_callers:
                    self._buckets.popitem(last=False)
            self._buckets.move_to_end(caller)
            bucket.tokens = min(float(self._burst), bucket.tokens + (now - bucket.at) * self._rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            wait = (1.0 - bucket.tokens) / self._rate
            self._note_refusal(caller, bucket, now)
            return wait

    def _note_refusal(self, caller: str, bucket: _Bucket, now: float) -> None:
        bucket.refused += 1
        if bucket.logged_at is not None and now - bucket.logged_at < LOG_INTERVAL_S:
            return
        first = bucket.logged_at is None
        log.warning(
            "%s asks for large lists (orders, payments) faster than %d at once and %.0f a minute: "
            "answering 429 too_many_large_reads%s (a screen asks only when it starts or resyncs: "
            "is something looping with its token?)",
            caller,
            self._burst,
            self._rate * 60.0,
            "" if first else f", {bucket.refused} refused since the last such line",
        )
        bucket.logged_at, bucket.refused = now, 0
