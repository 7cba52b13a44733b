"""End to end: POST /api/orders → the card painted on a running kitchen display.

    python bench/ui_e2e.py [--rate 10] [--count 200]

A real server (subprocess, SQLite file), the real kiosk core (Socket.IO,
store) and the real kitchen window (offscreen) in this process.  A thread
posts orders at a fixed rate (open loop: the schedule does not wait for the
screen); the clock starts just before each POST and stops when the grid's
viewport has finished a paint with that order's card in view.  The grid
follows the newest card (scrolls to the bottom) so every new card is painted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ui_render import PaintProbe, summary  # noqa: E402

WARMUP = 10


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=10.0, help="orders per second")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--idle-time", default="0", help="QT_QPA_UPDATE_IDLE_TIME in ms (Qt's default is 5)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_QPA_UPDATE_IDLE_TIME"] = args.idle_time

    import qasync
    from PySide6.QtWidgets import QApplication

    from kiosk.core.clock import SystemClock
    from kiosk.core.config import load_config
    from kiosk.core.connection_status import ConnectionState
    from kiosk.core.session import Session
    from kiosk.ui.window import MainWindow
    from tests.support.server_process import ServerProcess, order_body

    workdir = Path(tempfile.mkdtemp(prefix="kiosk-e2e-"))
    os.environ["KIOSK_DATA_DIR"] = str(workdir / "data")
    server = ServerProcess(workdir / "e2e.db", log_path=workdir / "server.log")
    server.start()
    token = server.add_device("e2e-display", ["display"])
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    config = load_config(
        path=workdir / "none.toml",
        env={},
        overrides={"server_url": server.url, "room": "display", "token": token, "sound": False},
    )
    sent: dict[str, float] = {}
    latencies: list[float] = []
    pending: dict[Any, str] = {}  # order id -> customer name, inserted but not yet seen painted
    arrived: dict[Any, float] = {}  # order id -> when its row reached the model
    to_model: list[float] = []
    model_to_paint: list[float] = []

    async def run() -> None:
        session = Session(config, clock=SystemClock(), data_dir=workdir / "data")
        window = MainWindow(session, config, SystemClock())
        window.resize(1280, 800)
        window.show()
        screen: Any = window.screen_widget
        grid = screen.grid
        model = screen.model
        probe = PaintProbe(grid)
        original_filter = probe._filter.eventFilter

        def on_inserted(_parent: Any, first: int, last: int) -> None:
            for row in range(first, last + 1):
                order = model.order_at(row)
                pending[order.id] = order.customer_name
                arrived[order.id] = time.perf_counter()
            grid.scrollToBottom()

        def after_paint(watched: Any, event: Any) -> bool:
            handled = original_filter(watched, event)
            if handled and pending:
                viewport = grid.viewport().rect()
                for key, name in list(pending.items()):
                    row = model.row_of(key)
                    if row is None:
                        del pending[key]
                        continue
                    if grid.visualRect(model.index(row)).intersects(viewport) and name in sent:
                        latencies.append(probe.painted_at - sent[name])
                        to_model.append(arrived[key] - sent[name])
                        model_to_paint.append(probe.painted_at - arrived[key])
                        del pending[key]
                if pending:  # batched layout had not reached the bottom yet: follow it
                    grid.scrollToBottom()
            return handled

        probe._filter.eventFilter = after_paint  # type: ignore[method-assign]
        model.rowsInserted.connect(on_inserted)
        await session.start()
        live = asyncio.Event()
        session.subscribe_status(lambda status: live.set() if status.state is ConnectionState.LIVE else None)
        await asyncio.wait_for(live.wait(), timeout=30)

        def post_orders() -> None:
            interval = 1.0 / args.rate
            start = time.perf_counter()
            for i in range(args.count + WARMUP):
                due = start + i * interval
                time.sleep(max(0.0, due - time.perf_counter()))  # pacing the load generator
                name = f"E2E {i:04d}"
                sent[name] = time.perf_counter()
                response = server.request(
                    "POST", "/api/orders", json=order_body(1 + i % 3, customer_name=name)
                )
                response.raise_for_status()

        poster = threading.Thread(target=post_orders, daemon=True)
        poster.start()
        deadline = time.monotonic() + args.count / args.rate + 30
        while (poster.is_alive() or pending) and time.monotonic() < deadline:  # noqa: ASYNC110 - a thread and paints
            await asyncio.sleep(0.05)
        await session.stop()
        window.close()

    try:
        loop.run_until_complete(run())
    finally:
        server.stop()
    measured = latencies[WARMUP:]
    print(f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}  QT_QPA_UPDATE_IDLE_TIME={args.idle_time}")
    print(summary(f"POST → card painted @ {args.rate:g}/s", measured))
    print(summary("  of which POST → row in the model", to_model[WARMUP:]))
    print(summary("  of which row in the model → painted", model_to_paint[WARMUP:]))
    if len(measured) < args.count:
        print(f"warning: only {len(measured)} of {args.count} orders were seen painted")


if __name__ == "__main__":
    main()
