"""Toasts have a row of their own: they never cover a screen's working parts, and their text is never clipped.

They used to float over the bottom-right corner, on the kitchen's Recall
button and the cashier's net total, exactly when a rush made them frequent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import Event, Order, OrderStatus
from kiosk.ui import theme
from kiosk.ui.i18n import install_translator
from kiosk.ui.window import MainWindow, describe_order

ROOMS = ("display", "kasir-1", "tenant-1")
LONG_NAME = "Ibu Kartika Sari Dewi Anggraeni Puspitasari Wulandari Kusumawardhani Nugroho"
LONG_REASON = (
    "stok habis untuk semua menu ayam bakar madu pedas level lima, pelanggan minta uang kembali " * 2
)


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    theme.apply_theme(qapp)
    yield qapp
    install_translator(qapp, "en")


CLOCK = FakeClock(start=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))


def open_window(
    qtbot: QtBot, room: str, tmp_path: Path, size: tuple[int, int], clock: FakeClock = CLOCK
) -> MainWindow:
    """A real window on a real (never started) Session: the layout is what is tested, not the wire."""
    config = Config(room=room)
    window = MainWindow(Session(config, clock=clock, data_dir=tmp_path), config, clock)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def long_toasts(window: MainWindow) -> None:
    for number in range(1, 5):
        order = Order(
            id=number,
            order_number=f"T1-{number:03d}",
            customer_name=LONG_NAME,
            status=OrderStatus.CANCELLED,
            cancel_reason=LONG_REASON,
        )
        event = Event.ORDER_CANCELLED if number % 2 else Event.ORDER_CREATED
        window.toasts.show_toast(describe_order(event, order)[0], order.id)


@pytest.mark.parametrize("room", ROOMS)
@pytest.mark.parametrize("language", ["en", "id"])
def test_toasts_cover_no_working_part_of_any_screen_at_1024x768(
    themed: QApplication, qtbot: QtBot, tmp_path: Path, room: str, language: str
) -> None:
    install_translator(themed, language)
    window = open_window(qtbot, room, tmp_path, (1024, 768))
    screen = window.screen_widget
    before = screen.size()
    long_toasts(window)
    qtbot.waitUntil(lambda: all(toast.isVisible() for toast in window.toasts.toasts()), timeout=2000)
    assert screen.size() == before, "the toasts' row is reserved: showing toasts must not resize the screen"
    working = [w for w in screen.findChildren(QWidget) if w.isVisible()] + [window.header]
    for toast in window.toasts.toasts():
        area = in_window(toast, window)
        assert window.rect().contains(area), f"toast {area} leaves the window"
        for widget in working:
            covered = in_window(widget, window)
            assert not area.intersects(covered), (
                f"a toast covers {widget.objectName() or type(widget).__name__}"
            )
        needed = toast.heightForWidth(toast.width())
        assert toast.fits(), f"toast text clipped: {toast.text()!r} needs {needed} px of {toast.height()}"


def test_the_newest_toasts_stay_and_the_oldest_make_room(
    themed: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(qtbot, "display", tmp_path, (1024, 768))
    long_toasts(window)
    shown = window.toasts.toasts()
    assert 1 <= len(shown) < 4  # four long toasts do not fit side by side at 1024 px
    assert shown[-1].text().startswith("New order T1-004")
    total = sum(toast.width() for toast in shown)
    assert total <= window.toasts.width()


def test_a_short_toast_is_one_line_and_the_row_keeps_its_height_when_empty(
    themed: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    clock = FakeClock()
    window = open_window(qtbot, "display", tmp_path, (1366, 768), clock)
    height = window.toasts.height()
    assert height > 0
    window.toasts.show_toast("New order T1-001 — Dewi", 1)
    [toast] = window.toasts.toasts()  # placed now, not at the end of the turn
    assert toast.fits()
    assert toast.width() < window.width() // 2
    assert toast.heightForWidth(toast.width()) == toast.heightForWidth(10_000)  # one line
    clock.advance(8)
    window.toasts.expire()
    assert window.toasts.toasts() == []
    assert window.toasts.height() == height
