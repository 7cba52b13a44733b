"""Kitchen display rendering: event → painted card, the 1 s tick, start-up, memory.

Run by hand (offscreen, this machine):

    python bench/ui_render.py latency          # insert / status change / bump at 50, 500, 2000 cards; tick at 500
    python bench/ui_render.py startup --cards 2000   # process start → first painted frame, RSS
    python bench/ui_render.py all              # everything above, start-up and RSS in fresh processes

The real path is measured: an event envelope goes through the core's Store
(parsing, versioning, dedup), the store's Changes through OrderListModel into
the card grid, and the time stops when the grid's viewport has finished
painting.  Inserts land at the top of the grid (an order older than all the
others, e.g. from a catch-up) so the new card is always in view: the worst
case for the view, which shifts every visible card.  The bump is a key press
on the real grid through a session whose bump is the core's optimistic
``store.set_local`` (the REST call that follows is off the GUI thread and not
part of the frame).  ``QT_QPA_UPDATE_IDLE_TIME`` is 0 unless --idle-time says
otherwise (Qt's default is 5 ms).

The cards are kitchen-deep (``deep_order``): lines of the grill, of drinks
and of no station, allergens on some, lines started, done and voided, add-on
lines, one order in seven a rush.  Inserted orders are rushes, so they land at
the top of a grid whose first pages are rush cards.  "line status → painted"
is an ``order:item_status_changed`` event for a card in view.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from _qt_setup import ROOT, T0, StoreOnlySession, order_dict, qt_app, screen_config, show, use_offscreen
from _stats import percentile

T_SCRIPT = time.perf_counter()
sys.path.insert(0, str(ROOT))

SAMPLES = 200
STATIONS = ("grill", "drinks", None)
LINE_STATES = ("pending", "started", "done", "pending", "voided")


def deep_order(
    oid: int, created: datetime, status: str = "pending", version: int = 1, *, rush: bool | None = None
) -> dict[str, Any]:
    """``order_dict`` with the kitchen's depth: stations, allergens, line states, add-ons, rush."""
    order = order_dict(oid, created, status, version)
    for k, item in enumerate(order["items"], start=1):
        state = LINE_STATES[(oid + k) % len(LINE_STATES)]
        item.update(id=k, station=STATIONS[(oid + k) % 3], status=state)
        if (oid + k) % 4 == 0:
            item["allergens"] = ["peanut", "gluten"] if k % 2 else ["shrimp"]
        if state == "voided":
            item["void_reason"] = "stok habis"
        if k > 1 and oid % 5 == 0:
            item["added_at"] = created.isoformat()
    order["priority"] = "rush" if (oid % 7 == 0 if rush is None else rush) else "normal"
    return order


