"""The customer pick-up board against the real server: numbers in, ready with a chime and a flash, out.

Every order is made and moved through the real REST API as admin; the board
gets only what the server sends its ``board`` room (board views: no items,
no amounts, a first name).  The highlight runs on a FakeClock (the screen's
injected clock) and ends when that clock passes ``highlight_s``.  Screenshots
of the real window under Xvfb + openbox at 1366x768 and 1920x1080 are kept in
test-artifacts/board-<w>x<h>.png for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QFontMetrics, QImage
from PySide6.QtWidgets import QScrollBar
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.protocol import OrderStatus
from kiosk.ui.board.fit import name_font, number_font
from kiosk.ui.board.number_grid import NumberGrid
from kiosk.ui.board.palette import MIN_CONTRAST, TENANT_FILLS, fill_contrast, tenant_fill
from kiosk.ui.board.screen import BoardScreen
from kiosk.ui.sound import PAYMENT
from kiosk.ui.window import MainWindow, make_sound
from tests.support.flows import advance
from tests.support.server_process import ServerProcess
from tests.ui.conftest import ARTIFACTS, make_config
from tests.ui.sound_support import REQUIRE_ENV, sound_server_up
from tests.ui.test_headless import clean_env, non_blank_png, wait_for_line
from tests.ui.test_plain_text_everywhere import rich_labels

# Without a PulseAudio server Qt says so once; the sound board carries on silently by design.
pytestmark = pytest.mark.qt_log_ignore("PulseAudioService: pa_context_connect")

NAMES = ["Budi Santoso", "Sari Dewi", "Ketut", "Putu Ayu", "Agus Salim", "Rina", "Wayan Sudarsana"]


@dataclass
class Board:
    window: MainWindow
    screen: BoardScreen
    clock: FakeClock
    session: Session
    sounds: list[str]


@pytest.fixture
def board(
    server: ServerProcess, make_session: Any, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path
) -> Board:
    """The board room's real window at 1366x768, with the app's sound board, on a FakeClock."""
    config = make_config(server, "board", tmp_path, sound=True)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=10_000)
    clock = FakeClock()
    window = MainWindow(session, config, clock)
    window.sound = make_sound(config, clock, window)  # as kiosk/ui/app.py does
    sounds: list[str] = []
    window.sound.played.connect(sounds.append)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    screen = window.screen_widget
    assert isinstance(screen, BoardScreen)  # the SCREENS table picks the board for the board room
    return Board(window, screen, clock, session, sounds)


def numbers(grid: NumberGrid) -> list[str]:
    return [tile.number for tile in grid.tiles()]


def patch_status(server: ServerProcess, order: dict[str, Any], status: str) -> None:
    response = server.request("PATCH", f"/api/orders/{order['id']}/status", json={"status": status})
    assert response.status_code == 200, response.text


def test_a_number_goes_from_preparing_to_ready_with_a_chime_and_a_flash_then_leaves(
    board: Board, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = board.screen
    order = server.create_order(1, customer_name="Budi Santoso")
    number = order["order_number"]
    qtbot.waitUntil(lambda: numbers(screen.preparing) == [number], timeout=10_000)
    assert numbers(screen.ready) == []
    # In front of the customers: no "new order — name" toast, no kitchen chime, no staff alert.
    alert = server.request(
        "POST", "/api/alerts", json={"severity": "warning", "message": "Printer dapur habis"}
    )
    assert alert.status_code == 201
    qtbot.waitUntil(lambda: len(board.session.store.alerts) == 1, timeout=10_000)
    board.window.toasts.flush()
    assert board.window.toasts.toasts() == [] and board.sounds == [] and board.window.banners.banners() == []
    patch_status(server, order, "preparing")
    qtbot.waitUntil(
        lambda: board.session.store.orders[order["id"]].status is OrderStatus.PREPARING, timeout=10_000
    )
    assert numbers(screen.preparing) == [number]
    assert screen.highlighted_numbers() == []
    sounds_before = list(board.sounds)

    patch_status(server, order, "ready")
    qtbot.waitUntil(lambda: numbers(screen.ready) == [number], timeout=10_000)
    assert numbers(screen.preparing) == []
    # the chime: the bright "ready" sound was started by the app's sound board ...
    qtbot.waitUntil(lambda: board.sounds[len(sounds_before) :] == [PAYMENT], timeout=5_000)
    assert screen.ready_chimes == 1
    assert board.window.sound is not None
    if sound_server_up() or os.environ.get(REQUIRE_ENV) == "1":
        # ... and really handed to the sound server (the null sink under scripts/test.sh)
        player = board.window.sound.player(PAYMENT)
        assert player.error is None, player.error
        qtbot.waitUntil(lambda: player.started_count == 1 and player.processed_ms > 0, timeout=5_000)
        assert board.window.sound.heard_count >= 1
    # the highlight: a flashing bright border on that tile, for highlight_s on the injected clock
    key = order["id"]
    assert screen.highlighted_numbers() == [number]
    assert screen.ready.highlighted() == {key}
    board.clock.advance(screen.highlight_s - 0.5)
    screen.tick()
    assert screen.ready.highlighted() == {key}, "ended early"
    board.clock.advance(0.5)
    qtbot.waitUntil(lambda: screen.ready.highlighted() == frozenset(), timeout=5_000)  # the flash timer
    assert screen.highlighted_numbers() == []

    patch_status(server, order, "completed")
    qtbot.waitUntil(lambda: numbers(screen.ready) == [], timeout=10_000)
    assert numbers(screen.preparing) == [] and screen.open_count() == 0
    assert board.sounds[len(sounds_before) :] == [PAYMENT]  # completing is not another "ready" chime


def test_a_qr_pick_up_and_a_cancel_take_the_number_off(
    board: Board, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = board.screen
    picked = advance(server, server.create_order(1, customer_name="Sari"), "ready")
    cancelled = server.create_order(2, customer_name="Putu")
    qtbot.waitUntil(lambda: numbers(screen.ready) == [picked["order_number"]], timeout=10_000)
    qtbot.waitUntil(lambda: numbers(screen.preparing) == [cancelled["order_number"]], timeout=10_000)
    response = server.request("POST", "/api/qr/scan", json={"token": picked["qr_token"]})
    assert response.status_code == 200, response.text
    gone = server.request("DELETE", f"/api/orders/{cancelled['id']}", json={"reason": "customer left"})
    assert gone.status_code == 200, gone.text
    qtbot.waitUntil(lambda: numbers(screen.ready) == [] and numbers(screen.preparing) == [], timeout=10_000)
    assert screen.state_extra()["preparing"] == [] and screen.state_extra()["ready"] == []


def test_each_tenant_has_its_own_readable_colour(board: Board, server: ServerProcess, qtbot: QtBot) -> None:
    first = server.create_order(1, customer_name="Rina")
    second = server.create_order(2, customer_name="Agus")
    grid = board.screen.preparing
    qtbot.waitUntil(lambda: len(grid.visible_tiles()) == 2, timeout=10_000)
    fills = {tile.tenant_id: tenant_fill(tile.tenant_id) for tile in grid.visible_tiles()}
    assert fills[1] != fills[2]
    rect_1, rect_2 = grid.tile_rect(first["id"]), grid.tile_rect(second["id"])
    assert rect_1 is not None and rect_2 is not None
    image = grid.grab().toImage()
    painted = [QColor(image.pixel(rect.left() + 6, rect.center().y())) for rect in (rect_1, rect_2)]
    assert painted[0] != painted[1], "the two stalls' tiles are painted alike"
    assert painted[0].rgb() == fills[1].rgb() and painted[1].rgb() == fills[2].rgb()
    # every colour of the palette is distinct and its text reads on it (WCAG AA)
    assert len({fill.rgb() for fill in TENANT_FILLS}) == len(TENANT_FILLS)
    for fill in (*TENANT_FILLS, tenant_fill(None)):
        assert fill_contrast(fill.rgba()) >= MIN_CONTRAST, fill.name()


def test_only_a_first_name_and_never_items_or_amounts_are_held_or_painted(
    board: Board, server: ServerProcess, qtbot: QtBot
) -> None:
    order = server.create_order(
        3,
        customer_name="Wayan Sudarsana Putra",
        items=[{"name": "Nasi Goreng Spesial", "qty": 2, "price": 25_000, "notes": "pedas sekali"}],
    )
    screen = board.screen
    qtbot.waitUntil(lambda: numbers(screen.preparing) == [order["order_number"]], timeout=10_000)
    held = board.session.store.orders[order["id"]]
    assert (
        held.items == () and held.total_amount == 0 and held.customer_name == "Wayan"
    )  # the server strips them
    tile = screen.preparing.tiles()[0]
    assert tile.name == "Wayan"
    shown = " ".join(screen.preparing.painted_texts() + screen.ready.painted_texts())
    shown += " " + repr(screen.state_extra())
    for secret in ("Sudarsana", "Putra", "Nasi", "pedas", "25000", "25.000", "50000", "50.000", "Rp"):
        assert secret not in shown, secret


def test_more_numbers_than_fit_at_1366x768_show_the_newest_and_plus_n_more(
    board: Board, server: ServerProcess, qtbot: QtBot
) -> None:
    created = [server.create_order(1 + n % 3, customer_name=NAMES[n % len(NAMES)]) for n in range(30)]
    grid = board.screen.preparing
    qtbot.waitUntil(lambda: len(grid.tiles()) == 30, timeout=15_000)
    shown = grid.visible_tiles()
    assert 0 < len(shown) < 30
    assert grid.more_count() == 30 - len(shown)
    assert grid.more_text() == f"+{30 - len(shown)} more"
    assert grid.more_text() in grid.painted_texts()
    newest = [order["order_number"] for order in reversed(created)][: len(shown)]
    assert [tile.number for tile in shown] == newest
    # big enough to read from 5 m: a digit is at least 48 px tall on a 768-line screen
    fit = grid.current_fit()
    assert fit is not None
    digit = QFontMetrics(number_font(grid.font(), fit.number_px)).tightBoundingRect("8").height()
    assert digit >= 48, digit
    assert QFontMetrics(name_font(grid.font(), fit.name_px)).height() >= 20
    # every tile lies whole inside the grid, nothing scrolls, and the window did not grow
    for tile in shown:
        rect = grid.tile_rect(tile.key)
        assert rect is not None and grid.rect().contains(rect), (tile.number, rect, grid.rect())
    assert not [bar for bar in board.screen.findChildren(QScrollBar) if bar.isVisible()]
    assert (board.window.width(), board.window.height()) == (1366, 768)


def test_the_numbers_are_bigger_on_a_1080p_screen_and_a_few_grow_bigger_still(
    board: Board, server: ServerProcess, qtbot: QtBot
) -> None:
    grid = board.screen.ready
    orders = [advance(server, server.create_order(1 + n % 2), "ready") for n in range(2)]
    qtbot.waitUntil(lambda: len(grid.tiles()) == 2, timeout=10_000)

    def digit() -> int:
        fit = grid.current_fit()
        assert fit is not None
        return QFontMetrics(number_font(grid.font(), fit.number_px)).tightBoundingRect("8").height()

    few_at_768 = digit()
    assert few_at_768 > 48  # two numbers grow past the floor
    board.window.resize(1920, 1080)
    qtbot.waitUntil(lambda: digit() > few_at_768, timeout=5_000)
    for n in range(24):
        advance(server, server.create_order(1 + n % 3), "ready")
    qtbot.waitUntil(lambda: len(grid.tiles()) == 26, timeout=15_000)
    assert digit() >= 48 * 1080 // 768  # the floor scales with the screen: 67 px at 1080 lines
    assert orders[0]["order_number"] in numbers(grid)


def test_a_name_that_looks_like_markup_is_painted_literally(
    board: Board, server: ServerProcess, qtbot: QtBot
) -> None:
    order = server.create_order(1, customer_name="<i>BOSS</i> <img src=/etc/passwd>")
    grid = board.screen.preparing
    qtbot.waitUntil(lambda: numbers(grid) == [order["order_number"]], timeout=10_000)
    assert grid.tiles()[0].name == "<i>BOSS</i>"  # the first word, kept as text
    assert "<i>BOSS</i>" in grid.painted_texts()  # QPainter.drawText: never rich text


def test_every_label_of_the_board_is_plain_text(qtbot: QtBot, tmp_path: Path) -> None:
    config = Config(room="board")
    clock = FakeClock()
    window = MainWindow(Session(config, clock=clock, data_dir=tmp_path), config, clock)
    qtbot.addWidget(window)
    assert isinstance(window.screen_widget, BoardScreen)
    assert window.windowTitle() == "Kiosk — Pick-up board"
    assert rich_labels(window) == []


# -- screenshots of the real window under Xvfb + openbox -------------------------------------------


@pytest.mark.parametrize(
    "x_session", [(1366, 768), (1920, 1080)], indirect=True, ids=["1366x768", "1920x1080"]
)
def test_board_screenshot_with_twenty_numbers_of_three_stalls(
    x_session: tuple[str, int, int], server: ServerProcess, tmp_path: Path
) -> None:
    x_display, width, height = x_session
    orders = [server.create_order(1 + n % 3, customer_name=NAMES[n % len(NAMES)]) for n in range(20)]
    for order in orders[:7]:
        advance(server, order, "ready")
    for order in orders[7:12]:
        advance(server, order, "preparing")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"board-{width}x{height}.png"
    shot.unlink(missing_ok=True)
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env = clean_env(tmp_path, QT_QPA_PLATFORM="xcb", DISPLAY=x_display, XDG_RUNTIME_DIR=str(runtime))
    token = server.add_device("xvfb-board", ["board"])
    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--server", server.url, "--room", "board", "--token", token,
         "--no-sound", "--fullscreen", "--screenshot", str(shot), "--quit-after", "6"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_line(tmp_path / "logs" / "kiosk.log", "live with 20 orders on screen", child)
        patch_status(server, orders[7], "ready")  # turns ready while shown: flashes in the screenshot
        wait_for_line(tmp_path / "logs" / "kiosk.log", f"board: {orders[7]['order_number']} ready", child)
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    assert child.returncode == 0, stderr[-3000:]
    image: QImage = non_blank_png(shot)
    assert (image.width(), image.height()) == (width, height)  # fullscreen, never past the screen
