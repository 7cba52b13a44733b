"""Live events that arrive together are applied in batches: one store emit per slice, in order, none lost.

The burst comes from a real Socket.IO server on loopback (``HostileServer``)
sending new orders as fast as python-socketio can; the store's invariants
and the fuzz-style checks hold for batched application.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.intake import EventIntake
from kiosk.core.store import Change, ChangeKind, Notice, Store
from kiosk.protocol import Event, OrderStatus
from tests.core.envelopes import created, envelope, order_data, status_changed
from tests.core.helpers import make_config, running_session, wait_live, wait_until
from tests.core.hostile_server import HostileServer
from tests.support.server_process import ServerProcess

BURST = 3000


class Emits:
    """How often the store told its listeners, and what."""

    def __init__(self) -> None:
        self.batches: list[list[Change]] = []
        self.notices: list[Notice] = []

    def on_changes(self, changes: Sequence[Change]) -> None:
        self.batches.append(list(changes))

    def on_notice(self, notice: Notice) -> None:
        self.notices.append(notice)


def _burst() -> list[tuple[str, dict[str, Any]]]:
    return [(Event.ORDER_CREATED.value, created(10_000 + n, seq=n + 1)) for n in range(BURST)]


@pytest.fixture
def burst_server() -> Iterator[HostileServer]:
    server = HostileServer(_burst)
    server.start()
    yield server
    server.stop()


def test_a_burst_over_a_real_socket_is_applied_in_batches_in_order_and_whole(
    burst_server: HostileServer, tmp_path: Path
) -> None:
    async def scenario() -> tuple[Emits, list[Any], int | None]:
        config = make_config(burst_server.url, "display", "any-token")
        async with running_session(config, tmp_path) as (session, _rec):
            emits = Emits()
            session.store.subscribe(emits)
            await wait_until(lambda: len(session.store.orders) == BURST, within=60, what="the whole burst")
            session.store.check_invariants()
            return emits, list(session.store.orders), session.store.seq

    emits, held, seq = asyncio.run(scenario())
    inserted = [c.key for batch in emits.batches for c in batch if c.kind is ChangeKind.INSERTED]
    assert inserted == [10_000 + n for n in range(BURST)]  # every order, once, in the order sent
    assert [n.entity.id for n in emits.notices] == inserted  # one notice each, none lost
    assert held == inserted
    assert seq == BURST
    # before: one emit per event (3000); now events that queue between two slices share one
    assert len(emits.batches) <= BURST // 5, len(emits.batches)


def test_a_slice_stops_at_its_budget_and_the_rest_follows_on_later_turns() -> None:
    clock = FakeClock()
    store = Store(clock=clock)
    emits = Emits()
    store.subscribe(emits)
    tick = iter(range(10**9))

    def monotonic() -> float:  # every reading of the clock moves it by 1 ms
        return next(tick) / 1000

    intake = EventIntake(store, monotonic=monotonic, budget_s=0.0095, max_batch=1000, interval_s=0.0)

    async def scenario() -> list[int]:
        for n in range(200):
            intake.push(created(n + 1, seq=n + 1), advance_seq=True)
        sizes = []
        while len(store.orders) < 200:
            before = len(store.orders)
            await asyncio.sleep(0)
            sizes.append(len(store.orders) - before)
        return [size for size in sizes if size]

    sizes = asyncio.run(scenario())
    # the clock is read at the start and before every 16th event; the 10th reading after the
    # start (before event 160) is past the 9.5 ms budget: the slice stops, the rest follows
    assert sizes == [159, 41]
    assert len(emits.batches) == len(sizes)


def test_max_batch_bounds_a_slice_when_the_clock_stands_still() -> None:
    store = Store(clock=FakeClock())
    emits = Emits()
    store.subscribe(emits)
    intake = EventIntake(store, monotonic=FakeClock().monotonic, max_batch=50, interval_s=0.0)

    async def scenario() -> None:
        for n in range(120):
            intake.push(created(n + 1), advance_seq=True)
        await wait_until(lambda: len(store.orders) == 120, within=5)

    asyncio.run(scenario())
    assert [len(batch) for batch in emits.batches] == [50, 50, 20]


def test_drain_applies_what_is_still_queued_and_advance_seq_is_kept_per_event() -> None:
    store = Store(clock=FakeClock())
    intake = EventIntake(store, monotonic=FakeClock().monotonic)

    async def scenario() -> None:
        intake.push(created(1, seq=5), advance_seq=True)
        intake.push(created(2, seq=9), advance_seq=False)  # arrived during a catch-up
        intake.drain()

    asyncio.run(scenario())
    assert set(store.orders) == {1, 2}
    assert store.seq == 5
    assert len(intake) == 0


def test_batched_application_ends_like_one_by_one_for_random_streams() -> None:
    """The store fuzz of test_store.py, applied in random slices: same state, same notices, invariants hold."""
    statuses = [s.value for s in OrderStatus]
    for seed in range(30):
        rng = random.Random(seed)
        stream: list[dict[str, Any]] = []
        for _ in range(150):
            oid = rng.randint(1, 12)
            pick = rng.random()
            if pick < 0.4:
                stream.append(status_changed(oid, rng.choice(statuses), rng.randint(1, 6)))
            elif pick < 0.6:
                stream.append(created(oid))
            elif pick < 0.7:
                stream.append(stream[rng.randrange(len(stream))] if stream else created(oid))  # a replay
            elif pick < 0.8:
                stream.append({"type": "order_created", "data": {"id": "not-an-order"}})  # garbage
            else:
                stream.append(
                    envelope(Event.ORDER_CANCELLED, order_data(oid, "cancelled", rng.randint(1, 6)))
                )
        one, batched = Store(clock=FakeClock()), Store(clock=FakeClock())
        heard_one, heard_batched = Emits(), Emits()
        one.subscribe(heard_one)
        batched.subscribe(heard_batched)
        for raw in stream:
            one.apply_envelope(raw)
        start = 0
        while start < len(stream):
            end = start + rng.randint(1, 40)
            batched.apply_batch((raw, True) for raw in stream[start:end])
            start = end
        batched.check_invariants()
        assert dict(batched.orders) == dict(one.orders), seed
        assert [(n.event, n.entity) for n in heard_batched.notices] == [
            (n.event, n.entity) for n in heard_one.notices
        ]
        flat = [c for batch in heard_batched.batches for c in batch]
        assert flat == [c for batch in heard_one.batches for c in batch]
        assert batched.skipped == one.skipped


def test_a_catch_up_page_from_the_real_server_is_applied_as_one_batch(
    server: ServerProcess, tmp_path: Path
) -> None:
    """A screen back after a break gets what it missed in pages: one store emit per page, not per event."""
    token = server.add_device("kitchen", ["display"])
    config = make_config(server.url, "display", token)
    missed = 120

    async def scenario() -> tuple[Emits, int]:
        async with running_session(config, tmp_path) as (session, _rec):
            await wait_live(session)
        created_ids = [(await asyncio.to_thread(server.create_order))["id"] for _ in range(missed)]
        async with running_session(config, tmp_path) as (session, _rec):
            emits = Emits()
            session.store.subscribe(emits)
            await wait_until(
                lambda: all(i in session.store.orders for i in created_ids), what="the missed orders"
            )
            session.store.check_invariants()
            return emits, len(created_ids)

    emits, count = asyncio.run(scenario())
    inserted = [c.key for batch in emits.batches for c in batch if c.kind is ChangeKind.INSERTED]
    assert len(inserted) == count
    batches_with_inserts = [b for b in emits.batches if any(c.kind is ChangeKind.INSERTED for c in b)]
    assert len(batches_with_inserts) == 1, len(batches_with_inserts)  # before: one per missed order