def summary(name: str, values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return (
        f"{name:<34} n={len(ms):>4}  p50 {statistics.median(ms):7.2f} ms  "
        f"p99 {percentile(ms, 99):7.2f} ms  max {max(ms):7.2f} ms"
    )


class Envelopes:
    def __init__(self) -> None:
        self.seq = 0

    def make(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        return {
            "event_id": uuid.uuid4().hex,
            "seq": self.seq,
            "type": kind,
            "timestamp": datetime.now(UTC).isoformat(),
            "data": data,
        }


class PaintProbe:
    """Runs the viewport's paint inside an event filter to time its end."""

    def __init__(self, grid: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        probe = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802
                if event.type() == QEvent.Type.Paint:
                    grid.viewportEvent(event)
                    probe.painted_at = time.perf_counter()
                    probe.paints += 1
                    return True
                return False

        self.painted_at = 0.0
        self.paints = 0
        self._filter = Filter()
        grid.viewport().installEventFilter(self._filter)


def build(cards: int) -> tuple[Any, Any, Any, Any, Envelopes]:
    """A real Store with ``cards`` open orders, behind a real MainWindow (offscreen)."""
    from kiosk.core.actions import ActionOutcome
    from kiosk.core.clock import SystemClock
    from kiosk.core.store import Store
    from kiosk.protocol import Order, bump_target
    from kiosk.ui.window import MainWindow

    store = Store()
    store.load_snapshot(
        [
            Order.model_validate(deep_order(i, T0 + timedelta(seconds=i)))
            for i in range(100_000, 100_000 + cards)
        ],
        [],
        0,
    )

    class BenchSession(StoreOnlySession):
        """The Session surface the screens use; bump is the core's optimistic step only."""

        async def bump(self, order_id: Any) -> ActionOutcome:
            order = store.orders[order_id]
            target = bump_target(order.status)
            assert target is not None
            store.set_local(order.model_copy(update={"status": target}))
            return ActionOutcome(order_id, ok=True)

        async def recall(self) -> ActionOutcome:
            return ActionOutcome("", ok=False, reason="bench")

    config = screen_config("http://127.0.0.1:9", token="x")
    window = MainWindow(BenchSession(store), config, SystemClock())  # type: ignore[arg-type]
    show(window)
    return window, window.screen_widget, store, config, Envelopes()


def pump_until(app: Any, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("no paint within the deadline")
        app.processEvents()


def settle(app: Any) -> None:
    for _ in range(5):
        app.processEvents()


def latency(sizes: list[int]) -> None:
    import asyncio

    import qasync

    app = qt_app()
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    print(
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}  QT_QPA_UPDATE_IDLE_TIME={os.environ.get('QT_QPA_UPDATE_IDLE_TIME')}"
    )
    for cards in sizes:
        measure(app, cards)


def measure(app: Any, cards: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window, screen, store, _config, envelopes = build(cards)
    probe = PaintProbe(screen.grid)
    settle(app)
    pump_until(app, lambda: probe.paints > 0)
    inserts: list[float] = []
    statuses: list[float] = []
    bumps: list[float] = []
    next_id = 1
    older = T0 - timedelta(hours=1)

    def insert_at_top() -> int:
        nonlocal next_id, older
        oid = next_id
        next_id += 1
        older -= timedelta(seconds=1)
        store.apply_envelope(envelopes.make("order_created", deep_order(oid, older, rush=True)))
        return oid

    for _ in range(SAMPLES):
        before = probe.paints
        started = time.perf_counter()
        insert_at_top()
        pump_until(app, lambda: probe.paints > before)  # noqa: B023 - used at once
        inserts.append(probe.painted_at - started)
        settle(app)
    for _ in range(SAMPLES):
        oid = insert_at_top()
        settle(app)
        before = probe.paints
        started = time.perf_counter()
        store.apply_envelope(
            envelopes.make(
                "order_status_changed",
                deep_order(oid, store.orders[oid].created_at, "preparing", 2, rush=True),
            )
        )  # type: ignore[arg-type]
        pump_until(app, lambda: probe.paints > before)  # noqa: B023 - used at once
        statuses.append(probe.painted_at - started)
        settle(app)
    lines: list[float] = []
    for _ in range(SAMPLES):
        oid = insert_at_top()
        settle(app)
        changed = deep_order(oid, store.orders[oid].created_at, "preparing", 2, rush=True)
        changed["items"][0].update(status="done" if changed["items"][0]["status"] != "done" else "pending")
        before = probe.paints
        started = time.perf_counter()
        store.apply_envelope(envelopes.make("order_item_status_changed", changed))  # type: ignore[arg-type]
        pump_until(app, lambda: probe.paints > before)  # noqa: B023 - used at once
        lines.append(probe.painted_at - started)
        settle(app)
    screen.grid.setFocus()
    for _ in range(SAMPLES):
        insert_at_top()
        settle(app)
        QTest.keyClick(screen.grid, Qt.Key.Key_1)
        settle(app)
        before = probe.paints
        started = time.perf_counter()
        QTest.keyClick(screen.grid, Qt.Key.Key_Return)
        pump_until(app, lambda: probe.paints > before)  # noqa: B023 - used at once
        bumps.append(probe.painted_at - started)
        settle(app)
    print(f"--- {cards} cards (+{4 * SAMPLES} added during the run)")
    print(summary("new card (insert at top) → painted", inserts))
    print(summary("status change → painted", statuses))
    print(summary("line status → painted", lines))
    print(summary("bump key → optimistic card painted", bumps))
    if cards == 500:
        ticks: list[float] = []
        cpu_start = time.process_time()
        wall_start = time.perf_counter()
        for _ in range(SAMPLES):
            before = probe.paints
            started = time.perf_counter()
            screen.tick()
            window.tick()
            pump_until(app, lambda: probe.paints > before)  # noqa: B023 - used at once
            ticks.append(probe.painted_at - started)
        cpu = time.process_time() - cpu_start
        print(summary("1 s tick (expire + repaint view)", ticks))
        print(f"{'tick CPU per second of wall time':<34} {100 * cpu / SAMPLES:.2f} % (one tick a second)")
        del wall_start
    window.close()
    window.deleteLater()
    settle(app)


def startup(cards: int) -> None:
    """From process start to the first painted frame with ``cards`` orders in the store; then RSS."""
    import psutil
    from PySide6.QtWidgets import QApplication  # its import is part of the start-up measured

    t_imports = time.perf_counter()
    app = QApplication.instance() or QApplication([])
    window, screen, _store, _config, _envelopes = build(cards)
    probe = PaintProbe(screen.grid)
    pump_until(app, lambda: probe.paints > 0, timeout=30)
    first_frame = probe.painted_at
    process = psutil.Process()
    print(
        f"start-up {cards} cards: script start → first frame {1000 * (first_frame - T_SCRIPT):.0f} ms "
        f"(of which imports {1000 * (t_imports - T_SCRIPT):.0f} ms; the interpreter's own start comes on top, "
        f"see bench/ui_startup.py); RSS {process.memory_info().rss / 2**20:.0f} MiB (no sound board)"
    )
    window.close()


def in_fresh_process(*args: str) -> Iterator[str]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, env=os.environ
    )
    yield from (line for line in done.stdout.splitlines() if line.strip())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=("latency", "startup", "all"))
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--idle-time", default="0", help="QT_QPA_UPDATE_IDLE_TIME in ms (Qt's default is 5)")
    args = parser.parse_args()
    use_offscreen()
    os.environ["QT_QPA_UPDATE_IDLE_TIME"] = args.idle_time
    if args.what == "startup":
        startup(args.cards)
    elif args.what == "latency":
        latency([int(size) for size in args.sizes.split(",")])
    else:
        for cards in (500, 2000):
            for line in in_fresh_process("startup", "--cards", str(cards), "--idle-time", args.idle_time):
                print(line)
        latency([int(size) for size in args.sizes.split(",")])


if __name__ == "__main__":
    main()
