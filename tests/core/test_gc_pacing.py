"""Full garbage collections kept out of bursts: what a slice leaves alive is frozen, sweeps come when calm.

The stall this prevents (a 20 000-order burst held the GUI thread up to 350 ms
in CPython's generation-2 collections) is shown by ``bench/burst.py``; here the
rules: a real burst over a real socket leaves the survivors frozen, a sweep
frees cyclic garbage that a freeze had kept, the sweep waits for a calm
screen (or not longer than its latest), and a stopped session unfreezes.
"""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.gc_pacing import GcPacer
from kiosk.protocol import Event
from tests.core.envelopes import created
from tests.core.helpers import make_config, running_session, wait_until
from tests.core.hostile_server import HostileServer

BURST = 500


class _Cycle:
    """Garbage that only the cycle collector can free."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # whatever a failing test left: the rest of the suite collects normally


@pytest.fixture
def burst_server() -> Iterator[HostileServer]:
    server = HostileServer(
        lambda: [(Event.ORDER_CREATED.value, created(10_000 + n, seq=n + 1)) for n in range(BURST)]
    )
    server.start()
    yield server
    server.stop()


def test_a_burst_over_a_real_socket_leaves_the_orders_frozen_and_a_stop_unfreezes(
    burst_server: HostileServer, tmp_path: Path
) -> None:
    async def scenario() -> tuple[int, Any]:
        config = make_config(burst_server.url, "display", "any-token")
        async with running_session(config, tmp_path) as (session, _rec):
            await wait_until(lambda: len(session.store.orders) == BURST, within=60, what="the whole burst")
            return gc.get_freeze_count(), session

    gc.unfreeze()
    frozen, session = asyncio.run(scenario())
    # the orders and everything else alive are out of the collector's scans: without this every
    # generation-2 collection in a burst scanned them all (before: nothing was ever frozen)
    assert frozen > 10 * BURST
    assert gc.get_freeze_count() == 0, "the stopped session left the collector frozen"
    assert session.connector.gc_pacer.sweeps == 0  # a burst is not calm: no sweep in the middle of it


def test_a_sweep_frees_cyclic_garbage_that_a_freeze_kept() -> None:
    clock = FakeClock()
    pacer = GcPacer(clock.monotonic)
    garbage = _Cycle()
    watch = weakref.ref(garbage)
    pacer.after_slice(1000)  # frozen while still referenced
    del garbage
    gc.collect()
    assert watch() is not None  # frozen: a full collection does not see it
    pacer.sweep()
    assert watch() is None
    assert gc.get_freeze_count() == 0  # unfrozen until the next burst
    pacer.close()
    assert gc.get_freeze_count() == 0


def test_the_sweep_waits_for_a_calm_screen_and_never_longer_than_its_latest() -> None:
    skipped = [0.0]  # real time, plus what the test skips ahead

    def monotonic() -> float:
        return time.monotonic() + skipped[0]

    pacer = GcPacer(monotonic, calm_s=0.5, sweep_every_s=60.0, sweep_at_latest_s=600.0)

    async def busy_then_calm() -> list[int]:
        seen = []
        skipped[0] += 61  # a sweep is due, but slices keep coming
        for _ in range(8):
            pacer.after_slice(1000)
            await asyncio.sleep(0.01)  # slices closer together than calm_s
            seen.append(pacer.sweeps)
        await wait_until(lambda: pacer.sweeps == 1, within=5, what="the sweep once calm")
        seen.append(pacer.sweeps)
        skipped[0] += 600  # traffic that never stops: the sweep comes at its latest, in a slice
        pacer.after_slice(1000)
        seen.append(pacer.sweeps)
        return seen

    try:
        assert asyncio.run(busy_then_calm()) == [0] * 8 + [1, 2]
    finally:
        pacer.close()


def test_ordinary_traffic_is_never_frozen() -> None:
    """A few events a second leave the collector as CPython runs it: frozen, a steady trickle's
    cyclic garbage would wait for the latest sweep, and its heap is small enough not to need it."""
    skipped = [0.0]
    pacer = GcPacer(lambda: skipped[0], burst_per_s=200)
    try:
        for _ in range(40):  # ten seconds at 4 events a second
            pacer.after_slice(1)
            skipped[0] += 0.25
        assert gc.get_freeze_count() == 0
        pacer.after_slice(250)  # a burst
        assert gc.get_freeze_count() > 0
    finally:
        pacer.close()
