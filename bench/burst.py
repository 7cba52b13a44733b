"""Event bursts on the kitchen screen: how fast new orders land, and how long the GUI stalls meanwhile.

Run by hand (offscreen, this machine):

    python bench/burst.py burst --events 20000            # N new orders as fast as a server can send them
    python bench/burst.py burst --events 20000 --cards 2000   # ... onto a screen already holding 2000 cards
    python bench/burst.py insert --cards 100,2000         # CPU per new order at a steady pace, by cards on screen
    python bench/burst.py burst --view window             # the whole MainWindow (a toast per new order too)

``burst``: a real Socket.IO server in another process (the test suite's
``HostileServer``: it answers the catch-up like ours and, after the screen has
joined, emits ``--events`` ``order:created`` envelopes shaped like our
server's as fast as python-socketio sends them).  The screen is the real
thing: a ``Session`` on qasync (Qt's loop) with the ``MainWindow`` and its
kitchen screen, offscreen, sound off.  A 5 ms ``QTimer`` heartbeat records
the GUI thread's worst gap: a gap is a stall a cook would see (a frozen
screen, a key press not answered).  Printed: events/s from the first order
applied to the last, the rate in each tenth of the burst (it falls when the
cost of an insert grows with the cards on screen), the heartbeat's p99 and
max gap, and the process CPU.

``insert``: no socket.  A screen holding ``--cards`` orders gets new orders
through its store at a steady ``--rate`` (default 50/s, slow enough that all
the work an insert causes, layout included, is done before the next), and the
process CPU time per order is printed: the cost of one insert, at 100 and at
2000 cards on screen.  CPU time, not wall time: it is the figure least
disturbed by other work on a shared machine.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import _qt_setup
from _qt_setup import ROOT, T0, qt_app, screen_config, show, use_offscreen
from _stats import percentile

sys.path.insert(0, str(ROOT))


def order_dict(oid: int, created: datetime) -> dict[str, Any]:
    """An order shaped like our server's (``_qt_setup.order_dict``), numbered ``T1-00042``."""
    return _qt_setup.order_dict(oid, created, number_digits=5)


def created_envelope(seq: int, oid: int, created: datetime) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "seq": seq,
        "type": "order_created",
        "timestamp": created.isoformat(),
        "data": order_dict(oid, created),
    }


# ------------------------------------------------------------------ the server process


def serve(events: int, cards: int, port_out: Any, stop: Any) -> None:
    """The burst server (child process): a snapshot of ``cards`` orders, then ``events`` new ones."""
    from kiosk.protocol import Event
    from tests.core.hostile_server import HostileServer

    snapshot = [order_dict(i, T0 + timedelta(seconds=i)) for i in range(1, cards + 1)]
    start = cards + 1

    def burst() -> list[tuple[str, dict[str, Any]]]:
        return [
            (Event.ORDER_CREATED.value, created_envelope(n + 1, oid, T0 + timedelta(seconds=oid)))
            for n, oid in enumerate(range(start, start + events))
        ]

    server = HostileServer(burst, delay_s=0.5, orders=snapshot)
    server.start()
    port_out.put(server.port)
    stop.wait()
    server.stop()


# ------------------------------------------------------------------ the screen


class Heartbeat:
    """A 5 ms QTimer; the gaps between its ticks are how long the GUI thread was busy."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.recording = False
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        if self.recording:
            self.gaps.append(now - self._last)
        self._last = now


class Arrivals:
    """A store listener: when each new order was applied."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def on_changes(self, changes: Any) -> None:
        now = time.perf_counter()
        self.times.extend(now for change in changes if change.kind == "inserted")

    def on_notice(self, notice: Any) -> None:
        pass


