"""Touch on the kitchen grid: a tap picks a card, a second tap on the picked card bumps it.

The field bumped orders by accident: the first touch on a card sent it on.
These tap the real grid with real mouse events against the real server and
read the order's status from the server.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import OrderStatus
from kiosk.ui.kitchen.card_layout import HEADER_H, MARGIN
from tests.support.server_process import ServerProcess
from tests.ui.test_kitchen_screen import WAIT_MS, card_status, open_window, server_status


def order_version(server: ServerProcess, order_id: int) -> int:
    response = server.request("GET", f"/api/orders/{order_id}")
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


def tap(qtbot: QtBot, screen: Any, order_id: int) -> None:
    """A finger on the order's card header (press and release, as a touch screen sends).

    The header, not the middle: a tap on one of the card's lines bumps that
    line instead (tests/ui/test_kitchen_depth.py).
    """
    grid = screen.grid
    rect = grid.visualRect(screen.model.index(screen.model.row_of(order_id)))
    header = QPoint(rect.center().x(), rect.top() + MARGIN + HEADER_H // 2)
    assert grid.viewport().rect().contains(header)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=header)


def test_a_tap_picks_a_card_and_a_second_tap_on_it_bumps_it(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    first = server.create_order(customer_name="Andi")
    second = server.create_order(customer_name="Budi")
    window = open_window(qtbot, live_session, display_config)
    screen: Any = window.screen_widget
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    grid = screen.grid
    bumped: list[int] = []
    grid.bumpRequested.connect(lambda index: bumped.append(screen.model.order_at(index.row()).id))

    tap(qtbot, screen, second["id"])
    assert bumped == []  # one touch: picked only
    assert grid.currentIndex().row() == screen.model.row_of(second["id"])
    assert grid.selectionModel().isSelected(grid.currentIndex())

    tap(qtbot, screen, second["id"])  # the picked card again: bump
    assert bumped == [second["id"]]
    qtbot.waitUntil(lambda: server_status(server, second["id"]) == "preparing", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: card_status(window, second["id"]) is OrderStatus.PREPARING, timeout=WAIT_MS)
    # one bump, not two: the server moved the order once (created at version 1)
    assert order_version(server, second["id"]) == 2
    assert server_status(server, first["id"]) == "pending"

    tap(qtbot, screen, first["id"])  # another card: it is picked, nothing is bumped
    assert bumped == [second["id"]]
    assert grid.currentIndex().row() == screen.model.row_of(first["id"])
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Return)  # the bump bar still bumps the picked card
    qtbot.waitUntil(lambda: server_status(server, first["id"]) == "preparing", timeout=WAIT_MS)
    assert bumped == [second["id"], first["id"]]
    qtbot.waitUntil(lambda: card_status(window, first["id"]) is OrderStatus.PREPARING, timeout=WAIT_MS)
    assert order_version(server, second["id"]) == 2 and server_status(server, second["id"]) == "preparing"


def test_a_tap_on_a_card_picked_by_the_keyboard_bumps_it_and_a_tap_on_the_gap_does_nothing(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    created = server.create_order(customer_name="Citra")
    window = open_window(qtbot, live_session, display_config)
    screen: Any = window.screen_widget
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT_MS)
    grid = screen.grid
    bumped: list[QModelIndex] = []
    grid.bumpRequested.connect(bumped.append)

    empty = grid.viewport().rect().bottomRight()
    assert not grid.indexAt(empty).isValid()  # one card, at the top left
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    assert bumped == []

    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_1)  # picked on the bump bar
    tap(qtbot, screen, created["id"])
    assert len(bumped) == 1
    qtbot.waitUntil(lambda: server_status(server, created["id"]) == "preparing", timeout=WAIT_MS)
    assert order_version(server, created["id"]) == 2
