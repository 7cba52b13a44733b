"""Kitchen cards sized from the screen and the card_density setting, and the page indicator.

The field had fixed 300x250 cards: a ragged empty strip at the right of the
grid and a row of cards cut at the bottom, on every screen size.  These run
the real window against the real server at the common kiosk resolutions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from pytestqt.qtbot import QtBot

from kiosk.core.config import CARD_DENSITIES, ConfigError, load_config
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.ui.kitchen.card_layout import CARD_TARGETS
from kiosk.ui.kitchen.grid import CardGrid
from kiosk.ui.window import MainWindow
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config
from tests.ui.test_kitchen_screen import WAIT_MS, open_window

SIZES = ((1024, 768), (1366, 768), (1920, 1080))
SMALL_ORDER: dict[str, Any] = {"items": [{"name": "Es Teh", "qty": 1, "price": 5000}], "table": "A1"}


def live_window(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
    orders: int,
    **settings: object,
) -> tuple[MainWindow, Any]:
    """``orders`` one-cell orders on the server, then a live kitchen window with ``settings``."""
    for n in range(orders):
        server.create_order(customer_name=f"Ani {n}", **SMALL_ORDER)
    config = make_config(server, "display", tmp_path, **settings)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    window = open_window(qtbot, session, config)
    screen: Any = window.screen_widget
    qtbot.waitUntil(lambda: screen.model.rowCount() == orders, timeout=WAIT_MS)
    return window, screen


def resize_and_settle(qtbot: QtBot, window: MainWindow, grid: CardGrid, size: tuple[int, int]) -> None:
    """Resize the window and wait until the grid's cells match its new viewport."""
    window.resize(*size)

    def settled() -> bool:
        room = grid.viewport().size() + QSize(grid.viewportMargins().right(), grid.viewportMargins().bottom())
        units = grid.units
        return (
            window.size() == QSize(*size)
            and units.columns * units.width + 1 + grid.viewportMargins().right() == room.width()
            and grid.visualRect(grid.model().index(0, 0)).width() == units.width
        )

    qtbot.waitUntil(settled, timeout=WAIT_MS)


def cards_in_view(grid: CardGrid) -> list[QRect]:
    view = grid.viewport().rect()
    model = grid.model()
    rects = (grid.visualRect(model.index(row, 0)) for row in range(model.rowCount()))
    return [rect for rect in rects if rect.intersects(view)]


