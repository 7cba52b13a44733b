"""The child side of the layout matrix: one real screen under a real X server and window manager.

Run as ``python -c "from tests.ui.layout_probe import main; main()" PLAN_JSON`` with DISPLAY
set and QT_QPA_PLATFORM=xcb (a QApplication's platform is fixed per process).  It builds
the screen the way kiosk/ui/app.py does (Session, MainWindow, set_fullscreen(True)),
waits until the session is live and the data is on screen, stresses the header with a
long connection detail, then prints the global geometry of every top-level window and
every visible widget as one JSON line after ``MARKER`` and saves a screenshot.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

MARKER = "LAYOUT-JSON "
DEADLINE_S = 40.0
LONG_DETAIL = (
    "Cannot connect to host kiosk-server.foodcourt-lantai-3.example.co.id:5000 ssl:default "
    "[Connect call failed ('10.20.30.40', 5000)] after 7 attempts; the last error was "
    "ServerDisconnectedError: Server disconnected while reading the response headers"
)


async def wait_for(what: str, condition: Callable[[], bool], deadline: float) -> None:
    """Poll ``condition`` on the running loop until true; fail with ``what`` at the deadline."""
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)  # lets Qt and the session run; bounded by the deadline


def rect_of(widget: Any) -> list[int]:
    from PySide6.QtCore import QPoint

    top_left = widget.mapToGlobal(QPoint(0, 0))
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def describe(widget: Any) -> dict[str, Any]:
    """Class, name, a bit of text, the global rect, and the rect clipped to a scroll area's viewport."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractScrollArea

    rect = rect_of(widget)
    visible = QRect(*rect)
    clipped_by = ""
    ancestor = widget.parentWidget()
    while ancestor is not None:
        area = ancestor.parentWidget()
        if isinstance(area, QAbstractScrollArea) and ancestor is area.viewport():
            port = QRect(ancestor.mapToGlobal(QPoint(0, 0)), ancestor.size())
            visible = visible.intersected(port)
            clipped_by = area.objectName() or type(area).__name__
        ancestor = ancestor.parentWidget()
    text = widget.text() if callable(getattr(widget, "text", None)) else ""
    return {
        "class": type(widget).__name__,
        "name": widget.objectName(),
        "text": text[:60] if isinstance(text, str) else "",
        "rect": rect,
        "shown": [visible.x(), visible.y(), visible.width(), visible.height()],
        "in_scroll_area": clipped_by,
        "unclipped": _inside_ancestors(widget),
        # what an eliding label paints ("9 pesan…"), to check the texts people read stay whole
        "painted": widget.shown_text() if callable(getattr(widget, "shown_text", None)) else None,
        "full_text": text if isinstance(text, str) else "",
    }


def _inside_ancestors(widget: Any) -> bool:
    """True when no ancestor cuts the widget off (it is seen whole)."""
    from PySide6.QtCore import QPoint, QRect

    rect = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if not QRect(ancestor.mapToGlobal(QPoint(0, 0)), ancestor.size()).contains(rect):
            return False
        ancestor = ancestor.parentWidget()
    return True


def collect(window: Any) -> dict[str, Any]:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QWidget

    screen = QGuiApplication.primaryScreen()
    geometry = screen.geometry()
    tops = [
        {
            "class": type(top).__name__,
            "name": top.objectName(),
            "frame": [top.frameGeometry().x(), top.frameGeometry().y(), top.frameGeometry().width(),
                      top.frameGeometry().height()],
            "geometry": [top.geometry().x(), top.geometry().y(), top.width(), top.height()],
            "minimum_size_hint": [top.minimumSizeHint().width(), top.minimumSizeHint().height()],
            "fullscreen": top.isFullScreen(),
        }
        for top in QApplication.topLevelWidgets()
        if top.isVisible()
    ]  # fmt: skip
    widgets = [describe(w) for w in window.findChildren(QWidget) if w.isVisible()]
    return {
        "screen": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "top_levels": tops,
        "widgets": widgets,
        "badge_tooltip": window.header.badge.toolTip() if hasattr(window, "header") else "",
    }


