"""Bump bar and kiosk lock-down: the keyboard reaches the cards at once; kiosk mode cannot be left by accident."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.clock import SystemClock
from kiosk.core.config import Config, load_config
from kiosk.core.session import Session
from kiosk.ui.window import MainWindow


def offline_window(qtbot: QtBot, tmp_path: Path, room: str = "display", **settings: Any) -> MainWindow:
    """A window on a session that is never started: keys and focus need no server."""
    config = load_config(
        path=tmp_path / "none.toml",
        env={},
        overrides={"server_url": "http://127.0.0.1:9", "room": room, "token": "t", "sound": True, **settings},
    )
    window = MainWindow(Session(config, data_dir=tmp_path), config, SystemClock())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.parametrize("room", ["display", "tenant-1"])
def test_at_start_the_keyboard_is_on_the_cards_and_no_button_can_take_it(
    qtbot: QtBot, tmp_path: Path, room: str, kiosk_data_dir: Path
) -> None:
    window = offline_window(qtbot, tmp_path, room)
    focused = window.focusWidget()  # what has the keyboard when the window is active
    assert focused is not None and window.screen_widget.isAncestorOf(focused), focused
    buttons = window.findChildren(QAbstractButton)
    assert buttons and all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in buttons)


@pytest.mark.parametrize("key", [Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_space_and_enter_never_toggle_the_sound(
    qtbot: QtBot, tmp_path: Path, key: Qt.Key, kiosk_data_dir: Path
) -> None:
    window = offline_window(qtbot, tmp_path)
    window.mute_button.click()  # a tap on the button: it had focus once in the old window
    assert window.mute_button.isChecked()
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key)
    assert window.mute_button.isChecked(), "a bump bar key toggled the sound"


def test_kiosk_mode_ignores_f11_and_esc(qtbot: QtBot, tmp_path: Path, kiosk_data_dir: Path) -> None:
    window = offline_window(qtbot, tmp_path, fullscreen=True)
    window.set_fullscreen(True)
    qtbot.waitUntil(window.isFullScreen)
    for key in (Qt.Key.Key_F11, Qt.Key.Key_Escape):
        qtbot.keyClick(window, key)
        assert window.isFullScreen(), f"{key.name} left kiosk mode"


def test_the_configured_exit_keys_leave_kiosk_mode(
    qtbot: QtBot, tmp_path: Path, kiosk_data_dir: Path
) -> None:
    window = offline_window(qtbot, tmp_path, fullscreen=True, exit_keys="Ctrl+Alt+Shift+F11")
    window.set_fullscreen(True)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.isFullScreen()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(window, Qt.Key.Key_F11, modifiers | Qt.KeyboardModifier.ShiftModifier)
    assert not window.isFullScreen()


def test_out_of_kiosk_mode_esc_leaves_fullscreen(qtbot: QtBot, tmp_path: Path, kiosk_data_dir: Path) -> None:
    window = offline_window(qtbot, tmp_path)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen()


def test_a_bad_exit_key_setting_is_refused_with_the_setting_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exit_keys"):
        load_config(path=tmp_path / "none.toml", env={}, overrides={"exit_keys": "F11"})
    assert isinstance(Config(), Config)
