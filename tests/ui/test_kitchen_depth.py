"""Kitchen depth on the real screen against the real server: lines, allergens, rush, add-ons.

Each test drives the kitchen screen the way a cook does (a tap on a line, the
bump bar's keys) or changes an order from elsewhere (the admin's REST calls),
then reads the order back from the server and the card from the screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.ui.kitchen.card_colours import ALLERGEN_BG, MIN_PILL_CONTRAST, RUSH, contrast, pill_text_colour
from kiosk.ui.kitchen.card_layout import Line, Role
from kiosk.ui.kitchen.screen import KitchenScreen
from tests.support.server_process import ServerProcess
from tests.ui.test_kitchen_screen import WAIT_MS, kitchen_of, open_window

ITEMS = [
    {"name": "Sate Ayam", "qty": 2, "price": 20000, "station": "grill", "allergens": ["peanut", "gluten"]},
    {"name": "Nasi Putih", "qty": 2, "price": 5000},
    {"name": "Es Jeruk", "qty": 1, "price": 8000, "station": "drinks"},
]


def server_order(server: ServerProcess, order_id: int) -> dict[str, Any]:
    response = server.request("GET", f"/api/orders/{order_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def line_status(server: ServerProcess, order_id: int, item_id: int) -> str:
    return str(next(i for i in server_order(server, order_id)["items"] if i["id"] == item_id)["status"])


def lines_of(screen: KitchenScreen, order_id: int, item_id: int) -> list[Line]:
    placed = screen.card_layout(order_id)
    assert placed is not None
    return [line for line in placed[1].lines if line.item_id == item_id]


def item_state(screen: KitchenScreen, order_id: int, item_id: int) -> str:
    found = [line.state for line in lines_of(screen, order_id, item_id) if line.role is Role.ITEM]
    return found[0] if found else ""


def tap_line(qtbot: QtBot, screen: KitchenScreen, order_id: int, item_id: int) -> None:
    """A finger on the middle of one line of the card."""
    placed = screen.card_layout(order_id)
    assert placed is not None
    card, layout = placed
    where = layout.item_rect(item_id).center() + card.topLeft()
    assert screen.grid.viewport().rect().contains(where)
    qtbot.mouseClick(screen.grid.viewport(), Qt.MouseButton.LeftButton, pos=where)


def struck(screen: KitchenScreen, line: Line) -> bool:
    """The line is drawn struck through (the font paint_line picks for a done or voided line)."""
    return line.state in ("done", "voided") and screen.delegate.fonts.struck_item.strikeOut()


def test_a_tap_on_a_line_and_the_bump_bar_move_lines_on_the_server_and_on_the_card(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    created = server.create_order(items=ITEMS)
    order_id = created["id"]
    first, second, third = (item["id"] for item in created["items"])
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.card_layout(order_id) is not None, timeout=WAIT_MS)

    tap_line(qtbot, screen, order_id, first)  # one touch on a line: it is started
    qtbot.waitUntil(lambda: item_state(screen, order_id, first) == "started", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: line_status(server, order_id, first) == "started", timeout=WAIT_MS)
    assert server_order(server, order_id)["status"] == "preparing"
    tap_line(qtbot, screen, order_id, first)
    qtbot.waitUntil(lambda: line_status(server, order_id, first) == "done", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: item_state(screen, order_id, first) == "done", timeout=WAIT_MS)
    done_line = next(line for line in lines_of(screen, order_id, first) if line.role is Role.ITEM)
    assert struck(screen, done_line) and done_line.text.startswith("✓ ")
    assert not screen.is_flashing(order_id)  # this screen's own taps are no news

    grid = screen.grid
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_1)  # pick the card
    assert grid.cursor_line() == first  # the line cursor is where the finger was
    qtbot.keyClick(grid, Qt.Key.Key_Minus)
    assert grid.cursor_line() == first  # the top line: nothing above it
    qtbot.keyClick(grid, Qt.Key.Key_Plus)
    assert grid.cursor_line() == second
    qtbot.keyClick(grid, Qt.Key.Key_Asterisk)  # bump the line under the cursor
    qtbot.waitUntil(lambda: line_status(server, order_id, second) == "started", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: item_state(screen, order_id, second) == "started", timeout=WAIT_MS)
    qtbot.keyClick(grid, Qt.Key.Key_Asterisk)
    qtbot.waitUntil(lambda: line_status(server, order_id, second) == "done", timeout=WAIT_MS)
    qtbot.keyClick(grid, Qt.Key.Key_Plus)
    qtbot.keyClick(grid, Qt.Key.Key_Minus)
    assert grid.cursor_line() == second
    assert line_status(server, order_id, third) == "pending"
    assert server_order(server, order_id)["status"] == "preparing"  # the order itself moved on only once


def test_a_void_from_elsewhere_is_struck_with_its_reason_skipped_by_the_cursor_and_flashes(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    created = server.create_order(items=ITEMS)
    order_id = created["id"]
    first, second, _third = (item["id"] for item in created["items"])
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.card_layout(order_id) is not None, timeout=WAIT_MS)

    answer = server.request(
        "PATCH",
        f"/api/orders/{order_id}/items/{first}/status",
        json={"status": "voided", "reason": "stok habis"},
    )
    assert answer.status_code == 200, answer.text
    qtbot.waitUntil(lambda: item_state(screen, order_id, first) == "voided", timeout=WAIT_MS)
    text = screen.card_text(order_id)
    assert text is not None and "VOID: stok habis" in text.lines()
    void_lines = lines_of(screen, order_id, first)
    assert any(line.role is Role.VOID and line.text == "VOID: stok habis" for line in void_lines)
    assert struck(screen, next(line for line in void_lines if line.role is Role.ITEM))
    assert screen.is_flashing(order_id)  # changed from elsewhere
    qtbot.waitUntil(lambda: not screen.is_flashing(order_id), timeout=5000)  # ~2 s, on its own timer

    grid = screen.grid
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_1)
    qtbot.keyClick(grid, Qt.Key.Key_Plus)
    assert grid.cursor_line() == second  # the voided line is skipped
    qtbot.keyClick(grid, Qt.Key.Key_Minus)
    assert grid.cursor_line() == second  # nothing above it but the void
    tap_line(qtbot, screen, order_id, first)  # a tap on a void does nothing
    assert line_status(server, order_id, first) == "voided"


def test_a_rush_order_made_later_sorts_first_and_the_key_toggles_rush_on_the_server(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    older = server.create_order(customer_name="Andi")
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT_MS)
    rush = server.create_order(customer_name="Budi", priority="rush")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    assert [o.id for o in screen.model.orders()] == [rush["id"], older["id"]]
    text = screen.card_text(rush["id"])
    assert text is not None and text.rush == "RUSH" and "RUSH" in text.lines()

    grid = screen.grid
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_2)  # the older, normal order
    qtbot.keyClick(grid, Qt.Key.Key_Slash)
    qtbot.waitUntil(lambda: server_order(server, older["id"])["priority"] == "rush", timeout=WAIT_MS)
    # both rush: the older first again
    qtbot.waitUntil(lambda: screen.model.orders()[0].id == older["id"], timeout=WAIT_MS)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_1)
    qtbot.keyClick(grid, Qt.Key.Key_Slash)  # and back to normal
    qtbot.waitUntil(lambda: server_order(server, older["id"])["priority"] == "normal", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.model.orders()[0].id == rush["id"], timeout=WAIT_MS)
    assert not screen.is_flashing(older["id"])  # this screen's own key: no flash

    # the rush card's thick border is painted in the rush colour
    card = grid.visualRect(screen.model.index(0))
    image = grid.viewport().grab(card).toImage()
    assert colour_near(image, QPoint(6 + 3, card.height() // 2), RUSH)


def colour_near(image: QImage, at: QPoint, wanted: QColor, reach: int = 3) -> bool:
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            x, y = at.x() + dx, at.y() + dy
            if 0 <= x < image.width() and 0 <= y < image.height():
                seen = image.pixelColor(x, y)
                if max(abs(seen.red() - wanted.red()), abs(seen.green() - wanted.green()),
                       abs(seen.blue() - wanted.blue())) <= 8:  # fmt: skip
                    return True
    return False


def test_allergens_are_on_a_pill_of_the_allergen_colour_and_in_the_all_day_legend(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    assert contrast(ALLERGEN_BG, pill_text_colour(ALLERGEN_BG)) >= MIN_PILL_CONTRAST
    created = server.create_order(items=ITEMS)
    order_id, first = created["id"], created["items"][0]["id"]
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.card_layout(order_id) is not None, timeout=WAIT_MS)
    pill = next(line for line in lines_of(screen, order_id, first) if line.role is Role.ALLERGEN)
    assert pill.text == "⚠ peanut, gluten"
    card = screen.grid.visualRect(screen.model.index(screen.model.row_of(order_id)))
    image = screen.grid.viewport().grab(card).toImage()
    # the pill's left edge (inside its padding, left of the text) is the allergen colour
    assert colour_near(image, QPoint(pill.rect.left() - 4, pill.rect.center().y()), ALLERGEN_BG, reach=1)
    qtbot.waitUntil(lambda: "peanut" in screen.all_day.tooltip(), timeout=WAIT_MS)
    assert "⚠ Sate Ayam: gluten, peanut" in screen.all_day.tooltip()
    assert "2 × Sate Ayam ⚠" in screen.all_day.text() and "Nasi Putih ⚠" not in screen.all_day.text()


def test_an_add_on_from_the_admin_flashes_the_card_and_is_marked(
    qtbot: QtBot, server: ServerProcess, live_session: Session, display_config: Config
) -> None:
    created = server.create_order()
    order_id = created["id"]
    window = open_window(qtbot, live_session, display_config)
    screen = kitchen_of(window)
    qtbot.waitUntil(lambda: screen.card_layout(order_id) is not None, timeout=WAIT_MS)
    assert not screen.is_flashing(order_id)
    answer = server.request(
        "POST",
        f"/api/orders/{order_id}/items",
        json={"items": [{"name": "Kerupuk", "qty": 1, "price": 3000}]},
    )
    assert answer.status_code == 201, answer.text
    added = answer.json()["items"][-1]["id"]
    qtbot.waitUntil(lambda: screen.is_flashing(order_id), timeout=WAIT_MS)
    tags = [line for line in lines_of(screen, order_id, added) if line.role is Role.TAG]
    assert [line.text for line in tags] == ["ADD-ON"]
    text = screen.card_text(order_id)
    assert text is not None and "ADD-ON" in text.lines() and "1× Kerupuk" in text.lines()
    assert screen.delegate.flashing == {order_id}
    qtbot.waitUntil(lambda: not screen.is_flashing(order_id), timeout=5000)
    assert screen.delegate.flashing == set()
    # the order bumped from another screen (the expo): a flash too
    moved = server.request("PATCH", f"/api/orders/{order_id}/status", json={"status": "preparing"})
    assert moved.status_code == 200, moved.text
    qtbot.waitUntil(lambda: screen.is_flashing(order_id), timeout=WAIT_MS)


@pytest.mark.parametrize("x_session", [(1366, 768)], indirect=True)
def test_screenshot_of_a_busy_kitchen_at_1366x768_under_xvfb_and_openbox(
    server: ServerProcess,
    tmp_path: Path,
    artifacts: Path,
    x_session: tuple[str, int, int],
) -> None:
    """The app fullscreen in an Xvfb of a common kitchen PC's size, for a person to look at."""
    display, width, height = x_session
    token = server.add_device("xvfb-depth", ["display"])
    busy = server.create_order(customer_name="Rina", items=ITEMS, priority="rush")
    ids = [item["id"] for item in busy["items"]]
    for item_id, body in (
        (ids[0], {"status": "started"}),
        (ids[1], {"status": "done"}),
        (ids[2], {"status": "voided", "reason": "stok habis"}),
    ):
        assert server.request("PATCH", f"/api/orders/{busy['id']}/items/{item_id}/status", json=body).ok
    plain = server.create_order(customer_name="Dewi")
    added = server.request(
        "POST",
        f"/api/orders/{plain['id']}/items",
        json={"items": [{"name": "Kerupuk Udang", "qty": 2, "price": 3000, "allergens": ["shrimp"]}]},
    )
    assert added.status_code == 201, added.text
    server.create_order(customer_name="Yusuf", items=ITEMS[1:])
    shot = artifacts / f"kitchen-depth-{width}x{height}.png"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("KIOSK_") and k != "DBUS_SESSION_BUS_ADDRESS"
    }
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        KIOSK_CONFIG=str(tmp_path / "no-config.toml"),
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK_LOG_DIR=str(tmp_path / "logs"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--server", server.url, "--room", "display",
         "--token", token, "--no-sound", "--fullscreen", "--screenshot", str(shot), "--quit-after", "4"],
        capture_output=True, text=True, timeout=90, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (width, height)
