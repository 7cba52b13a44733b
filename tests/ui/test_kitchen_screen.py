"""The kitchen display against the real server: cards, bump bar keys, refusals, ageing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock, SystemClock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import Order, OrderStatus
from kiosk.ui.kitchen.card_colours import FRESH, LATE, WARN
from kiosk.ui.kitchen.card_delegate import Thresholds, age_colour
from kiosk.ui.kitchen.screen import KitchenScreen
from kiosk.ui.window import MainWindow
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config

WAIT_MS = 10_000


def server_status(server: ServerProcess, order_id: int) -> str:
    response = server.request("GET", f"/api/orders/{order_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def open_window(qtbot: QtBot, session: Session, config: Config, clock: Any = None) -> MainWindow:
    window = MainWindow(session, config, clock or SystemClock())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def kitchen_of(window: MainWindow) -> KitchenScreen:
    screen = window.screen_widget
    assert isinstance(screen, KitchenScreen), screen
    return screen


def card_status(window: MainWindow, order_id: int) -> OrderStatus | None:
    screen = kitchen_of(window)
    row = screen.model.row_of(order_id)
    return None if row is None else screen.model.order_at(row).status


def test_an_order_posted_to_the_server_appears_as_a_card(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    window = open_window(qtbot, live_session, display_config)
    created = server.create_order(customer_name="Siti Rahma", table="B3")
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.card_text(created["id"]) is not None, timeout=WAIT_MS)
    lines = screen.card_text(created["id"]).lines()
    assert created["order_number"] in lines
    assert "Siti Rahma" in lines
    assert "2× Nasi Goreng Spesial" in lines and "+ telur ceplok" in lines and "“pedas”" in lines
    assert "1× Es Teh Manis" in lines
    assert any("B3" in line for line in lines)
    assert "NEW" in lines
    assert window.header.count_label.text() == "1 open order(s)"
    # the all-day panel refreshes on its own timer (coalescing bursts): wait for it
    qtbot.waitUntil(lambda: "2 × Nasi Goreng Spesial" in screen.all_day.text(), timeout=WAIT_MS)
    assert "3 × Nasi Goreng Spesial" not in screen.all_day.text()
    # the new order was announced once: a toast naming it
    qtbot.waitUntil(
        lambda: any(created["order_number"] in t.text() for t in window.toasts.toasts()), timeout=WAIT_MS
    )


def test_bump_bar_keys_reach_the_server_and_move_the_card_on(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    first = server.create_order(customer_name="Andi")
    second = server.create_order(customer_name="Budi")
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    grid = screen.grid
    grid.setFocus()

    qtbot.keyClick(grid, Qt.Key.Key_2)  # pick the second card on the page
    assert grid.currentIndex().row() == 1
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: server_status(server, second["id"]) == "preparing", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: card_status(window, second["id"]) is OrderStatus.PREPARING, timeout=WAIT_MS)
    assert server_status(server, first["id"]) == "pending"

    # two more bumps: ready, then completed - and the card leaves the grid
    qtbot.keyClick(grid, Qt.Key.Key_2)
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: card_status(window, second["id"]) is OrderStatus.READY, timeout=WAIT_MS)
    qtbot.keyClick(grid, Qt.Key.Key_2)
    qtbot.keyClick(grid, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: server_status(server, second["id"]) == "completed", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: card_status(window, second["id"]) is None, timeout=WAIT_MS)
    assert screen.model.rowCount() == 1
    qtbot.waitUntil(lambda: live_session.last_bumped == second["id"], timeout=WAIT_MS)  # the recall target

    # R recalls the last bumped order: completed -> ready, back on the grid
    qtbot.keyClick(grid, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: server_status(server, second["id"]) == "ready", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: card_status(window, second["id"]) is OrderStatus.READY, timeout=WAIT_MS)


def test_a_bump_of_an_order_cancelled_meanwhile_is_refused_with_the_reason(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    created = server.create_order()
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: card_status(window, created["id"]) is OrderStatus.PENDING, timeout=WAIT_MS)
    response = server.request("DELETE", f"/api/orders/{created['id']}", json={"reason": "customer left"})
    assert response.status_code == 200, response.text
    # Bump before or after the cancel event arrives: either the server (409) or the
    # kiosk's own status machine refuses; the banner says so in the screen's words and
    # the card shows the cancel and its reason.
    screen.grid.setFocus()
    qtbot.keyClick(screen.grid, Qt.Key.Key_1)
    qtbot.keyClick(screen.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.banners.banners()) == 1, timeout=WAIT_MS)
    text = window.banners.banners()[0].text()
    number = created["order_number"]
    assert (
        text == f"Order {number} was not changed: it has already moved on; the screen shows where it is now."
    )
    qtbot.waitUntil(lambda: card_status(window, created["id"]) is OrderStatus.CANCELLED, timeout=WAIT_MS)
    assert server_status(server, created["id"]) == "cancelled"
    assert "Reason: customer left" in screen.card_text(created["id"]).lines()


def test_a_refused_recall_rolls_the_card_back_and_says_why(
    qtbot: QtBot,
    tmp_path: Path,
    kiosk_data_dir: Path,
    make_session: Callable[..., Session],
) -> None:
    """The server refuses a recall after its window (0 s here): optimistic card, then rollback."""
    strict = ServerProcess(
        tmp_path / "strict.db", extra_args=["--recall-window", "0"], log_path=tmp_path / "s.log"
    )
    strict.start()
    try:
        config = make_config(strict, "display", tmp_path)
        session = make_session(config)
        created = strict.create_order()
        for status in ("preparing", "ready"):
            assert strict.request("PATCH", f"/api/orders/{created['id']}/status", json={"status": status}).ok
        window = open_window(qtbot, session, config)
        screen = kitchen_of(window)
        qtbot.waitUntil(lambda: card_status(window, created["id"]) is OrderStatus.READY, timeout=WAIT_MS)
        seen: list[OrderStatus | None] = []
        screen.model.dataChanged.connect(lambda *_: seen.append(card_status(window, created["id"])))
        screen.model.rowsInserted.connect(lambda *_: seen.append(card_status(window, created["id"])))
        screen.grid.setFocus()
        qtbot.keyClick(screen.grid, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: server_status(strict, created["id"]) == "completed", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: card_status(window, created["id"]) is None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: session.last_bumped == created["id"], timeout=WAIT_MS)
        seen.clear()
        qtbot.keyClick(screen.grid, Qt.Key.Key_R)
        qtbot.waitUntil(lambda: len(window.banners.banners()) == 1, timeout=WAIT_MS)
        assert "recalled" in window.banners.banners()[0].text()
        qtbot.waitUntil(lambda: card_status(window, created["id"]) is None, timeout=WAIT_MS)
        assert OrderStatus.READY in seen  # the card came back at once (optimistic) ...
        assert server_status(strict, created["id"]) == "completed"  # ... and was rolled back
    finally:
        strict.stop()


@pytest.mark.parametrize(
    ("age_s", "colour"), [(0, FRESH), (299, FRESH), (300, WARN), (599, WARN), (600, LATE), (5000, LATE)]
)
def test_card_colour_follows_age_on_the_injected_clock(age_s: int, colour: Any) -> None:
    clock = FakeClock()
    order = Order(id=1, created_at=clock.now())
    clock.advance(age_s)
    assert age_colour(order, clock.now(), Thresholds(300, 600)) == colour


def test_the_tick_repaints_ageing_cards_and_drops_lingering_cancelled_ones(
    qtbot: QtBot, live_session: Session, display_config: Config, server: ServerProcess
) -> None:
    clock = FakeClock(start=SystemClock().now())
    window = open_window(qtbot, live_session, display_config, clock)
    screen = kitchen_of(window)
    created = server.create_order()
    qtbot.waitUntil(lambda: screen.card_text(created["id"]) is not None, timeout=WAIT_MS)
    assert server.request("DELETE", f"/api/orders/{created['id']}", json={"reason": "habis"}).ok
    qtbot.waitUntil(lambda: card_status(window, created["id"]) is OrderStatus.CANCELLED, timeout=WAIT_MS)
    clock.advance(timedelta(seconds=3).total_seconds())
    screen.tick()
    assert card_status(window, created["id"]) is OrderStatus.CANCELLED  # still struck through
    clock.advance(10)
    screen.tick()
    assert card_status(window, created["id"]) is None


def test_the_tick_turns_a_card_yellow_then_red_on_screen(
    qtbot: QtBot, live_session: Session, display_config: Config, server: ServerProcess
) -> None:
    clock = FakeClock(start=SystemClock().now())
    window = open_window(qtbot, live_session, display_config, clock)
    screen = kitchen_of(window)
    created = server.create_order()
    qtbot.waitUntil(lambda: screen.card_text(created["id"]) is not None, timeout=WAIT_MS)
    card = screen.grid.visualRect(screen.model.index(screen.model.row_of(created["id"])))
    probe = card.topLeft() + QPoint(40, 12)  # inside the coloured header band, left of the number

    at = screen.grid.viewport().mapTo(window, probe)

    def band() -> QColor:
        # What the window really shows (the platform's backing store), not a fresh render:
        # this fails if the tick repaints only the timers when a card changes colour.
        return window.screen().grabWindow(window.winId()).toImage().pixelColor(at)

    qtbot.waitUntil(lambda: band() == FRESH, timeout=WAIT_MS)
    assert "0:0" in screen.card_text(created["id"]).elapsed
    clock.advance(display_config.warn_after_s + 1)
    screen.tick()
    qtbot.waitUntil(lambda: band() == WARN, timeout=WAIT_MS)
    clock.advance(display_config.late_after_s - display_config.warn_after_s)
    screen.tick()
    qtbot.waitUntil(lambda: band() == LATE, timeout=WAIT_MS)
    assert screen.card_text(created["id"]).elapsed.startswith("10:0")
