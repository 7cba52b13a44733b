"""A rush of new orders costs the window a few toasts, not one toast per order.

The core applies live events in batches, so one turn of the event loop can
bring hundreds of notices.  Building and measuring a toast takes milliseconds;
the row holds four.  The toasts of a turn are built once, at its end, for the
newest requests only, and a "+N more" toast says how many the row cannot show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.core.store import Notice
from kiosk.protocol import Event, Order, OrderStatus
from kiosk.ui import theme
from kiosk.ui.widgets import toasts as toasts_module
from kiosk.ui.widgets.toasts import MAX_TOASTS, TOAST_S, Toast, ToastStrip
from kiosk.ui.window import MainWindow, describe_order

WAIT_MS = 2000


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    theme.apply_theme(qapp)
    yield qapp


class Counted:
    """Toasts built and row placements made from the moment the counting starts.

    Only the counting is instrumented: ``Toast`` is a subclass that records
    itself, ``_place`` is the strip's own, wrapped.
    """

    def __init__(self, strip: ToastStrip, monkeypatch: pytest.MonkeyPatch) -> None:
        self.toasts: list[Toast] = []
        self.placements = 0
        built = self.toasts

        class CountedToast(Toast):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                built.append(self)

        place = strip._place

        def counted_place() -> None:
            self.placements += 1
            place()

        monkeypatch.setattr(toasts_module, "Toast", CountedToast)
        monkeypatch.setattr(strip, "_place", counted_place)


def open_window(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> MainWindow:
    """The real window on a real (never started) Session, 1280x800 as in bench/burst.py."""
    config = Config(room="display")
    window = MainWindow(Session(config, clock=clock, data_dir=tmp_path), config, clock)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def new_order(number: int) -> Notice:
    order = Order(
        id=number,
        order_number=f"T1-{number:03d}",
        customer_name=f"Customer {number}",
        status=OrderStatus.PENDING,
    )
    return Notice(Event.ORDER_CREATED, order, None, first_seen=True)


def text_of(notice: Notice) -> str:
    assert isinstance(notice.entity, Order)
    return describe_order(notice.event, notice.entity)[0]


def more_count(toast: Toast) -> int:
    found = re.fullmatch(r"\+(\d+) more", toast.text())
    assert found is not None, f"not a '+N more' toast: {toast.text()!r}"
    return int(found.group(1))


def on_screen(strip: ToastStrip) -> list[str]:
    """The texts of the toasts showing, without placing what is pending (``toasts()`` would)."""
    return [toast.text() for toast in strip.findChildren(Toast) if toast.isVisible()]


def test_two_hundred_new_orders_in_one_turn_build_a_few_toasts_and_place_the_row_once(
    themed: QApplication, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, tmp_path, FakeClock(start=datetime(2026, 12, 1, 12, 0, tzinfo=UTC)))
    strip = window.toasts
    counted = Counted(strip, monkeypatch)
    notices = [new_order(number) for number in range(1, 201)]
    for notice in notices:  # one store batch: one turn of the loop
        window.on_notice(notice)
    assert counted.toasts == [], "toasts are built at the end of the turn, not one per notice"

    qtbot.waitUntil(lambda: counted.placements > 0, timeout=WAIT_MS)  # the turn's end
    shown = strip.toasts()
    assert counted.placements == 1, "the row is placed once for the whole turn"
    assert len(counted.toasts) <= MAX_TOASTS + 1, f"{len(counted.toasts)} toasts built for one turn"
    assert all(toast in counted.toasts for toast in shown)
    assert 2 <= len(shown) <= MAX_TOASTS

    more, *newest = shown
    assert [toast.text() for toast in newest] == [text_of(n) for n in notices[-len(newest) :]]
    assert more_count(more) + len(newest) == len(notices), "every order is either shown or counted"
    for toast in shown:
        assert toast.isVisible()
        assert toast.textFormat() == Qt.TextFormat.PlainText
        assert toast.fits(), f"toast text clipped: {toast.text()!r}"
    assert sum(toast.width() for toast in shown) <= strip.width()

    with qtbot.waitSignal(strip.activated, timeout=WAIT_MS) as clicked:
        qtbot.mouseClick(newest[-1], Qt.MouseButton.LeftButton)
    assert clicked.args == [200]
    assert newest[-1] not in strip.toasts()


def test_a_rush_over_several_turns_keeps_counting_until_it_expires(
    themed: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    clock = FakeClock(start=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    window = open_window(qtbot, tmp_path, clock)
    strip = window.toasts
    for batch in range(3):  # three turns of ten new orders
        for number in range(batch * 10 + 1, batch * 10 + 11):
            window.on_notice(new_order(number))
        last = text_of(new_order(batch * 10 + 10))
        qtbot.waitUntil(lambda last=last: last in on_screen(strip), timeout=WAIT_MS)  # the turn's end
        clock.advance(1)
    more, *newest = strip.toasts()
    assert more_count(more) + len(newest) == 30
    assert newest[-1].text() == text_of(new_order(30))

    clock.advance(TOAST_S)
    window.tick()
    assert strip.toasts() == []
    # After the rush, orders one turn at a time get their own toasts and no count.
    for number in (31, 32):
        window.on_notice(new_order(number))
        qtbot.waitUntil(lambda number=number: text_of(new_order(number)) in on_screen(strip), timeout=WAIT_MS)
    assert [toast.text() for toast in strip.toasts()] == [text_of(new_order(31)), text_of(new_order(32))]


def test_clicking_the_count_dismisses_it_and_jumps_nowhere(
    themed: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(qtbot, tmp_path, FakeClock())
    strip = window.toasts
    for number in range(1, 11):
        window.on_notice(new_order(number))
    more, *newest = strip.toasts()
    assert more_count(more) == 10 - len(newest)
    with qtbot.assertNotEmitted(strip.activated):
        qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    assert strip.toasts() == newest


def test_a_few_toasts_in_one_turn_show_as_they_would_one_turn_apart(
    themed: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    """No more than the row holds: no count, and the same toasts as when they come one by one
    (at 1280 px four new-order toasts do not fit side by side: the oldest makes way either way)."""
    clock = FakeClock()
    window = open_window(qtbot, tmp_path, clock)
    notices = [new_order(number) for number in range(1, MAX_TOASTS + 1)]
    for notice in notices:
        window.on_notice(notice)
        qtbot.waitUntil(lambda notice=notice: text_of(notice) in on_screen(window.toasts), timeout=WAIT_MS)
    one_by_one = [toast.text() for toast in window.toasts.toasts()]
    clock.advance(TOAST_S)
    window.tick()
    assert window.toasts.toasts() == []

    for notice in notices:
        window.on_notice(notice)
    qtbot.waitUntil(lambda: text_of(notices[-1]) in on_screen(window.toasts), timeout=WAIT_MS)
    in_one_turn = [toast.text() for toast in window.toasts.toasts()]
    assert in_one_turn == one_by_one
    assert in_one_turn[-1] == text_of(notices[-1])
    assert not any(text.startswith("+") for text in in_one_turn)