def burst(events: int, cards: int, profile: str = "", view: str = "kitchen") -> None:
    import asyncio

    import qasync

    from kiosk.core.clock import SystemClock
    from kiosk.core.connection_status import ConnectionState
    from kiosk.core.session import Session
    from kiosk.ui.kitchen.screen import KitchenScreen
    from kiosk.ui.window import MainWindow

    context = multiprocessing.get_context("spawn")
    port_out, stop = context.Queue(), context.Event()
    server = context.Process(target=serve, args=(events, cards, port_out, stop), daemon=True)
    server.start()
    port = port_out.get(timeout=60)

    app = qt_app()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    config = screen_config(f"http://127.0.0.1:{port}")
    clock = SystemClock()
    session = Session(config, clock=clock, data_dir=Path(tempfile.mkdtemp(prefix="kiosk-burst-")))
    if view == "none":  # the core alone on Qt's loop: what the socket and the store can do
        from PySide6.QtWidgets import QWidget

        class StoreCount:
            def rowCount(self) -> int:  # noqa: N802 - as the Qt model's
                return len(session.store.orders)

        window: Any = QWidget()
        model: Any = StoreCount()
    else:
        window = (
            MainWindow(session, config, clock) if view == "window" else KitchenScreen(session, config, clock)
        )
        model = (window.screen_widget if view == "window" else window).model
    show(window)
    arrivals = Arrivals()
    session.store.subscribe(arrivals)
    heartbeat = Heartbeat()

    async def run() -> None:
        await session.start()
        deadline = time.perf_counter() + 30
        while model.rowCount() < cards or session.status.state is not ConnectionState.LIVE:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the snapshot of {cards} cards did not arrive")
            await asyncio.sleep(0.01)
        heartbeat.recording = True
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        batches = getattr(getattr(session.connector, "intake", None), "batches", None)
        deadline = time.perf_counter() + 600
        while len(arrivals.times) < cards + events or model.rowCount() < cards + events:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"only {len(arrivals.times) - cards} of {events} orders arrived")
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the layout and paint that follow the last insert
        heartbeat.recording = False
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        times = arrivals.times[cards:]
        span = times[-1] - times[0]
        print(
            f"burst of {events} new orders onto {cards} cards ({view}): {events / span:,.0f} events/s "
            f"({span:.2f} s from the first applied to the last); CPU {cpu:.2f} s"
        )
        if batches is not None:
            slices = session.connector.intake.batches - batches
            print(
                f"  applied in {slices} slice(s), {events / max(1, slices):.1f} events per slice on average"
            )
        tenth = max(1, events // 10)
        rates = []
        for start in range(0, events - tenth + 1, tenth):
            chunk = times[start : start + tenth]
            rates.append(f"{(len(chunk) - 1) / max(1e-9, chunk[-1] - chunk[0]):,.0f}")
        print(f"  events/s by tenth of the burst: {' '.join(rates)}")
        gaps_ms = [g * 1000 for g in heartbeat.gaps]
        print(
            f"  GUI heartbeat (5 ms timer) during the burst: p50 {statistics.median(gaps_ms):.1f} ms, "
            f"p99 {percentile(gaps_ms, 99):.1f} ms, max {max(gaps_ms):.1f} ms over {len(gaps_ms)} beats"
        )
        await session.stop()

    try:
        loop.run_until_complete(run())
    finally:
        window.close()
        stop.set()
        server.join(10)


def insert(sizes: list[int], rate: float, count: int, view: str = "kitchen") -> None:
    """CPU per new order, paced, at ``sizes`` cards on screen (store → model → view, no socket)."""
    import asyncio

    import qasync

    app = qt_app()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    for cards in sizes:
        us = _cpu_per_insert(app, loop, cards, rate=rate, count=count, view=view)
        print(
            f"{cards:>5} cards on screen ({view}): CPU per new order (paced at {rate:.0f}/s, n={len(us)}): "
            f"mean {statistics.fmean(us):,.0f} µs, p50 {statistics.median(us):,.0f} µs, "
            f"p99 {percentile(us, 99):,.0f} µs (includes the idle loop's own CPU)"
        )


def _cpu_per_insert(app: Any, loop: Any, cards: int, *, rate: float, count: int, view: str) -> list[float]:
    """Process CPU between consecutive new orders (µs): everything the previous one caused, layout included."""
    import asyncio

    from PySide6.QtCore import QTimer

    from kiosk.core.clock import SystemClock
    from kiosk.core.session import Session
    from kiosk.protocol import Order
    from kiosk.ui.kitchen.screen import KitchenScreen
    from kiosk.ui.window import MainWindow

    config = screen_config("http://127.0.0.1:9")
    clock = SystemClock()
    session = Session(config, clock=clock, data_dir=Path(tempfile.mkdtemp(prefix="kiosk-insert-")))
    session.store.load_snapshot(
        [Order.model_validate(order_dict(i, T0 + timedelta(seconds=i))) for i in range(1, cards + 1)], [], 0
    )
    window: Any = (
        MainWindow(session, config, clock) if view == "window" else KitchenScreen(session, config, clock)
    )
    show(window)
    for _ in range(20):
        app.processEvents()
    next_id = cards + 1
    done = asyncio.Event()
    cpu_each: list[float] = []
    last_cpu = 0.0

    def one() -> None:
        nonlocal next_id, last_cpu
        now_cpu = time.process_time()
        if last_cpu:
            cpu_each.append((now_cpu - last_cpu) * 1e6)
        last_cpu = now_cpu
        if len(cpu_each) >= count:
            done.set()
            return
        oid = next_id
        next_id += 1
        session.connector._on_live_event(created_envelope(oid, oid, T0 + timedelta(seconds=oid)))

    timer = QTimer()
    timer.setInterval(round(1000 / rate))
    timer.timeout.connect(one)
    timer.start()
    loop.run_until_complete(done.wait())
    timer.stop()
    window.close()
    window.deleteLater()
    for _ in range(5):
        app.processEvents()
    return cpu_each


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=("burst", "insert"))
    parser.add_argument("--events", type=int, default=20000, help="burst: new orders sent")
    parser.add_argument("--cards", default="0", help="cards on screen first (insert: comma-separated sizes)")
    parser.add_argument("--rate", type=float, default=50.0, help="insert: new orders per second")
    parser.add_argument("--count", type=int, default=200, help="insert: orders measured per size")
    parser.add_argument(
        "--view",
        choices=("kitchen", "window", "none"),
        default="kitchen",
        help="kitchen: the KitchenScreen alone (grid, model, all-day panel); window: the whole MainWindow (toasts too)",
    )
    parser.add_argument("--profile", default="", help="burst: write cProfile stats of the burst to this file")
    parser.add_argument("--log-level", default="WARNING", help="the kiosk's log on stderr (INFO: every step)")
    args = parser.parse_args()
    logging.basicConfig(
        level=args.log_level, format="%(relativeCreated)7.0f %(name)s %(levelname)s %(message)s"
    )
    use_offscreen()
    if args.what == "burst":
        burst(args.events, int(args.cards), args.profile, args.view)
    else:
        insert([int(size) for size in args.cards.split(",")], args.rate, args.count, args.view)


if __name__ == "__main__":
    main()