@pytest.mark.parametrize("density", CARD_DENSITIES)
def test_cards_fill_the_width_and_whole_rows_fill_each_page(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
    density: str,
) -> None:
    window, screen = live_window(qtbot, server, tmp_path, make_session, 60, card_density=density)
    grid: CardGrid = screen.grid
    assert grid.density == density
    target = CARD_TARGETS[density]
    for size in SIZES:
        resize_and_settle(qtbot, window, grid, size)
        viewport = grid.viewport().rect()
        units = grid.units
        margins = grid.viewportMargins()
        room_w, room_h = viewport.width() + margins.right(), viewport.height() + margins.bottom()
        where = f"{density} at {size}: viewport {viewport.size()}, cells {units}"
        # as many columns and rows of at least the target size as fit; the rest is spread over them
        assert units.columns == max(1, room_w // target.width()), where
        assert units.rows == max(1, room_h // target.height()), where
        # the cells fill the viewport: every pixel column but the last (QListView wraps a card
        # that reaches it) and every pixel row; the leftover (< 1 px per cell) is a margin
        assert units.columns * units.width == viewport.width() - 1, where
        assert units.rows * units.height == viewport.height(), where
        assert margins.right() < units.columns and margins.bottom() < units.rows, where

        grid.setFocus()
        grid.verticalScrollBar().setValue(0)
        bar = grid.verticalScrollBar()
        pages = 0
        while True:
            pages += 1
            shown = cards_in_view(grid)
            assert shown, where
            full_rows = len(shown) // units.columns
            for rect in shown:
                assert rect.size() == QSize(units.width, units.height), where
                assert viewport.contains(rect), f"{where}: page {pages}: card {rect} is cut off"
            assert full_rows == units.rows or bar.value() == bar.maximum(), where
            if bar.value() == bar.maximum():
                break
            qtbot.keyClick(grid, Qt.Key.Key_PageDown)
            assert bar.value() % units.page_height == 0 or bar.value() == bar.maximum(), where
        lines = math.ceil(60 / units.columns)
        assert pages == math.ceil(lines / units.rows), where


def test_card_size_follows_the_density_setting(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
) -> None:
    for n in range(4):
        server.create_order(customer_name=f"Ani {n}", **SMALL_ORDER)
    sizes: dict[str, dict[tuple[int, int], QSize]] = {}
    for density in CARD_DENSITIES:
        token = server.add_device(f"kitchen-{density}", ["display"])
        config = load_config(
            path=tmp_path / "absent.toml",
            env={},
            overrides={"server_url": server.url, "room": "display", "token": token, "card_density": density},
        )
        session = make_session(config)
        qtbot.waitUntil(lambda s=session: s.status.state is ConnectionState.LIVE, timeout=WAIT_MS)  # type: ignore[misc]
        window = open_window(qtbot, session, config)
        screen: Any = window.screen_widget
        qtbot.waitUntil(lambda s=screen: s.model.rowCount() == 4, timeout=WAIT_MS)  # type: ignore[misc]
        sizes[density] = {}
        for size in SIZES:
            resize_and_settle(qtbot, window, screen.grid, size)
            sizes[density][size] = screen.grid.visualRect(screen.model.index(0)).size()
        window.close()
    for size in SIZES:
        compact, normal, large = (sizes[density][size] for density in CARD_DENSITIES)
        area = [card.width() * card.height() for card in (compact, normal, large)]
        assert area[0] < area[1] < area[2], f"at {size}: compact {compact}, normal {normal}, large {large}"
        for density in CARD_DENSITIES:
            card, target = sizes[density][size], CARD_TARGETS[density]
            assert card.width() >= target.width() and card.height() >= target.height(), (density, size, card)


def test_a_density_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_config(path=tmp_path / "none.toml", env={"KIOSK_CARD_DENSITY": "huge"})
    assert refused.value.key == "card_density"
    assert "KIOSK_CARD_DENSITY" in str(refused.value)
    assert "compact, normal, large" in str(refused.value)
    assert load_config(path=tmp_path / "none.toml", env={}).card_density == "normal"


def test_the_page_indicator_counts_pages_and_hides_when_everything_fits(
    qtbot: QtBot,
    server: ServerProcess,
    tmp_path: Path,
    make_session: Callable[..., Session],
) -> None:
    window, screen = live_window(qtbot, server, tmp_path, make_session, 2)
    grid: CardGrid = screen.grid
    resize_and_settle(qtbot, window, grid, (1024, 768))
    label = screen.page_label
    assert not label.isVisible()  # two cards: everything fits

    # arrive while the screen is live: rows inserted
    later = [server.create_order(customer_name=f"Budi {n}", **SMALL_ORDER) for n in range(28)]
    qtbot.waitUntil(lambda: screen.model.rowCount() == 30, timeout=WAIT_MS)
    units = grid.units
    pages = math.ceil(math.ceil(30 / units.columns) / units.rows)
    assert pages > 2
    qtbot.waitUntil(lambda: label.isVisible() and label.text() == f"page 1 of {pages}", timeout=WAIT_MS)

    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_PageDown)
    assert label.text() == f"page 2 of {pages}"
    assert grid.currentIndex().row() == units.columns * units.rows  # the first card of page 2
    qtbot.keyClick(grid, Qt.Key.Key_PageUp)
    assert label.text() == f"page 1 of {pages}"

    # a bigger window shows more at once: fewer pages
    resize_and_settle(qtbot, window, grid, (1920, 1080))
    wide = grid.units
    fewer = math.ceil(math.ceil(30 / wide.columns) / wide.rows)
    qtbot.waitUntil(lambda: label.text() == f"page 1 of {fewer}" or fewer == 1, timeout=WAIT_MS)

    # orders leave (bumped to completed elsewhere): back to one page, and the indicator goes
    resize_and_settle(qtbot, window, grid, (1024, 768))
    for order in later:
        for status in ("preparing", "ready", "completed"):
            response = server.request("PATCH", f"/api/orders/{order['id']}/status", json={"status": status})
            assert response.ok, response.text
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=WAIT_MS)
