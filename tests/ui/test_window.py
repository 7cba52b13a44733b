"""The main window's shared parts: connection badge, toasts, banners, hidden cursor, F11."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock, SystemClock
from kiosk.core.config import Config
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.session import Session
from kiosk.protocol import Severity
from kiosk.ui.widgets.connection_badge import badge_text
from kiosk.ui.widgets.toasts import TOAST_S, Toast
from kiosk.ui.window import MainWindow
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config

WAIT_MS = 10_000
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def local_hhmm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def test_badge_text_for_each_connection_state() -> None:
    assert badge_text(ConnectionStatus(ConnectionState.LIVE), NOON) == "Live"
    assert badge_text(ConnectionStatus(ConnectionState.CONNECTING), NOON) == "Connecting…"
    waiting = ConnectionStatus(
        ConnectionState.RECONNECTING,
        attempt=3,
        next_attempt_at=NOON + timedelta(seconds=3.2),
        offline_since=NOON,
    )
    assert badge_text(waiting, NOON) == f"Reconnecting in 4 s · Offline since {local_hhmm(NOON)}"
    assert badge_text(waiting, NOON + timedelta(seconds=3)).startswith("Reconnecting in 1 s")
    assert badge_text(waiting, NOON + timedelta(seconds=4)).startswith("Reconnecting…")
    refused = ConnectionStatus(
        ConnectionState.OFFLINE, offline_since=NOON, detail="unauthorized: unknown token"
    )
    assert badge_text(refused, NOON) == f"Offline since {local_hhmm(NOON)} — unauthorized: unknown token"


def test_header_badge_follows_the_real_connection(
    qtbot: QtBot, tmp_path: Path, kiosk_data_dir: Path, make_session: Callable[..., Session]
) -> None:
    """Live while the server runs; Reconnecting (with a countdown) once it is killed; Live again after."""
    server = ServerProcess(tmp_path / "badge.db", log_path=tmp_path / "badge.log")
    server.start()
    try:
        config = make_config(server, "display", tmp_path, backoff_initial_s=0.2, backoff_max_s=0.5)
        session = make_session(config)
        window = MainWindow(session, config, SystemClock())
        qtbot.addWidget(window)
        badge = window.header.badge
        qtbot.waitUntil(lambda: badge.text() == "Live", timeout=WAIT_MS)
        assert badge.property("state") == "live"
        server.kill()
        qtbot.waitUntil(lambda: badge.text().startswith("Reconnecting"), timeout=WAIT_MS)
        assert "Offline since" in badge.text()
        assert badge.property("state") == "reconnecting"
        server.start()
        qtbot.waitUntil(lambda: badge.text() == "Live", timeout=WAIT_MS)
    finally:
        server.stop()


def test_a_refused_token_shows_offline_with_the_reason(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    kiosk_data_dir: Path,
    make_session: Callable[..., Session],
) -> None:
    config = make_config(server, "display", tmp_path).replace(token="kd_not-a-real-token")
    window = MainWindow(make_session(config), config, SystemClock())
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "Offline" in window.header.badge.text(), timeout=WAIT_MS)
    assert "token" in window.header.badge.text().lower()


def test_toast_hides_after_its_timeout_and_click_jumps_to_the_card(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    clock = FakeClock(start=SystemClock().now())
    window = MainWindow(live_session, display_config, clock)
    qtbot.addWidget(window)
    window.show()
    first = server.create_order(customer_name="Dewi")
    second = server.create_order(customer_name="Eko")
    qtbot.waitUntil(lambda: len(window.toasts.toasts()) == 2, timeout=WAIT_MS)
    assert window.toasts.toasts()[0].text() == f"New order {first['order_number']} — Dewi"

    clock.advance(TOAST_S - 0.5)
    window.tick()
    assert len(window.toasts.toasts()) == 2  # not yet
    toast = window.toasts.toasts()[1]
    qtbot.mouseClick(toast, Qt.MouseButton.LeftButton)  # jump to Eko's card
    grid = window.screen_widget.grid  # type: ignore[attr-defined]
    selected = grid.currentIndex()
    assert window.screen_widget.model.order_at(selected.row()).id == second["id"]  # type: ignore[attr-defined]
    assert grid.selectionModel().isSelected(selected)
    qtbot.waitUntil(lambda: len(window.toasts.toasts()) == 1, timeout=WAIT_MS)

    clock.advance(0.5)
    window.tick()
    assert window.toasts.toasts() == []
    assert not any(child.isVisible() for child in window.toasts.findChildren(Toast))


def test_banners_by_severity_errors_stay_until_dismissed(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    clock = FakeClock(start=SystemClock().now())
    window = MainWindow(live_session, display_config, clock)
    qtbot.addWidget(window)
    for severity, message in (("info", "Menu updated"), ("error", "Printer at counter 2 is offline")):
        response = server.request("POST", "/api/alerts", json={"severity": severity, "message": message})
        assert response.status_code in (200, 201), response.text
    qtbot.waitUntil(lambda: len(window.banners.banners()) == 2, timeout=WAIT_MS)
    info, error = window.banners.banners()
    assert (info.severity, info.text()) == (Severity.INFO, "Menu updated")
    assert (error.severity, error.text()) == (Severity.ERROR, "Printer at counter 2 is offline")
    clock.advance(3600)
    window.tick()
    assert window.banners.banners() == [error]  # info faded, the error stays
    qtbot.mouseClick(error.close_button, Qt.MouseButton.LeftButton)
    assert window.banners.banners() == []


def test_hidden_cursor_and_f11_fullscreen(
    qtbot: QtBot, live_session: Session, display_config: Config
) -> None:
    from PySide6.QtGui import QGuiApplication

    config = display_config.replace(hide_cursor=True)
    window = MainWindow(live_session, config, SystemClock())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    cursor = QGuiApplication.overrideCursor()
    assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert not window.isFullScreen()
    window.close()
    assert QGuiApplication.overrideCursor() is None


def test_switching_language_retranslates_the_window_and_the_cards(
    qtbot: QtBot, qapp: Any, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    from kiosk.ui.i18n import install_translator

    created = server.create_order()
    window = MainWindow(live_session, display_config, SystemClock())
    qtbot.addWidget(window)
    screen: Any = window.screen_widget
    qtbot.waitUntil(lambda: screen.card_text(created["id"]) is not None, timeout=WAIT_MS)
    assert window.header.count_label.text() == "1 open order(s)"
    try:
        install_translator(qapp, "id")
        qtbot.waitUntil(lambda: window.header.count_label.text() == "1 pesanan terbuka", timeout=WAIT_MS)
        assert screen.recall_button.text() == "Panggil ulang (R)"
        assert screen.card_text(created["id"]).status == "BARU"
        assert window.header.room_label.text() != "Kitchen"
    finally:
        install_translator(qapp, "en")
    qtbot.waitUntil(lambda: window.header.count_label.text() == "1 open order(s)", timeout=WAIT_MS)
    assert screen.card_text(created["id"]).status == "NEW"
