"""Live events that arrive together are applied together, a bounded slice per event-loop turn.

python-socketio calls the handler once per event, each in a task of its
own, and engine.io reads one websocket message per loop turn.  Applied one
by one, a burst of 100 000 events meant 100 000 store emits, model inserts
and relayouts of the grid (the GUI thread is the same thread, through
qasync), and the burst took 45 s of 100 % CPU.  Now the handler only queues
the envelope, and a *slice* applies what has queued through
``Store.apply_batch`` (one emit for the lot), stopping after ``budget_s`` or
``max_batch`` events.  An event that arrives after a quiet spell is applied
on the next turn; while events keep coming, slices are at least
``interval_s`` apart (a frame), so messages gather between them and Qt
paints, answers keys and runs its timers in between.

Order is kept (a FIFO), each event keeps the ``advance_seq`` it had when it
arrived, and nothing queued is dropped: ``drain()`` applies the rest (at
stop).  The budget is read from the injected clock's ``monotonic``; with a
FakeClock it never runs out and ``max_batch`` alone bounds a slice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterator

from kiosk.core.store import Store

log = logging.getLogger("kiosk.sync")

BUDGET_S = 0.008  # store work per slice; the screen's own work on the batch's Changes comes after it
MAX_BATCH = 1000  # events per slice at most, whatever the clock says
INTERVAL_S = 0.016  # between the starts of two slices while events keep coming: a 60 Hz frame


class EventIntake:
    def __init__(
        self,
        store: Store,
        *,
        monotonic: Callable[[], float],
        budget_s: float = BUDGET_S,
        max_batch: int = MAX_BATCH,
        interval_s: float = INTERVAL_S,
        after_slice: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self._after_slice = after_slice  # kiosk/core/gc_pacing.py: keeps full collections out of bursts
        self.budget_s = budget_s
        self.max_batch = max_batch
        self.interval_s = interval_s
        self._last_slice = float("-inf")  # loop time of the last slice's start
        self._monotonic = monotonic
        self._queue: deque[tuple[object, bool]] = deque()
        self._scheduled: asyncio.Handle | None = None
        self.batches = 0  # slices applied (for tests and the state dump)

    def __len__(self) -> int:
        return len(self._queue)

    def push(self, raw: object, *, advance_seq: bool) -> None:
        """Queue one envelope; it is applied on this or a following loop turn, in arrival order."""
        self._queue.append((raw, advance_seq))
        if self._scheduled is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a script driving the store by hand): apply at once
            self.drain()
            return
        self._schedule(loop)

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        # The loop's own clock: it is the one call_at keeps, and pacing is about real turns.
        due = self._last_slice + self.interval_s
        if due <= loop.time():
            self._scheduled = loop.call_soon(self._slice)
        else:
            self._scheduled = loop.call_at(due, self._slice)

    def drain(self) -> None:
        """Apply everything still queued now (stop, close): nothing that arrived is lost."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        while self._queue:
            self._apply(self._take(None))

    def _slice(self) -> None:
        loop = asyncio.get_running_loop()
        self._scheduled = None
        self._last_slice = loop.time()
        applied = self._apply(self._take(self._monotonic() + self.budget_s))
        if self._after_slice is not None:
            self._after_slice(applied)
        if self._queue:
            self._schedule(loop)

    def _apply(self, events: Iterator[tuple[object, bool]]) -> int:
        """Apply a slice through the store; how many events it applied."""
        self.batches += 1
        try:
            return self.store.apply_batch(events)
        except Exception:  # the store logs bad events itself; this is a bug, and must not stop the intake
            log.exception("applying a batch of live events failed")
            return 0

    def _take(self, deadline: float | None) -> Iterator[tuple[object, bool]]:
        """Pop queued events for one slice: up to ``max_batch``, and until ``deadline`` (checked every 16)."""
        for taken in range(self.max_batch):
            if not self._queue:
                return
            if deadline is not None and taken % 16 == 15 and self._monotonic() >= deadline:
                return
            yield self._queue.popleft()
