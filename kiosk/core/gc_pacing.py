"""CPython's full garbage collections, kept out of bursts: what survives a slice is frozen.

Why: a burst of 20 000 new orders froze the GUI thread for up to 350 ms at a
time (``bench/burst.py burst --events 20000``: heartbeat max 406 ms), and the
screen's own work was not the cause.  CPython ran a generation-2 collection
each time the heap had grown by a quarter; each one scanned every tracked
object (every order's model, its card's layout, ...) and found no garbage.
The screen's objects are long-lived by nature: an order lives until it is
bumped and is then freed by reference counting (orders hold no cycles).

So after each slice of a *burst* (``burst_per_s`` events or more in the last
second) the intake's ``after_slice`` moves everything alive into the permanent generation (``gc.freeze``, a list
splice: O(1)); collections then only ever scan what is newer than the last
slice.  The price: garbage in reference cycles that was still alive at a
freeze is not collected until the next *sweep* (``gc.unfreeze`` and one full
collection; the next burst freezes again).  A sweep runs once the screen has been calm for
``calm_s`` and ``sweep_every_s`` have passed since the last one, or after
``sweep_at_latest_s`` whatever the traffic, so no cycle outlives that.  At a
kitchen's few hundred cards a sweep takes milliseconds.  Ordinary traffic
(a few events a second) never freezes: its heap stays small, so CPython's own
collections are short, and frozen, a steady trickle's cyclic garbage would wait
for the latest sweep.  ``close`` unfreezes, so a stopped session leaves the
process's collector as it found it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable

log = logging.getLogger("kiosk.sync")

BURST_PER_S = 200  # events applied within one second that make a burst worth freezing for
CALM_S = 2.0  # no slice for this long: the screen is calm
SWEEP_EVERY_S = 300.0
SWEEP_AT_LATEST_S = 900.0
SLOW_SWEEP_S = 0.1  # a sweep longer than this is worth a log line


class GcPacer:
    def __init__(
        self,
        monotonic: Callable[[], float],
        *,
        calm_s: float = CALM_S,
        sweep_every_s: float = SWEEP_EVERY_S,
        sweep_at_latest_s: float = SWEEP_AT_LATEST_S,
        burst_per_s: int = BURST_PER_S,
    ) -> None:
        self._monotonic = monotonic
        self.calm_s = calm_s
        self.sweep_every_s = sweep_every_s
        self.sweep_at_latest_s = sweep_at_latest_s
        self.burst_per_s = burst_per_s
        self._window_start = float("-inf")  # the one-second window events are counted in
        self._in_window = 0
        self._last_slice = float("-inf")
        self._last_sweep = monotonic()
        self._check: asyncio.TimerHandle | None = None
        self._frozen = False
        self.sweeps = 0

    def after_slice(self, applied: int) -> None:
        """A slice of ``applied`` events was applied: in a burst, freeze what is alive; a sweep will follow."""
        now = self._last_slice = self._monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._in_window = now, 0
        self._in_window += applied
        if self._in_window < self.burst_per_s and not self._frozen:
            return  # ordinary traffic: the collector as CPython runs it
        gc.freeze()
        self._frozen = True
        if self._check is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # driven by hand (a script, drain at stop): the next slice checks
                return
            self._check = loop.call_later(self.calm_s, self._maybe_sweep)
        if self._monotonic() - self._last_sweep >= self.sweep_at_latest_s:
            self.sweep()

    def _maybe_sweep(self) -> None:
        self._check = None
        now = self._monotonic()
        calm = now - self._last_slice >= self.calm_s
        if calm and now - self._last_sweep >= self.sweep_every_s:
            self.sweep()
            return  # the next slice schedules the next check
        if self._frozen:
            self._check = asyncio.get_running_loop().call_later(self.calm_s, self._maybe_sweep)

    def sweep(self) -> None:
        """One full collection over everything, frozen or not; freezing starts again with the next burst."""
        started = self._monotonic()
        gc.unfreeze()
        self._frozen = False
        found = gc.collect()
        self._last_sweep = self._monotonic()
        self.sweeps += 1
        took = self._last_sweep - started
        if took >= SLOW_SWEEP_S:
            log.info("memory sweep took %.0f ms (%d unreachable objects freed)", took * 1000, found)

    def close(self) -> None:
        if self._check is not None:
            self._check.cancel()
            self._check = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
