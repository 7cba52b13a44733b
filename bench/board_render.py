"""Pick-up board rendering: event → painted, with 300 numbers on the board.

Run by hand (offscreen, this machine):

    python bench/board_render.py                 # 300 numbers, 1366x768, 220 events of each kind
    python bench/board_render.py --numbers 600 --size 1920x1080

The real path is measured, as in bench/ui_render.py: a board-view envelope
(what the server sends the ``board`` room: kiosk/protocol/board.py) goes
through the core's Store (parsing, versioning, dedup), the Store's Changes
through the BoardScreen into both column grids, and the time stops when both
grids have finished painting (an order turning ready leaves Preparing and
lands first in Ready, highlighted).  The window is the real MainWindow on a
FakeClock that never moves, so the highlight's flash timer repaints nothing
between events and every paint counted is the event's; sound is off (the
window's SoundBoard would only start a chime on the audio backend); the
app's theme is applied, since the tiles' text is most of what is painted.
``QT_QPA_UPDATE_IDLE_TIME`` is 0 unless --idle-time says otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _qt_setup import ROOT, T0, StoreOnlySession, qt_app, use_offscreen
from _stats import percentile
from ui_render import Envelopes, pump_until, settle

sys.path.insert(0, str(ROOT))

SAMPLES = 220
NAMES = ["Budi", "Sari", "Ketut", "Putu", "Agus", "Rina", "Wayan", "Dewi"]


def summary(name: str, values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return (
        f"{name:<36} n={len(ms):>4}  p50 {statistics.median(ms):7.2f} ms  "
        f"p99 {percentile(ms, 99):7.2f} ms  max {max(ms):7.2f} ms"
    )


def board_view(
    oid: int, status: str = "preparing", version: int = 1, ready_at: datetime | None = None
) -> dict[str, Any]:
    """What the server sends the board room for an order (kiosk/protocol/board.py's fields only)."""
    created = (T0 + timedelta(seconds=oid)).isoformat()
    if status == "ready" and ready_at is None:
        ready_at = T0 + timedelta(seconds=oid)
    return {
        "id": oid,
        "order_number": f"T{1 + oid % 3}-{oid:03d}",
        "tenant_id": 1 + oid % 3,
        "status": status,
        "version": version,
        "customer_name": NAMES[oid % len(NAMES)],
        "created_at": created,
        "updated_at": created,
        "ready_at": ready_at.isoformat() if ready_at is not None else None,
    }


class PaintProbe:
    """Runs each grid's paint inside an event filter to time its end (the grids are plain widgets)."""

    def __init__(self, grids: list[Any]) -> None:
        from PySide6.QtCore import QEvent, QObject

        probe = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802
                if event.type() == QEvent.Type.Paint:
                    watched.event(event)
                    probe.painted_at = time.perf_counter()
                    probe.paints[watched] = probe.paints.get(watched, 0) + 1
                    return True
                return False

        self.painted_at = 0.0
        self.paints: dict[Any, int] = {}
        self._filter = Filter()
        for grid in grids:
            grid.installEventFilter(self._filter)

    def count(self, grid: Any) -> int:
        return self.paints.get(grid, 0)


def build(numbers: int, size: tuple[int, int]) -> tuple[Any, Any, Any, Envelopes]:
    """A real Store with ``numbers`` open orders (5 in 6 preparing), behind a real MainWindow (offscreen)."""
    from kiosk.core.clock import FakeClock
    from kiosk.core.config import load_config
    from kiosk.core.store import Store
    from kiosk.protocol import Order
    from kiosk.ui.window import MainWindow

    store = Store()
    ready_from = numbers * 5 // 6
    orders = [
        Order.model_validate(board_view(oid, "ready" if n >= ready_from else "preparing"))
        for n, oid in enumerate(range(1, numbers + 1))
    ]
    store.load_snapshot(orders, [], 0)

    config = load_config(
        path=ROOT / "no-such.toml",
        env={},
        overrides={"server_url": "http://127.0.0.1:9", "room": "board", "token": "bench", "sound": False},
    )
    window = MainWindow(StoreOnlySession(store), config, FakeClock())  # type: ignore[arg-type]
    window.resize(*size)
    window.show()
    return window, window.screen_widget, store, Envelopes()


def measure(numbers: int, size: tuple[int, int]) -> None:
    app = qt_app()
    window, screen, store, envelopes = build(numbers, size)
    grids = [screen.preparing, screen.ready]
    probe = PaintProbe(grids)
    settle(app)
    pump_until(app, lambda: all(probe.count(grid) > 0 for grid in grids))

    def timed(kind: str, data: dict[str, Any], changed: list[Any]) -> float:
        """From the envelope to the end of the last paint of the grids it changes."""
        settle(app)
        before = [probe.count(grid) for grid in changed]
        started = time.perf_counter()
        store.apply_envelope(envelopes.make(kind, data))
        pump_until(app, lambda: all(probe.count(g) > b for g, b in zip(changed, before, strict=True)))
        return probe.painted_at - started

    preparing = sorted(oid for oid, order in store.orders.items() if order.status.value == "preparing")
    ready: list[float] = []
    created: list[float] = []
    completed: list[float] = []
    next_id = numbers + 1
    for _ in range(SAMPLES):
        # the newest preparing number turns ready: the customer's moment (both columns change)
        oid = preparing.pop()
        # ... now, so it lands first in Ready, where the new face is rendered
        turned = board_view(oid, "ready", 2, ready_at=datetime.now(UTC))
        ready.append(timed("order_status_changed", turned, grids))
        # a new order comes in (Preparing), and the oldest ready one is picked up: 300 stay on the board
        created.append(timed("order_created", board_view(next_id), [screen.preparing]))
        preparing.append(next_id)
        next_id += 1
        oldest_ready = min(o for o, order in store.orders.items() if order.status.value == "ready")
        completed.append(
            timed("order_status_changed", board_view(oldest_ready, "completed", 3), [screen.ready])
        )
    shown = (len(screen.preparing.visible_tiles()), len(screen.ready.visible_tiles()))
    print(
        f"--- {numbers} numbers at {size[0]}x{size[1]}: {shown[0]} + {shown[1]} tiles in view, "
        f"+{screen.preparing.more_count()} / +{screen.ready.more_count()} more"
    )
    print(summary("turns ready (chime off) → painted", ready))
    print(summary("new order → painted", created))
    print(summary("completed (leaves) → painted", completed))
    faces = screen.preparing.tile_faces_rendered() + screen.ready.tile_faces_rendered()
    print(f"tile faces rendered (the rest were cached pixmaps): {faces}")
    window.close()
    window.deleteLater()
    settle(app)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=300)
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--idle-time", default="0", help="QT_QPA_UPDATE_IDLE_TIME in ms (Qt's default is 5)")
    args = parser.parse_args()
    use_offscreen()
    os.environ["QT_QPA_UPDATE_IDLE_TIME"] = args.idle_time
    width, height = (int(part) for part in args.size.split("x"))
    import asyncio

    import qasync

    from kiosk.ui.theme import apply_theme

    app = qt_app()
    apply_theme(app)  # the board paints in the kiosk's font (DejaVu), as on a real screen
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    print(
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}  "
        f"QT_QPA_UPDATE_IDLE_TIME={os.environ.get('QT_QPA_UPDATE_IDLE_TIME')}"
    )
    measure(args.numbers, (width, height))


if __name__ == "__main__":
    main()
