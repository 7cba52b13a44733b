"""Text from the wire is shown as text: markup in a customer name or an alert is never rendered.

Real events from the real server, as a hostile kasir or admin token could send them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock, SystemClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import Severity
from kiosk.ui.window import MainWindow, shorten
from tests.support.server_process import ServerProcess

WAIT_MS = 10_000
MARKUP = "<font size=7 color=red>KITCHEN CLOSED</font><img src=/etc/passwd>"


def test_a_customer_name_with_markup_is_shown_literally_in_its_toast(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    window = MainWindow(live_session, display_config, SystemClock())
    qtbot.addWidget(window)
    server.create_order(customer_name=MARKUP)
    qtbot.waitUntil(lambda: len(window.toasts.toasts()) == 1, timeout=WAIT_MS)
    toast = window.toasts.toasts()[0]
    assert toast.textFormat() == Qt.TextFormat.PlainText
    assert shorten(MARKUP) in toast.text()  # a toast shortens names (the card shows them whole) ...
    assert shorten(MARKUP).startswith("<font size=7 color=red>")  # ... but never interprets them


def test_an_alert_with_markup_is_shown_literally_and_repeats_coalesce(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    clock = FakeClock(start=SystemClock().now())
    window = MainWindow(live_session, display_config, clock)
    qtbot.addWidget(window)
    for _ in range(3):
        response = server.request("POST", "/api/alerts", json={"severity": "warning", "message": MARKUP})
        assert response.status_code in (200, 201), response.text
    response = server.request("POST", "/api/alerts", json={"severity": "info", "message": "Menu updated"})
    assert response.status_code in (200, 201), response.text
    qtbot.waitUntil(
        lambda: [b.text() for b in window.banners.banners()] == [f"{MARKUP}  ×3", "Menu updated"],
        timeout=WAIT_MS,
    )
    warning = window.banners.banners()[0]
    assert warning.severity is Severity.WARNING and warning.repeats == 3
    assert warning.label.textFormat() == Qt.TextFormat.PlainText
