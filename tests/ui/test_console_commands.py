"""The window obeying the console through the real server: identify for 10 s, settings applied live."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock, SystemClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.ui.i18n import install_translator
from kiosk.ui.window import MainWindow
from tests.support.server_process import ServerProcess

WAIT_MS = 10_000


@pytest.fixture
def english_after() -> Iterator[None]:
    """A pushed language stays on the application: back to English for the tests after this one."""
    yield
    app = QCoreApplication.instance()
    assert app is not None
    install_translator(app, "en")


def _command(qtbot: QtBot, server: ServerProcess, device: str, body: dict[str, Any]) -> dict[str, Any]:
    """The admin's request from another thread: the screen answers on this one, so it must keep running."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(server.request, "POST", f"/api/devices/{device}/command", json=body)
        qtbot.waitUntil(future.done, timeout=WAIT_MS)
    answer = future.result()
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_identify_covers_the_screen_with_its_name_for_ten_seconds(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    clock = FakeClock(start=SystemClock().now())
    window = MainWindow(live_session, display_config, clock)
    qtbot.addWidget(window)
    window.show()
    name = server.request("GET", "/api/devices").json()["devices"][0]["name"]
    assert _command(qtbot, server, name, {"command": "identify"})["answers"][0]["ok"] is True
    overlay = window.identify_overlay
    assert overlay.isVisible() and overlay.text() == name
    assert overlay.geometry() == window.centralWidget().rect()  # over everything
    clock.advance(9.5)
    window.tick()
    assert overlay.isVisible()
    clock.advance(0.5)
    window.tick()
    assert not overlay.isVisible()


def test_pushed_thresholds_language_and_sound_apply_without_a_restart(
    qtbot: QtBot,
    server: ServerProcess,
    live_session: Session,
    display_config: Config,
    english_after: None,
) -> None:
    window = MainWindow(live_session, display_config, SystemClock())
    qtbot.addWidget(window)
    window.show()
    before = window.screen_widget
    assert window.header.badge.text() == "Live"
    name = server.request("GET", "/api/devices").json()["devices"][0]["name"]
    settings = {"warn_after_s": 120, "late_after_s": 240, "language": "id", "sound": False}
    answer = _command(qtbot, server, name, {"command": "settings", "settings": settings})
    assert answer["answers"][0]["ok"] is True, answer
    assert window.screen_widget is not before  # built afresh with the new settings
    limits = window.screen_widget.delegate._limits  # type: ignore[attr-defined]
    assert (limits.warn_after_s, limits.late_after_s) == (120, 240)
    qtbot.waitUntil(lambda: window.header.badge.text() == "Terhubung", timeout=WAIT_MS)
    assert window.mute_button.isChecked()
    buttons = window.screen_widget.findChildren(QAbstractButton)
    assert buttons and all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in buttons)  # a bump bar's keys
    before_orders = window.screen_widget.model.rowCount()  # type: ignore[attr-defined]
    order = server.create_order()
    qtbot.waitUntil(
        lambda: window.screen_widget.model.rowCount() == before_orders + 1,  # type: ignore[attr-defined]
        timeout=WAIT_MS,
    )  # the new screen hears the session's changes
    assert any(o.id == order["id"] for o in live_session.store.orders.values())