async def probe_pairing(plan: dict[str, Any]) -> dict[str, Any]:
    """The pairing screen, fullscreen, with a real code from the real server and a long status line."""
    from PySide6.QtGui import QGuiApplication

    from kiosk.core.backoff import Backoff
    from kiosk.core.config import load_config
    from kiosk.core.pairing_client import PairingClient
    from kiosk.ui.pairing_screen import PairingScreen

    deadline = time.monotonic() + DEADLINE_S
    config = load_config(
        path=Path(plan["tmp"]) / "absent.toml",
        env={},
        overrides={"server_url": plan["server"], "language": plan["lang"], "fullscreen": True},
    )
    screen = PairingScreen(config.server_url)
    screen.showFullScreen()
    client = PairingClient(config, Path(plan["tmp"]) / "kiosk.toml", screen.show_view, Backoff())
    task = asyncio.get_running_loop().create_task(client.run())
    try:
        await wait_for(
            "a pairing code", lambda: screen.view is not None and screen.view.code is not None, deadline
        )
        screen.status.show_status(LONG_DETAIL, error=True)  # the longest line it may have to show
        await settle(screen, deadline)
        result = collect(screen)
        result["code_pixels"] = screen.code.font().pixelSize()
        shot = QGuiApplication.primaryScreen().grabWindow(0).toImage()
        result["screenshot_saved"] = bool(shot.save(plan["screenshot"]))
        return result
    finally:
        task.cancel()
        screen.close()


async def probe(plan: dict[str, Any]) -> dict[str, Any]:
    from PySide6.QtGui import QGuiApplication

    from kiosk.core.clock import SystemClock
    from kiosk.core.config import load_config
    from kiosk.core.connection_status import ConnectionState, ConnectionStatus
    from kiosk.core.session import Session
    from kiosk.ui.window import MainWindow

    deadline = time.monotonic() + DEADLINE_S
    config = load_config(
        path=Path(plan["tmp"]) / "absent.toml",
        env={},
        overrides={
            "server_url": plan["server"],
            "room": plan["room"],
            "token": plan["token"],
            "fullscreen": True,
            "sound": False,
            "language": plan["lang"],
        },
    )
    clock = SystemClock()
    session = Session(config, clock=clock, data_dir=Path(plan["tmp"]) / "data")
    window = MainWindow(session, config, clock)
    window.set_fullscreen(True)
    await session.start()
    try:
        screen_widget: Any = window.screen_widget
        await wait_for(
            "the session to be live", lambda: session.status.state is ConnectionState.LIVE, deadline
        )
        rows = plan["rows"]

        def shown() -> int:
            model = getattr(screen_widget, "model", None)  # the board has no list model: its open count
            return int(model.rowCount() if model is not None else screen_widget.open_count())

        await wait_for(f"{rows} rows on screen", lambda: shown() >= rows, deadline)
        for method, path, body in plan["after_live"]:  # things that arrive while the screen is live
            call = functools.partial(
                requests.request, method, plan["server"] + path, json=body, timeout=10,
                headers={"Authorization": f"Bearer {plan['admin']}"},
            )  # fmt: skip
            response = await asyncio.get_running_loop().run_in_executor(None, call)
            response.raise_for_status()
        final_rows = plan["final_rows"]
        await wait_for(
            f"{final_rows} rows and a banner",
            lambda: (
                shown() >= final_rows
                and (bool(window.banners.banners()) or not window.screen_widget.for_staff())
            ),
            deadline,
        )
        if plan["room"].startswith("kasir"):
            wanted = plan["receipt_lines"]
            await wait_for(
                f"a receipt of {wanted} lines",
                lambda: (r := screen_widget.receipt_view.receipt) is not None and len(r.lines) == wanted,
                deadline,
            )
        now = clock.now()
        window.header.set_status(
            ConnectionStatus(ConnectionState.OFFLINE, attempt=7, offline_since=now - timedelta(minutes=3),
                             detail=LONG_DETAIL)
        )  # fmt: skip
        await settle(window, deadline)
        result = collect(window)
        shot = QGuiApplication.primaryScreen().grabWindow(0).toImage()
        result["screenshot_saved"] = bool(shot.save(plan["screenshot"]))
        return result
    finally:
        await session.stop()
        window.close()


async def settle(window: Any, deadline: float) -> None:
    """Until the window is exposed and its geometry has stopped changing (the WM has placed it)."""
    last: tuple[int, int, int, int] | None = None
    steady = 0
    while steady < 6:
        handle = window.windowHandle()
        geometry = window.frameGeometry()
        now = (geometry.x(), geometry.y(), geometry.width(), geometry.height())
        exposed = handle is not None and handle.isExposed()
        steady = steady + 1 if exposed and now == last else 0
        last = now
        if time.monotonic() > deadline:
            raise TimeoutError(f"the window never settled (last geometry {now}, exposed {exposed})")
        await asyncio.sleep(0.05)  # a polled condition, bounded by the deadline


def main() -> None:
    import qasync

    from kiosk.ui.app import install_language, make_application

    plan = json.loads(sys.argv[1])
    app = make_application(offscreen=False)
    install_language(app, plan["lang"])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        result = loop.run_until_complete(probe_pairing(plan) if plan["room"] == "pairing" else probe(plan))
    finally:
        loop.close()
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()
