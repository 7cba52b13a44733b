"""The expo view against the real server: stations' progress live, bump at the pass, wait for pick-up, out.

Orders are made and their lines bumped through the real REST API as admin (the
stations' screens would do the same); the expo screen runs on a real Session of
a ``display`` device and only calls ``Session.set_status``.  Timers run on a
FakeClock (the screen's injected clock).  A screenshot of the screen fullscreen
under Xvfb + openbox at 1366x768 is kept in test-artifacts/expo-1366x768.png.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.changes import Change
from kiosk.core.clock import FakeClock
from kiosk.core.config import Config
from kiosk.core.connection_status import ConnectionState
from kiosk.core.session import Session
from kiosk.protocol import OrderStatus
from kiosk.ui.expo.row_list import Badge, RowList, RowTexts
from kiosk.ui.expo.screen import CONFIRM_S, ExpoScreen
from tests.support.flows import advance
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config
from tests.ui.test_plain_text_everywhere import rich_labels

WAIT_MS = 10_000
GRILL_PEANUT = {"name": "Sate Ayam", "qty": 1, "price": 1000, "station": "grill", "allergens": ["peanut"]}
GRILL = {"name": "Ayam Bakar", "qty": 1, "price": 1000, "station": "grill"}
DRINK = {"name": "Es Teh", "qty": 1, "price": 1000, "station": "drinks"}
DESSERT = {"name": "Es Campur", "qty": 1, "price": 1000}  # no station: "other"


@dataclass
class Expo:
    screen: ExpoScreen
    session: Session
    clock: FakeClock
    server: ServerProcess


@pytest.fixture
def expo(
    server: ServerProcess, make_session: Any, tmp_path: Path, qtbot: QtBot, kiosk_data_dir: Path
) -> Expo:
    config: Config = make_config(server, "display", tmp_path)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    clock = FakeClock(start=datetime.now(UTC))
    screen = ExpoScreen(session, config, clock)
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    screen.setFocus()
    return Expo(screen, session, clock, server)


def line_status(
    server: ServerProcess, order: dict[str, Any], index: int, status: str, reason: str = ""
) -> None:
    body = {"status": status, **({"reason": reason} if reason else {})}
    item_id = order["items"][index]["id"]
    response = server.request("PATCH", f"/api/orders/{order['id']}/items/{item_id}/status", json=body)
    assert response.status_code == 200, response.text


def server_status(server: ServerProcess, order: dict[str, Any]) -> str:
    response = server.request("GET", f"/api/orders/{order['id']}")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def texts(screen: ExpoScreen, order: dict[str, Any]) -> RowTexts | None:
    return screen.open_list.row_texts(order["id"]) or screen.waiting_list.row_texts(order["id"])


def stations(screen: ExpoScreen, order: dict[str, Any]) -> tuple[tuple[str, bool], ...] | None:
    found = screen.open_list.row_texts(order["id"])
    return found.stations if found is not None else None


def badge(screen: ExpoScreen, order: dict[str, Any]) -> str | None:
    found = texts(screen, order)
    return found.badge_kind if found is not None else None


def press(qtbot: QtBot, screen: ExpoScreen, key: Qt.Key, shift: bool = False) -> None:
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(screen, key, modifier)


def tap(qtbot: QtBot, rows: RowList, order: dict[str, Any]) -> None:
    index = rows.order_ids().index(order["id"])
    qtbot.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, pos=rows.row_rect(index).center())


def test_progress_per_station_updates_live_as_the_stations_bump_their_lines(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    order = server.create_order(
        1, customer_name="Budi Santoso", table="A7", items=[GRILL_PEANUT, GRILL, DRINK, DESSERT]
    )
    qtbot.waitUntil(lambda: stations(screen, order) is not None, timeout=WAIT_MS)
    shown = texts(screen, order)
    assert shown is not None
    assert shown.number == order["order_number"] and shown.who == "Budi · table A7"
    assert shown.stations == (("grill 0/2", False), ("drinks 0/1", False), ("other 0/1", False))
    assert shown.allergens == "⚠ peanut" and shown.badge_kind == Badge.NONE
    line_status(server, order, 0, "done")
    qtbot.waitUntil(
        lambda: (
            stations(screen, order) == (("grill 1/2", False), ("drinks 0/1", False), ("other 0/1", False))
        ),
        timeout=WAIT_MS,
    )
    line_status(server, order, 2, "started")  # started is not done
    line_status(server, order, 2, "done")
    qtbot.waitUntil(
        lambda: stations(screen, order) == (("grill 1/2", False), ("drinks 1/1", True), ("other 0/1", False)),
        timeout=WAIT_MS,
    )
    # a finished station is painted green: its text's pixels are the "complete" colour
    image = screen.open_list.viewport().grab().toImage()
    rect = screen.open_list.row_rect(0)
    colours = {
        image.pixelColor(x, y).name()
        for x in range(rect.left(), rect.right(), 2)
        for y in range(rect.center().y(), rect.bottom())
    }
    assert "#4ade80" in colours
    line_status(server, order, 0, "pending")  # a cook takes a line back
    qtbot.waitUntil(
        lambda: stations(screen, order) == (("grill 0/2", False), ("drinks 1/1", True), ("other 0/1", False)),
        timeout=WAIT_MS,
    )


def test_voided_lines_do_not_count_and_their_allergens_leave_the_plate(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    order = server.create_order(1, items=[GRILL_PEANUT, GRILL, DRINK])
    qtbot.waitUntil(lambda: stations(screen, order) is not None, timeout=WAIT_MS)
    line_status(server, order, 0, "voided", reason="stok habis")
    qtbot.waitUntil(
        lambda: stations(screen, order) == (("grill 0/1", False), ("drinks 0/1", False)), timeout=WAIT_MS
    )
    shown = texts(screen, order)
    assert shown is not None and shown.allergens == ""
    line_status(server, order, 1, "done")
    line_status(server, order, 2, "done")
    qtbot.waitUntil(lambda: badge(screen, order) == Badge.DONE, timeout=WAIT_MS)
    assert stations(screen, order) == (("grill 1/1", True), ("drinks 1/1", True))
    assert screen.state_extra()["all_done"] == [order["order_number"]]


def test_all_done_then_enter_readies_it_and_the_pick_up_timer_counts_from_ready_at_until_handed_out(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen, clock = expo.screen, expo.clock
    order = server.create_order(1, customer_name="Sari", items=[GRILL_PEANUT, DRINK])
    qtbot.waitUntil(lambda: stations(screen, order) is not None, timeout=WAIT_MS)
    line_status(server, order, 0, "done")
    line_status(server, order, 1, "done")
    qtbot.waitUntil(lambda: badge(screen, order) == Badge.DONE, timeout=WAIT_MS)
    shown = texts(screen, order)
    assert shown is not None and shown.badge == "All done — bump"
    assert server_status(server, order) == "preparing"  # the server never readies it by itself
    assert screen.state_extra()["selected"] == order["order_number"]

    press(qtbot, screen, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: order["id"] in screen.waiting_list.order_ids(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: server_status(server, order) == "ready", timeout=WAIT_MS)
    assert screen.open_list.order_ids() == [] and screen.sent == [(order["id"], OrderStatus.READY)]
    extra = screen.state_extra()
    assert extra["waiting"] == [order["order_number"]] and extra["open"] == []
    # the pick-up timer runs from ready_at on the injected clock
    # the screen showed it at once (the session's optimistic result); the server's snapshot brings ready_at
    qtbot.waitUntil(lambda: expo.session.store.orders[order["id"]].ready_at is not None, timeout=WAIT_MS)
    ready_at = expo.session.store.orders[order["id"]].ready_at
    assert ready_at is not None
    clock.set(ready_at)
    screen.tick()
    assert (found := texts(screen, order)) is not None and found.timer == "0:00"
    clock.advance(75)
    screen.tick()
    assert (found := texts(screen, order)) is not None and found.timer == "1:15"
    assert found.badge_kind == Badge.HAND_OUT

    assert extra["selected"] == order["order_number"]  # the open area emptied: the selection followed it
    # the server has answered, but the session hands the answer back on the loop: until then a
    # touch on the same order is ignored (never sent twice)
    qtbot.waitUntil(lambda: not screen.is_sending(order["id"]), timeout=WAIT_MS)
    press(qtbot, screen, Qt.Key.Key_Return)  # handed out
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: server_status(server, order) == "completed", timeout=WAIT_MS)
    assert screen.open_count() == 0


def test_a_ready_order_completed_elsewhere_or_cancelled_leaves_the_pick_up_area(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    first = advance(server, server.create_order(1, items=[DRINK]), "ready")
    second = advance(server, server.create_order(2, items=[GRILL]), "ready")
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [first["id"], second["id"]], timeout=WAIT_MS)
    advance_response = server.request(
        "PATCH", f"/api/orders/{first['id']}/status", json={"status": "completed"}
    )
    assert advance_response.status_code == 200, advance_response.text
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [second["id"]], timeout=WAIT_MS)
    gone = server.request("DELETE", f"/api/orders/{second['id']}", json={"reason": "customer left"})
    assert gone.status_code == 200, gone.text
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [], timeout=WAIT_MS)
    assert screen.state_extra()["waiting"] == []


def test_an_incomplete_order_is_not_readied_by_one_enter_only_by_the_confirm(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen, clock = expo.screen, expo.clock
    order = server.create_order(1, items=[GRILL, DRINK])
    qtbot.waitUntil(lambda: stations(screen, order) is not None, timeout=WAIT_MS)
    line_status(server, order, 0, "done")
    qtbot.waitUntil(
        lambda: stations(screen, order) == (("grill 1/1", True), ("drinks 0/1", False)), timeout=WAIT_MS
    )

    press(qtbot, screen, Qt.Key.Key_Return)
    assert screen.sent == [] and badge(screen, order) == Badge.ARMED  # only armed: nothing went to the server
    assert "press again within 3 s" in screen.outcome_label.text()
    clock.advance(CONFIRM_S + 0.5)
    screen.tick()
    assert badge(screen, order) == Badge.NONE and screen.state_extra()["armed"] == []
    press(qtbot, screen, Qt.Key.Key_Return)  # too late for the first: arms again
    assert screen.sent == [] and server_status(server, order) == "preparing"
    clock.advance(CONFIRM_S - 0.5)
    press(qtbot, screen, Qt.Key.Key_Return)  # the confirm, within 3 s
    assert screen.sent == [(order["id"], OrderStatus.READY)]
    qtbot.waitUntil(lambda: order["id"] in screen.waiting_list.order_ids(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: server_status(server, order) == "ready", timeout=WAIT_MS)


def test_shift_enter_bumps_an_incomplete_order_at_once_even_a_pending_one(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    order = server.create_order(1, items=[GRILL, DRINK])  # nothing started: pending
    qtbot.waitUntil(lambda: stations(screen, order) is not None, timeout=WAIT_MS)
    press(qtbot, screen, Qt.Key.Key_Return, shift=True)
    qtbot.waitUntil(lambda: order["id"] in screen.waiting_list.order_ids(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: server_status(server, order) == "ready", timeout=WAIT_MS
    )  # through preparing, as the status machine requires


def test_one_tap_bumps_an_all_done_order_and_two_taps_an_incomplete_one(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    done = server.create_order(1, items=[DRINK])
    partial = server.create_order(1, items=[GRILL, DRINK])
    qtbot.waitUntil(lambda: len(screen.open_list.order_ids()) == 2, timeout=WAIT_MS)
    line_status(server, done, 0, "done")
    line_status(server, partial, 0, "done")
    qtbot.waitUntil(
        lambda: (
            badge(screen, done) == Badge.DONE
            and stations(screen, partial) == (("grill 1/1", True), ("drinks 0/1", False))
        ),
        timeout=WAIT_MS,
    )
    tap(qtbot, screen.open_list, done)
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [done["id"]], timeout=WAIT_MS)
    tap(qtbot, screen.open_list, partial)
    assert badge(screen, partial) == Badge.ARMED and len(screen.sent) == 1
    tap(qtbot, screen.open_list, partial)
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [done["id"], partial["id"]], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not screen.is_sending(done["id"]), timeout=WAIT_MS)  # its ready answered
    tap(qtbot, screen.waiting_list, done)  # handed out
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [partial["id"]], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: server_status(server, done) == "completed", timeout=WAIT_MS)


def test_rush_sorts_first_and_the_selection_stays_on_its_order_through_updates(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    a = server.create_order(1, items=[GRILL])
    b = server.create_order(1, items=[GRILL])
    c = server.create_order(1, items=[DRINK], priority="rush")
    qtbot.waitUntil(lambda: len(screen.open_list.order_ids()) == 3, timeout=WAIT_MS)
    assert screen.open_list.order_ids() == [c["id"], a["id"], b["id"]]
    shown = texts(screen, c)
    assert shown is not None and shown.rush == "RUSH"
    # the first order was selected when it came; the rush order arriving above it did not take that away
    assert screen.state_extra()["selected"] == a["order_number"]
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.state_extra()["selected"] == b["order_number"]
    rushed = server.request("PATCH", f"/api/orders/{b['id']}/priority", json={"priority": "rush"})
    assert rushed.status_code == 200, rushed.text
    qtbot.waitUntil(lambda: screen.open_list.order_ids() == [b["id"], c["id"], a["id"]], timeout=WAIT_MS)
    assert screen.state_extra()["selected"] == b["order_number"]  # moved up with its order
    line_status(server, a, 0, "done")
    qtbot.waitUntil(lambda: badge(screen, a) == Badge.DONE, timeout=WAIT_MS)
    assert screen.state_extra()["selected"] == b["order_number"]
    press(qtbot, screen, Qt.Key.Key_Up)
    assert screen.state_extra()["selected"] == b["order_number"]  # the top stays the top
    # Right: into the pick-up area; Left: back
    ready = advance(server, server.create_order(2, items=[DRINK]), "ready")
    qtbot.waitUntil(lambda: screen.waiting_list.order_ids() == [ready["id"]], timeout=WAIT_MS)
    press(qtbot, screen, Qt.Key.Key_Right)
    assert screen.state_extra()["selected"] == ready["order_number"]
    press(qtbot, screen, Qt.Key.Key_Left)
    assert screen.state_extra()["selected"] == b["order_number"]
    assert screen.focus_order(a["id"]) and screen.state_extra()["selected"] == a["order_number"]
    assert not screen.focus_order("no-such-order")


def test_wire_text_is_painted_as_plain_text(expo: Expo, server: ServerProcess, qtbot: QtBot) -> None:
    screen = expo.screen
    order = server.create_order(
        1, customer_name="<b>BOSS</b> x", table="<i>7</i>", items=[{**GRILL, "station": "<u>grill</u>"}]
    )
    qtbot.waitUntil(lambda: stations(screen, order) is not None, timeout=WAIT_MS)
    shown = texts(screen, order)
    assert shown is not None and shown.who == "<b>BOSS</b> · table <i>7</i>"
    assert shown.stations == (("<u>grill</u> 0/1", False),)
    assert rich_labels(screen) == []


def test_three_hundred_open_orders_an_event_repaints_well_under_a_frame(
    expo: Expo, server: ServerProcess, qtbot: QtBot
) -> None:
    screen = expo.screen
    created = [
        server.create_order(
            1 + n % 3, items=[GRILL_PEANUT, GRILL, DRINK], priority="rush" if n % 17 == 0 else "normal"
        )
        for n in range(300)
    ]
    qtbot.waitUntil(lambda: len(screen.open_list.order_ids()) == 300, timeout=30_000)
    batches: list[list[Change]] = []
    screen.bridge.changes.connect(lambda changes: batches.append(list(changes)))
    line_status(server, created[150], 0, "done")
    qtbot.waitUntil(
        lambda: (
            bool(batches)
            and stations(screen, created[150]) is not None
            and stations(screen, created[150])[0] == ("grill 1/2", False)
        ),
        timeout=WAIT_MS,
    )  # type: ignore[index]
    timings = []
    for _ in range(11):
        start = time.perf_counter()
        screen._on_changes(batches[-1])  # the real event's changes, handled again
        screen.open_list.viewport().repaint()
        screen.waiting_list.viewport().repaint()
        timings.append((time.perf_counter() - start) * 1000)
    print(f"event to frame with 300 open orders, ms: {[round(t, 2) for t in timings]}")
    # Painting the rows in view is most of it (the 300 only cost their sort), so this reads the
    # machine's speed: ~6 ms here, 9 on a slower CI machine.  The budget is a 60 Hz frame: the
    # median well under it, and all but the worst sample (a scheduler's or collector's pause) within.
    ranked = sorted(timings)
    assert ranked[5] < 12.0, timings
    assert ranked[-2] < 16.7, timings


# -- a screenshot of the real screen under Xvfb + openbox ---------------------------------------------

MARKER = "EXPO-JSON "


def shoot_main() -> None:
    """The child side: ``python -c "from tests.ui.test_expo import shoot_main; shoot_main()" PLAN_JSON``."""
    import qasync

    from kiosk.ui.app import make_application

    plan = json.loads(sys.argv[1])
    app = make_application(offscreen=False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        result = loop.run_until_complete(_shoot(plan))
    finally:
        loop.close()
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


async def _shoot(plan: dict[str, Any]) -> dict[str, Any]:
    from PySide6.QtGui import QGuiApplication

    from kiosk.core.clock import SystemClock
    from kiosk.core.config import load_config

    config = load_config(path=Path(plan["tmp"]) / "absent.toml", env={},
                         overrides={"server_url": plan["server"], "room": "display", "token": plan["token"]})  # fmt: skip
    clock = SystemClock()
    session = Session(config, clock=clock, data_dir=Path(plan["tmp"]) / "data")
    screen = ExpoScreen(session, config, clock)
    screen.showFullScreen()
    await session.start()
    deadline = time.monotonic() + 40
    try:
        while screen.open_count() < plan["orders"]:
            if time.monotonic() > deadline:
                raise TimeoutError("the orders never reached the screen")
            await asyncio.sleep(0.05)  # a polled condition, bounded by the deadline
        screen.move_selection(1)
        for _ in range(20):  # let the window manager place the fullscreen window and Qt paint it
            await asyncio.sleep(0.05)
        shot = QGuiApplication.primaryScreen().grabWindow(0).toImage()
        return {"saved": bool(shot.save(plan["screenshot"])), "state": screen.state_extra(),
                "size": [screen.width(), screen.height()]}  # fmt: skip
    finally:
        await session.stop()
        screen.close()


@pytest.mark.parametrize("x_session", [(1366, 768)], indirect=True)
def test_screenshot_at_1366x768_with_a_dozen_orders_in_mixed_states(
    server: ServerProcess,
    tmp_path: Path,
    artifacts: Path,
    x_session: tuple[str, int, int],
) -> None:
    display, width, height = x_session
    names = [
        "Budi Santoso",
        "Sari Dewi",
        "Ketut",
        "Putu Ayu",
        "Agus Salim",
        "Rina",
        "Wayan",
        "Dewi",
        "Made",
        "Yusuf",
        "Lina",
        "Hendra",
    ]
    orders = []
    for n, name in enumerate(names):
        items = (
            [GRILL_PEANUT, GRILL, DRINK, DESSERT]
            if n % 3 == 0
            else [GRILL, DRINK]
            if n % 3 == 1
            else [DRINK, {**DESSERT, "allergens": ["milk", "gluten"]}]
        )
        orders.append(
            server.create_order(
                1 + n % 3,
                customer_name=name,
                table=f"B{n + 1}",
                items=items,
                priority="rush" if n in (4, 9) else "normal",
            )
        )
    for order in orders[:3]:
        advance(server, order, "ready")  # waiting for pick-up
    for order in orders[3:6]:  # all done
        for index in range(len(order["items"])):
            line_status(server, order, index, "done")
    line_status(server, orders[6], 0, "voided", reason="stok habis")
    line_status(server, orders[6], 1, "done")
    line_status(server, orders[7], 0, "done")
    line_status(server, orders[9], 0, "started")
    shot = artifacts / f"expo-{width}x{height}.png"
    shot.unlink(missing_ok=True)
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("KIOSK_") and k != "DBUS_SESSION_BUS_ADDRESS"
    }
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime),
               KIOSK_CONFIG=str(tmp_path / "no-config.toml"), KIOSK_DATA_DIR=str(tmp_path / "data"),
               KIOSK_LOG_DIR=str(tmp_path / "logs"))  # fmt: skip
    plan = {"server": server.url, "token": server.add_device("xvfb-expo", ["display"]), "tmp": str(tmp_path),
            "screenshot": str(shot), "orders": len(orders)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", "from tests.ui.test_expo import shoot_main; shoot_main()", json.dumps(plan)],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    assert done.returncode == 0 and lines, f"child failed ({done.returncode}):\n{done.stderr[-4000:]}"
    result = json.loads(lines[-1][len(MARKER) :])
    assert result["saved"] and result["size"] == [width, height]
    state = result["state"]
    assert state["waiting"] == [order["order_number"] for order in orders[:3]]
    assert state["open"][:2] == [orders[4]["order_number"], orders[9]["order_number"]]  # rush first
    assert set(state["all_done"]) == {order["order_number"] for order in orders[3:6]}
    assert state["more_below"]["open"] == len(state["open"]) - 7  # rows shown whole, the rest "▼ N more"
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert (image.width(), image.height()) == (width, height)


def test_view_expo_gives_a_display_room_the_expo_and_a_bad_view_is_refused(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from kiosk.core.config import ConfigError, load_config
    from kiosk.ui.kitchen.screen import KitchenScreen
    from kiosk.ui.window import MainWindow

    clock = FakeClock()
    for view, expected in (("expo", ExpoScreen), ("cards", KitchenScreen)):
        config = load_config(
            path=tmp_path / "absent.toml", env={}, overrides={"room": "display", "view": view}
        )
        window = MainWindow(Session(config, clock=clock, data_dir=tmp_path), config, clock)
        qtbot.addWidget(window)
        assert type(window.screen_widget) is expected
    from_env = load_config(path=tmp_path / "absent.toml", env={"KIOSK_VIEW": "expo"})
    assert from_env.view == "expo"
    with pytest.raises(ConfigError, match="cards, expo"):
        load_config(path=tmp_path / "absent.toml", env={"KIOSK_VIEW": "grid"})
