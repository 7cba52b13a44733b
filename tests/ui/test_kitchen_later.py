"""Scheduled orders on the kitchen screen: held in the Later strip, onto the rail at their release, announced once.

Against the real server; the screen runs on a FakeClock that starts at the
real time (the server refuses a fire time in the past), so the release is
reached by moving the clock, not by waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.connection_status import ConnectionState
from kiosk.ui.expo.screen import ExpoScreen
from kiosk.ui.sound import NEW_ORDER, ORDER_RELEASED
from kiosk.ui.tenant.screen import TenantScreen
from kiosk.ui.window import make_sound
from tests.support.server_process import ServerProcess
from tests.ui.conftest import make_config
from tests.ui.test_kitchen_screen import WAIT_MS, kitchen_of, open_window


@pytest.mark.usefixtures("kiosk_data_dir")
def test_a_booked_order_waits_in_the_later_strip_and_arrives_with_a_chime_and_a_toast(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path, make_session: Any
) -> None:
    clock = FakeClock(datetime.now(UTC))
    config = make_config(server, "display", tmp_path, sound=True)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    window = open_window(qtbot, session, config, clock)
    window.sound = make_sound(config, clock, window)
    sounds: list[str] = []
    window.sound.played.connect(sounds.append)
    screen = kitchen_of(window)
    fire_at = clock.now() + timedelta(minutes=30)
    booked = server.create_order(1, customer_name="Katering", fire_at=fire_at.isoformat(), prep_minutes=10)
    now_order = server.create_order(1, customer_name="Walk-in")
    qtbot.waitUntil(lambda: screen.model.row_of(now_order["id"]) is not None, timeout=WAIT_MS)
    assert screen.model.row_of(booked["id"]) is None  # not work yet: no card, no timer from the booking
    assert screen.later.isVisible() and screen.later.held_numbers() == [booked["order_number"]]
    assert booked["order_number"] in screen.later.entries.text()
    window.toasts.flush()
    toasts = [toast.text() for toast in window.toasts.toasts()]
    assert not any(booked["order_number"] in text for text in toasts), toasts  # the booking is no news
    assert sounds.count(NEW_ORDER) == 1  # the walk-in's chime only

    clock.advance(20 * 60 - 1)
    screen.tick()
    assert screen.model.row_of(booked["id"]) is None
    clock.advance(1)
    screen.tick()
    assert screen.model.row_of(booked["id"]) is not None and not screen.later.isVisible()
    window.toasts.flush()
    due = [toast.text() for toast in window.toasts.toasts() if booked["order_number"] in toast.text()]
    assert len(due) == 1 and "due" in due[0], [toast.text() for toast in window.toasts.toasts()]
    qtbot.waitUntil(lambda: sounds.count(NEW_ORDER) == 2, timeout=WAIT_MS)
    screen.tick()
    window.toasts.flush()
    assert len([t for t in window.toasts.toasts() if booked["order_number"] in t.text()]) == 1  # once


@pytest.mark.usefixtures("kiosk_data_dir")
def test_the_stall_screen_holds_its_booked_orders_too(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path, make_session: Any
) -> None:
    clock = FakeClock(datetime.now(UTC))
    booked = server.create_order(
        5, customer_name="Arisan", fire_at=(clock.now() + timedelta(minutes=45)).isoformat(), prep_minutes=15
    )
    config = make_config(server, "tenant-5", tmp_path)
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    screen = TenantScreen(session, config, clock)
    qtbot.addWidget(screen)
    screen.show()
    announced: list[tuple[str, object, str]] = []
    screen.announced.connect(lambda text, key, sound: announced.append((text, key, sound)))
    qtbot.waitUntil(lambda: screen.later.held_numbers() == [booked["order_number"]], timeout=WAIT_MS)
    assert screen.model.row_of(booked["id"]) is None and screen.later.isVisible()
    clock.advance(30 * 60)
    screen.tick()
    assert screen.model.row_of(booked["id"]) is not None and not screen.later.isVisible()
    assert [(key, sound) for _, key, sound in announced] == [(booked["id"], ORDER_RELEASED)]
    assert booked["order_number"] in announced[0][0]


@pytest.mark.usefixtures("kiosk_data_dir")
def test_the_expo_holds_booked_orders_off_the_pass_until_their_release(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path, make_session: Any
) -> None:
    clock = FakeClock(datetime.now(UTC))
    booked = server.create_order(
        6, customer_name="Rapat", fire_at=(clock.now() + timedelta(minutes=25)).isoformat(), prep_minutes=5
    )
    walk_in = server.create_order(6, customer_name="Walk-in")
    config = make_config(server, "display", tmp_path, view="expo")
    session = make_session(config)
    qtbot.waitUntil(lambda: session.status.state is ConnectionState.LIVE, timeout=WAIT_MS)
    screen = ExpoScreen(session, config, clock)
    qtbot.addWidget(screen)
    screen.show()
    shown = lambda: screen.state_extra()["open"]  # noqa: E731 - the order numbers on the pass
    qtbot.waitUntil(lambda: walk_in["order_number"] in shown(), timeout=WAIT_MS)
    assert booked["order_number"] not in shown() and screen.later.held_numbers() == [booked["order_number"]]
    clock.advance(20 * 60)
    screen.tick()
    assert booked["order_number"] in shown() and not screen.later.isVisible()
